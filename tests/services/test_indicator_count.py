"""projects.indicator_count is kept by the database (triggers on indicators): exact after every
kind of write — the importer, ORM adds and deletes, bulk Core inserts and deletes, an indicator
moved to another project — so the project list can sum it instead of counting indicators."""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select, update


def _mismatches(db) -> list:
    from tracker.models import Indicator, Project

    actual = (
        select(func.count(Indicator.id)).where(Indicator.project_id == Project.id).correlate(Project).scalar_subquery()
    )
    return db.session.execute(
        select(Project.id, Project.indicator_count, actual).where(Project.indicator_count != actual)
    ).all()


def test_indicator_count_follows_every_write(db, seeded):
    from tracker.models import Indicator, Project

    projects = db.session.scalars(select(Project).order_by(Project.id)).all()
    assert len(projects) == 18
    db.session.expire_all()
    assert _mismatches(db) == []
    assert sum(p.indicator_count for p in db.session.scalars(select(Project))) == 184

    first, second = projects[0], projects[1]
    template = db.session.scalars(select(Indicator).where(Indicator.project_id == first.id)).first()
    columns = {
        c.key: getattr(template, c.key)
        for c in Indicator.__table__.columns
        if c.key not in ("id", "created_at", "updated_at")
    }
    # ORM add and delete
    added = Indicator(**{**columns, "position": 900, "level3": "新增指标"})
    db.session.add(added)
    db.session.flush()
    db.session.delete(db.session.scalars(select(Indicator).where(Indicator.project_id == second.id)).first())
    db.session.commit()
    assert _mismatches(db) == []
    # bulk Core insert (as a COPY or executemany writer would) and delete
    db.session.execute(
        insert(Indicator),
        [{**columns, "project_id": second.id, "position": 950 + n, "level3": f"批量{n}"} for n in range(3)],
    )
    db.session.execute(delete(Indicator).where(Indicator.project_id == first.id, Indicator.position == 900))
    db.session.commit()
    assert _mismatches(db) == []
    # an indicator moved to another project
    moved = db.session.scalars(select(Indicator.id).where(Indicator.project_id == second.id)).first()
    db.session.execute(update(Indicator).where(Indicator.id == moved).values(project_id=first.id))
    db.session.execute(update(Indicator).where(Indicator.id == moved).values(project_id=first.id))  # unchanged
    db.session.commit()
    db.session.expire_all()
    assert _mismatches(db) == []
    counts = dict(db.session.execute(select(Project.id, Project.indicator_count)).all())
    total = db.session.scalar(select(func.count(Indicator.id)))
    assert sum(counts.values()) == total == 184 + 1 - 1 + 3 - 1

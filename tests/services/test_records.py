"""The batch runs' record of many indicators at once (tracker/services/records.py) says what
the per-entry rules say (tracker.domain.progress over the current entries), on SQLite (the
ordered fold) and PostgreSQL (aggregated in the database): sums, latest values, tiers and
completions, with same-day ties, corrections, withdrawals and an as-of date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

D = Decimal


def _reference(indicator_id: int, as_of: date | None):
    """The per-entry code: the indicator's current entries as Readings, folded by the domain."""
    from tracker.domain import progress as progress_rules
    from tracker.extensions import db
    from tracker.models import ProgressEntry
    from tracker.services.progress import current_entries_query
    from tracker.services.records import from_readings

    stmt = current_entries_query(ProgressEntry).where(ProgressEntry.indicator_id == indicator_id)
    if as_of is not None:
        stmt = stmt.where(ProgressEntry.as_of <= as_of)
    return from_readings(
        progress_rules.Reading(e.as_of, e.id, e.value, e.tier, e.completed_on, e.for_month)
        for e in db.session.scalars(stmt)
    )


def _same(a, b) -> bool:
    """Equal, and written alike (Decimal('1.50') is not Decimal('1.5') on a form)."""
    return a == b and (a is None or not isinstance(a, Decimal) or a.as_tuple() == b.as_tuple())


def test_batch_record_matches_the_per_entry_rules(seeded, db, make_user):
    from tracker.extensions import db as _db
    from tracker.models import Indicator, ProgressEntry, Project
    from tracker.services.records import EMPTY, indicator_records

    project = _db.session.scalars(select(Project).order_by(Project.id)).first()
    indicators = _db.session.scalars(
        select(Indicator).where(Indicator.project_id == project.id).order_by(Indicator.id)
    ).all()
    assert len(indicators) >= 4
    a, b, c, d = indicators[:4]
    user = make_user("owner", project.department)

    def add(ind, day, **values):
        entry = ProgressEntry(
            indicator_id=ind.id,
            project_id=project.id,
            as_of=day,
            period_key=f"{day:%Y-%m}",
            created_by_id=user.id,
            **values,
        )
        _db.session.add(entry)
        _db.session.flush()
        return entry

    # a: values, a same-day tie (the later entry is the latest), a correction, a withdrawal
    add(a, date(2023, 1, 31), value=D("1.5"))
    add(a, date(2023, 3, 31), value=D("2.25"))
    add(a, date(2023, 3, 31), value=D("0.1"))  # same day, later: the latest until June
    wrong = add(a, date(2023, 2, 28), value=D("100"))
    add(a, date(2023, 2, 28), value=D("10"), supersedes_id=wrong.id)  # corrected
    gone = add(a, date(2023, 6, 30), value=D("7"))
    add(a, date(2023, 6, 30), value=D("7"), supersedes_id=gone.id, is_void=True)  # withdrawn, with its value
    add(a, date(2023, 9, 30), value=D("3.333333"))  # after the mid-year as-of date
    # b: tiers, the latest one withdrawn
    add(b, date(2023, 3, 31), tier="部分达成")
    add(b, date(2023, 5, 31), tier="达成")
    late = add(b, date(2023, 6, 15), tier="未达成")
    add(b, date(2023, 6, 15), supersedes_id=late.id, is_void=True)
    # c: completions per month (one corrected) and a one-off one
    add(c, date(2023, 1, 31), completed_on=date(2023, 1, 20), for_month=1)
    first = add(c, date(2023, 2, 28), completed_on=date(2023, 2, 27), for_month=2)
    add(c, date(2023, 2, 28), completed_on=date(2023, 2, 25), for_month=2, supersedes_id=first.id)
    add(c, date(2023, 4, 30), completed_on=date(2023, 4, 29))
    add(c, date(2023, 5, 31), completed_on=date(2023, 5, 2))  # the latest one-off
    # d: its only entry withdrawn
    only = add(d, date(2023, 2, 28), value=D("5"))
    add(d, date(2023, 2, 28), value=D("5"), supersedes_id=only.id, is_void=True)

    for as_of in (date(2023, 6, 30), None):
        batch = indicator_records([project.id], as_of=as_of)
        for ind in indicators:
            got, want = batch.get(ind.id, EMPTY), _reference(ind.id, as_of)
            for cumulative in (True, False):
                assert _same(got.value(cumulative=cumulative), want.value(cumulative=cumulative)), (ind.id, as_of)
            assert got.latest_tier == want.latest_tier, (ind.id, as_of)
            assert got.completions == want.completions, (ind.id, as_of)

    mid_year = indicator_records([project.id], as_of=date(2023, 6, 30))
    assert mid_year[a.id].value(cumulative=True) == D("13.85")  # 1.5 + 10 + 2.25 + 0.1
    assert mid_year[a.id].value(cumulative=False) == D("0.1")
    assert mid_year[b.id].latest_tier == "达成"
    assert mid_year[c.id].completions == {1: date(2023, 1, 20), 2: date(2023, 2, 25), None: date(2023, 5, 2)}
    assert mid_year.get(d.id, EMPTY).value(cumulative=True) is None
    assert indicator_records([project.id])[a.id].value(cumulative=False) == D("3.333333")

"""The county generator: deterministic for a seed, documents through the real importer,
every kind of target, entries/spending/forms in bulk (issue 9)."""

from __future__ import annotations

import hashlib

from sqlalchemy import func, select

from tests.conftest import fresh_database


def _fingerprint(db) -> dict:
    from tracker.models import Department, Expenditure, Indicator, ProgressEntry, Project, SourceDocument, Submission

    def digest(stmt) -> str:
        return hashlib.sha256(repr([tuple(map(str, r)) for r in db.session.execute(stmt)]).encode()).hexdigest()

    return {
        "departments": digest(select(Department.code, Department.name).order_by(Department.code)),
        "projects": digest(
            select(Project.name, Project.position, Project.initial_budget, Project.adjusted_budget).order_by(Project.id)
        ),
        "indicators": digest(
            select(
                Indicator.level1,
                Indicator.level2,
                Indicator.level3,
                Indicator.target_raw,
                Indicator.target_kind,
                Indicator.accumulation,
            ).order_by(Indicator.id)
        ),
        "entries": digest(
            select(
                ProgressEntry.indicator_id,
                ProgressEntry.as_of,
                ProgressEntry.value,
                ProgressEntry.tier,
                ProgressEntry.completed_on,
                ProgressEntry.for_month,
                ProgressEntry.supersedes_id,
                ProgressEntry.is_void,
            ).order_by(ProgressEntry.id)
        ),
        "spending": digest(
            select(
                Expenditure.project_id, Expenditure.spent_on, Expenditure.amount, Expenditure.supersedes_id
            ).order_by(Expenditure.id)
        ),
        "forms": digest(select(Submission.project_id, Submission.period_key, Submission.state).order_by(Submission.id)),
        "documents": db.session.scalar(select(func.count(SourceDocument.id))),
    }


def _generate(tmp_path, name: str, seed: int, runs: bool = False):
    from tracker import create_app
    from tracker.extensions import db
    from tracker_demo.county import generate

    with fresh_database(tmp_path / f"{name}.sqlite", "county") as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, UPLOAD_DIR=str(tmp_path / "uploads"))
        with app.app_context():
            db.create_all()
            try:
                counts = generate(0.02, seed, runs=runs, echo=lambda *a: None)
                return counts, _fingerprint(db), _kinds(db), _extra(db)
            finally:
                db.session.remove()
                db.engine.dispose()


def _kinds(db) -> dict:
    from tracker.models import Indicator

    rows = db.session.execute(
        select(
            Indicator.target_kind,
            Indicator.target_op,
            Indicator.accumulation,
            Indicator.deadline_monthly_day.is_not(None),
        )
    ).all()
    return {
        "kinds": {r[0] for r in rows},
        "ops": {r[1] for r in rows if r[1]},
        "accumulations": {r[2] for r in rows},
        "monthly_deadlines": any(r[3] for r in rows),
    }


def _extra(db) -> dict:
    from tracker.models import EvaluationForm, MonitoringSnapshot, ProgressEntry, Submission, User

    return {
        "corrections": db.session.scalar(select(func.count()).where(ProgressEntry.supersedes_id.is_not(None))),
        "voided": db.session.scalar(select(func.count()).where(ProgressEntry.is_void.is_(True))),
        "states": set(db.session.scalars(select(Submission.state).distinct())),
        "owners": db.session.scalar(select(func.count()).where(User.role == "owner")),
        "snapshots": db.session.scalar(select(func.count(MonitoringSnapshot.id))),
        "forms": db.session.scalar(select(func.count(EvaluationForm.id))),
    }


def test_same_seed_same_county_other_seed_another(tmp_path):
    counts, first, kinds, extra = _generate(tmp_path, "a", seed=7)
    _, again, _, _ = _generate(tmp_path, "b", seed=7)
    _, other, _, _ = _generate(tmp_path, "c", seed=8)
    assert first == again
    assert first["entries"] != other["entries"] and first["indicators"] != other["indicators"]

    # scale 0.02: 3 departments, 50 projects, one imported document per department
    assert counts["departments"] == 3 and counts["projects"] == 50
    assert first["documents"] == 3 and extra["owners"] == 3
    assert 600 <= counts["indicators"] <= 1200
    assert counts["entries"] > 8 * counts["indicators"] and counts["spending"] > 20 * counts["projects"]
    assert counts["submissions"] == 12 * counts["projects"]
    # every kind of target the documents can hold, rates and cumulative counts
    assert kinds["kinds"] == {"quantitative", "qualitative", "deadline", "within_budget"}
    assert {"≥", "≤", "="} <= kinds["ops"]
    assert kinds["accumulations"] == {"cumulative", "level"} and kinds["monthly_deadlines"]
    assert extra["corrections"] > 0 and extra["voided"] > 0
    assert {"approved", "dept_approved", "submitted", "returned", "draft"} == extra["states"]
    assert extra["snapshots"] == 0 and extra["forms"] == 0  # --no-runs


def test_with_runs_the_year_has_its_monitoring_and_self_evaluation(tmp_path):
    counts, _, _, extra = _generate(tmp_path, "runs", seed=1, runs=True)
    assert extra["snapshots"] == counts["projects"] and extra["forms"] == counts["projects"]

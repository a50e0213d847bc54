"""Everything the 双监控 and self-evaluation runs write, as plain JSON-able values.

Used by test_runs_golden.py to prove that a rewrite of the runs writes the same snapshot,
row, form, score, submission and notification values as the code the golden files were
taken from (`python -m tests.services.runs_dump --write` regenerates them, on purpose only).
Keys are natural (department code, project name, indicator position), never ids.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

DATA = Path(__file__).parent / "data"
CHECKPOINTS = (date(2023, 3, 31), date(2023, 6, 30), date(2023, 9, 30), date(2023, 12, 31))


def _v(value):
    if isinstance(value, (list, dict)):
        # JSON columns (monitoring_rows.reasons, evaluation_forms.level1_weights) as the text they hold
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value else "0"
    if isinstance(value, date):
        return value.isoformat()
    return value


def run_all(year: int = 2023) -> dict:
    """Run the monitoring at every checkpoint and open the year's forms; return the counts."""
    from tracker.extensions import db
    from tracker.services import evaluation, monitoring

    counts = {}
    for as_of in CHECKPOINTS:
        result = monitoring.run(as_of)
        counts[as_of.isoformat()] = result
        db.session.commit()
    counts["evaluation"] = evaluation.open_forms(year)
    db.session.commit()
    return json.loads(json.dumps(counts, default=_v))


def dump() -> dict:
    from tracker.extensions import db
    from tracker.models import (
        Department,
        EvaluationForm,
        EvaluationRow,
        Indicator,
        MonitoringRow,
        MonitoringSnapshot,
        Notification,
        Project,
        ScoreChange,
        Submission,
        User,
    )

    projects = {
        pid: f"{code}/{name}"
        for pid, code, name in db.session.execute(
            select(Project.id, Department.code, Project.name).join(Department, Project.department_id == Department.id)
        )
    }
    positions = {iid: pos for iid, pos in db.session.execute(select(Indicator.id, Indicator.position))}  # noqa: C416 - a Result is not a mapping
    out: dict[str, list] = {}
    snaps = {}
    rows = []
    for s in db.session.scalars(select(MonitoringSnapshot)):
        snaps[s.id] = (projects[s.project_id], s.period_key)
        rows.append(
            [projects[s.project_id], s.period_key]
            + [
                _v(getattr(s, c))
                for c in (
                    "as_of",
                    "time_progress",
                    "initial_budget",
                    "adjusted_budget",
                    "spent",
                    "execution_rate",
                    "forecast_spent",
                    "budget_light",
                    "project_light",
                    "annual_goal",
                    "expected_completion",
                    "budget_explanation",
                    "needs_rectification",
                    "version",
                )
            ]
        )
    out["snapshots"] = sorted(rows)
    out["monitoring_rows"] = sorted(
        [*snaps[r.snapshot_id], positions[r.indicator_id]]
        + [
            _v(getattr(r, c))
            for c in (
                "position",
                "level1",
                "level2",
                "level3",
                "target_raw",
                "target_unit",
                "accumulation",
                "current_value",
                "current_text",
                "light",
                "forecast",
                "forecast_override",
                "forecast_text",
                "reasons",
                "likelihood",
            )
        ]
        for r in db.session.scalars(select(MonitoringRow))
    )
    forms = {}
    rows = []
    for f in db.session.scalars(select(EvaluationForm)):
        forms[f.id] = (projects[f.project_id], f.year)
        rows.append(
            [projects[f.project_id], f.year]
            + [
                _v(getattr(f, c))
                for c in (
                    "level1_weights",
                    "execution_weight",
                    "initial_budget",
                    "budget",
                    "spent",
                    "fiscal_share",
                    "carryover",
                    "other_funds",
                    "execution_score",
                    "total_score",
                    "grade",
                    "goal_actual",
                    "version",
                )
            ]
        )
    out["evaluation_forms"] = sorted(rows)
    out["evaluation_rows"] = sorted(
        [*forms[r.form_id], positions[r.indicator_id]]
        + [
            _v(getattr(r, c))
            for c in (
                "position",
                "target_raw",
                "target_op_override",
                "weight",
                "actual_value",
                "actual_text",
                "tier",
                "proposed_tier",
                "tier_score",
                "score",
                "overshoot",
                "deduction",
                "problem",
                "explanation",
            )
        ]
        for r in db.session.scalars(select(EvaluationRow))
    )
    out["score_changes"] = sorted(
        [*forms[c.form_id], c.actor_id, _v(c.before), _v(c.after), c.reason]
        for c in db.session.scalars(select(ScoreChange))
    )
    out["submissions"] = sorted(
        [projects[s.project_id], s.kind, s.period_key, s.state, s.version]
        for s in db.session.scalars(select(Submission).where(Submission.kind.in_(("monitoring", "evaluation"))))
    )
    usernames = {uid: name for uid, name in db.session.execute(select(User.id, User.username))}  # noqa: C416 - a Result is not a mapping
    out["notifications"] = sorted(
        [usernames[n.user_id], n.kind, n.message, n.link, n.dedupe_key]
        for n in db.session.scalars(
            select(Notification).where(Notification.kind.in_(("monitoring_open", "monitoring_run", "evaluation_open")))
        )
    )
    return out


def load_demo_county(scale: float = 0.01, seed: int = 3) -> None:
    from tracker_demo.county import generate

    generate(scale, seed, runs=False, echo=lambda *a: None)


def main() -> None:
    """python -m tests.services.runs_dump --write  (from the repository root)"""
    import tempfile

    from tracker import create_app
    from tracker.cli import load_demo
    from tracker.extensions import db

    if "--write" not in sys.argv:
        sys.exit("usage: python -m tests.services.runs_dump --write")
    DATA.mkdir(exist_ok=True)
    for name, loader in (("demo", lambda: load_demo(echo=lambda *a: None)), ("county", load_demo_county)):
        tmp = tempfile.mkdtemp()
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp}/golden.sqlite", UPLOAD_DIR=tmp)
        with app.app_context():
            db.create_all()
            loader()
            db.session.commit()
            result = {"counts": run_all(), **dump()}
            (DATA / f"runs_golden_{name}.json").write_text(
                json.dumps(result, ensure_ascii=False, indent=0, default=_v), encoding="utf-8"
            )
            print(name, {k: len(v) for k, v in result.items()})
            db.session.remove()


if __name__ == "__main__":
    main()

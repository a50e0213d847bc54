"""The 双监控 and self-evaluation runs write exactly what they wrote before the set-based
rewrite (issue 9): every snapshot, row, form, score, submission and notification value of the
demo and of a small generated county at four checkpoints, against golden files taken from the
previous implementation (tests/services/runs_dump.py)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import fresh_database
from tests.services.runs_dump import DATA, dump, load_demo_county, run_all


def _compare(expected: dict, actual: dict) -> None:
    assert actual["counts"] == expected["counts"]
    for key in expected:
        if key == "counts":
            continue
        exp, act = expected[key], actual[key]
        assert len(act) == len(exp), key
        for e, a in zip(exp, act, strict=True):
            assert a == e, f"{key}: {a} != {e}"


@pytest.mark.parametrize("name", ["demo", "county"])
def test_runs_write_what_they_wrote_before(name, tmp_path):
    from tracker import create_app
    from tracker.cli import load_demo
    from tracker.extensions import db

    expected = json.loads((DATA / f"runs_golden_{name}.json").read_text(encoding="utf-8"))
    with fresh_database(tmp_path / "golden.sqlite", "golden") as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, UPLOAD_DIR=str(tmp_path / "uploads"))
        with app.app_context():
            db.create_all()
            try:
                if name == "demo":
                    load_demo(echo=lambda *a: None)
                else:
                    load_demo_county()
                db.session.commit()
                actual = json.loads(json.dumps({"counts": run_all(), **dump()}, ensure_ascii=False))
                _compare(expected, actual)
            finally:
                db.session.remove()
                db.engine.dispose()

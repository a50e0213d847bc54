"""The one transaction edge (tracker/edge.py): services never commit, a refused or failed
request leaves no row and no file, every POST route is a unit of work, jobs commit once."""

from __future__ import annotations

import ast
import io
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from config import BASE_DIR

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PURE = [BASE_DIR / "tracker" / "services", BASE_DIR / "tracker" / "domain"]


def _transaction_calls(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in ("commit", "rollback", "begin", "close", "remove"):
                found.append(f"{path.relative_to(BASE_DIR)}:{node.lineno} .{node.func.attr}()")
    return found


def test_services_and_domain_never_commit_or_roll_back():
    files = [p for root in PURE for p in sorted(root.rglob("*.py"))]
    assert len(files) > 20  # the scan really looked at the packages
    offenders = [call for p in files for call in _transaction_calls(p)]
    assert offenders == []


def test_the_scan_finds_a_commit(tmp_path):
    """The scan above can fail: it sees a commit written in any form."""
    sample = BASE_DIR / "tracker" / "_edge_scan_sample.py"
    try:
        sample.write_text("def f(db, s):\n    db.session.commit()\n    s.rollback()\n", encoding="utf-8")
        assert [c.split(" ")[1] for c in _transaction_calls(sample)] == [".commit()", ".rollback()"]
    finally:
        sample.unlink()


def test_services_only_flush_at_run_time(app, db, seeded, make_user, make_department, monkeypatch):
    """Record, correct, review, monitor, open the self-evaluation and the jobs' work with commits
    forbidden: all of it works, and the edge's one commit then stores it."""
    from tracker.models import Department, Indicator, JobCompletion, MonitoringSnapshot, ProgressEntry
    from tracker.progress import forms
    from tracker.services import evaluation, jobs, monitoring, progress, review

    dept = db.session.scalar(select(Department).where(Department.code == "430"))
    owner = make_user("owner", dept)
    make_user("finance")
    ind = db.session.scalars(select(Indicator).where(Indicator.target_raw == "≥12次").order_by(Indicator.id)).first()
    monkeypatch.setattr(progress, "today", lambda: date(2024, 1, 10))
    with monkeypatch.context() as m:
        m.setattr(Session, "commit", lambda self: (_ for _ in ()).throw(AssertionError("commit in a service")))
        m.setattr(Session, "rollback", lambda self: (_ for _ in ()).throw(AssertionError("rollback in a service")))
        entry = progress.record_value(
            owner, ind, forms.parse_value_form(ind, {"as_of": "2023-03-31", "value": "3"}), [("a.pdf", PDF)]
        )
        progress.void_value(owner, entry, "重复")
        review.act(owner, ind.project, "2023-04", "submit")
        monitoring.run(date(2023, 6, 30))
        evaluation.open_forms(2023)
        for plan in jobs.due_jobs(date(2023, 7, 1)):
            if plan.job != "monitoring":
                jobs.claim(plan.job, plan.period_key)
                plan.work()
    db.session.commit()
    assert db.session.scalar(select(func.count(ProgressEntry.id))) == 2
    assert db.session.scalar(select(func.count(MonitoringSnapshot.id))) == 18
    assert db.session.scalar(select(func.count(JobCompletion.id))) >= 2


# ----------------------------------------------------------------------------- requests


@pytest.fixture
def owner_page(client, db, seeded, make_user, login):
    from tracker.models import Department, Indicator

    dept = db.session.scalar(select(Department).where(Department.code == "430"))
    login(make_user("owner", dept))
    ind = db.session.scalars(select(Indicator).where(Indicator.target_raw == "≥12次").order_by(Indicator.id)).first()
    return f"/projects/{ind.project_id}/indicators/{ind.id}"


def _upload_dir(app) -> Path:
    return Path(app.config["UPLOAD_DIR"]) / "evidence"


def _files(app) -> set[str]:
    folder = _upload_dir(app)
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def _rows(db) -> tuple[int, int]:
    from tracker.models import Evidence, ProgressEntry

    return db.session.scalar(select(func.count(ProgressEntry.id))), db.session.scalar(select(func.count(Evidence.id)))


def test_a_refused_request_leaves_no_row_and_no_file(app, client, db, owner_page, monkeypatch):
    """The evidence file was already written when the save was refused (after the entry and its
    evidence were flushed): the edge rolls back the rows and deletes the file."""
    from tracker.domain import DomainError
    from tracker.services import audit

    before_files, before_rows = _files(app), _rows(db)

    def refuse(*args, **kwargs):
        assert any(name.endswith(".part") for name in _files(app))  # the file is on disk by now
        raise DomainError("审计记录写入失败（测试）")

    monkeypatch.setattr(audit, "record", refuse)
    response = client.post(
        owner_page,
        data={"as_of": "2023-03-31", "value": "3", "files": (io.BytesIO(PDF), "检查记录.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "审计记录写入失败（测试）" in response.get_data(as_text=True)
    db.session.expire_all()
    assert _rows(db) == before_rows
    assert _files(app) == before_files


def test_a_failing_request_leaves_no_row_and_no_file(app, client, db, owner_page, monkeypatch):
    """Not a refusal but a bug (any exception): rolled back the same way, then a 500 page."""
    from tracker.services import audit

    app.config["PROPAGATE_EXCEPTIONS"] = False
    before_files, before_rows = _files(app), _rows(db)
    monkeypatch.setattr(audit, "record", lambda *a, **k: 1 / 0)
    try:
        response = client.post(
            owner_page,
            data={"as_of": "2023-03-31", "value": "3", "files": (io.BytesIO(PDF), "检查记录.pdf")},
            content_type="multipart/form-data",
        )
    finally:
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500
    db.session.expire_all()
    assert _rows(db) == before_rows
    assert _files(app) == before_files


def test_a_saved_request_moves_its_file_into_place(app, client, db, owner_page):
    from tracker.models import Evidence
    from tracker.services import evidence

    before = _files(app)
    response = client.post(
        owner_page,
        data={"as_of": "2023-03-31", "value": "3", "files": (io.BytesIO(PDF), "检查记录.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    ev = db.session.scalar(select(Evidence))
    assert _files(app) - before == {ev.stored_name}  # the final name, no temporary left
    assert evidence.path_of(ev).read_bytes() == PDF


def test_success_flash_is_withdrawn_when_the_commit_fails(app, client, db, owner_page, monkeypatch):
    """A lost race found only at commit: nothing saved, no "已保存", the conflict is shown."""
    from sqlalchemy.orm.exc import StaleDataError

    real_commit = Session.commit

    def lose(self):
        if self.new:
            raise StaleDataError("concurrent update (test)")
        return real_commit(self)

    monkeypatch.setattr(Session, "commit", lose)
    before = _rows(db)
    response = client.post(owner_page, data={"as_of": "2023-03-31", "value": "3"})
    monkeypatch.setattr(Session, "commit", real_commit)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "其他人刚刚修改了同一条记录" in html
    db.session.expire_all()
    assert _rows(db) == before
    with client.session_transaction() as session:
        assert not [m for _, m in session.get("_flashes", []) if "已保存" in m]


def test_every_post_route_is_a_unit_of_work(app):
    """Each POST view commits through the edge; the exceptions are listed with the reason."""
    own_unit = {
        "evaluation.preview": "a preview never writes: transaction() discarded",
        "monitoring.run": "runs a job: edge.run_job is its unit",
        "evaluation.open_now": "runs a job: edge.run_job is its unit",
        "admin.jobs_page": "runs a job: edge.run_job is its unit",
        "imports.batch_step": "one file per step, each in its own transaction(); the batch state is saved after",
    }
    missing = []
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or ()) or rule.endpoint in own_unit:
            continue
        if not getattr(app.view_functions[rule.endpoint], "unit_of_work", False):
            missing.append(rule.endpoint)
    assert missing == []
    assert set(own_unit) <= set(app.view_functions)


# ----------------------------------------------------------------------------- CLI and jobs


def test_transaction_commits_once_and_rolls_back_on_error(app, db):
    from tracker.edge import transaction
    from tracker.models import Department

    with transaction():
        db.session.add(Department(name="提交的部门", code="801"))
        with transaction() as inner:  # joins the outer unit
            db.session.add(Department(name="同一单元", code="802"))
            with pytest.raises(RuntimeError):
                inner.discard()
    with pytest.raises(ZeroDivisionError), transaction():
        db.session.add(Department(name="回滚的部门", code="803"))
        db.session.flush()
        raise ZeroDivisionError("test")
    with transaction() as unit:
        db.session.add(Department(name="试运行", code="804"))
        unit.discard()
    assert sorted(db.session.scalars(select(Department.code))) == ["801", "802"]


def test_a_failed_job_is_rolled_back_and_recorded(app, db):
    from tracker.edge import run_job
    from tracker.models import Department, JobCompletion, JobRun
    from tracker.services.jobs import JobPlan

    def work():
        db.session.add(Department(name="作业写入", code="901"))
        db.session.flush()
        raise ValueError("作业出错（测试）")

    with pytest.raises(ValueError):
        run_job(JobPlan("deadline_check", "2023-07-01", work), trigger="cli")
    assert db.session.scalar(select(func.count(Department.id))) == 0
    assert db.session.scalar(select(func.count(JobCompletion.id))) == 0
    run = db.session.scalar(select(JobRun))
    assert (run.status, run.trigger) == ("failed", "cli") and "作业出错（测试）" in run.error


def test_a_read_only_request_ends_with_commit_and_a_writing_one_with_rollback(app, db, tmp_path, monkeypatch):
    """A request that only read ends its transaction with COMMIT (the same for reads; psycopg
    keeps its prepared statements, which it drops on every ROLLBACK). A request that wrote
    without a unit of work, or failed, still ends with ROLLBACK and leaves nothing."""
    from sqlalchemy import event, text

    from tracker import create_app
    from tracker.extensions import db as ext_db
    from tracker.models import AppSetting

    other = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        UPLOAD_DIR=str(tmp_path / "uploads"),
        EXPORT_CACHE_DIR=str(tmp_path / "export-cache"),
    )
    insert = text("INSERT INTO app_settings (key, value, updated_at) VALUES ('edge_probe', '1', CURRENT_TIMESTAMP)")

    def read():
        return str(ext_db.session.execute(text("SELECT 1")).scalar())

    def write_without_unit():
        ext_db.session.execute(insert)
        return "wrote"

    def read_then_fail():
        ext_db.session.execute(text("SELECT 1"))
        raise RuntimeError("a bug after a read")

    other.add_url_rule("/edge-read", "edge_read", read)
    other.add_url_rule("/edge-write", "edge_write", write_without_unit)
    other.add_url_rule("/edge-fail", "edge_fail", read_then_fail)
    with other.app_context():
        engine = ext_db.engine
    ends: list[str] = []
    event.listen(engine, "commit", lambda conn: ends.append("commit"))
    event.listen(engine, "rollback", lambda conn: ends.append("rollback"))
    client = other.test_client()

    assert client.get("/edge-read").get_data(as_text=True) == "1"
    assert ends == ["commit"]
    ends.clear()
    assert client.get("/edge-write").status_code == 200
    assert ends == ["rollback"]
    ends.clear()
    with pytest.raises(RuntimeError):
        client.get("/edge-fail")
    assert "commit" not in ends
    ends.clear()
    with monkeypatch.context() as m:  # the commit at the end fails: the page is still served
        m.setattr(Session, "commit", lambda self: (_ for _ in ()).throw(RuntimeError("connection lost")))
        assert client.get("/edge-read").get_data(as_text=True) == "1"
    assert ends == ["rollback"]
    assert db.session.get(AppSetting, "edge_probe") is None
    with other.app_context():
        ext_db.engine.dispose()

"""运行双监控 / 生成自评表 from a page: the request only queues; the scheduler process runs it once."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from config import BASE_DIR

AS_OF = "2023-06-30"


def _count(db, model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def finance(db, seeded, make_user, login):
    return login(make_user("finance"))


def test_page_enqueues_fast_and_does_not_run_the_job(client, finance, db):
    from tracker.models import JobCompletion, JobRequest, JobRun, MonitoringSnapshot

    started = time.perf_counter()
    response = client.post("/monitoring/run", data={"as_of": AS_OF})
    elapsed = time.perf_counter() - started
    assert response.status_code == 302
    req = db.session.scalar(select(JobRequest))
    assert response.headers["Location"].endswith(f"/jobs/{req.id}")
    assert (req.job, req.period_key, req.state, req.requested_by_id) == ("monitoring", AS_OF, "queued", finance.id)
    # Nothing ran in the request.
    assert _count(db, MonitoringSnapshot) == 0 and _count(db, JobRun) == 0 and _count(db, JobCompletion) == 0
    print(f"enqueue request took {elapsed * 1000:.0f} ms")
    # A second click while it waits: the same request, not a second one.
    again = client.post("/monitoring/run", data={"as_of": AS_OF})
    assert again.headers["Location"] == response.headers["Location"]
    assert _count(db, JobRequest) == 1
    page = client.get(f"/jobs/{req.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "排队中" in html and "job_progress.js" in html
    data = client.get(f"/jobs/{req.id}.json").get_json()
    assert data["state"] == "queued" and data["finished"] is False


def test_scheduler_tick_runs_it_once_and_the_page_shows_the_result(client, finance, db):
    from tracker import job_queue
    from tracker.models import JobCompletion, JobRequest, JobRun, MonitoringSnapshot

    client.post("/monitoring/run", data={"as_of": AS_OF})
    req_id = db.session.scalar(select(JobRequest.id))
    assert job_queue.tick(worker="test:1") == [req_id]
    assert job_queue.tick(worker="test:2") == []  # a second tick finds nothing to do
    db.session.expire_all()
    req = db.session.get(JobRequest, req_id)
    assert req.state == "done" and req.run_status == "succeeded" and req.worker == "test:1"
    assert "双监控已完成：18 个项目、184 条指标" in req.message
    assert req.progress_done == req.progress_total == 18
    assert _count(db, MonitoringSnapshot) == 18 and _count(db, JobCompletion) == 1
    run = db.session.get(JobRun, req.job_run_id)
    assert (run.status, run.trigger, run.triggered_by_id) == ("succeeded", "manual", finance.id)
    data = client.get(f"/jobs/{req_id}.json").get_json()
    assert data["finished"] and data["percent"] == 100 and data["result_url"].endswith(f"period={AS_OF}")
    html = client.get(f"/jobs/{req_id}").get_data(as_text=True)
    assert "已完成" in html and "双监控已完成" in html and 'id="job-result-link"' in html
    # Asking again after it ran: told at once, nothing queued.
    response = client.post("/monitoring/run", data={"as_of": AS_OF}, follow_redirects=True)
    assert "双监控已运行过，未重复生成" in response.get_data(as_text=True)
    assert _count(db, JobRequest) == 1


def test_two_requests_for_the_same_period_run_once(client, finance, db):
    """Two app servers may each queue one (both saw no active request): still one run."""
    from tracker import job_queue
    from tracker.models import JobCompletion, JobRequest, JobRun, MonitoringSnapshot
    from tracker.services import job_requests

    _first, _ = job_requests.enqueue("monitoring", AS_OF, finance)
    second = JobRequest(job="monitoring", period_key=AS_OF, state="queued", requested_by_id=finance.id)
    db.session.add(second)
    db.session.commit()
    job_queue.tick(worker="a:1")
    db.session.expire_all()
    states = [(r.state, r.run_status) for r in db.session.scalars(select(JobRequest).order_by(JobRequest.id))]
    assert states == [("done", "succeeded"), ("done", "skipped")]
    assert "已运行过" in db.session.get(JobRequest, second.id).message
    assert _count(db, MonitoringSnapshot) == 18 and _count(db, JobCompletion) == 1
    assert _count(db, JobRun, JobRun.status == "succeeded") == 1


def test_two_scheduler_processes_do_not_double_run(app, finance, db, tmp_path):
    """Two `flask scheduler tick` processes at once, two queued requests for one period."""
    from tracker.models import JobCompletion, JobRequest, JobRun, MonitoringSnapshot

    for _ in range(2):
        db.session.add(JobRequest(job="monitoring", period_key=AS_OF, state="queued", requested_by_id=finance.id))
    db.session.commit()
    env = os.environ | {
        "TRACKER_ENV": "testing",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "TRACKER_UPLOAD_DIR": str(tmp_path / "uploads"),
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "tracker", "scheduler", "tick"],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    db.session.expire_all()
    reqs = list(db.session.scalars(select(JobRequest).order_by(JobRequest.id)))
    assert all(r.state == "done" for r in reqs), [(r.state, r.message) for r in reqs]
    assert sorted(r.run_status for r in reqs) == ["skipped", "succeeded"]
    assert _count(db, MonitoringSnapshot) == 18 and _count(db, JobCompletion) == 1
    assert _count(db, JobRun, JobRun.status == "succeeded") == 1
    handled = sum(int(out.split("已处理 ")[1].split(" ")[0]) for out, _ in outputs)
    assert handled == 2  # each request taken by exactly one process


def test_failure_is_recorded_with_a_message(client, finance, db, monkeypatch):
    from tracker import job_queue
    from tracker.models import JobCompletion, JobRequest, JobRun, MonitoringSnapshot
    from tracker.services import monitoring

    def broken(as_of, progress_cb=None):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(monitoring, "run", broken)
    client.post("/monitoring/run", data={"as_of": AS_OF})
    job_queue.tick(worker="t:1")
    db.session.expire_all()
    req = db.session.scalar(select(JobRequest))
    assert req.state == "failed" and "双监控未能运行" in req.message and "磁盘已满" in req.message
    assert _count(db, MonitoringSnapshot) == 0 and _count(db, JobCompletion) == 0
    assert db.session.scalar(select(JobRun.status)) == "failed"
    data = client.get(f"/jobs/{req.id}.json").get_json()
    assert data["state"] == "failed" and data["finished"] and "磁盘已满" in data["message"]
    # Failed means not claimed: a new request may run it.
    monkeypatch.undo()
    response = client.post("/monitoring/run", data={"as_of": AS_OF})
    assert response.status_code == 302 and _count(db, JobRequest) == 2
    job_queue.tick(worker="t:1")
    assert _count(db, MonitoringSnapshot) == 18


def test_a_request_left_running_by_a_dead_worker_is_run_again(finance, db):
    import socket

    from tracker import job_queue
    from tracker.models import JobRequest, MonitoringSnapshot
    from tracker.models.base import utcnow

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    db.session.add(
        JobRequest(
            job="monitoring",
            period_key=AS_OF,
            state="running",
            requested_by_id=finance.id,
            worker=f"{socket.gethostname()}:{dead.pid}",
            started_at=utcnow(),
        )
    )
    db.session.commit()
    job_queue.tick(worker="t:2")
    db.session.expire_all()
    req = db.session.scalar(select(JobRequest))
    assert req.state == "done" and req.worker == "t:2" and _count(db, MonitoringSnapshot) == 18


def test_evaluation_button_queues_and_the_tick_opens_forms(client, db, seeded, make_user, login):
    from tracker import job_queue
    from tracker.models import EvaluationForm, JobRequest

    login(make_user("admin"))
    response = client.post("/evaluation/open", data={"year": "2023"})
    req = db.session.scalar(select(JobRequest))
    assert response.headers["Location"].endswith(f"/jobs/{req.id}") and req.job == "evaluation_open"
    assert _count(db, EvaluationForm) == 0
    job_queue.tick(worker="t:3")
    db.session.expire_all()
    assert _count(db, EvaluationForm) == 18
    assert db.session.get(JobRequest, req.id).state == "done"
    assert "自评表已生成：新生成 18 张" in db.session.get(JobRequest, req.id).message


def test_owner_cannot_see_job_requests(client, db, seeded, make_user, login):
    from tracker.models import JobRequest

    req = JobRequest(job="monitoring", period_key=AS_OF, state="queued")
    db.session.add(req)
    db.session.commit()
    login(make_user("owner"))
    assert client.get(f"/jobs/{req.id}").status_code == 403
    assert client.get(f"/jobs/{req.id}.json").status_code == 403
    assert client.post("/monitoring/run", data={"as_of": AS_OF}).status_code == 403


def test_scheduler_has_the_poll_job(app):
    from tracker.scheduler import build

    scheduler = build(app)
    job = scheduler.get_job("job_requests")
    assert job is not None and job.trigger.interval.total_seconds() == app.config["JOB_POLL_SECONDS"]

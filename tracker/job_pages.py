"""Progress and result of a job asked for from a page (运行双监控, 生成自评表).

The page polls the small JSON endpoint (static/js/job_progress.js); the scheduler process does
the work (tracker/job_queue.py).
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, url_for

from tracker.auth import roles_required
from tracker.domain.vocab import Role
from tracker.extensions import db
from tracker.models import JobRequest
from tracker.services import job_requests

bp = Blueprint("job_requests", __name__, url_prefix="/jobs")


def _request(request_id: int) -> JobRequest:
    req = db.session.get(JobRequest, request_id)
    if req is None:
        abort(404)
    return req


def result_url(req: JobRequest) -> str:
    if req.job == "monitoring":
        return url_for("monitoring.index", period=req.period_key)
    return url_for("evaluation.index", year=req.period_key)


@bp.route("/<int:request_id>")
@roles_required(Role.FINANCE, Role.ADMIN)
def status(request_id: int):
    req = _request(request_id)
    return render_template(
        "jobs/status.html",
        req=req,
        data=job_requests.as_dict(req),
        result_url=result_url(req),
        title=f"{job_requests.period_label(req.job, req.period_key)}{job_requests.REQUESTABLE[req.job]}",
    )


@bp.route("/<int:request_id>.json")
@roles_required(Role.FINANCE, Role.ADMIN)
def status_json(request_id: int):
    req = _request(request_id)
    return jsonify(job_requests.as_dict(req) | {"result_url": result_url(req)})

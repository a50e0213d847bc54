"""Role × route matrix over every route of the app, built from the URL map.

A new route is covered automatically: it must be classified (public, any signed-in user,
or gated by roles_required), and every role is tried against it with objects of its own
and of another department.
"""

from __future__ import annotations

import re
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import select

ROLES = ("anonymous", "owner", "reviewer", "finance", "admin")
PUBLIC = {"static", "auth.login", "healthz", "api-docs.openapi_json", "api-docs.openapi_swagger_ui"}
# Any signed-in user; the department scope is enforced inside (checked below).
SIGNED_IN = {
    "projects.index",
    "projects.detail",
    "auth.logout",
    "progress.indicator",
    "progress.spending",
    "progress.download",
    "progress.periods",
    "progress.period_detail",
    "progress.todo",
    "monitoring.index",
    "monitoring.form",
    "monitoring.print_view",
    "monitoring.export",
    "monitoring.export_summary",
    "monitoring.notifications",
    "monitoring.open_notification",
    "evaluation.index",
    "evaluation.form",
    "evaluation.print_view",
    "evaluation.export",
    "evaluation.export_summary",
    "adjustments.index",
    "adjustments.for_project",
    "adjustments.detail",
    "adjustments.targets",
    "adjustments.compare",
    "api_tokens.index",
    "api_tokens.create",
    "api_tokens.revoke",
}
# The REST API (/api/v1): authenticated by bearer token only, never by the session cookie.
# Read endpoints are open to every role (scoped inside); writes carry required_roles.
API_PREFIX = "api_v1."
API_READ = {
    "api_v1.me",
    "api_v1.years",
    "api_v1.departments",
    "api_v1.projects",
    "api_v1.project",
    "api_v1.indicators",
    "api_v1.indicator",
    "api_v1.entries",
    "api_v1.entry",
    "api_v1.spending",
    "api_v1.spending_row",
    "api_v1.snapshots",
    "api_v1.snapshot",
    "api_v1.evaluations",
    "api_v1.evaluation",
}
# URL parameters of API objects: each names an object of the own or of the other department.
API_SCOPED_PARAMS = {"project_id", "indicator_id", "entry_id", "expenditure_id", "snapshot_id", "form_id"}
# Signed-in pages whose POST only the department's own owner and reviewer may make.
DEPARTMENT_EDIT_POST = {"progress.indicator", "progress.spending", "monitoring.form", "evaluation.form"}
# URL parameters that name an object of some department: owners and reviewers get the
# other department's object and must not reach it.
SCOPED_PARAMS = {"project_id", "evidence_id"}
# URL parameters naming an object of one user: everybody else gets 404.
USER_SCOPED_PARAMS = {"notification_id", "token_id"}


def _routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_is_classified(app):
    unclassified = []
    for rule, _ in _routes(app):
        view = app.view_functions[rule.endpoint]
        if rule.endpoint in PUBLIC or rule.endpoint in SIGNED_IN or hasattr(view, "required_roles"):
            continue
        if rule.endpoint in API_READ:
            continue
        unclassified.append(rule.endpoint)
    assert not unclassified, f"routes without an access rule: {unclassified}"


def _evidence(db, project, user):
    from tracker.models import Evidence, Expenditure

    spend = Expenditure(
        project_id=project.id,
        spent_on=date(2023, 3, 1),
        period_key="2023-03",
        amount=Decimal("1"),
        input_amount=Decimal("1"),
        input_unit="万元",
        created_by_id=user.id,
    )
    db.session.add(spend)
    db.session.flush()
    ev = Evidence(
        project_id=project.id,
        expenditure_id=spend.id,
        filename="发票.pdf",
        stored_name=uuid.uuid4().hex,
        content_type="application/pdf",
        size_bytes=10,
        sha256="0" * 64,
        uploaded_by_id=user.id,
    )
    db.session.add(ev)
    db.session.commit()
    folder = Path(current_app.config["UPLOAD_DIR"]) / "evidence"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ev.stored_name).write_bytes(b"%PDF-1.4 test")
    return ev


def _notifications(db, users):
    """For each role: one notification of its own and one of another user."""
    from tracker.models import Notification

    ids = {}
    others = {"anonymous": "owner", "owner": "reviewer", "reviewer": "owner", "finance": "admin", "admin": "finance"}
    for role in ROLES:
        own_user = users.get(role, users["owner"])
        own = Notification(user_id=own_user.id, kind="t", message="自己的", link="/", dedupe_key=f"own-{role}")
        other = Notification(
            user_id=users[others[role]].id, kind="t", message="别人的", link="/", dedupe_key=f"other-{role}"
        )
        db.session.add_all([own, other])
        db.session.flush()
        ids[role] = {"own": own.id, "other": other.id}
    db.session.commit()
    return ids


def _adjustment(db, project, owner):
    from tracker.models.adjustments import TargetAdjustment

    adj = TargetAdjustment(
        kind="project",
        project_id=project.id,
        project_name="追加",
        reason="r",
        effective_from=date(2023, 7, 1),
        proposed_by_id=owner.id,
    )
    db.session.add(adj)
    db.session.commit()
    return adj.id


def _api_tokens(db, users):
    """For each role: an API token of its own and one of another user (token page routes)."""
    from tracker.services import api_tokens

    others = {"anonymous": "owner", "owner": "reviewer", "reviewer": "owner", "finance": "admin", "admin": "finance"}
    ids = {}
    for role in ROLES:
        own = api_tokens.create(users.get(role, users["owner"]), f"own-{role}", 30).token
        other = api_tokens.create(users[others[role]], f"other-{role}", 30).token
        ids[role] = {"own": own.id, "other": other.id}
    db.session.commit()
    return ids


def _api_objects(db, own_project, foreign, owner, other_owner):
    """Objects the API names by id, one of the own department and one of the other."""
    from tracker.models import EvaluationForm, Expenditure, Indicator, MonitoringSnapshot, ProgressEntry

    ids = {}
    for side, project, user in (("own", own_project, owner), ("foreign", foreign, other_owner)):
        indicator = db.session.scalar(
            select(Indicator).where(Indicator.project_id == project.id).order_by(Indicator.id)
        )
        entry = ProgressEntry(
            indicator_id=indicator.id,
            project_id=project.id,
            as_of=date(2023, 3, 31),
            period_key="2023-03",
            tier="达成",
            note="x",
            created_by_id=user.id,
        )
        db.session.add(entry)
        db.session.flush()
        ids[side] = {
            "project_id": project.id,
            "indicator_id": indicator.id,
            "entry_id": entry.id,
            "expenditure_id": db.session.scalar(select(Expenditure.id).where(Expenditure.project_id == project.id)),
            "snapshot_id": db.session.scalar(
                select(MonitoringSnapshot.id).where(MonitoringSnapshot.project_id == project.id)
            ),
            "form_id": db.session.scalar(select(EvaluationForm.id).where(EvaluationForm.project_id == project.id)),
        }
    db.session.commit()
    return ids


@pytest.fixture
def world(app, db, seeded, make_user, make_department):
    from tracker.models import BudgetYear, Department, Indicator, Project, SourceDocument

    seed_dept = db.session.scalar(select(Department).where(Department.code == "430"))
    other = make_department("县水利局", "520")
    year = db.session.scalar(select(BudgetYear))
    foreign = Project(department_id=other.id, year_id=year.id, name="水库维修项目", position=1)
    db.session.add(foreign)
    db.session.flush()
    foreign_indicator = Indicator(
        project_id=foreign.id,
        position=1,
        level1="产出指标",
        level2="数量指标",
        level3="维修水库数",
        target_raw="3座",
        target_kind="quantitative",
        target_op="=",
        target_value=Decimal("3"),
        target_unit="座",
    )
    db.session.add(foreign_indicator)
    db.session.commit()
    users = {role: make_user(role, seed_dept if role in ("owner", "reviewer") else None) for role in ROLES[1:]}
    other_owner = make_user("owner", other)
    from tracker.services import monitoring

    monitoring.run(date(2023, 6, 30))  # monitoring forms for the own and the foreign project
    from tracker.services import evaluation

    evaluation.open_forms(2023)  # and self-evaluation forms
    db.session.commit()
    own_project = db.session.scalar(select(Project).where(Project.department_id == seed_dept.id).limit(1))
    own_evidence = _evidence(db, own_project, users["owner"]).id
    foreign_evidence = _evidence(db, foreign, other_owner).id
    return {
        "api": _api_objects(db, own_project, foreign, users["owner"], other_owner),
        "api_tokens": _api_tokens(db, users),
        "users": users,
        "own_project": own_project.id,
        "foreign_project": foreign.id,
        "own_indicator": own_project.indicators[0].id,
        "foreign_indicator": foreign_indicator.id,
        "own_evidence": own_evidence,
        "foreign_evidence": foreign_evidence,
        "notifications": _notifications(db, users),
        "own_adjustment": _adjustment(db, own_project, users["owner"]),
        "foreign_adjustment": _adjustment(db, foreign, other_owner),
        "period_key": "2023-06",
        "snapshot_period": "2023-06-30",
        "source_id": db.session.scalar(select(SourceDocument.id)),
        "batch_id": _import_batch(app),
        "user_id": users["owner"].id,
        "dept_id": other.id,
        "year_id": year.id,
        "request_id": _job_request(db),
    }


def _import_batch(app) -> str:
    """A finished import batch (stored as the batch import stores it)."""
    import json
    from pathlib import Path

    path = Path(app.config["UPLOAD_DIR"]) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    batch = {"user_id": 0, "year": 2023, "files": [], "stage": "done", "outcomes": [], "choices": {}, "results": []}
    (path / ("batch-" + "ab" * 16 + ".json")).write_text(json.dumps(batch), encoding="utf-8")
    return "ab" * 16


def _fill(rule, world, *, foreign: bool, role: str = "anonymous") -> str | None:
    values = {}
    for arg in rule.arguments:
        if rule.endpoint.startswith(API_PREFIX) and arg in API_SCOPED_PARAMS:
            values[arg] = world["api"]["foreign" if foreign else "own"][arg]
        elif arg == "token_id":
            values[arg] = world["api_tokens"][role]["other" if foreign else "own"]
        elif arg == "project_id":
            values[arg] = world["foreign_project" if foreign else "own_project"]
        elif arg == "indicator_id":
            values[arg] = world["foreign_indicator" if foreign else "own_indicator"]
        elif arg == "period_key" and rule.endpoint.startswith("monitoring."):
            values[arg] = world["snapshot_period"]
        elif arg == "year":
            values[arg] = 2023
        elif arg == "notification_id":
            values[arg] = world["notifications"][role]["other" if foreign else "own"]
        elif arg == "adjustment_id":
            values[arg] = world["foreign_adjustment" if foreign else "own_adjustment"]
        elif arg == "evidence_id":
            values[arg] = world["foreign_evidence" if foreign else "own_evidence"]
        elif arg in world:
            values[arg] = world[arg]
        elif arg == "filename":
            values[arg] = "css/app.css"
        else:
            return None
    url = rule.rule
    for arg, value in values.items():
        url = re.sub(rf"<(?:[^:<>]+:)?{arg}>", str(value), url)
    return url


def _job_request(db) -> int:
    from tracker.models import JobRequest

    req = JobRequest(job="monitoring", period_key="2023-06-30", state="done")
    db.session.add(req)
    db.session.commit()
    return req.id


def test_role_route_matrix(app, world):
    from tests.conftest import TEST_PASSWORD

    checked = 0
    problems = []
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            user = world["users"][role]
            assert client.post("/login", data={"username": user.username, "password": TEST_PASSWORD}).status_code == 302
        for rule, method in _routes(app):
            if rule.endpoint in ("auth.logout", "auth.login"):
                continue  # would end or restart the session mid-walk; covered in test_auth
            view = app.view_functions[rule.endpoint]
            allowed = getattr(view, "required_roles", None)
            if method == "POST" and rule.endpoint in DEPARTMENT_EDIT_POST:
                allowed = ("owner", "reviewer")
            for foreign in (False, True):
                url = _fill(rule, world, foreign=foreign, role=role)
                if url is None:
                    problems.append(f"cannot fill {rule.rule}")
                    continue
                response = client.open(url, method=method)
                checked += 1
                code = response.status_code
                where = f"{role} {method} {url} → {code}"
                if rule.endpoint.startswith(API_PREFIX):
                    # a signed-in browser's session cookie never authenticates the API
                    if code != 401:
                        problems.append(where + " (the API must refuse the session cookie: 401)")
                    continue
                if rule.endpoint in PUBLIC:
                    continue
                if role == "anonymous":
                    if not (code == 302 and "/login" in response.headers.get("Location", "")) and code != 405:
                        problems.append(where + " (anonymous must be sent to login)")
                    continue
                if allowed is not None and role not in allowed:
                    if code not in (403, 405):
                        problems.append(where + " (role not allowed, expected 403)")
                    continue
                scoped = any(arg in SCOPED_PARAMS for arg in rule.arguments)
                if foreign and any(arg in USER_SCOPED_PARAMS for arg in rule.arguments):
                    if code != 404:
                        problems.append(where + " (another user's notification, expected 404)")
                elif scoped and foreign and role in ("owner", "reviewer"):
                    if code != 404 and code != 405:
                        problems.append(where + " (other department's object, expected 404)")
                elif code in (403, 404, 500):
                    problems.append(where + " (should be reachable)")
    assert not problems, "\n".join(problems)
    assert checked > 50
    print(f"role × route matrix: {checked} requests")


def _api_body(rule, method: str, world, foreign: bool) -> dict | None:
    """A POST body naming the own or the other department's object (the API's writes that
    take the object in the body rather than in the URL)."""
    if method != "POST":
        return None
    side = world["api"]["foreign" if foreign else "own"]
    if rule.endpoint == "api_v1.create_entry":
        return {"indicator_id": side["indicator_id"], "as_of": "2023-04-30", "tier": "达成", "note": "矩阵"}
    if rule.endpoint == "api_v1.create_spending":
        return {"project_id": side["project_id"], "spent_on": "2023-04-30", "amount": "1"}
    if rule.endpoint.endswith("_entry") or rule.endpoint.endswith("_spending"):
        return {}  # correct/void: the object is in the URL; an empty body is refused with 422
    return {}


def test_api_role_route_matrix(app, world):
    """Every /api/v1 route for every role with a bearer token (anonymous: none), on objects of
    the own and of another department: 401 without a token, 403 for a role the route does not
    allow, 404 for another department's object (owner, reviewer), reachable otherwise."""
    from tracker.services import api_tokens

    secrets = {}
    for role in ROLES[1:]:
        secrets[role] = api_tokens.create(world["users"][role], "matrix", 30).secret
    from tracker.extensions import db

    db.session.commit()
    checked = 0
    problems = []
    for role in ROLES:
        client = app.test_client()
        headers = {"Authorization": f"Bearer {secrets[role]}"} if role in secrets else {}
        for rule, method in _routes(app):
            if not rule.endpoint.startswith(API_PREFIX):
                continue
            view = app.view_functions[rule.endpoint]
            allowed = getattr(view, "required_roles", None)
            body_scoped = rule.endpoint in ("api_v1.create_entry", "api_v1.create_spending")
            scoped = body_scoped or any(arg in API_SCOPED_PARAMS for arg in rule.arguments)
            for foreign in (False, True):
                url = _fill(rule, world, foreign=foreign, role=role)
                assert url is not None, rule.rule
                if foreign and not scoped and method == "GET" and "department_id" not in url:
                    # a listing: ask for the other department explicitly
                    url += f"?department_id={world['dept_id']}"
                response = client.open(
                    url, method=method, headers=headers, json=_api_body(rule, method, world, foreign)
                )
                checked += 1
                code = response.status_code
                where = f"{role} {method} {url} → {code}"
                if response.mimetype != "application/json":
                    problems.append(where + " (not JSON)")
                if role == "anonymous":
                    if code != 401:
                        problems.append(where + " (no token: expected 401)")
                    continue
                if allowed is not None and role not in allowed:
                    if code != 403:
                        problems.append(where + " (role not allowed, expected 403)")
                    continue
                if scoped and foreign and role in ("owner", "reviewer"):
                    if code != 404:
                        problems.append(where + " (other department's object, expected 404)")
                elif code in (401, 403, 404) or code >= 500:
                    problems.append(where + " (should be reachable)")
                elif not scoped and foreign and method == "GET" and role in ("owner", "reviewer"):
                    for item in response.get_json().get("items") or ():
                        dept = item["id"] if rule.endpoint == "api_v1.departments" else item.get("department_id")
                        project = item["id"] if rule.endpoint == "api_v1.projects" else item.get("project_id")
                        if dept == world["dept_id"] or project == world["foreign_project"]:
                            problems.append(where + " (listed another department's rows)")
    assert not problems, "\n".join(problems)
    assert checked >= 5 * 21 * 2
    print(f"API role × route matrix: {checked} requests")

"""Write endpoints: record, correct and void values and spending through the same service
functions as the pages (validation, period locks, archived years, audit), one commit per
request. Only the department's own owners and reviewers write (403 for the other roles; 404
for an object of another department)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from tracker.api import schemas as s
from tracker.api.common import api_roles, bp, current_api_user, error_response
from tracker.api.read import entry_items, load_entry, load_expenditure, spending_items
from tracker.domain import DomainError, limits
from tracker.domain.vocab import Role
from tracker.edge import unit_of_work
from tracker.extensions import db
from tracker.models import Expenditure, Indicator, ProgressEntry, Project
from tracker.progress.forms import parse_spending_form, parse_value_form
from tracker.services import plausibility, progress
from tracker.services.scope import NotVisible, can_edit_project, scope_projects

WRITERS = (Role.OWNER, Role.REVIEWER)
RACE = "保存时发现其他人刚刚修改了同一条记录，未保存。请重新读取最新记录后再提交。"
WRITE_DOC = {
    "401": {"description": "缺少令牌、令牌无效、已撤销或已过期，或账号已停用"},
    "403": {"description": "角色不能填报（财政局、管理员只读）"},
    "404": {"description": "对象不存在或不在您的部门范围内"},
    "409": {"description": "填报期已提交审核或已审定（锁定）、预算年度已归档，或记录已被他人更正"},
    "422": {
        "description": "字段有误：errors 给出每个字段的中文说明；或数值可能有误（warnings），确认无误请带 confirm_plausible: true 重新提交"
    },
}


class Implausible(DomainError):
    """The value or payment looks wrong (元/万元 slip, far from the target, a duplicate…): as on
    the pages, nothing is saved until the client confirms with ``confirm_plausible: true``."""

    def __init__(self, warnings):
        self.warnings = warnings
        super().__init__("；".join(w.message for w in warnings))


def _check_plausible(warnings, body: dict) -> None:
    if warnings and not body.get("confirm_plausible"):
        raise Implausible(warnings)


def _form(body: dict) -> dict[str, str]:
    """The JSON body as the page's form would carry it: text values, checked by the same limits."""
    form = {k: "" if v is None else str(v) for k, v in body.items()}
    problems = limits.check_fields(form.items())
    if problems:
        raise progress.InputError({p.field: p.message for p in problems})
    return form


def _editable(project: Project) -> None:
    if not can_edit_project(current_api_user(), project):
        raise NotVisible(project.id)


def _replay(model, token: str | None):
    """A request with a client_token that was already saved: the saved row (200), once."""
    row = progress.already_saved(model, (token or "").strip()[:40] or None)
    if row is None:
        return None
    project = db.session.get(Project, row.project_id)
    if row.created_by_id != current_api_user().id or not can_edit_project(current_api_user(), project):
        return error_response(
            409, "client_token 已被另一条记录使用，请换一个。", {"client_token": "请求标识已被使用。"}
        )
    return row


def _replayed(model, token: str | None):
    """(row, 200) for a client_token already saved, an error response for a foreign one, else None."""
    replay = _replay(model, token)
    return (replay, 200) if isinstance(replay, model) else replay


def _save(model, token: str | None, work):
    """A client_token already saved answers with its row; otherwise do the write (the view is
    one unit of work: the edge commits once, or rolls back on a refusal or an error response).
    A lost race on the same client_token answers with the row the other request saved."""
    replayed = _replayed(model, token)
    if replayed is not None:
        return replayed
    try:
        return work(), 201
    except (IntegrityError, StaleDataError):
        db.session.rollback()
        return _replayed(model, token) or error_response(409, RACE)


# ----------------------------------------------------------------------------- values


def _indicator(indicator_id: int) -> Indicator:
    ind = db.session.scalar(
        scope_projects(
            select(Indicator).join(Project, Indicator.project_id == Project.id).where(Indicator.id == indicator_id),
            current_api_user(),
        )
    )
    if ind is None:
        raise NotVisible(indicator_id)
    _editable(ind.project)
    return ind


def _entry_out(result):
    if isinstance(result, tuple):
        row, status = result
        return entry_items([row])[0], status
    return result  # an error response


def _spending_out(result):
    if isinstance(result, tuple):
        row, status = result
        return spending_items([row])[0], status
    return result


@bp.route("/entries", methods=["POST"], tags=["完成值"])
@api_roles(*WRITERS)
@unit_of_work
@bp.arguments(s.NewValueBody)
@bp.response(201, s.EntrySchema)
@bp.alt_response(200, schema=s.EntrySchema, description="同一 client_token 已保存过：返回已保存的记录")
@bp.doc(responses=WRITE_DOC)
def create_entry(body: dict):
    """填报实际完成值（与指标页相同的校验；填报期锁定、归档年度不能填报；写入变更记录）"""
    ind = _indicator(body["indicator_id"])
    form = _form(body)

    def work():
        data = parse_value_form(ind, form)
        _check_plausible(plausibility.value_warnings(ind, data), body)
        return progress.record_value(current_api_user(), ind, data)

    return _entry_out(_save(ProgressEntry, body.get("client_token"), work))


@bp.route("/entries/<int:entry_id>/correct", methods=["POST"], tags=["完成值"])
@api_roles(*WRITERS, precheck=lambda entry_id: _indicator(load_entry(entry_id).indicator_id))
@unit_of_work
@bp.arguments(s.ValueBody)
@bp.response(201, s.EntrySchema)
@bp.doc(responses=WRITE_DOC)
def correct_entry(body: dict, entry_id: int):
    """更正一条完成值：新记录取代旧记录，旧记录保留在历史中"""
    old = load_entry(entry_id)
    ind = _indicator(old.indicator_id)
    form = _form(body)

    def work():
        data = parse_value_form(ind, form)
        _check_plausible(plausibility.value_warnings(ind, data, supersedes=old), body)
        return progress.record_value(current_api_user(), ind, data, supersedes=old)

    return _entry_out(_save(ProgressEntry, body.get("client_token"), work))


@bp.route("/entries/<int:entry_id>/void", methods=["POST"], tags=["完成值"])
@api_roles(*WRITERS, precheck=lambda entry_id: _indicator(load_entry(entry_id).indicator_id))
@unit_of_work
@bp.arguments(s.VoidBody)
@bp.response(201, s.EntrySchema)
@bp.doc(responses=WRITE_DOC)
def void_entry(body: dict, entry_id: int):
    """撤销一条完成值（须说明原因）：写入一条撤销记录"""
    old = load_entry(entry_id)
    _editable(old.indicator.project)
    form = _form(body)
    return _entry_out(_save(ProgressEntry, None, lambda: progress.void_value(current_api_user(), old, form["reason"])))


# ----------------------------------------------------------------------------- spending


def _project_for_write(project_id: int) -> Project:
    project = db.session.scalar(scope_projects(select(Project).where(Project.id == project_id), current_api_user()))
    if project is None:
        raise NotVisible(project_id)
    _editable(project)
    return project


@bp.route("/spending", methods=["POST"], tags=["支出"])
@api_roles(*WRITERS)
@unit_of_work
@bp.arguments(s.NewSpendingBody)
@bp.response(201, s.SpendingSchema)
@bp.alt_response(200, schema=s.SpendingSchema, description="同一 client_token 已保存过：返回已保存的记录")
@bp.doc(responses=WRITE_DOC)
def create_spending(body: dict):
    """登记一笔支出（金额大于 0，元或万元；与支出页相同的校验、锁定和变更记录）"""
    project = _project_for_write(body["project_id"])
    form = _form(body)

    def work():
        data = parse_spending_form(project, form)
        _check_plausible(plausibility.spending_warnings(project, data), body)
        return progress.record_spending(current_api_user(), project, data)

    return _spending_out(_save(Expenditure, body.get("client_token"), work))


@bp.route("/spending/<int:expenditure_id>/correct", methods=["POST"], tags=["支出"])
@api_roles(*WRITERS, precheck=lambda expenditure_id: _project_for_write(load_expenditure(expenditure_id).project_id))
@unit_of_work
@bp.arguments(s.SpendingBody)
@bp.response(201, s.SpendingSchema)
@bp.doc(responses=WRITE_DOC)
def correct_spending(body: dict, expenditure_id: int):
    """更正一笔支出：新记录取代旧记录"""
    old = load_expenditure(expenditure_id)
    project = _project_for_write(old.project_id)
    form = _form(body)

    def work():
        data = parse_spending_form(project, form)
        _check_plausible(plausibility.spending_warnings(project, data, supersedes=old), body)
        return progress.record_spending(current_api_user(), project, data, supersedes=old)

    return _spending_out(_save(Expenditure, body.get("client_token"), work))


@bp.route("/spending/<int:expenditure_id>/void", methods=["POST"], tags=["支出"])
@api_roles(*WRITERS, precheck=lambda expenditure_id: _project_for_write(load_expenditure(expenditure_id).project_id))
@unit_of_work
@bp.arguments(s.VoidBody)
@bp.response(201, s.SpendingSchema)
@bp.doc(responses=WRITE_DOC)
def void_spending(body: dict, expenditure_id: int):
    """撤销一笔支出（须说明原因）"""
    old = load_expenditure(expenditure_id)
    project = _project_for_write(old.project_id)
    form = _form(body)
    return _spending_out(
        _save(
            Expenditure,
            None,
            lambda: progress.record_spending(
                current_api_user(), project, None, supersedes=old, void_reason=form["reason"]
            ),
        )
    )

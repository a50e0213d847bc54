"""One way for every page to apply a review action (提交/审核/退回/审定/重新打开) from a form post."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, request
from flask_login import current_user

from tracker.domain import ConflictError, workflow
from tracker.models import Project
from tracker.services import review

CONFLICT = "保存时发现其他人刚刚处理了同一张表单，您的操作未执行，请刷新后重试。"


def posted_version() -> int | None:
    """The version the page was rendered with; a mangled value is a conflict, never 'no check'."""
    text = (request.form.get("version") or "").strip()
    if not text:
        return None
    if not text.isdigit() or len(text) > 9:
        raise ConflictError("表单的版本信息无效，您的修改未保存，请刷新页面后重新提交。")
    return int(text)


def apply_from_form(
    project: Project,
    period_key: str,
    *,
    kind: str,
    label: str,
    before_submit: Callable[[], None] | None = None,
) -> None:
    """Run the posted action and flash the outcome in Chinese. Call it inside a view under
    ``@unit_of_work(redirect_to=..., conflict=CONFLICT)``: the edge commits, or rolls back and
    flashes the refusal."""
    action = request.form.get("action", "")
    if action == workflow.SUBMIT and before_submit is not None:
        before_submit()
    submission = review.act(
        current_user,
        project,
        period_key,
        action,
        comment=request.form.get("comment", ""),
        expected_version=posted_version(),
        kind=kind,
    )
    flash(
        f"{label}：{workflow.ACTION_LABELS[action]}完成，现为“{workflow.STATE_LABELS[submission.state]}”。", "success"
    )

"""The token page: a signed-in user creates, sees and revokes their own API tokens."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from tracker.edge import unit_of_work
from tracker.models.base import utcnow
from tracker.services import api_tokens

bp = Blueprint("api_tokens", __name__, url_prefix="/account/api-tokens")

LIFETIME_LABELS = {30: "30 天", 90: "90 天", 180: "180 天", 365: "1 年", None: "不过期"}


def _render(*, new=None, errors=None, form=None, status=200):
    return (
        render_template(
            "api/tokens.html",
            tokens=api_tokens.tokens_of(current_user),
            now=utcnow(),
            new=new,
            errors=errors or {},
            form=form or {},
            lifetimes=LIFETIME_LABELS,
        ),
        status,
    )


@bp.route("", methods=["GET"])
@login_required
def index():
    return _render()


def _refused(refusal):
    error = refusal.error
    return _render(errors={getattr(error, "field", "name"): refusal.message}, form=request.form, status=400)


@bp.route("", methods=["POST"])
@login_required
@unit_of_work(on_error=_refused)
def create():
    days_text = (request.form.get("days") or "").strip()
    days = int(days_text) if days_text.isdigit() else (None if days_text in ("", "none") else -1)
    new = api_tokens.create(current_user, request.form.get("name", ""), days)
    # The secret is shown in this response only (never flashed: the session cookie is signed,
    # not encrypted), and the page is not cached (Cache-Control: no-store).
    return _render(new=new)


@bp.route("/<int:token_id>/revoke", methods=["POST"])
@login_required
@unit_of_work
def revoke(token_id: int):
    token = api_tokens.revoke(current_user, token_id)
    flash(f"已撤销令牌“{token.name}”，使用它的请求将被拒绝。", "success")
    return redirect(url_for("api_tokens.index"))

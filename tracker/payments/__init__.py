"""Import spending from the payment system: upload → preview → confirm.

Finance imports for every department, a department's reviewer for their own; the service
scopes the matching and checks the scope again while writing."""

from __future__ import annotations

import re
import time
from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.auth import roles_required
from tracker.domain import DomainError
from tracker.edge import Refusal, unit_of_work
from tracker.extensions import db
from tracker.services import files, payments

bp = Blueprint("payments", __name__, url_prefix="/payments")


def _store_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "payments"
    path.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - 24 * 3600  # previews never confirmed are dropped after a day
    for stale in path.glob("*.bin"):
        if stale.stat().st_mtime < cutoff:
            stale.unlink(missing_ok=True)
    return path


def _safe_name(name: str) -> str:
    return re.sub(r"[\x00-\x1f\\/]", "_", name or "")[:255]


def _upload_page(error: str | None = None):
    return render_template("payments/upload.html", error=error, history=payments.history(current_user)), (
        400 if error else 200
    )


def _preview_refused(refusal: Refusal):
    return _upload_page(refusal.message)


@bp.route("/", methods=["GET", "POST"])
@roles_required(*payments.IMPORT_ROLES)
@unit_of_work(on_error=_preview_refused)
def upload():
    if request.method == "GET":
        return _upload_page()
    upload_file = request.files.get("file")
    if not upload_file or not upload_file.filename:
        return _upload_page("请选择支付系统导出的明细文件（.xlsx 或 .csv）。")
    data = upload_file.read()
    filename = _safe_name(upload_file.filename)
    try:
        plan = payments.plan_payments(current_user, filename, data)
    except DomainError as exc:
        return _upload_page(f"无法导入“{filename}”：{exc}")
    # Kept for the confirmation; joins the unit of work (appears when the request succeeds).
    files.stage(db.session, _store_dir() / f"{plan.sha256}.bin", data)
    return render_template("payments/preview.html", plan=plan, labels=payments.STATUS_LABELS, how=payments.HOW_LABELS)


def _confirm_refused(refusal: Refusal):
    if refusal.lost_race:
        flash("同一批支付刚刚已被其他用户导入，本次未写入任何数据；请重新上传预览。", "warning")
    else:
        flash(f"导入失败，未写入任何数据：{refusal.message}", "danger")
    return redirect(url_for("payments.upload"))


@bp.route("/confirm", methods=["POST"])
@roles_required(*payments.IMPORT_ROLES)
@unit_of_work(on_error=_confirm_refused)
def confirm():
    token = request.form.get("token", "")
    filename = _safe_name(request.form.get("filename", ""))
    if not re.fullmatch(r"[0-9a-f]{64}", token) or not filename:
        flash("确认信息不完整，请重新上传文件。", "danger")
        return redirect(url_for("payments.upload"))
    path = _store_dir() / f"{token}.bin"
    if not path.exists():
        flash("预览已过期，请重新上传文件。", "warning")
        return redirect(url_for("payments.upload"))
    # Planned again: what was recorded since the preview is not added twice. The stored file
    # stays until the daily clean-up; confirming it again adds nothing.
    plan = payments.plan_payments(current_user, filename, path.read_bytes())
    record = payments.apply_payments(current_user, plan)
    if record.added_count:
        flash(
            f"已导入 {record.added_count} 笔支出，合计 {payments.money(record.added_amount)} 万元；"
            f"跳过重复 {record.duplicate_count} 笔、未匹配 {record.unmatched_count} 笔。",
            "success",
        )
    else:
        flash(f"没有新的支出可导入（重复 {record.duplicate_count} 笔、未匹配 {record.unmatched_count} 笔）。", "info")
    return redirect(url_for("payments.upload"))

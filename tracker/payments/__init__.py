"""Import spending from the payment system: upload → preview → confirm.

Finance imports for every department, a department's reviewer for their own; the service
scopes the matching and checks the scope again while writing."""

from __future__ import annotations

import re
import time
from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from tracker.auth import roles_required
from tracker.domain import DomainError
from tracker.extensions import db
from tracker.services import payments

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


@bp.route("/", methods=["GET", "POST"])
@roles_required(*payments.IMPORT_ROLES)
def upload():
    error = None
    if request.method == "POST":
        upload_file = request.files.get("file")
        if not upload_file or not upload_file.filename:
            error = "请选择支付系统导出的明细文件（.xlsx 或 .csv）。"
        else:
            data = upload_file.read()
            filename = _safe_name(upload_file.filename)
            try:
                plan = payments.plan_payments(current_user, filename, data)
            except DomainError as exc:
                error = f"无法导入“{filename}”：{exc}"
            else:
                (_store_dir() / f"{plan.sha256}.bin").write_bytes(data)
                return render_template(
                    "payments/preview.html", plan=plan, labels=payments.STATUS_LABELS, how=payments.HOW_LABELS
                )
    return render_template("payments/upload.html", error=error, history=payments.history(current_user)), (
        400 if error else 200
    )


@bp.route("/confirm", methods=["POST"])
@roles_required(*payments.IMPORT_ROLES)
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
    try:
        # Planned again: what was recorded since the preview is not added twice.
        plan = payments.plan_payments(current_user, filename, path.read_bytes())
        record = payments.apply_payments(current_user, plan)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(f"导入失败，未写入任何数据：{exc}", "danger")
        return redirect(url_for("payments.upload"))
    except IntegrityError:
        # Someone confirmed the same payments a moment earlier: the unique fingerprint refused ours.
        db.session.rollback()
        flash("同一批支付刚刚已被其他用户导入，本次未写入任何数据；请重新上传预览。", "warning")
        return redirect(url_for("payments.upload"))
    except Exception:
        db.session.rollback()
        raise
    path.unlink(missing_ok=True)
    if record.added_count:
        flash(
            f"已导入 {record.added_count} 笔支出，合计 {payments.money(record.added_amount)} 万元；"
            f"跳过重复 {record.duplicate_count} 笔、未匹配 {record.unmatched_count} 笔。",
            "success",
        )
    else:
        flash(f"没有新的支出可导入（重复 {record.duplicate_count} 笔、未匹配 {record.unmatched_count} 笔）。", "info")
    return redirect(url_for("payments.upload"))

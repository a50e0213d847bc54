"""Upload a published document, preview what it holds, then confirm to write it."""

from __future__ import annotations

import re
import time
from pathlib import Path

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import FileField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import NumberRange, Optional, ValidationError

from tracker.auth import roles_required
from tracker.domain import DomainError
from tracker.domain.vocab import Role
from tracker.extensions import db
from tracker.importers import parse_file, parse_pasted
from tracker.models import BudgetYear, Department, SourceDocument
from tracker.services.imports import STATUS_LABELS, apply_import, file_digest, plan_import

bp = Blueprint("imports", __name__, url_prefix="/imports")

PASTED_NAME = "粘贴的表格.txt"


class YearField(IntegerField):
    """An integer field whose complaint is in Chinese."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("预算年度应为四位数字，例如 2023") from None


class DepartmentField(SelectField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("请从列表中选择部门") from None

    def pre_validate(self, form):
        if self.data not in {value for value, _ in self.choices}:
            raise ValidationError("所选部门不存在，请从列表中选择")


class UploadForm(FlaskForm):
    file = FileField("文件（.txt / .docx / .xlsx）")
    pasted = TextAreaField("或粘贴表格（从网页或 Excel 复制，Tab 或 | 分隔）")
    year = YearField("预算年度", validators=[NumberRange(2000, 2100, message="预算年度应在 2000–2100 之间")])
    department_id = DepartmentField("导入到部门", coerce=int, validators=[Optional()])


class ConfirmForm(FlaskForm):
    token = StringField()
    filename = StringField()
    year = IntegerField()
    department_id = IntegerField(validators=[Optional()])
    mode = StringField()


def _store_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    # Previews that were never confirmed are dropped after a day.
    cutoff = time.time() - 24 * 3600
    for stale in path.glob("*.bin"):
        if stale.stat().st_mtime < cutoff:
            stale.unlink(missing_ok=True)
    return path


def _department_choices() -> list[tuple[int, str]]:
    depts = db.session.scalars(select(Department).order_by(Department.code, Department.name)).all()
    return [(0, "按文件中的部门（自动识别）")] + [(d.id, f"{d.code or ''} {d.name}".strip()) for d in depts]


def _parse(mode: str, filename: str, data: bytes):
    if mode == "pasted":
        doc = parse_pasted(data.decode("utf-8"), source_name=filename)
    else:
        doc = parse_file(filename, data)
    return doc


def _plan(mode, filename, data, year, department_id):
    doc = _parse(mode, filename, data)
    department = db.session.get(Department, department_id) if department_id else None
    return plan_import(doc, year=year, filename=filename, data=data, department=department)


@bp.route("/", methods=["GET", "POST"])
@roles_required(Role.FINANCE, Role.ADMIN)
def upload():
    form = UploadForm()
    form.department_id.choices = _department_choices()
    if request.method == "GET":
        current = db.session.scalar(select(BudgetYear).where(BudgetYear.is_current.is_(True)))
        form.year.data = current.year if current else None
    error = None
    if form.validate_on_submit():
        upload_file = request.files.get("file")
        pasted = (form.pasted.data or "").strip()
        if upload_file and upload_file.filename:
            data = upload_file.read()
            filename = upload_file.filename
            mode = "file"
        elif pasted:
            data = pasted.encode("utf-8")
            filename = PASTED_NAME
            mode = "pasted"
        else:
            data, filename, mode = b"", "", ""
            error = "请选择要导入的文件，或粘贴表格内容。"
        if not error:
            try:
                plan = _plan(mode, filename, data, form.year.data, form.department_id.data)
            except DomainError as exc:
                error = f"无法导入“{filename}”：{exc}"
            else:
                token = file_digest(data)
                (_store_dir() / f"{token}.bin").write_bytes(data)
                confirm = ConfirmForm(
                    formdata=None,
                    token=token,
                    filename=filename,
                    year=form.year.data,
                    department_id=form.department_id.data or None,
                    mode=mode,
                )
                return render_template("imports/preview.html", plan=plan, form=confirm, labels=STATUS_LABELS)
    elif request.method == "POST":
        error = "；".join(msg for msgs in form.errors.values() for msg in msgs)
    history = db.session.scalars(
        select(SourceDocument).order_by(SourceDocument.id.desc()).limit(20)
    ).all()
    return render_template("imports/upload.html", form=form, error=error, history=history), (400 if error else 200)


@bp.route("/confirm", methods=["POST"])
@roles_required(Role.FINANCE, Role.ADMIN)
def confirm():
    form = ConfirmForm()
    token = form.token.data or ""
    if not form.validate_on_submit() or not re.fullmatch(r"[0-9a-f]{64}", token):
        flash("确认信息不完整，请重新上传文件。", "danger")
        return redirect(url_for("imports.upload"))
    path = _store_dir() / f"{token}.bin"
    if not path.exists():
        flash("预览已过期，请重新上传文件。", "warning")
        return redirect(url_for("imports.upload"))
    data = path.read_bytes()
    try:
        plan = _plan(form.mode.data, form.filename.data, data, form.year.data, form.department_id.data)
        source = apply_import(plan, user=current_user)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(f"导入失败，未写入任何数据：{exc}", "danger")
        return redirect(url_for("imports.upload"))
    except Exception:
        db.session.rollback()
        raise
    path.unlink(missing_ok=True)
    if source is None:
        flash("文件内容与系统中已有数据完全一致，未作任何修改。", "info")
        return redirect(url_for("imports.upload"))
    flash(f"导入完成：{source.project_count} 个项目，{source.indicator_count} 条指标。", "success")
    return redirect(url_for("imports.result", source_id=source.id))


@bp.route("/<int:source_id>")
@roles_required(Role.FINANCE, Role.ADMIN)
def result(source_id: int):
    source = db.get_or_404(SourceDocument, source_id)
    return render_template("imports/result.html", source=source)

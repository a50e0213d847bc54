"""Upload a published document, preview what it holds, then confirm to write it.

One file: parsed and previewed in the request (as before). Several files or a .zip (a whole
county at once): the files are stored, then processed ONE FILE PER REQUEST — the page polls
POST /imports/batch/<id>/step (vendored static/js/import_batch.js; without JavaScript a
"继续" button does the same) and shows a progress bar — first the preview of every file,
then, after confirmation, the import of every file, each in its own transaction. Only
finance and admin reach a batch; unconfirmed uploads expire after a day.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import FileField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import NumberRange, Optional, ValidationError

from tracker.auth import roles_required
from tracker.domain import DomainError
from tracker.domain.vocab import Role
from tracker.edge import Refusal, transaction, unit_of_work
from tracker.extensions import db
from tracker.importers import ImportLimits, is_office_zip, parse_file, parse_pasted
from tracker.models import BudgetYear, Department, SourceDocument
from tracker.services.imports import (
    OUTCOME_LABELS,
    PREVIEW_LABELS,
    STATUS_LABELS,
    BatchFile,
    FileOutcome,
    NewDepartment,
    apply_file,
    apply_import,
    batch_summary,
    expand_uploads,
    file_digest,
    parse_upload,
    plan_import,
    preview_file,
)

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
    file = FileField("文件（.txt / .docx / .xlsx / .pdf / .html，可多选，或一个 .zip）", render_kw={"multiple": True})
    pasted = TextAreaField("或粘贴表格（从网页或 Excel 复制，Tab 或 | 分隔）")
    year = YearField("预算年度", validators=[NumberRange(2000, 2100, message="预算年度应在 2000–2100 之间")])
    department_id = DepartmentField("导入到部门", coerce=int, validators=[Optional()])


class ConfirmForm(FlaskForm):
    token = StringField()
    filename = StringField()
    year = IntegerField()
    department_id = IntegerField(validators=[Optional()])
    mode = StringField()
    new_name = StringField("新建部门名称", validators=[Optional()])
    new_code = StringField("部门编码", validators=[Optional()])


class StepForm(FlaskForm):
    """A bare form: its only job is the CSRF check of the batch POSTs."""


def _store_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    # Previews that were never confirmed are dropped after a day.
    cutoff = time.time() - 24 * 3600
    for stale in [*path.glob("*.bin"), *path.glob("batch-*.json"), *path.glob("batch-*.lock")]:
        if stale.stat().st_mtime < cutoff:
            stale.unlink(missing_ok=True)
    return path


def _department_choices() -> list[tuple[int, str]]:
    depts = db.session.scalars(select(Department).order_by(Department.code, Department.name)).all()
    return [(0, "按文件中的部门（自动识别）")] + [(d.id, f"{d.code or ''} {d.name}".strip()) for d in depts]


def _limits() -> ImportLimits:
    return ImportLimits.from_config(current_app.config)


def _parse(mode: str, filename: str, data: bytes):
    if mode == "pasted":
        doc = parse_pasted(data.decode("utf-8"), source_name=filename)
    else:
        doc = parse_file(filename, data, limits=_limits())
    return doc


def _new_department(name: str | None, code: str | None) -> NewDepartment | None:
    name = (name or "").strip()
    return NewDepartment(name[:200], (code or "").strip()[:50] or None) if name else None


def _plan(mode, filename, data, year, department_id, new_department=None):
    doc = _parse(mode, filename, data)
    department = db.session.get(Department, department_id) if department_id else None
    return plan_import(
        doc,
        year=year,
        filename=filename,
        data=data,
        department=department,
        new_department=None if department else new_department,
    )


def _is_batch(uploads: list[tuple[str, bytes]]) -> bool:
    if len(uploads) > 1:
        return True
    data = uploads[0][1]
    return (data.startswith((b"PK\x03\x04", b"PK\x05\x06"))) and not is_office_zip(data)


@bp.route("/", methods=["GET", "POST"])
@roles_required(Role.FINANCE, Role.ADMIN)
@unit_of_work  # a preview writes nothing (files only); a refusal answers 400 and rolls back
def upload():
    form = UploadForm()
    form.department_id.choices = _department_choices()
    if request.method == "GET":
        current = db.session.scalar(select(BudgetYear).where(BudgetYear.is_current.is_(True)))
        form.year.data = current.year if current else None
    error = None
    if form.validate_on_submit():
        uploads = [(f.filename, f.read()) for f in request.files.getlist("file") if f and f.filename]
        pasted = (form.pasted.data or "").strip()
        if uploads and _is_batch(uploads):
            return _start_batch(uploads, form.year.data)
        if uploads:
            filename, data = uploads[0]
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
                return render_template(
                    "imports/preview.html",
                    plan=plan,
                    form=confirm,
                    labels=STATUS_LABELS,
                    departments=_department_choices()[1:],
                )
    elif request.method == "POST":
        error = "；".join(msg for msgs in form.errors.values() for msg in msgs)
    history = db.session.scalars(select(SourceDocument).order_by(SourceDocument.id.desc()).limit(20)).all()
    return render_template("imports/upload.html", form=form, error=error, history=history), (400 if error else 200)


def _import_refused(refusal: Refusal):
    flash(f"导入失败，未写入任何数据：{refusal.message}", "danger")
    return redirect(url_for("imports.upload"))


@bp.route("/confirm", methods=["POST"])
@roles_required(Role.FINANCE, Role.ADMIN)
@unit_of_work(on_error=_import_refused)
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
    new = _new_department(form.new_name.data, form.new_code.data)
    plan = _plan(form.mode.data, form.filename.data, data, form.year.data, form.department_id.data, new)
    if plan.needs_department:  # the preview again, with the question still open (400: rolled back)
        return render_template(
            "imports/preview.html",
            plan=plan,
            form=form,
            labels=STATUS_LABELS,
            departments=_department_choices()[1:],
            department_error="请选择要导入到的部门，或填写新建部门的名称。",
        ), 400
    source = apply_import(plan, user=current_user)  # the edge commits after the view
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


# ---------------------------------------------------------------------------- batches


def _batch_path(batch_id: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{32}", batch_id):
        abort(404)
    return _store_dir() / f"batch-{batch_id}.json"


def _load_batch(batch_id: str) -> dict:
    path = _batch_path(batch_id)
    if not path.exists():
        abort(404)
    # Finance and admin (the only roles with import rights) see every department anyway; owners
    # and reviewers never reach a batch (role gate), and batch ids are 128-bit random.
    return json.loads(path.read_text(encoding="utf-8"))


def _save_batch(batch_id: str, batch: dict) -> None:
    path = _batch_path(batch_id)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(batch, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def _start_batch(uploads: list[tuple[str, bytes]], year: int):
    try:
        items = expand_uploads(uploads, _limits())
    except DomainError as exc:
        flash(str(exc), "danger")
        return redirect(url_for("imports.upload"))
    store = _store_dir()
    files = []
    for item in items:
        token = file_digest(item.data) if not item.error else ""
        if token:
            (store / f"{token}.bin").write_bytes(item.data)
        files.append({"name": item.name, "token": token, "error": item.error})
    batch_id = secrets.token_hex(16)
    batch = {
        "user_id": current_user.id,
        "year": year,
        "files": files,
        "stage": "preview",
        "outcomes": [],
        "choices": {},
        "results": [],
    }
    _save_batch(batch_id, batch)
    return redirect(url_for("imports.batch", batch_id=batch_id))


def _item(entry: dict) -> BatchFile:
    if entry["error"]:
        return BatchFile(entry["name"], error=entry["error"])
    path = _store_dir() / f"{entry['token']}.bin"
    if not path.exists():
        return BatchFile(entry["name"], error="上传的文件已过期，请重新上传")
    return BatchFile(entry["name"], path.read_bytes())


def _choice(batch: dict, index: int) -> tuple[Department | None, NewDepartment | None]:
    choice = batch["choices"].get(str(index)) or {}
    dept = db.session.get(Department, choice["id"]) if choice.get("id") else None
    return dept, _new_department(choice.get("name"), choice.get("code"))


def _progress(batch: dict) -> dict:
    total = len(batch["files"])
    done = len(batch["outcomes"] if batch["stage"] == "preview" else batch["results"])
    if batch["stage"] == "done":
        done = total
    current = batch["files"][done]["name"] if done < total and batch["stage"] in ("preview", "apply") else ""
    return {
        "stage": batch["stage"],
        "done": done,
        "total": total,
        "current": current,
        "finished": batch["stage"] in ("review", "done"),
    }


def _step(batch: dict) -> None:
    """Process the next file of the batch: preview it, or (after confirmation) import it."""
    limits = _limits()
    if batch["stage"] == "preview":
        k = len(batch["outcomes"])
        with transaction() as unit:
            outcome = preview_file(_item(batch["files"][k]), year=batch["year"], limits=limits)
            unit.discard()  # a preview never writes
        batch["outcomes"].append(outcome.to_dict())
        if len(batch["outcomes"]) == len(batch["files"]):
            batch["stage"] = "review"
    elif batch["stage"] == "apply":
        k = len(batch["results"])
        item = _item(batch["files"][k])
        doc = parse_upload(item, limits)
        if isinstance(doc, FileOutcome):
            outcome = doc
        else:
            with transaction():  # each file is its own unit: committed before the batch records it
                dept, new = _choice(batch, k)
                outcome = apply_file(
                    item,
                    doc,
                    year=batch["year"],
                    user=current_user,
                    department=dept,
                    new_department=None if dept else new,
                )
        batch["results"].append(outcome.to_dict())
        if item.data and outcome.status != "refused":
            (_store_dir() / f"{batch['files'][k]['token']}.bin").unlink(missing_ok=True)
        if len(batch["results"]) == len(batch["files"]):
            batch["stage"] = "done"


@bp.route("/batch/<batch_id>")
@roles_required(Role.FINANCE, Role.ADMIN)
def batch(batch_id: str):
    data = _load_batch(batch_id)
    outcomes = [FileOutcome.from_dict(o) for o in (data["results"] if data["stage"] == "done" else data["outcomes"])]
    return render_template(
        "imports/batch.html",
        batch=data,
        batch_id=batch_id,
        progress=_progress(data),
        outcomes=outcomes,
        labels=OUTCOME_LABELS if data["stage"] == "done" else PREVIEW_LABELS,
        summary=batch_summary(outcomes) if outcomes else "",
        departments=_department_choices()[1:],
        form=StepForm(),
    )


@contextmanager
def _batch_lock(batch_id: str) -> Iterator[bool]:
    """Only one step of a batch at a time (two tabs, a double click): an exclusive lock on a
    file next to the batch, across worker processes. Yields False when another step holds it."""
    with open(_store_dir() / f"batch-{batch_id}.lock", "w") as fh:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not on Linux
            yield True
            return
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@bp.route("/batch/<batch_id>/step", methods=["POST"])
@roles_required(Role.FINANCE, Role.ADMIN)
def batch_step(batch_id: str):
    _load_batch(batch_id)
    if not StepForm().validate_on_submit():
        abort(400)
    with _batch_lock(batch_id) as mine:
        data = _load_batch(batch_id)  # read again under the lock
        if mine and data["stage"] in ("preview", "apply"):
            _step(data)
            _save_batch(batch_id, data)
    progress = {**_progress(data), "busy": not mine}
    if request.accept_mimetypes.best == "application/json" or request.is_json:
        return jsonify(progress)
    return redirect(url_for("imports.batch", batch_id=batch_id))


@bp.route("/batch/<batch_id>/status")
@roles_required(Role.FINANCE, Role.ADMIN)
def batch_status(batch_id: str):
    return jsonify(_progress(_load_batch(batch_id)))


@bp.route("/batch/<batch_id>/confirm", methods=["POST"])
@roles_required(Role.FINANCE, Role.ADMIN)
@unit_of_work  # records the choices in the batch; the database is written by the steps
def batch_confirm(batch_id: str):
    data = _load_batch(batch_id)
    if not StepForm().validate_on_submit() or data["stage"] != "review":
        flash("确认信息不完整或已过期，请重新上传文件。", "danger")
        return redirect(url_for("imports.batch", batch_id=batch_id))
    choices: dict[str, dict] = {}
    missing: list[str] = []
    for k, outcome in enumerate(data["outcomes"]):
        if outcome["status"] != "ask":
            continue
        raw = request.form.get(f"dept_{k}", "")
        name = request.form.get(f"new_name_{k}", "").strip()
        code = request.form.get(f"new_code_{k}", "").strip()
        if raw.isdigit() and int(raw) and db.session.get(Department, int(raw)) is not None:
            choices[str(k)] = {"id": int(raw)}
        elif name:
            choices[str(k)] = {"name": name[:200], "code": code[:50]}
        else:
            missing.append(outcome["name"])
    if missing:
        flash("请为这些文件选择或新建部门：" + "、".join(missing), "danger")
        return redirect(url_for("imports.batch", batch_id=batch_id))
    data["choices"] = choices
    data["stage"] = "apply"
    _save_batch(batch_id, data)
    return redirect(url_for("imports.batch", batch_id=batch_id))

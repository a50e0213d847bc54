"""佐证材料: type checked by content (not only by name), size-limited, stored outside the
web root under a random name, served only through a scoped route."""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from tracker.domain import DomainError
from tracker.extensions import db
from tracker.models import Evidence, Project, User
from tracker.services import files as staged_files
from tracker.services import settings


class EvidenceError(DomainError):
    pass


@dataclass(frozen=True)
class FileType:
    label: str
    content_type: str
    extensions: tuple[str, ...]


PDF = FileType("PDF", "application/pdf", (".pdf",))
PNG = FileType("PNG 图片", "image/png", (".png",))
JPEG = FileType("JPEG 图片", "image/jpeg", (".jpg", ".jpeg"))
GIF = FileType("GIF 图片", "image/gif", (".gif",))
WEBP = FileType("WebP 图片", "image/webp", (".webp",))
DOCX = FileType("Word 文档", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",))
XLSX = FileType("Excel 表格", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
PPTX = FileType(
    "PowerPoint 演示文稿", "application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",)
)
OLE = FileType("Office 97-2003 文件", "application/octet-stream", (".doc", ".xls", ".ppt", ".wps", ".et"))
OFD = FileType("OFD 电子文件", "application/ofd", (".ofd",))
ALLOWED_EXTENSIONS = sorted(
    {ext for t in (PDF, PNG, JPEG, GIF, WEBP, DOCX, XLSX, PPTX, OLE, OFD) for ext in t.extensions}
)


def detect(data: bytes) -> FileType | None:
    """The file's real type from its first bytes (and, for zip containers, its parts)."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE
    if data.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return None
        if "OFD.xml" in names:
            return OFD
        if "[Content_Types].xml" in names:
            for prefix, kind in (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX)):
                if any(n.startswith(prefix) for n in names):
                    return kind
    return None


def check(filename: str, data: bytes) -> FileType:
    name = filename or "（未命名）"
    limit_mb = settings.get("evidence_max_mb")
    if not data:
        raise EvidenceError(f"佐证材料“{name}”是空文件。")
    if len(data) > limit_mb * 1024 * 1024:
        raise EvidenceError(f"佐证材料“{name}”大小 {len(data) / 1024 / 1024:.1f} MB，超过上限 {limit_mb} MB。")
    ext = Path(filename).suffix.lower()
    if ext not in ALLOWED_EXTENSIONS:
        raise EvidenceError(
            f"佐证材料“{name}”的类型不支持；可上传 PDF、图片（PNG/JPEG/GIF/WebP）、Word、Excel、PowerPoint、OFD 文件。"
        )
    kind = detect(data)
    if kind is None or ext not in kind.extensions:
        actual = kind.label if kind else "无法识别的内容"
        raise EvidenceError(
            f"佐证材料“{name}”的扩展名为 {ext}，但文件内容是{actual}，已拒绝（文件可能被改名或已损坏）。"
        )
    return kind


def _dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "evidence"
    path.mkdir(parents=True, exist_ok=True)
    return path


def path_of(evidence: Evidence) -> Path:
    return _dir() / evidence.stored_name


def store(
    files: Sequence[tuple[str, bytes]],
    *,
    project: Project,
    user: User,
    progress_entry_id: int | None = None,
    expenditure_id: int | None = None,
) -> list[Evidence]:
    """Check every file first, then stage them: they appear on disk when the unit commits
    and are deleted if it rolls back (services/files.py)."""
    checked = [(name, data, check(name, data)) for name, data in files]
    rows = []
    for name, data, kind in checked:
        stored = uuid.uuid4().hex
        staged_files.stage(db.session, _dir() / stored, data)
        row = Evidence(
            project_id=project.id,
            progress_entry_id=progress_entry_id,
            expenditure_id=expenditure_id,
            filename=Path(name).name[:255],
            stored_name=stored,
            content_type=kind.content_type,
            size_bytes=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by_id=user.id,
        )
        db.session.add(row)
        rows.append(row)
    db.session.flush()
    return rows


def by_record(model, ids: list[int]) -> dict[int, list[Evidence]]:
    """The evidence of each progress entry or expenditure (``model``) by its id, in one query."""
    from tracker.models import ProgressEntry

    if not ids:
        return {}
    column = Evidence.progress_entry_id if model is ProgressEntry else Evidence.expenditure_id
    result: dict[int, list[Evidence]] = {}
    for ev in db.session.scalars(select(Evidence).where(column.in_(ids)).order_by(Evidence.id)):
        result.setdefault(getattr(ev, column.key), []).append(ev)
    return result

"""Bounds checked BEFORE a file is parsed, so that a decompression bomb or a huge file is
refused in milliseconds instead of holding a worker for minutes (issue 10, point 5).

- .docx / .xlsx / .zip: the zip directory is read first (no decompression): number of
  members, the sum of the uncompressed sizes, and the compression ratio of every big member.
  Python's zipfile never inflates a member past the size its directory entry declares (it
  stops and reports a CRC error), so the declared sizes are a real bound.
- .xlsx: rows holding a value and cell values are counted by streaming the worksheet XML (a
  tag scan, much faster than openpyxl's read-only mode at ~25,000 rows/s), stopping at the
  first row over the limit, before the workbook is loaded for real.
- PDF: the page count, from the document's page tree, before any page is read.
- text: bytes.
- every parse: a deadline, checked inside the loops of the importers (check_deadline).

Every refusal is an ImportLimitError (an ImportFormatError) whose Chinese message names the
file and the limit. Limits come from the app config (TRACKER_IMPORT_MAX_* in config.py);
importers called without limits use the defaults below.
"""

from __future__ import annotations

import contextvars
import re
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from tracker.importers.base import ImportFormatError

MB = 1024 * 1024


class ImportLimitError(ImportFormatError):
    """The file is over one of the import limits (size, members, rows, pages, time)."""


@dataclass(frozen=True)
class ImportLimits:
    max_file_bytes: int = 50 * MB  # one uploaded file (or one file inside a .zip)
    max_text_bytes: int = 10 * MB  # a text / HTML file
    max_uncompressed_bytes: int = 80 * MB  # sum of a .docx/.xlsx/.zip's members, uncompressed
    max_members: int = 2000  # entries in a .docx/.xlsx/.zip
    max_ratio: int = 150  # uncompressed / compressed, for members over 1 MB
    max_rows: int = 50_000  # rows of all sheets of a workbook
    max_cells: int = 1_000_000  # cells of all sheets of a workbook
    max_pages: int = 300  # pages of a PDF
    max_seconds: float = 30.0  # parsing one file (a web worker is usually killed after 30 s)
    max_batch_files: int = 300  # files in one batch (several files or a .zip)

    @classmethod
    def from_config(cls, config) -> ImportLimits:
        """From a Flask config mapping (keys IMPORT_MAX_*); missing keys keep the defaults."""
        d = cls()
        return cls(
            max_file_bytes=int(config.get("IMPORT_MAX_FILE_MB", d.max_file_bytes // MB)) * MB,
            max_text_bytes=int(config.get("IMPORT_MAX_TEXT_MB", d.max_text_bytes // MB)) * MB,
            max_uncompressed_bytes=int(config.get("IMPORT_MAX_UNCOMPRESSED_MB", d.max_uncompressed_bytes // MB)) * MB,
            max_members=int(config.get("IMPORT_MAX_MEMBERS", d.max_members)),
            max_ratio=int(config.get("IMPORT_MAX_RATIO", d.max_ratio)),
            max_rows=int(config.get("IMPORT_MAX_ROWS", d.max_rows)),
            max_cells=int(config.get("IMPORT_MAX_CELLS", d.max_cells)),
            max_pages=int(config.get("IMPORT_MAX_PAGES", d.max_pages)),
            max_seconds=float(config.get("IMPORT_MAX_SECONDS", d.max_seconds)),
            max_batch_files=int(config.get("IMPORT_MAX_BATCH_FILES", d.max_batch_files)),
        )


DEFAULT_LIMITS = ImportLimits()


def quoted(name: str) -> str:
    return f"“{name}”" if name else ""


def _mb(n: int) -> str:
    return f"{n / MB:.0f} MB" if n >= MB else f"{n} 字节"


# ---------------------------------------------------------------------------- deadline


@dataclass
class _Deadline:
    name: str
    seconds: float
    at: float


_current: contextvars.ContextVar[_Deadline | None] = contextvars.ContextVar("import_deadline", default=None)


@contextmanager
def deadline(name: str, seconds: float) -> Iterator[None]:
    """Parsing inside this block must end within `seconds` (check_deadline raises after)."""
    token = _current.set(_Deadline(name, seconds, time.monotonic() + seconds))
    try:
        yield
    finally:
        _current.reset(token)


def check_deadline(place: str = "") -> None:
    """Call inside parsing loops: refuses the file once its time is up. Cheap (one clock read)."""
    d = _current.get()
    if d is not None and time.monotonic() > d.at:
        where = f"（读到{place}时）" if place else ""
        raise ImportLimitError(
            f"文件{quoted(d.name)}解析超过 {d.seconds:g} 秒仍未完成{where}，已停止：文件过大或结构异常，"
            "请拆分后再导入（上限见 TRACKER_IMPORT_MAX_SECONDS）"
        )


# ---------------------------------------------------------------------------- checks


def check_size(name: str, data: bytes, limits: ImportLimits, *, text: bool = False) -> None:
    limit = limits.max_text_bytes if text else limits.max_file_bytes
    if len(data) > limit:
        kind = "文字文件" if text else "文件"
        raise ImportLimitError(
            f"{kind}{quoted(name)}有 {_mb(len(data))}，超过导入上限 {_mb(limit)}：请只保留绩效目标表部分后再导入"
        )


def check_zip(name: str, zf: zipfile.ZipFile, limits: ImportLimits) -> list[zipfile.ZipInfo]:
    """Inspect the directory of a zip (.docx/.xlsx/.zip) without inflating anything."""
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise ImportLimitError(
            f"文件{quoted(name)}包含 {len(infos)} 个内部文件，超过上限 {limits.max_members} 个，拒绝导入"
        )
    total = 0
    for info in infos:
        total += info.file_size
        if total > limits.max_uncompressed_bytes:
            raise ImportLimitError(
                f"文件{quoted(name)}解压后超过 {_mb(limits.max_uncompressed_bytes)}（上限），"
                "可能是“压缩炸弹”或含大量无关内容，拒绝导入"
            )
        if info.file_size > MB and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise ImportLimitError(
                f"文件{quoted(name)}中的“{info.filename}”压缩比异常（{info.compress_size} 字节解压为 "
                f"{_mb(info.file_size)}，超过 {limits.max_ratio} 倍），可能是“压缩炸弹”，拒绝导入"
            )
    return infos


# a row start, or a cell value (<v> number/shared string, <is> inline string)
_TAGS = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|v|is)[\s>/]")


def check_xlsx_rows(name: str, zf: zipfile.ZipFile, limits: ImportLimits) -> None:
    """Count the rows holding a value, and the values, of every worksheet by streaming its XML
    (a tag scan, no XML tree, no cell objects), stopping at the first one over the limit.
    Styled but empty rows (exports carry them down to row 1048576) are not counted."""
    rows = cells = 0
    for info in zf.infolist():
        if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
            continue
        sheet = info.filename.rsplit("/", 1)[-1]
        tail = b""
        counted = True  # the current row is already counted (or there is none yet)
        with zf.open(info) as stream:
            while True:
                chunk = stream.read(1024 * 1024)
                data = tail + chunk
                cut = len(data) if not chunk else max(0, len(data) - 32)  # a tag split between chunks: next time
                for m in _TAGS.finditer(data, 0, cut):
                    if m.group(1) == b"row":
                        counted = False
                    else:
                        cells += 1
                        if not counted:
                            rows += 1
                            counted = True
                tail = data[cut:]
                if rows > limits.max_rows or cells > limits.max_cells:
                    what = f"{limits.max_rows} 行" if rows > limits.max_rows else f"{limits.max_cells} 个单元格"
                    raise ImportLimitError(
                        f"Excel 文件{quoted(name)}超过 {what}（读到{sheet}时停止），"
                        "绩效目标表不会这么大：请删除无关的工作表或行后再导入"
                    )
                if not chunk:
                    break
                check_deadline(sheet)


def check_pages(name: str, pages: int, limits: ImportLimits) -> None:
    if pages > limits.max_pages:
        raise ImportLimitError(
            f"PDF 文件{quoted(name)}有 {pages} 页，超过上限 {limits.max_pages} 页：请只保留绩效目标表所在的页后再导入"
        )


__all__ = [
    "DEFAULT_LIMITS",
    "ImportLimitError",
    "ImportLimits",
    "check_deadline",
    "check_pages",
    "check_size",
    "check_xlsx_rows",
    "check_zip",
    "deadline",
]

"""Importers: published 绩效目标 documents in any supported form → one ParsedDocument.

parse_file(filename, data) looks at the content, not the extension:
- a zip with [Content_Types].xml: word/document.xml → .docx, xl/workbook.xml → .xlsx;
- an OLE compound file (old .xls / .doc): read .xls with xlrd when installed, else ask
  for .xlsx / .docx;
- PDF: parse_pdf (tables with ruling lines, else the text; a scan gets a message);
- RTF: a message saying what to upload instead;
- anything else is text (UTF-8 with or without BOM, UTF-16 with BOM, GB18030): a web page
  with tables → parse_html; rows of tab/pipe-separated cells → parse_pasted; the seed's
  layout (cells on lines starting with a TAB) → parse_text; any other line layout (one cell per
  line, cells separated by runs of spaces, PDF text) → tables.parse_lines.

Every failure is an ImportFormatError with a Chinese message that names the place.
Before anything is parsed the file is checked against ImportLimits (limits.py): size, the
zip directory of .docx/.xlsx (members, uncompressed size, ratio), rows/cells of a workbook,
pages of a PDF; parsing itself runs under a deadline.
"""

from __future__ import annotations

import io
import zipfile

from tracker.importers.base import ImportFormatError, ParsedDocument, ParsedIndicator, ParsedProject
from tracker.importers.html import looks_like_html
from tracker.importers.limits import (
    DEFAULT_LIMITS,
    ImportLimitError,
    ImportLimits,
    check_size,
    check_xlsx_rows,
    check_zip,
    deadline,
)
from tracker.importers.pasted import looks_pasted, parse_pasted
from tracker.importers.tables import parse_grids, parse_lines
from tracker.importers.text import decode_text, parse_text

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def parse_file(filename: str, data: bytes, *, limits: ImportLimits | None = None) -> ParsedDocument:
    """Parse an uploaded file of any supported kind, judged by its content, within the limits."""
    limits = limits or DEFAULT_LIMITS
    name = filename or ""
    if not data or not data.strip(b" \t\r\n\x00"):
        raise ImportFormatError("文件为空" + (f"：{name}" if name else ""))
    check_size(name, data, limits)
    with deadline(name, limits.max_seconds):
        return _dispatch(name, data, limits)


def _dispatch(name: str, data: bytes, limits: ImportLimits) -> ParsedDocument:
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _parse_zip(name, data, limits)
    if data.startswith(_OLE):
        if name.lower().endswith((".doc", ".wps")):
            raise ImportFormatError(
                f"文件{_quoted(name)}是旧版 Word（.doc）格式，无法直接读取：请在 Word 或 WPS 中“另存为” .docx 后再导入"
            )
        from tracker.importers.xlsx import parse_xls

        return parse_xls(data, source_name=name)
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF"):
        from tracker.importers.pdf import parse_pdf

        return parse_pdf(data, source_name=name, limits=limits)
    if head.startswith(b"{\\rtf"):
        raise ImportFormatError(f"文件{_quoted(name)}是 RTF 格式：请在 Word 中“另存为” .docx 后再导入")
    check_size(name, data, limits, text=True)
    return parse_text_content(decode_text(data), name)


def parse_text_content(text: str, name: str = "") -> ParsedDocument:
    """Decoded text (a .txt, a saved web page, text taken from a PDF) → the fitting parser."""
    if looks_like_html(text):
        from tracker.importers.html import parse_html

        return parse_html(text, source_name=name)
    return parse_any_text(text, source_name=name)


_SEED_CELLS = 20  # lines starting with a TAB: the seed's layout (one cell per line)


def parse_any_text(text: str, *, source_name: str = "") -> ParsedDocument:
    """Text in any layout: pasted rows (tabs/pipes), the seed's layout, or other line layouts
    (one cell per line, runs of spaces) through the shared cell grammar (tables.parse_lines).

    The seed's layout (many lines starting with a TAB) is read strictly: a table that does not
    line up there means a damaged or cut file, which is refused rather than half imported.
    """
    seed_cells = sum(1 for line in text.split("\n") if line.startswith("\t") and line.strip())
    if looks_pasted(text):
        try:
            return parse_pasted(text, source_name=source_name)
        except ImportFormatError:
            if seed_cells >= _SEED_CELLS:
                return parse_text(text, source_name=source_name)
            try:  # cells ending in " |", rows of pipes mixed with one-cell lines …
                return parse_lines(text.split("\n"), source_name=source_name, source_format="text")
            except ImportFormatError:
                pass
            raise
    if seed_cells >= _SEED_CELLS:
        return parse_text(text, source_name=source_name)
    return parse_lines(text.split("\n"), source_name=source_name, source_format="text")


def is_office_zip(data: bytes) -> bool:
    """A .docx/.xlsx (a zip with [Content_Types].xml), as opposed to a plain .zip of files."""
    if not (data.startswith((b"PK\x03\x04", b"PK\x05\x06"))):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "[Content_Types].xml" in zf.namelist()
    except zipfile.BadZipFile:
        return False


def _parse_zip(name: str, data: bytes, limits: ImportLimits) -> ParsedDocument:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = {info.filename for info in check_zip(name, zf, limits)}
            if "xl/workbook.xml" in names:
                check_xlsx_rows(name, zf, limits)
    except zipfile.BadZipFile:
        raise ImportFormatError(f"文件{_quoted(name)}已损坏（压缩包无法打开），请重新保存后再导入") from None
    if "[Content_Types].xml" not in names:
        raise ImportFormatError(f"文件{_quoted(name)}是压缩包，但不是 Word（.docx）或 Excel（.xlsx）文件")
    if "word/document.xml" in names:
        from tracker.importers.docx import parse_docx

        return parse_docx(data, source_name=name)
    if "xl/workbook.xml" in names:
        from tracker.importers.xlsx import parse_xlsx

        return parse_xlsx(data, source_name=name)
    if any(n.startswith("ppt/") for n in names):
        raise ImportFormatError(f"文件{_quoted(name)}是 PowerPoint 演示文稿，请上传 Word（.docx）或 Excel（.xlsx）文件")
    raise ImportFormatError(f"文件{_quoted(name)}不是 Word（.docx）或 Excel（.xlsx）文件")


def _quoted(name: str) -> str:
    return f"“{name}”" if name else ""


__all__ = [
    "ImportFormatError",
    "ImportLimitError",
    "ImportLimits",
    "ParsedDocument",
    "ParsedIndicator",
    "ParsedProject",
    "decode_text",
    "is_office_zip",
    "parse_any_text",
    "parse_file",
    "parse_grids",
    "parse_lines",
    "parse_pasted",
    "parse_text",
    "parse_text_content",
]

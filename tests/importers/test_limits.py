"""Decompression bombs and huge files are refused before parsing, quickly, in Chinese
(issue 10 point 5: a 16 MB .xlsx of 2M rows held a worker for 83 s)."""

from __future__ import annotations

import io
import time
import zipfile

import pytest

from tracker.importers import parse_file
from tracker.importers.limits import ImportLimitError, ImportLimits, check_deadline, deadline

_CT = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WB = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WB_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def xlsx_bomb(rows: int, *, empty: bool = False) -> bytes:
    """An .xlsx built by hand whose one sheet holds `rows` identical rows: tiny on disk,
    huge uncompressed (the sheet XML is streamed into the zip, never held in memory)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr("[Content_Types].xml", _CT)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WB)
        zf.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
                b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            for start in range(1, rows + 1, 10000):
                row = (
                    b'<row r="%d" s="1" customFormat="1"/>'
                    if empty
                    else (b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>')
                )
                sheet.write(
                    b"".join(row % ((r,) * row.count(b"%d")) for r in range(start, min(start + 10000, rows + 1)))
                )
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return xlsx_bomb(2_000_000)


def test_two_million_row_xlsx_is_refused_quickly(bomb):
    assert len(bomb) < 16 * 1024 * 1024  # small on disk …
    with zipfile.ZipFile(io.BytesIO(bomb)) as zf:
        assert sum(i.file_size for i in zf.infolist()) > 100 * 1024 * 1024  # … huge inside
    started = time.perf_counter()
    with pytest.raises(ImportLimitError) as exc:
        parse_file("炸弹.xlsx", bomb)
    elapsed = time.perf_counter() - started
    print(f"2M-row xlsx bomb refused in {elapsed * 1000:.0f} ms")
    message = str(exc.value)
    assert "“炸弹.xlsx”" in message and ("解压后超过" in message or "压缩比异常" in message)


def test_ratio_limit_names_the_member():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CT)
        zf.writestr("word/document.xml", b" " * (20 * 1024 * 1024))  # 20 MB of spaces: ~1000:1
    with pytest.raises(ImportLimitError) as exc:
        parse_file("炸弹.docx", out.getvalue())
    assert "压缩比异常" in str(exc.value) and "word/document.xml" in str(exc.value)


def test_rows_are_counted_in_streaming_mode_below_the_size_limits():
    data = xlsx_bomb(60_000)
    limits = ImportLimits(max_uncompressed_bytes=10**12, max_ratio=10**6)
    started = time.perf_counter()
    with pytest.raises(ImportLimitError) as exc:
        parse_file("大表.xlsx", data, limits=limits)
    print(f"60,000-row xlsx refused by the row count in {(time.perf_counter() - started) * 1000:.0f} ms")
    assert "超过 50000 行" in str(exc.value) and "“大表.xlsx”" in str(exc.value)
    with pytest.raises(ImportLimitError) as exc:
        parse_file(
            "大表.xlsx", data, limits=ImportLimits(max_uncompressed_bytes=10**12, max_ratio=10**6, max_cells=1000)
        )
    assert "超过 1000 个单元格" in str(exc.value)


def test_styled_empty_rows_are_not_counted():
    """Budget-system exports carry styled empty rows down to row 1048576: not a reason to refuse."""
    from tracker.importers.limits import check_xlsx_rows

    data = xlsx_bomb(200_000, empty=True)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        check_xlsx_rows("空行.xlsx", zf, ImportLimits(max_rows=10))  # 200,000 rows, none with a value
    with zipfile.ZipFile(io.BytesIO(xlsx_bomb(20))) as zf:
        with pytest.raises(ImportLimitError) as exc:
            check_xlsx_rows("小.xlsx", zf, ImportLimits(max_rows=19))
        assert "超过 19 行" in str(exc.value)
        check_xlsx_rows("小.xlsx", zf, ImportLimits(max_rows=20, max_cells=20))


def test_member_count_is_bounded():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", _CT)
        for k in range(30):
            zf.writestr(f"word/x{k}.xml", "<x/>")
    with pytest.raises(ImportLimitError) as exc:
        parse_file("多.docx", out.getvalue(), limits=ImportLimits(max_members=20))
    assert "包含 31 个内部文件，超过上限 20 个" in str(exc.value)


def test_big_text_is_refused_by_size():
    data = ("一级指标\t二级指标\n" * 200_000).encode()
    with pytest.raises(ImportLimitError) as exc:
        parse_file("大.txt", data, limits=ImportLimits(max_text_bytes=1024 * 1024))
    assert "文字文件“大.txt”" in str(exc.value) and "超过导入上限 1 MB" in str(exc.value)


def test_any_file_is_bounded_by_size():
    with pytest.raises(ImportLimitError) as exc:
        parse_file("x.pdf", b"%PDF-1.4\n" + b"0" * 3000, limits=ImportLimits(max_file_bytes=2000))
    assert "超过导入上限" in str(exc.value)


def test_deadline_stops_a_loop():
    with deadline("慢.pdf", 0.01):
        check_deadline("第1页")
        time.sleep(0.02)
        with pytest.raises(ImportLimitError) as exc:
            check_deadline("第2页")
    assert "“慢.pdf”解析超过 0.01 秒" in str(exc.value) and "第2页" in str(exc.value)
    check_deadline("outside")  # no deadline outside the block


def test_pdf_parsing_obeys_the_deadline():
    from tests.importers.pdf_builder import build_pdf, indicator_rows

    data = build_pdf([("项目", "目标。", indicator_rows(12))])
    with pytest.raises(ImportLimitError):
        parse_file("x.pdf", data, limits=ImportLimits(max_seconds=0))


def test_limits_from_config():
    limits = ImportLimits.from_config({"IMPORT_MAX_ROWS": 10, "IMPORT_MAX_TEXT_MB": 2})
    assert limits.max_rows == 10 and limits.max_text_bytes == 2 * 1024 * 1024
    assert limits.max_pages == ImportLimits().max_pages

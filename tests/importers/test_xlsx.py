"""Excel exports: built FROM the seed's parsed content with merged ranges, read back identically."""

from __future__ import annotations

import datetime as dt
import sys
import types
from decimal import Decimal

import pytest

from tests.importers.builders import HEADER, build_xlsx, split_expected, xlsx_from_sheets
from tests.importers.conftest import project_signature
from tracker.importers import parse_file
from tracker.importers.base import ImportFormatError
from tracker.importers.xlsx import cell_text, parse_xlsx


@pytest.mark.parametrize(
    "options",
    [
        {"layout": "sheets"},
        {"layout": "single"},
        {"layout": "single", "merged": False},
        {"layout": "single", "name_cell": True},
    ],
    ids=["sheet-per-project", "one-sheet", "empty-cells", "name-cell"],
)
def test_round_trip(seed_doc, options):
    data = build_xlsx(seed_doc, **options)
    doc = parse_file("export.xlsx", data)
    assert doc.source_format == "xlsx"
    assert len(doc.projects) == 18 and doc.indicator_count == 184
    assert project_signature(doc) == project_signature(seed_doc)
    assert doc.warnings == []


def test_builder_writes_merged_ranges(seed_doc):
    from io import BytesIO

    from openpyxl import load_workbook

    wb = load_workbook(BytesIO(build_xlsx(seed_doc, layout="single")))
    ranges = [str(r) for r in wb.active.merged_cells.ranges]
    assert "A4:A8" in ranges  # 产出指标 of project 1 spans its five rows
    assert any(r.startswith("B") for r in ranges)


def test_split_columns_with_number_cells(seed_doc):
    doc = parse_xlsx(build_xlsx(seed_doc, split=True))
    for p, q in zip(seed_doc.projects, doc.projects, strict=True):
        for a, b in zip(p.indicators, q.indicators, strict=True):
            assert b.target_raw == split_expected(a.target_raw)
            assert b.weight is not None and b.direction_hint in ("正向", "反向")


def test_cell_values_as_people_see_them():
    assert cell_text(95.0) == "95"
    assert cell_text(57917.17) == "57917.17"
    assert cell_text(0.95, "0%") == "95%"
    assert cell_text(0.955, "0.0%") == "95.5%"
    assert cell_text(100000) == "100000"
    assert cell_text(dt.datetime(2023, 11, 30)) == "2023年11月30日"
    assert cell_text(None) == ""


def test_numbers_percentages_and_metadata_from_cells():
    rows = [
        ["2023年度项目支出绩效目标表"],
        ["项目名称", "会议保障项目", "主管部门", "[430]平乡县机关后勤服务中心"],
        ["年度目标", "保障会议"],
        ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "权重", "指标方向性"],
        ["产出指标", "数量指标", "会议次数", "≥", 12, "次", 30, "正向"],
        [None, "质量指标", "保障率", "≥", 0.95, None, 20, "正向"],
        [None, "时效指标", "完成时间", "定性", dt.datetime(2023, 11, 30), None, 10, "正向"],
        ["效益指标", "社会效益指标", "会议效率", "定性", "明显提高", None, 30, "正向"],
        ["满意度指标", "服务对象满意度指标", "参会满意度", "≥", 90, "%", 10.5, "正向"],
    ]
    data = xlsx_from_sheets([("Sheet1", rows)], merges={"Sheet1": ["A5:A7"]}, formats={"Sheet1": {"E6": "0%"}})
    doc = parse_xlsx(data)
    (p,) = doc.projects
    assert p.name == "会议保障项目" and p.goal == "保障会议"
    assert [i.target_raw for i in p.indicators] == ["≥12次", "≥95%", "2023年11月30日", "明显提高", "≥90%"]
    assert [i.weight for i in p.indicators] == [Decimal(30), Decimal(20), Decimal(10), Decimal(30), Decimal("10.5")]
    assert [i.level1 for i in p.indicators] == ["产出指标"] * 3 + ["效益指标", "满意度指标"]
    assert (doc.department_code, doc.department_name, doc.year) == ("430", "平乡县机关后勤服务中心", 2023)


def test_sheet_title_names_an_untitled_project_and_hidden_sheets_are_skipped():
    table = [
        ["绩效目标", "保障供暖"],
        HEADER,
        ["产出指标", "数量指标", "供暖面积", "", "≤29630平方米", "合同"],
        ["效益指标", "社会效益指标", "供暖保障", "", "≥95%", "计划"],
        ["满意度指标", "服务对象满意度指标", "满意度", "", "≥95%", "问卷"],
    ]
    data = xlsx_from_sheets(
        [("供暖项目", table), ("代码表", [["一级指标", "二级指标"]]), ("隐藏", table)], hidden=("隐藏",)
    )
    doc = parse_xlsx(data)
    assert [p.name for p in doc.projects] == ["供暖项目"]
    with pytest.raises(ImportFormatError, match="没有项目名称"):
        parse_xlsx(xlsx_from_sheets([("Sheet1", table)]))


def test_xls_is_read_with_xlrd_when_installed(monkeypatch):
    """The .xls path only glues xlrd's rows and merged ranges to the shared grid logic."""
    rows = [
        ["1、旧表项目绩效目标表", "", "", "", "", ""],
        ["绩效目标", "目标一", "", "", "", ""],
        HEADER,
        ["产出指标", "数量指标", "a", "", 3.0, "依据"],
        ["", "质量指标", "b", "", "100%", "依据"],
        ["满意度指标", "服务对象满意度指标", "c", "", "≥90%", "依据"],
    ]
    sheet = types.SimpleNamespace(
        name="Sheet1", nrows=len(rows), row_values=lambda r: rows[r], merged_cells=[(3, 5, 0, 1)]
    )
    book = types.SimpleNamespace(sheets=lambda: [sheet])
    fake = types.SimpleNamespace(open_workbook=lambda **kw: book)
    monkeypatch.setitem(sys.modules, "xlrd", fake)
    doc = parse_file("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    assert doc.source_format == "xls"
    assert [(i.level1, i.level2, i.target_raw) for i in doc.projects[0].indicators] == [
        ("产出指标", "数量指标", "3"),
        ("产出指标", "质量指标", "100%"),
        ("满意度指标", "服务对象满意度指标", "≥90%"),
    ]


def test_xls_without_xlrd(monkeypatch):
    monkeypatch.setitem(sys.modules, "xlrd", None)
    with pytest.raises(ImportFormatError, match="另存为"):
        parse_file("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)

"""Word tables: built FROM the seed's parsed content with real merged cells, read back identically."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest

from tests.importers.builders import HEADER, build_docx, docx_from_items, split_expected
from tests.importers.conftest import project_signature
from tracker.importers import parse_file
from tracker.importers.base import ParsedDocument
from tracker.importers.docx import parse_docx


@pytest.fixture(scope="module")
def merged_docx(seed_doc) -> bytes:
    return build_docx(seed_doc)


def _document_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read("word/document.xml").decode("utf-8")


def test_builder_writes_real_merged_cells(merged_docx):
    xml = _document_xml(merged_docx)
    assert xml.count('w:vMerge w:val="restart"') >= 18 * 3  # 一级 groups of every project
    assert "<w:gridSpan " in xml  # the goal row spans the table


def test_merged_docx_round_trip(seed_doc, merged_docx):
    doc = parse_file("seed.docx", merged_docx)
    assert doc.source_format == "docx"
    assert len(doc.projects) == 18 and doc.indicator_count == 184
    assert project_signature(doc) == project_signature(seed_doc)
    assert doc.warnings == []


def test_docx_department_budget_and_overall_goal(seed_doc, merged_docx):
    doc = parse_docx(merged_docx)
    assert (doc.department_name, doc.department_code, doc.year) == ("平乡县机关后勤服务中心", "430", 2023)
    assert doc.budget == seed_doc.budget
    assert doc.overall_goal == seed_doc.overall_goal


def test_empty_cells_instead_of_merges_and_title_row_inside_the_table(seed_doc):
    data = build_docx(seed_doc, merged=False, title_in_table=True, meta=False)
    assert "w:vMerge" not in _document_xml(data)
    doc = parse_docx(data)
    assert project_signature(doc) == project_signature(seed_doc)
    assert doc.department_name is None and doc.budget == {}


def test_split_target_columns(seed_doc):
    part = ParsedDocument(projects=seed_doc.projects[:6])  # the whole seed goes through xlsx
    doc = parse_docx(build_docx(part, split=True, meta=False))
    assert doc.indicator_count == sum(len(p.indicators) for p in part.projects)
    for p, q in zip(part.projects, doc.projects, strict=True):
        for a, b in zip(p.indicators, q.indicators, strict=True):
            assert (b.level1, b.level2, b.level3) == (a.level1, a.level2, a.level3)
            assert b.target_raw == split_expected(a.target_raw)
            assert b.weight in (Decimal(10), Decimal(11), Decimal(12))
            assert b.direction_hint in ("正向", "反向")
            assert b.description == "" and b.basis == ""
    first = doc.projects[0].indicators
    assert (first[0].target_raw, first[0].op_hint, first[0].unit_hint) == ("=7个", "=", "个")
    assert (first[4].target_raw, first[4].op_hint, first[4].direction_hint) == ("≤426元", "≤", "反向")
    assert (first[5].target_raw, first[5].op_hint, first[5].unit_hint) == ("保障正常运转", "定性", None)


SICHUAN = [
    ["1、道路养护项目绩效目标表"] * 8,
    ["年度目标", "1.完成道路养护\n2.保障通行", "", "", "", "", "", ""],
    ["一级指标", "二级指标", "三级指标", "指标值", "", "", "权重（%）", "指标方向性"],
    ["", "", "", "指标性质", "指标值", "度量单位", "", ""],
    ["产出指标", "数量指标", "养护里程", "≥", "20", "公里", "20", "正向"],
    ["", "质量指标", "合格率", "大于等于", "95", "%", "20", "正向"],
    ["", "时效指标", "完成时间", "定性", "11月底前", "", "10", "正向"],
    ["成本指标", "经济成本指标", "养护成本", "≤", "50", "万元", "10", "反向"],
    ["效益指标", "社会效益指标", "通行条件", "定性", "明显改善", "", "20", "正向"],
    ["满意度指标", "服务对象满意度指标", "群众满意度", "≥", "90", "%", "十", "正向"],
]
SICHUAN_MERGES = [
    (0, 0, 0, 7),
    (1, 1, 1, 7),
    (2, 0, 3, 0),
    (2, 1, 3, 1),
    (2, 2, 3, 2),
    (2, 3, 2, 5),
    (2, 6, 3, 6),
    (2, 7, 3, 7),
    (4, 0, 6, 0),
]


def test_sichuan_two_row_header_with_merges():
    data = docx_from_items([SICHUAN], merges={0: SICHUAN_MERGES})
    doc = parse_docx(data)
    (p,) = doc.projects
    assert p.name == "道路养护项目" and p.goal == "1.完成道路养护\n2.保障通行"
    got = [
        (i.level1, i.level2, i.level3, i.target_raw, i.op_hint, i.unit_hint, i.weight, i.direction_hint)
        for i in p.indicators
    ]
    assert got == [
        ("产出指标", "数量指标", "养护里程", "≥20公里", "≥", "公里", Decimal(20), "正向"),
        ("产出指标", "质量指标", "合格率", "≥95%", "大于等于", "%", Decimal(20), "正向"),
        ("产出指标", "时效指标", "完成时间", "11月底前", "定性", None, Decimal(10), "正向"),
        ("成本指标", "经济成本指标", "养护成本", "≤50万元", "≤", "万元", Decimal(10), "反向"),
        ("效益指标", "社会效益指标", "通行条件", "明显改善", "定性", None, Decimal(20), "正向"),
        ("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "≥", "%", None, "正向"),
    ]
    assert doc.warnings == ["第1个项目“道路养护项目”第6行（第1个表格第10行）：“权重（%）”列的“十”不是数字，已忽略"]


def test_columns_found_by_name_in_any_order():
    rows = [
        ["项目名称", "档案数字化项目", "", ""],
        ["年度绩效目标", "完成档案数字化", "", ""],
        ["序号", "三级指标", "一级指标", "二级指标", "年度指标值", "备注"],
        ["1", "扫描页数", "产出指标", "数量指标", "≥10万页", ""],
        ["2", "差错率", "产出指标", "质量指标", "≤1%", ""],
        ["3", "查档效率", "效益指标", "社会效益指标", "明显提高", ""],
        ["4", "满意度", "满意度指标", "服务对象满意度指标", "≥90%", ""],
    ]
    doc = parse_docx(docx_from_items(["项目支出绩效目标表", rows]))
    (p,) = doc.projects
    assert p.name == "档案数字化项目" and p.goal == "完成档案数字化"
    assert [(i.level1, i.level2, i.level3, i.target_raw, i.description, i.basis) for i in p.indicators] == [
        ("产出指标", "数量指标", "扫描页数", "≥10万页", "", ""),
        ("产出指标", "质量指标", "差错率", "≤1%", "", ""),
        ("效益指标", "社会效益指标", "查档效率", "明显提高", "", ""),
        ("满意度指标", "服务对象满意度指标", "满意度", "≥90%", "", ""),
    ]


def test_table_split_by_a_page_break_and_repeated_header():
    first = [
        ["绩效目标", "目标一"],
        HEADER,
        ["产出指标", "数量指标", "a", "描述a", "1个", "依据"],
        ["产出指标", "质量指标", "b", "描述b", "100%", "依据"],
    ]
    second = [
        HEADER,  # Word's repeated header row, saved as a real row by some tools
        ["效益指标", "社会效益指标", "c", "描述c", "提升", "依据"],
        ["满意度指标", "服务对象满意度指标", "d", "描述d", "≥90%", "依据"],
    ]
    continued = [
        ["满意度指标", "服务对象满意度指标", "e", "描述e", "≥95%", "依据"],
    ]
    doc = parse_docx(docx_from_items(["1、拆分项目绩效目标表", first + second, continued]))
    (p,) = doc.projects
    assert [i.level3 for i in p.indicators] == ["a", "b", "c", "d", "e"]
    assert p.indicators[4].location == "第1个项目“拆分项目”第5行"


def test_blank_template_rows_are_skipped():
    rows = [
        ["绩效目标", "目标一"],
        HEADER,
        ["产出指标", "数量指标", "a", "", "1个", ""],
        ["产出指标", "质量指标", "", "", "", ""],
        ["产出指标", "时效指标", "", "", "", "依据"],
        ["效益指标", "社会效益指标", "b", "", "提升", ""],
        ["满意度指标", "服务对象满意度指标", "c", "", "≥90%", ""],
    ]
    doc = parse_docx(docx_from_items(["1、模板项目绩效目标表", rows], merges={0: [(2, 0, 4, 0)]}))
    assert [i.level3 for i in doc.projects[0].indicators] == ["a", "b", "c"]
    # a row with only a 依据 is listed as skipped (with its place) instead of a warning
    assert doc.warnings == []
    (item,) = doc.skipped
    assert item.reason == "第1个项目“模板项目”第2行（第1个表格第5行）：没有三级指标和指标值，整行已跳过"
    assert (item.table, item.row) == ("第1个表格", 5)


def test_level_names_with_line_breaks_and_scores():
    rows = [
        ["绩效目标", "目标一"],
        HEADER,
        ["产出\n指标（50分）", "数量\n指标", "a", "", "1个", ""],
        ["效益指标(30分)", "经济效益\n指标", "b", "", "增加", ""],
        ["满意度指标（10分）", "社会公众或服务对象满意度指标", "c", "", "≥90%", ""],
    ]
    doc = parse_docx(docx_from_items(["1、分值项目绩效目标表", rows]))
    got = [(i.level1, i.level2, i.level1_raw, i.level2_raw) for i in doc.projects[0].indicators]
    assert got == [
        ("产出指标", "数量指标", "产出指标（50分）", "数量指标"),  # line breaks joined
        ("效益指标", "经济效益指标", "效益指标(30分)", "经济效益指标"),
        ("满意度指标", "服务对象满意度指标", "满意度指标（10分）", "社会公众或服务对象满意度指标"),
    ]


def test_whole_department_table_and_note_rows():
    whole = [
        ["部门整体支出绩效目标表"],
        ["年度总体目标", "保障机关正常运转"],
        HEADER,
        ["产出指标", "数量指标", "保障办公区", "", "4个", ""],
    ]
    goal_only = [["部门整体绩效目标"], ["总体目标", "另一段目标"]]
    project = [
        ["绩效目标", "目标一"],
        HEADER,
        ["产出指标", "数量指标", "a", "", "1个", "依据"],
        ["效益指标", "社会效益指标", "b", "", "提升", "依据"],
        ["满意度指标", "服务对象满意度指标", "c", "", "≥90%", "依据"],
        ["注：指标值应当可衡量。", "", "", "", "", ""],
    ]
    data = docx_from_items([whole, goal_only, "1、某项目绩效目标表", project], merges={2: [(5, 0, 5, 5)]})
    doc = parse_docx(data)
    assert [p.name for p in doc.projects] == ["某项目"]
    assert [i.level3 for i in doc.projects[0].indicators] == ["a", "b", "c"]
    assert doc.overall_goal == "保障机关正常运转"
    assert doc.warnings == [
        "“部门整体支出绩效目标表”（第1个表格第1行）是部门整体绩效目标，未作为项目导入",
        "第3个表格第6行：表格中的说明“注：指标值应当可衡量。”不是指标行，已忽略",
    ]


def _raw_docx(body: str) -> bytes:
    """A .docx written by hand, to use WordprocessingML that python-docx does not produce."""
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", f'<?xml version="1.0"?><w:document {ns}><w:body>{body}</w:body></w:document>')
    return out.getvalue()


def _p(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def _tc(text: str, *, span: int = 1, vmerge: str | None = None) -> str:
    props = ""
    if span > 1:
        props += f'<w:gridSpan w:val="{span}"/>'
    if vmerge == "restart":
        props += '<w:vMerge w:val="restart"/>'
    elif vmerge == "continue":
        props += "<w:vMerge/>"  # no w:val means continue
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{_p(text) if text else '<w:p/>'}</w:tc>"


def test_wordprocessingml_written_by_word():
    rows = [
        _tc("绩效目标") + _tc("1.保障运转", span=3),
        "".join(_tc(h) for h in ["一级指标", "二级指标", "三级指标", "指标值"]),
        _tc("产出指标", vmerge="restart") + _tc("数量指标") + _tc("办公区") + _tc("4个"),
        _tc("", vmerge="continue") + _tc("质量指标") + _tc("合格率") + _tc("≥95%"),
        # a row inside a content control, and deleted text and a field code that Word hides
        "<w:sdt><w:sdtContent><w:tr>"
        + _tc("效益指标")
        + _tc("社会效益指标")
        + "<w:tc><w:p><w:r><w:t>运转</w:t></w:r><w:del><w:r><w:delText>旧</w:delText></w:r></w:del>"
        "<w:r><w:instrText>PAGE</w:instrText></w:r><w:r><w:t>保障</w:t></w:r></w:p></w:tc>"
        + _tc("正常")
        + "</w:tr></w:sdtContent></w:sdt>",
        '<w:trPr><w:gridBefore w:val="1"/></w:trPr>' + _tc("服务对象满意度指标") + _tc("满意度") + _tc("≥90%"),
    ]
    table = "<w:tbl>" + "".join(r if r.startswith("<w:sdt") else f"<w:tr>{r}</w:tr>" for r in rows) + "</w:tbl>"
    doc = parse_file("word.docx", _raw_docx(_p("1、手写项目绩效目标表") + table))
    (p,) = doc.projects
    assert p.name == "手写项目" and p.goal == "1.保障运转"
    assert [(i.level1, i.level2, i.level3, i.target_raw) for i in p.indicators] == [
        ("产出指标", "数量指标", "办公区", "4个"),
        ("产出指标", "质量指标", "合格率", "≥95%"),
        ("效益指标", "社会效益指标", "运转保障", "正常"),
        # the row starts one column late (gridBefore): its empty 一级 comes from the 二级
        ("满意度指标", "服务对象满意度指标", "满意度", "≥90%"),
    ]
    assert doc.warnings == [
        "第1个项目“手写项目”第4行（第1个表格第6行）：二级指标“服务对象满意度指标”属于“满意度指标”，一级指标已按“满意度指标”处理"
    ]

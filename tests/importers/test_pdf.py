"""PDF import: ruled tables (merged cells, a table crossing a page), text-only fallback,
scanned / encrypted / damaged files get a clear Chinese message."""

from __future__ import annotations

import pytest

from tests.importers.pdf_builder import build_pdf, indicator_rows, scanned_pdf, split_row_pdf
from tracker.importers import ImportFormatError, parse_file
from tracker.importers.pdf import SCANNED_MESSAGE

PROJECTS = [
    ("农机购置补贴项目", "完成农机补贴发放，提升农业机械化水平。", indicator_rows(12)),
    ("高标准农田建设项目", "建设高标准农田1万亩。", indicator_rows(30, "农田")),
]


@pytest.fixture(scope="module")
def ruled_pdf() -> bytes:
    return build_pdf(PROJECTS, scanned_page=True)


def _rows(project) -> list[list[str]]:
    return [[i.level1, i.level2, i.level3, i.description, i.target_raw, i.basis] for i in project.indicators]


def test_ruled_tables_with_merged_cells(ruled_pdf):
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(ruled_pdf)) as pdf:
        first = pdf.pages[0].find_tables()[0].extract()
    assert any(row[0] is None for row in first[3:]), "the builder must really merge the 一级 cells"

    doc = parse_file("农业农村局2024.pdf", ruled_pdf)
    assert doc.source_format == "pdf"
    assert (doc.department_code, doc.department_name, doc.year) == ("301001", "示例县农业农村局", 2024)
    assert [p.name for p in doc.projects] == ["农机购置补贴项目", "高标准农田建设项目"]
    assert doc.projects[0].goal == "完成农机补贴发放，提升农业机械化水平。"
    # every row, with the merged 一级/二级 cells given to each row they cover
    assert _rows(doc.projects[0]) == PROJECTS[0][2]


def test_table_crossing_a_page_is_one_table(ruled_pdf):
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(ruled_pdf)) as pdf:
        assert len(pdf.pages) >= 3
        page2 = pdf.pages[1].find_tables()
    assert page2 and page2[0].extract()[0][2].startswith("农田"), "the second table must start on page 1 and go on"
    doc = parse_file("x.pdf", ruled_pdf)
    second = doc.projects[1]
    assert len(second.indicators) == 30
    assert _rows(second) == PROJECTS[1][2]
    assert [i.order for i in second.indicators] == list(range(1, 31))


def test_page_without_text_is_listed_as_skipped(ruled_pdf):
    doc = parse_file("x.pdf", ruled_pdf)
    assert len(doc.skipped) == 1
    item = doc.skipped[0]
    assert "没有文字" in item.reason and item.place == "“x.pdf”，第3页"


def test_long_table_split_over_several_pages_with_page_numbers():
    rows = indicator_rows(80, "长表")
    # no 一级 span over more than a page: reportlab cannot split a spanned cell
    data = build_pdf([("长表项目", "目标。", rows)], merge_levels=False)
    doc = parse_file("long.pdf", data)
    assert _rows(doc.projects[0]) == rows


def test_running_head_and_page_numbers_do_not_break_a_table():
    rows = indicator_rows(30, "农田")
    long_goal = "1.完成高标准农田建设一万亩，" + "改善农业生产条件，" * 8 + "提升粮食产能。2.带动农户增收。"
    data = build_pdf(
        [("农机购置补贴项目", "完成农机补贴发放。", indicator_rows(12)), ("高标准农田建设项目", long_goal, rows)],
        running_head="示例县农业农村局2024年部门预算公开",
    )
    doc = parse_file("x.pdf", data)
    assert _rows(doc.projects[1]) == rows
    assert not any("示例县农业农村局2024年部门预算公开" in w for w in doc.warnings), doc.warnings
    # the goal's line wraps are joined (a long cell wraps in the PDF), the text is whole
    assert doc.projects[1].goal.replace("\n", "") == long_goal
    assert "改善农业生产条件，改善农业生产条件" in doc.projects[1].goal


@pytest.mark.parametrize("repeat", [1, 2])
def test_rows_repeated_at_the_top_of_each_page_are_read_once(repeat):
    """Word's "repeat header row": the header (and here the goal row) printed again on each page."""
    rows = indicator_rows(80, "长表")
    data = build_pdf([("长表项目", "目标。", rows)], merge_levels=False, repeat_rows=repeat)
    doc = parse_file("long.pdf", data)
    assert [p.name for p in doc.projects] == ["长表项目"]
    assert _rows(doc.projects[0]) == rows
    assert not any("不是指标行" in w for w in doc.warnings), doc.warnings


def test_row_cut_by_a_page_break_is_put_back_together():
    rows = indicator_rows(12)
    cut_rows = [list(r) for r in rows]
    cut_rows[5][3] = "成本指标描述"  # page 1 shows the start of row 6's description …
    doc = parse_file("split.pdf", split_row_pdf(cut_rows, 6, "（续：含运维费用）"))  # … page 2 the rest
    got = _rows(doc.projects[0])
    assert len(got) == 12
    assert got[5][3] == "成本指标描述（续：含运维费用）"
    assert got[:5] == rows[:5] and got[6:] == rows[6:]


def test_text_only_pdf_uses_the_text_path():
    rows = indicator_rows(12)
    data = build_pdf([("农机购置补贴项目", "完成农机补贴发放。", rows)], ruled=False)
    doc = parse_file("plain.pdf", data)
    assert [p.name for p in doc.projects] == ["农机购置补贴项目"]
    assert _rows(doc.projects[0]) == rows
    assert doc.source_format == "pdf"


def test_text_only_pdf_with_one_cell_per_line():
    rows = indicator_rows(12)
    data = build_pdf([("农机购置补贴项目", "完成农机补贴发放。", rows)], one_cell_per_line=True)
    doc = parse_file("lines.pdf", data)
    assert [p.name for p in doc.projects] == ["农机购置补贴项目"]
    assert _rows(doc.projects[0]) == rows
    assert (doc.department_code, doc.year) == ("301001", 2024)


def test_scanned_pdf_gets_a_clear_message():
    with pytest.raises(ImportFormatError) as exc:
        parse_file("扫描件.pdf", scanned_pdf())
    assert "扫描件.pdf" in str(exc.value) and SCANNED_MESSAGE in str(exc.value)
    assert "请上传 Word/Excel 原件或文字版 PDF" in str(exc.value)


def test_encrypted_pdf_gets_a_clear_message():
    data = build_pdf(PROJECTS[:1], encrypt="secret")
    with pytest.raises(ImportFormatError) as exc:
        parse_file("加密.pdf", data)
    assert "“加密.pdf”已加密" in str(exc.value)


@pytest.mark.parametrize("cut", [200, 3000, -200])
def test_damaged_pdf_gets_a_clear_message(ruled_pdf, cut):
    data = ruled_pdf[:cut] if cut > 0 else b"%PDF-1.4\n" + bytes(range(256)) * 4
    with pytest.raises(ImportFormatError) as exc:
        parse_file("坏.pdf", data)
    assert "坏.pdf" in str(exc.value)


def test_too_many_pages_is_refused_before_reading(ruled_pdf):
    from tracker.importers.limits import ImportLimitError, ImportLimits

    with pytest.raises(ImportLimitError) as exc:
        parse_file("x.pdf", ruled_pdf, limits=ImportLimits(max_pages=2))
    assert "有 3 页，超过上限 2 页" in str(exc.value)


@pytest.mark.parametrize("head", [None, "示例县2024年部门预算"])
def test_many_tables_with_titles_at_the_top_of_pages(head):
    """Numbered titles that open several pages are not running heads."""
    projects = [(f"第{k}号示例项目", "目标。", indicator_rows(12, f"指标{k}-")) for k in range(10)]
    doc = parse_file("many.pdf", build_pdf(projects, running_head=head))
    assert [p.name for p in doc.projects] == [p[0] for p in projects]
    assert all(_rows(p) == src[2] for p, src in zip(doc.projects, projects, strict=True))

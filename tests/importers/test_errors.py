"""Bad input → ImportFormatError with a Chinese message that names the place."""

from __future__ import annotations

import io
import zipfile

import pytest

from tests.importers.builders import docx_from_items, xlsx_from_sheets
from tracker.domain import DomainError
from tracker.importers import parse_file, parse_pasted
from tracker.importers.base import ImportFormatError
from tracker.importers.text import decode_text, parse_text

P7 = "第7个项目“机关集中办公区水电暖费用项目（运转项目）”"
P18 = "第18个项目“综合事务管理项目”"
HEADER = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]


def error_of(fn, *args, **kwargs) -> str:
    with pytest.raises(ImportFormatError) as info:
        fn(*args, **kwargs)
    assert isinstance(info.value, DomainError)
    return str(info.value)


# ---------------------------------------------------------------------------- not a document


@pytest.mark.parametrize("data", [b"", b"   \r\n\t\n", b"\xef\xbb\xbf"])
def test_empty_file(data):
    assert "文件为空" in error_of(parse_file, "seed.txt", data)


def test_empty_text_and_paste():
    assert "文件为空" in error_of(parse_text, "")
    assert "为空" in error_of(parse_pasted, "  \n ")
    assert "文件为空" in error_of(decode_text, b"")


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
        bytes(range(256)) * 4,
        b"\x80\x81\xfe\xff\x80" * 50,
        b"\x01\x02\x03\x04\x05\x06\x07\x08abc" * 30,
    ],
    ids=["png", "all-bytes", "undecodable", "control-chars"],
)
def test_binary_file(data):
    message = error_of(parse_file, "x.txt", data)
    assert "不是文本文件" in message or "无法识别文件编码" in message


def test_text_that_is_not_such_a_document(seed_str):
    assert "没有找到项目绩效目标表" in error_of(parse_file, "note.txt", "今天开会。\n明天放假。\n".encode())
    before_projects = seed_str[: seed_str.index("第二部分  预算项目绩效目标")]
    message = error_of(parse_text, before_projects, source_name="part.txt")
    assert "没有找到项目绩效目标表" in message and "part.txt" in message


@pytest.mark.parametrize(
    "name,data,needle",
    [
        ("a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "另存为"),
        ("a.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".docx"),
        ("a.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        ("a.rtf", b"{\\rtf1\\ansi hello}", "RTF"),
        ("a.docx", b"PK\x03\x04 this is not really a zip", "损坏"),
    ],
)
def test_other_formats_are_explained(name, data, needle):
    assert needle in error_of(parse_file, name, data)


def test_xls_message_names_xlsx():
    message = error_of(parse_file, "a.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    assert ".xlsx" in message


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return out.getvalue()


def test_zip_that_is_not_office():
    assert "不是 Word" in error_of(parse_file, "a.zip", _zip({"readme.txt": b"hi"}))
    assert "不是 Word" in error_of(parse_file, "a.zip", _zip({"[Content_Types].xml": b"<x/>", "a.xml": b"<x/>"}))


def test_damaged_docx_and_xlsx():
    broken_docx = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<not xml"})
    assert "Word" in error_of(parse_file, "a.docx", broken_docx)
    broken_xlsx = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<not xml"})
    assert "Excel" in error_of(parse_file, "a.xlsx", broken_xlsx)


# ---------------------------------------------------------------------------- cut off


def test_cut_inside_an_indicator_row_of_project_7(seed_str):
    cut = seed_str[: seed_str.index("\t保障办公的办公区个数\n") + len("\t保障办公的办公区个数\n")]
    message = error_of(parse_text, cut)
    assert message.startswith(P7 + "第3行")
    assert "只有3个单元格" in message and "截断" in message
    assert "绩效指标描述" in message  # names the missing cells


def test_cut_inside_a_cell_line_of_project_7(seed_str):
    cut = seed_str[: seed_str.index("\t≤500万度") + 3]  # "\t≤5" — the 指标值 cell of row 2
    message = error_of(parse_text, cut)
    assert message.startswith(P7 + "第2行") and "只有5个单元格" in message


def test_cut_in_the_goal_or_header_of_project_7(seed_str):
    in_goal = seed_str[: seed_str.index("2.保障机关集中办公区电力系统")]
    assert P7 in error_of(parse_text, in_goal) and "表头" in error_of(parse_text, in_goal)
    in_header = seed_str[: seed_str.index("\t绩效指标描述", seed_str.index("7、机关集中"))]
    assert P7 in error_of(parse_text, in_header)
    after_title = seed_str[: seed_str.index("7、机关集中")] + "7、机关集中办公区水电暖费用项目（运转项目）绩效目标表\n"
    message = error_of(parse_text, after_title)
    assert P7 in message and "结束" in message


def test_header_without_rows(seed_str):
    start = seed_str.index("18、综合事务管理项目")
    header_end = seed_str.index("\t指标值确定依据\n", start) + len("\t指标值确定依据\n")
    message = error_of(parse_text, seed_str[:header_end])
    assert message.startswith(P18) and "只有表头" in message


def test_every_cut_inside_project_7_is_an_error_or_a_clean_prefix(seed_doc, seed_str):
    """Cut the document at every line of project 7: either an error naming project 7,
    or project 7 imports a prefix of its rows (a cut exactly between two rows)."""
    start = seed_str.index("第二部分  预算项目绩效目标")
    begin = seed_str.index("7、机关集中")
    end = seed_str.index("8、机关集中")
    section = seed_str[start:end]
    full7 = [(i.level3, i.target_raw, i.basis) for i in seed_doc.projects[6].indicators]
    offset = begin - start
    lines = section[offset:].split("\n")
    pos = offset
    outcomes = {"error": 0, "prefix": 0}
    for line in lines:
        pos += len(line) + 1
        try:
            doc = parse_text(section[:pos])
        except ImportFormatError as exc:
            assert str(exc).startswith(P7), str(exc)
            outcomes["error"] += 1
            continue
        assert len(doc.projects) == 7
        got = [(i.level3, i.target_raw, i.basis) for i in doc.projects[6].indicators]
        assert got == full7[: len(got)]
        outcomes["prefix"] += 1
    assert outcomes["error"] > 50 and outcomes["prefix"] >= 16


# ---------------------------------------------------------------------------- rows that do not fit


def test_unknown_level2(seed_str):
    bad = seed_str.replace("\t数量指标\n\t用电总度数（万度）", "\t数据指标\n\t用电总度数（万度）", 1)
    message = error_of(parse_text, bad)
    assert message.startswith(P7 + "第2行") and "“二级指标”" in message and "“数据指标”" in message


def test_unknown_level2_after_a_new_level1(seed_str):
    bad = seed_str.replace(
        "\t产出指标\n\t数量指标\n\t集中办公区用水吨数", "\t产出指标\n\t数据指标\n\t集中办公区用水吨数", 1
    )
    message = error_of(parse_text, bad)
    assert message.startswith(P7 + "第1行") and "“数据指标”不是二级指标名称" in message


def test_unknown_level1(seed_str):
    # (效果指标 is an older name of 效益指标 and is read as such: an unknown name is used here)
    bad = seed_str.replace(
        "\t效益指标\n\t社会效益指标\n\t集中办公区各单位", "\t效应指标\n\t社会效益指标\n\t集中办公区各单位", 1
    )
    message = error_of(parse_text, bad)
    assert message.startswith(P7 + "第11行") and "“效应指标”不是一级指标名称" in message


def test_missing_cell(seed_str):
    bad = seed_str.replace("\t办公区年用电总度数\n", "", 1)
    message = error_of(parse_text, bad)
    assert message.startswith(P7 + "第2行") and "只有5个单元格，应为6个" in message


def test_extra_cell(seed_str):
    bad = seed_str.replace("\t≤500万度\n", "\t≤500万度\n\t多出来的\n", 1)
    message = error_of(parse_text, bad)
    assert message.startswith(P7 + "第2行") and "有7个单元格，应为6个" in message


def test_merged_cells_left_out_instead_of_empty(seed_str):
    """A rendering that drops merged cells (instead of showing them empty) cannot be lined up."""
    start = seed_str.index("7、机关集中")
    end = seed_str.index("8、机关集中")
    part = seed_str[start:end].replace("\n\t\n", "\n")
    message = error_of(parse_text, seed_str[:start] + part + seed_str[end:])
    assert message.startswith(P7 + "第2行")


def test_missing_level2_cell_for_a_new_level1(seed_str):
    bad = seed_str.replace("\t效益指标\n\t社会效益指标\n\t集中办公区各单位", "\t效益指标\n\t\n\t集中办公区各单位", 1)
    message = error_of(parse_text, bad)
    assert message.startswith(P7 + "第11行") and "“二级指标”为空" in message


def test_first_row_without_level1(seed_str):
    """An empty 一级 on the first row: inferred from an unambiguous 二级, with a warning…"""
    bad = seed_str.replace("\t产出指标\n\t数量指标\n\t集中办公区用水吨数", "\t\n\t数量指标\n\t集中办公区用水吨数", 1)
    doc = parse_text(bad)
    assert doc.projects[6].indicators[0].level1 == "产出指标"
    assert doc.warnings == [P7 + "第1行（文本第2236行）：“一级指标”为空，已按二级指标“数量指标”推断为“产出指标”"]
    # …but 成本指标 may be a 一级 or a 二级 under 产出指标: that is an error
    bad = seed_str.replace("\t产出指标\n\t数量指标\n\t集中办公区用水吨数", "\t\n\t成本指标\n\t集中办公区用水吨数", 1)
    message = error_of(parse_text, bad)
    assert message.startswith(P7 + "第1行") and "“一级指标”为空" in message


# ---------------------------------------------------------------------------- grid formats


def test_docx_table_with_header_and_no_rows():
    data = docx_from_items(["1、空表项目绩效目标表", [["绩效目标", "目标"], HEADER]])
    message = error_of(parse_file, "a.docx", data)
    assert message.startswith("第1个项目“空表项目”") and "只有表头" in message


def test_docx_title_without_table():
    data = docx_from_items([[["1、缺表项目绩效目标表"], ["绩效目标", "某目标"]]])
    message = error_of(parse_file, "a.docx", data)
    assert "第1个项目“缺表项目”" in message and "表头" in message


def test_docx_without_any_project_table():
    data = docx_from_items(["一份普通的文件", [["姓名", "电话"], ["张三", "123"]]])
    assert "没有找到项目绩效目标表" in error_of(parse_file, "a.docx", data)


def test_xlsx_unknown_level_names_name_sheet_row_and_column():
    rows = [
        ["1、道路项目绩效目标表"],
        ["绩效目标", "修路"],
        HEADER,
        ["产出指标", "数量指标", "里程", "", "≥20公里", "计划"],
        ["产出指标", "数目指标", "桥梁", "", "2座", "计划"],
    ]
    # the readable row is imported; the other is listed with its place (partial import)
    doc = parse_file("a.xlsx", xlsx_from_sheets([("道路", rows)]))
    assert [i.level3 for i in doc.projects[0].indicators] == ["里程"]
    (item,) = doc.skipped
    assert item.reason.startswith("第1个项目“道路项目”第2行（工作表“道路”第5行）")
    assert "“二级指标”列的“数目指标”" in item.reason
    assert item.place == "“a.xlsx”，工作表“道路”，第5行，“二级指标”列"
    rows[4][:2] = ["过程指标", "数量指标"]
    (item,) = parse_file("a.xlsx", xlsx_from_sheets([("道路", rows)])).skipped
    assert "“一级指标”列的“过程指标”不是一级指标名称" in item.reason and item.column == "一级指标"
    # nothing readable at all: refused, with the first cause
    rows[3][:2] = ["过程指标", "数量指标"]
    message = error_of(parse_file, "a.xlsx", xlsx_from_sheets([("道路", rows)]))
    assert message.startswith("第1个项目“道路项目”（工作表“道路”第3行）") and "没有可以读取的指标行" in message


def test_table_without_project_name():
    data = docx_from_items([[["绩效目标", "某目标"], HEADER, ["产出指标", "数量指标", "a", "b", "1个", "c"]]])
    assert "没有项目名称" in error_of(parse_file, "a.docx", data)


def test_pasted_row_that_cannot_be_aligned():
    text = "\n".join(
        [
            "1、某项目绩效目标表",
            "\t".join(HEADER),
            "\t".join(["产出指标", "数量指标", "a", "b", "1个", "c"]),
            "\t".join(["三级", "描述", "1个", "依据", "多"]),
        ]
    )
    doc = parse_pasted(text)
    assert [i.level3 for i in doc.projects[0].indicators] == ["a"]
    (item,) = doc.skipped
    assert item.row == 4 and "无法确定缺少哪一列" in item.reason

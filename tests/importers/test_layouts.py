"""Real layouts of 绩效目标表 / 自评表 / 监控表 (issue 8, items 1–8): short excerpts written the way
published pages, copied tables and PDF text give them (names changed)."""

from __future__ import annotations

import pytest

from tests.importers.builders import docx_from_items, xlsx_from_sheets
from tracker.importers import ImportFormatError, parse_any_text, parse_file, parse_grids, parse_lines
from tracker.importers.base import ParsedDocument
from tracker.importers.tables import classify_header, is_name_label, parse_heading


def rows_of(doc: ParsedDocument) -> list[tuple[str, str, str, str]]:
    return [(i.level1, i.level2, i.level3, i.target_raw) for p in doc.projects for i in p.indicators]


def refused(text: str) -> str:
    with pytest.raises(ImportFormatError) as info:
        parse_any_text(text, source_name="a.txt")
    return str(info.value)


ROAD = [
    ("产出指标", "数量指标", "养护里程", "≥350公里"),
    ("产出指标", "质量指标", "优良路率", "≥80%"),
    ("效益指标", "社会效益指标", "群众出行条件", "明显改善"),
    ("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%"),
]

# ---------------------------------------------------------------------------- 1. label cell, short rows


def test_label_cell_left_of_level1_copied_from_a_browser():
    """The header row has one more cell (绩效指标 spans the block); merged 一级/二级 are left out."""
    text = "\n".join(
        [
            "农村公路养护项目绩效目标表",
            "绩效指标\t一级指标\t二级指标\t三级指标\t指标值\t分值",
            "产出指标(50分)\t数量指标\t养护里程\t≥350公里\t30",
            "质量指标\t优良路率\t≥80%\t20",
            "效益指标(30分)\t社会效益指标\t群众出行条件\t明显改善\t30",
            "满意度指标(10分)\t服务对象满意度指标\t群众满意度\t≥90%",  # 分值 merged on the right
        ]
    )
    doc = parse_any_text(text)
    assert rows_of(doc) == ROAD
    assert [i.weight for i in doc.projects[0].indicators][:3] == [30, 20, 30]
    assert doc.skipped == []


def test_rows_padded_with_empty_cells_at_the_end_are_realigned():
    """Pipe rows that lost their merged cells on the left but keep empty cells on the right."""
    text = "\n".join(
        [
            "| 单位名称 | 项目名称 | 一级指标 | 二级指标 | 三级指标 | 指标值 | |",
            "| 001-某镇人民政府 | 村组干部报酬 | 效益指标 | 社会效益指标 | 维护社会稳定 | ≥95% | |",
            "| 产出指标 | 数量指标 | 村组干部人数 | 230人 | | | |",
        ]
    )
    doc = parse_any_text(text)
    assert [p.name for p in doc.projects] == ["村组干部报酬"]
    assert rows_of(doc) == [
        ("效益指标", "社会效益指标", "维护社会稳定", "≥95%"),
        ("产出指标", "数量指标", "村组干部人数", "230人"),
    ]


# ---------------------------------------------------------------------------- 2. renderings without tabs


def test_one_cell_per_line_separated_by_blank_lines():
    cells = ["项目名称", "农村公路养护项目", "绩效指标", "一级指标", "二级指标", "三级指标", "指标值"]
    cells += ["产出指标", "数量指标", "养护里程", "≥350公里", "质量指标", "优良路率", "≥80%"]
    cells += ["效益指标", "社会效益", "指标", "群众出行条件", "明显改善"]  # 二级 wrapped over two lines
    cells += ["满意度指标", "服务对象满意度指标", "群众满意度", "≥90%"]
    doc = parse_any_text("\n\n".join(cells))
    assert doc.projects[0].name == "农村公路养护项目"
    assert rows_of(doc) == ROAD


def test_cells_ending_in_a_pipe_with_written_empty_cells():
    lines = ["项目名称 |", "河道保洁项目 |", "一级指标 |", "二级指标 |", "三级指标 |", "指标值 |", "备注 |"]
    lines += ["产出指标 |", "数量指标 |", "保洁河道长度 |", "≥30公里 |", "|"]
    lines += ["|", "|", "保洁频次 |", "每日1次 |", "|"]
    lines += ["满意度指标 |", "服务对象满意度指标 |", "群众满意度 |", "≥85% |", "抽样调查 |"]
    doc = parse_any_text("\n".join(lines))
    assert rows_of(doc) == [
        ("产出指标", "数量指标", "保洁河道长度", "≥30公里"),
        ("产出指标", "数量指标", "保洁频次", "每日1次"),
        ("满意度指标", "服务对象满意度指标", "群众满意度", "≥85%"),
    ]


def test_pdf_text_with_runs_of_spaces_and_merged_levels_left_out():
    text = """某中学设备购置项目绩效目标表
一级指标    二级指标      三级指标          指标值
产出指标    数量指标      购置设备数量      ≥40台
                          购置软件数量      10套
效益指标    社会效益指标  教学条件改善      明显改善
满意度指标  服务对象满意度指标  师生满意度  ≥90%
备注：本表由项目单位填报"""
    doc = parse_lines(text.split("\n"), source_name="a.pdf", source_format="pdf")
    assert rows_of(doc) == [
        ("产出指标", "数量指标", "购置设备数量", "≥40台"),
        ("产出指标", "数量指标", "购置软件数量", "10套"),
        ("效益指标", "社会效益指标", "教学条件改善", "明显改善"),
        ("满意度指标", "服务对象满意度指标", "师生满意度", "≥90%"),
    ]
    (note,) = doc.skipped
    assert note.reason == "不是指标行（表格下方的说明）" and note.row == 7 and note.file == "a.pdf"


def test_table_flattened_into_words_of_one_line():
    """A 自评表 copied from a .docx preview: every cell separated by one space, all on one line."""
    text = (
        "项目支出绩效自评表 (2022年度) 项目名称 委托业务项目 主管部门 某镇人民政府 "
        "绩效指标 一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 偏差原因分析及改进措施 "
        "产出指标(50分) 数量指标 委托业务项目数量 ≥50个 50 10 10 "
        "质量指标 报告合格率 100% 100% 10 10 "
        "时效指标 提交报告及时性 按期完成 达成预期指标 10 10 "
        "效益指标(30分) 社会效益指标 维护市场公平 效果明显 达成预期指标 30 30 "
        "满意度指标(10分) 满意度指标 群众满意度 ≥90% 95% 10 10"
    )
    doc = parse_any_text(text)
    assert doc.projects[0].name == "委托业务项目"
    assert rows_of(doc) == [
        ("产出指标", "数量指标", "委托业务项目数量", "≥50个"),
        ("产出指标", "质量指标", "报告合格率", "100%"),
        ("产出指标", "时效指标", "提交报告及时性", "按期完成"),
        ("效益指标", "社会效益指标", "维护市场公平", "效果明显"),
        ("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%"),
    ]


# ---------------------------------------------------------------------------- 3. vocabulary


@pytest.mark.parametrize(
    "label,field",
    [
        ("指标值及单位", "target"),
        ("年初目标值(A)", "target"),
        ("三级指标内容", "level3"),
        ("年度指标值", "target"),
        ("全年预期目标", "target"),
        ("实际完成值", "actual"),
        ("全年实际值", "actual"),
        ("中长期指标值", "long_target"),
        ("实施期目标", "long_target"),
        ("计算符号", "op"),
        ("年度数值", "target"),
        ("得分", None),
    ],
)
def test_header_vocabulary(label, field):
    assert classify_header(label) == field


@pytest.mark.parametrize("label", ["项目名称", "项目支出名称", "项目(专项)名称", "转移支付(项目)名称", "专项名称"])
def test_project_name_labels(label):
    assert is_name_label(label)


def test_old_and_regional_level_names_with_notes():
    text = "\n".join(
        [
            "项目名称\t污水处理运维",
            "一级指标\t二级指标\t三级指标\t指标值",
            "项目完成指标\t数量指标（必填硬性指标）\t处理站数量\t12个",
            "\t成本指标(0-20)分\t运维成本\t≤300万元",
            "项目效益指标\t生态效益\t出水达标率\t≥95%",
            "效果指标\t经济效益值\t节约费用\t≥10万元",
            "满意度指标\t服务对象满意度指标等\t群众满意度\t≥90%",
        ]
    )
    assert [(i.level1, i.level2) for i in parse_any_text(text).projects[0].indicators] == [
        ("产出指标", "数量指标"),
        ("产出指标", "成本指标"),
        ("效益指标", "生态效益指标"),
        ("效益指标", "经济效益指标"),
        ("满意度指标", "服务对象满意度指标"),
    ]


# ---------------------------------------------------------------------------- 4. twin column groups


def test_twin_groups_two_row_header_import_the_annual_group():
    text = "\n".join(
        [
            "转移支付(项目)名称\t农业生产发展资金",
            "绩效指标\t一级指标\t二级指标\t三级指标\t实施期目标\t年度目标",
            "\t\t\t\t指标值\t指标值",
            "\t产出指标\t数量指标\t高标准农田建设面积\t≥5万亩\t≥1万亩",
            "\t满意度指标\t服务对象满意度指标\t农户满意度\t≥90%\t≥92%",
        ]
    )
    doc = parse_any_text(text)
    assert [i.target_raw for i in doc.projects[0].indicators] == ["≥1万亩", "≥92%"]
    assert [i.description for i in doc.projects[0].indicators] == ["实施期目标：≥5万亩", "实施期目标：≥90%"]


def test_twin_groups_named_in_each_header_cell_from_xlsx():
    rows = [
        ["项目名称", "教育设施建设"],
        [
            "绩效指标",
            "一级指标",
            "二级指标(长期)",
            "三级指标(长期)",
            "指标值(长期)",
            "二级指标(年度)",
            "三级指标(年度)",
            "指标值(年度)",
        ],
        ["绩效指标", "产出指标", "数量指标", "", "", "数量指标", "建设工程数量", "2个"],
        ["绩效指标", "产出指标", "质量指标", "", "", "质量指标", "验收合格率", "100%"],
    ]
    doc = parse_file("a.xlsx", xlsx_from_sheets([("Sheet1", rows)]))
    assert rows_of(doc) == [
        ("产出指标", "数量指标", "建设工程数量", "2个"),
        ("产出指标", "质量指标", "验收合格率", "100%"),
    ]


def test_empty_annual_group_imports_the_filled_one():
    text = "\n".join(
        [
            "项目支出名称\t城区绿化提升",
            "一级指标\t二级指标\t三级指标\t中期指标值\t年度指标值",
            "产出指标\t数量指标\t新增绿地面积\t≥10万平方米\t",
            "效益指标\t生态效益指标\t绿化覆盖率\t≥40%\t",
        ]
    )
    doc = parse_any_text(text)
    assert [i.target_raw for i in doc.projects[0].indicators] == ["≥10万平方米", "≥40%"]
    assert "已导入“中期指标值”一栏的指标值" in doc.warnings[0]


# ---------------------------------------------------------------------------- 5. project names


def test_project_name_column_with_several_projects():
    text = "\n".join(
        [
            "2024年部门项目支出绩效目标表",
            "项目名称\t一级指标\t二级指标\t三级指标\t指标值",
            "机关运行保障\t产出指标\t数量指标\t保障人数\t45人",
            "\t满意度指标\t服务对象满意度指标\t干部职工满意度\t≥90%",
            "信息化运维\t产出指标\t数量指标\t运维系统数\t3个",
        ]
    )
    doc = parse_any_text(text)
    assert [(p.name, len(p.indicators)) for p in doc.projects] == [("机关运行保障", 2), ("信息化运维", 1)]


@pytest.mark.parametrize(
    "title,name",
    [
        ("农村公路养护项目支出绩效自评表", "农村公路养护项目"),
        ("1、乡村道路维护项目绩效目标表", "乡村道路维护项目"),
        ("河道保洁项目绩效运行监控表", "河道保洁项目"),
        ("XX县财政局2024年项目支出绩效目标表", ""),
        ("2024年部门项目支出绩效目标表", ""),
    ],
)
def test_title_lines(title, name):
    heading = parse_heading(title)
    assert heading is not None and heading.name == name


def test_a_page_title_is_not_a_project():
    assert parse_heading("2024年部门预算公开") is None
    text = "\n".join(["2024年部门预算公开", "XX局2023年度部门预算", "一级指标\t二级指标\t三级指标\t指标值"])
    text += "\n产出指标\t数量指标\t保障人数\t45人"
    assert "没有项目名称" in refused(text)


# ---------------------------------------------------------------------------- 6. operator column, 自评表


def test_operator_column_with_unusual_symbols_and_unit_before_operator():
    text = "\n".join(
        [
            "项目(专项)名称\t乡镇污水处理运维",
            "一级指标\t二级指标\t三级指标\t度量单位\t指标性质\t指标值\t权重",
            "产出指标\t数量指标\t污水处理站数量\t个\t═\t12\t20",
            "产出指标\t质量指标\t出水达标率\t%\t≧\t95\t20",
            "产出指标\t成本指标\t运维成本\t万元\t≦\t300\t10",
            "效益指标\t生态效益指标\tCOD削减量\t吨\t＞＝\t100\t30",
            "满意度指标\t服务对象满意度指标\t群众满意度\t%\t正向\t90\t10",
        ]
    )
    inds = parse_any_text(text).projects[0].indicators
    assert [i.target_raw for i in inds] == ["=12个", "≥95%", "≤300万元", "≥100吨", "90%"]
    assert [i.op_hint for i in inds] == ["═", "≧", "≦", "＞＝", None]
    assert inds[4].direction_hint == "正向" and inds[0].unit_hint == "个"


def test_self_evaluation_table_imports_like_a_target_table():
    text = "\n".join(
        [
            "2023年度项目支出绩效自评表",
            "项目名称\t农村公路养护项目",
            "年度总体目标\t预期目标\t实际完成情况",
            "\t完成全县农村公路日常养护\t已完成",
            "绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施",
            "产出指标(50分)\t数量指标\t养护里程\t≥350公里\t352公里\t20\t20\t",
            "质量指标\t优良路率\t≥80%\t82%\t15\t15\t",
            "效益指标(30分)\t社会效益指标\t群众出行条件\t明显改善\t改善\t30\t30\t",
            "满意度指标(10分)\t服务对象满意度指标\t群众满意度\t≥90%\t95%\t10\t10\t",
            "总分\t100\t100",
            "填表人：张三\t联系电话：1234567\t填报日期：2024年3月1日",
        ]
    )
    doc = parse_any_text(text)
    assert doc.projects[0].goal == "完成全县农村公路日常养护"
    assert rows_of(doc) == ROAD
    assert [s.reason for s in doc.skipped] == ["不是指标行（合计行）", "不是指标行（签名、联系人或日期）"]


# ---------------------------------------------------------------------------- 7. partial import


def test_non_indicator_rows_are_listed_with_their_place_never_imported():
    rows = [
        ["1、道路项目绩效目标表"],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "里程", "≥20公里"],
        ["2120101", "行政运行", "", ""],
        ["合计", "", "", ""],
        ["审核人：李四", "", "联系电话：123", ""],
        ["产出指标", "数目指标", "桥梁", "2座"],
        ["满意度指标", "服务对象满意度指标", "满意度", "≥90%"],
    ]
    doc = parse_file("道路.docx", docx_from_items([rows]))
    assert [i.level3 for i in doc.projects[0].indicators] == ["里程", "满意度"]
    got = [(s.reason[:12], s.file, s.table, s.row) for s in doc.skipped[:3]]
    assert got == [
        ("不是指标行（预算编码）", "道路.docx", "第1个表格", 4),
        ("不是指标行（合计行）", "道路.docx", "第1个表格", 5),
        ("不是指标行（签名、联系人", "道路.docx", "第1个表格", 6),
    ]
    unknown = doc.skipped[3]
    assert unknown.reason.startswith(
        "第1个项目“道路项目”第2行（第1个表格第7行）：“二级指标”列的“数目指标”不是二级指标名称"
    )
    assert (unknown.row, unknown.column) == (7, "二级指标")


def test_one_unreadable_table_does_not_refuse_the_others():
    good = [
        ["1、甲项目绩效目标表"],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "a", "1个"],
    ]
    empty = [["2、乙项目绩效目标表"], ["一级指标", "二级指标", "三级指标", "指标值"]]
    doc = parse_file("a.docx", docx_from_items([good, empty]))
    assert [p.name for p in doc.projects] == ["甲项目"]
    (item,) = doc.skipped
    assert "乙项目" in item.reason and "其后没有指标行" in item.reason


# ---------------------------------------------------------------------------- 8. diagnoses


def test_diagnosis_no_header():
    message = refused("某局2024年部门预算公开\n一、部门职责\n负责全县道路养护。")
    assert "文件中没有绩效目标表的表头（应有“一级指标”“二级指标”“三级指标”“指标值”等列）" in message


def test_diagnosis_header_without_rows():
    message = refused("1、某项目绩效目标表\n一级指标\t二级指标\t三级指标\t指标值\n注：无")
    assert "找到了表头（一级指标/二级指标/三级指标/指标值）但其后没有指标行" in message


def test_diagnosis_label_cell_rows_shorter_than_the_header():
    text = "\n".join(
        [
            "1、某项目绩效目标表",
            "绩效指标\t一级指标\t二级指标\t三级指标\t指标值\t依据",
            "投入管理\t资金到位率\t100%\t计划\t文件",
            "投入管理\t资金使用率\t100%\t计划\t文件",
        ]
    )
    message = refused(text)
    assert "表头有 6 列、数据行只有 5 列：最左侧的“绩效指标”可能是合并单元格" in message


# ---------------------------------------------------------------------------- the grid entry point


def test_parse_grids_tables_continued_on_the_next_page_and_headings():
    page1 = [["一级指标", "二级指标", "三级指标", "指标值"], ["产出指标", "数量指标", "养护里程", "≥350公里"]]
    page2 = [[None, "质量指标", "优良路率", "≥80%"], ["满意度指标", "服务对象满意度指标", "群众满意度", "≥90%"]]
    doc = parse_grids(
        [page1, page2], source_name="a.pdf", source_format="pdf", headings=["农村公路养护项目绩效目标表", None]
    )
    assert doc.source_format == "pdf" and [p.name for p in doc.projects] == ["农村公路养护项目"]
    assert rows_of(doc) == [ROAD[0], ROAD[1], ROAD[3]]


def test_parse_grids_adds_to_a_given_document_and_refuses_when_nothing_is_usable():
    doc = ParsedDocument(department_name="某局", source_format="pdf")
    grid = [
        ["项目名称", "甲项目"],
        ["一级指标", "二级指标", "三级指标", "指标值"],
        ["产出指标", "数量指标", "a", "1个"],
    ]
    assert parse_grids([grid], doc) is doc and doc.department_name == "某局" and doc.indicator_count == 1
    with pytest.raises(ImportFormatError, match="没有绩效目标表的表头"):
        parse_grids([[["姓名", "电话"], ["张三", "123"]]], source_name="b.pdf")


def test_parse_grids_header_repeated_on_the_next_page():
    header = ["一级指标", "二级指标", "三级指标", "指标值"]
    page1 = [["项目名称", "农村公路养护项目"], header, ["产出指标", "数量指标", "养护里程", "≥350公里"]]
    page2 = [header, ["满意度指标", "服务对象满意度指标", "群众满意度", "≥90%"]]
    doc = parse_grids([page1, page2])
    assert [p.name for p in doc.projects] == ["农村公路养护项目"]
    assert rows_of(doc) == [ROAD[0], ROAD[3]]


def test_flattened_header_rows_with_the_name_label_inside_a_row():
    """A 自评表 whose rows came out run together into pipe lines (a web page of a .xls): 项目名称 is
    not the first cell, the group label 年度指标值 (over 指标性质/指标值/度量单位) stands left of
    一级指标, and the header line runs on into the first data row."""
    text = "\n".join(
        [
            "2022年度项目支出绩效自评表 | 部门:某中学 |",
            "| 公开14表 | 项目名称 | 营养改善计划专项资金 | 主管部门 | 某县教育体育局 |",
            "| — | 年度总体目标 | 预期目标 | 实际完成情况 | 改善学生体质 | 改善学生体质 | 绩效指标 | 年度指标值 | 实际完成值"
            " | 分值 | 得分 | 偏差原因分析及改进措施 | 一级指标 | 二级指标 | 三级指标 | 指标性质 | 指标值 | 度量单位"
            " | 产出指标 | 数量指标 | 学生受资助人数 | ≧ | 735 | 人次 | 735 | 10 | 10 |",
            "| 质量指标 | 营养改善计划覆盖率 | ≧ | 100 | % | 100% | 10 | 10 |",
            "| 时效指标 | 资金到位及时率 | ≧ | 100 | % | 100% | 10 | 7 |",
            "| 满意度指标 | 服务对象满意度指标等 | 学生满意度 | ═ | 95 | % | 100% | 10 | 10 |",
        ]
    )
    doc = parse_any_text(text)
    assert [p.name for p in doc.projects] == ["营养改善计划专项资金"]
    assert rows_of(doc) == [
        ("产出指标", "质量指标", "营养改善计划覆盖率", "≥100%"),
        ("产出指标", "时效指标", "资金到位及时率", "≥100%"),
        ("满意度指标", "服务对象满意度指标", "学生满意度", "=95%"),
    ]


def test_cells_run_together_without_any_separator():
    """Web page text of a table with nothing between its cells: cut by the vocabulary."""
    text = "\n".join(
        [
            "绩效目标表",
            "项目名称农村义务教育薄弱学校改造补助资金",
            "绩效指标一级指标二级指标指标内容指标值",
            "产出指标数量指标农村义务教育学校改造覆盖率100%",
            "质量指标校舍维修改造质量合格率100%",
            "效益指标可持续影响指标义务教育均衡发展水平≥95%",
            "社会公众或服务对象满意度指标学生家长满意度≥90%",
        ]
    )
    doc = parse_any_text(text)
    assert [p.name for p in doc.projects] == ["农村义务教育薄弱学校改造补助资金"]
    assert rows_of(doc) == [
        ("产出指标", "数量指标", "农村义务教育学校改造覆盖率", "100%"),
        ("产出指标", "质量指标", "校舍维修改造质量合格率", "100%"),
        ("效益指标", "可持续影响指标", "义务教育均衡发展水平", "≥95%"),
        ("满意度指标", "服务对象满意度指标", "学生家长满意度", "≥90%"),
    ]


def test_run_together_text_that_cannot_be_cut_is_refused_not_misread():
    text = (
        "绩效指标一级指标二级指标三级指标分值年度指标值全年实际值得分\n产出指标数量指标安装坡面水标尺10≥266米≥266米10"
    )
    text += "\n质量指标项目验收合格率20100%100%20"
    assert "没有" in refused(text)

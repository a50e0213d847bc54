"""Tables copied from a web page or from Excel and pasted as text."""

from __future__ import annotations

import pytest

from tests.importers.builders import HEADER, build_pasted
from tests.importers.conftest import project_signature
from tracker.importers import parse_file, parse_pasted


@pytest.mark.parametrize("style", ["tsv", "browser", "markdown"])
def test_round_trip(seed_doc, style):
    doc = parse_pasted(build_pasted(seed_doc, style=style))
    assert doc.source_format == "pasted"
    assert len(doc.projects) == 18 and doc.indicator_count == 184
    # a goal pasted on one line keeps its numbered items, separated by spaces
    assert project_signature(doc, goal_lines_joined=True) == project_signature(seed_doc, goal_lines_joined=True)
    assert doc.warnings == []


def test_parse_file_dispatches_pasted_text(seed_doc):
    data = build_pasted(seed_doc, style="tsv").encode("gb18030")
    doc = parse_file("copied.txt", data)
    assert doc.source_format == "pasted" and doc.indicator_count == 184


def test_excel_quoted_cells_keep_line_breaks():
    text = "\n".join(
        [
            "1、会议项目绩效目标表",
            '绩效目标\t"1.保障会议\n2.节约经费"',
            "\t".join(HEADER),
            '产出指标\t数量指标\t会议次数\t"全年召开\n会议次数"\t≥12次\t计划',
            '\t质量指标\t"保障率"\t\t100%\t计划',
            "满意度指标\t服务对象满意度指标\t满意度\t\t≥90%\t问卷",
        ]
    )
    doc = parse_pasted(text)
    (p,) = doc.projects
    assert p.goal == "1.保障会议\n2.节约经费"
    assert [(i.level1, i.level2, i.level3, i.description, i.target_raw) for i in p.indicators] == [
        ("产出指标", "数量指标", "会议次数", "全年召开会议次数", "≥12次"),
        ("产出指标", "质量指标", "保障率", "", "100%"),
        ("满意度指标", "服务对象满意度指标", "满意度", "", "≥90%"),
    ]
    assert p.indicators[1].location == "第1个项目“会议项目”第2行"


def test_pipes_without_outer_bars_and_a_two_label_goal_row():
    text = "\n".join(
        [
            "XX街道亮化项目绩效目标表",
            "年度目标 | 中长期目标",
            "完成亮化改造 | 形成长效机制",
            " | ".join(["一级指标", "二级指标", "三级指标", "指标值"]),
            "产出指标 | 数量指标 | 路灯数量 | 120盏",
            "效益指标 | 社会效益指标 | 夜间出行 | 更加安全",
            "满意度指标 | 服务对象满意度指标 | 居民满意度 | ≥90%",
        ]
    )
    doc = parse_pasted(text)
    (p,) = doc.projects
    assert p.name == "XX街道亮化项目" and p.goal == "完成亮化改造"
    assert [i.target_raw for i in p.indicators] == ["120盏", "更加安全", "≥90%"]


def test_short_rows_are_aligned_by_vocabulary():
    text = "\n".join(
        [
            "1、采购项目绩效目标表",
            "\t".join(HEADER),
            "\t".join(["产出指标", "成本指标", "单价", "每台单价", "≤5000元", "预算"]),
            "\t".join(["成本指标", "运维", "每年运维", "≤1万元", "预算"]),  # 一级 left out; 成本指标 is a 二级 here
            "\t".join(["数量", "台数", "20台", "计划"]),  # 一级 and 二级 left out
            "\t".join(["满意度指标", "服务对象满意度指标", "满意度", "", "≥90%"]),  # last cell missing
        ]
    )
    doc = parse_pasted(text)
    got = [(i.level1, i.level2, i.level3, i.target_raw, i.basis) for i in doc.projects[0].indicators]
    assert got == [
        ("产出指标", "成本指标", "单价", "≤5000元", "预算"),
        ("产出指标", "成本指标", "运维", "≤1万元", "预算"),
        ("产出指标", "成本指标", "数量", "20台", "计划"),
        ("满意度指标", "服务对象满意度指标", "满意度", "≥90%", ""),
    ]
    assert sorted(doc.warnings) == sorted(
        [
            "第1个项目“采购项目”：没有找到绩效目标文字",
            "第1个项目“采购项目”：没有效益指标",
        ]
    )


def test_seed_layout_is_not_mistaken_for_pasted(seed_raw):
    assert parse_file("seed.txt", seed_raw).source_format == "text"


def test_trailing_tabs_do_not_count_as_cells():
    text = "\n".join(
        [
            "1、会议项目绩效目标表\t\t\t",
            "绩效目标\t保障会议\t\t\t\t",
            "\t".join(HEADER) + "\t\t",
            "\t".join(["产出指标", "数量指标", "会议次数", "", "≥12次", ""]) + "\t",
            "\t".join(["效益指标", "社会效益指标", "会议效率", "", "提高", "计划"]),
            "\t".join(["满意度指标", "服务对象满意度指标", "满意度", "", "≥90%", "问卷"]) + "\t\t\t",
        ]
    )
    doc = parse_pasted(text)
    assert [i.basis for i in doc.projects[0].indicators] == ["", "计划", "问卷"]
    assert doc.warnings == []

"""The seed document (text rendering) must import exactly: 18 projects, 184 rows, every cell."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.importers.builders import build_text, cells
from tests.importers.conftest import project_signature
from tracker.importers import parse_file
from tracker.importers.levels import LEVEL1_NAMES, LEVEL2_BY_LEVEL1
from tracker.importers.text import decode_text, parse_text

NAMES = [
    "2023年度机关用房租赁费用项目",
    "第三行政办公区中央空调维保费及电梯维保费项目（运转项目）",
    "公车购置及运行CG",
    "公车平台专项CG（运转项目）",
    "后勤保障经费项目",
    "机关办公区日常维修维护费用项目（运转项目）",
    "机关集中办公区水电暖费用项目（运转项目）",
    "机关集中办公区物业费项目CG（运转项目）",
    "机关日常运行经费项目（运转项目）",
    "机关事务管理专项会议信号等资金项目（运转项目）",
    "集中办公区消防项目CG",
    "节能办节能运转费项目",
    "劳保用品及清洁用品项目",
    "劳务费",
    "落实重新安置军队退役人员待遇",
    "视频会议室直播保障费用项目",
    "县级周转房租赁费及物业费项目",
    "综合事务管理项目",
]

# counted by hand in the file: one 二级 cell per indicator row
COUNTS = [9, 12, 9, 8, 8, 10, 16, 10, 9, 12, 9, 9, 9, 9, 9, 9, 10, 17]

# one row from every project: (project, row, 一级, 二级, 三级, 绩效指标描述, 指标值, 指标值确定依据)
SPOT = [
    (1, 5, "产出指标", "成本指标", "租赁标准", "按照占地面积，每平米每年租金标准", "≤426元", "根据支付凭证"),
    (2, 6, "产出指标", "成本指标", "本年度中央空调维保费", "本年度中央空调维保费", "100000元", "根据合同"),
    (
        3,
        9,
        "满意度指标",
        "服务对象满意度指标",
        "活动参与者满意度",
        "调查中，满意与较满意的人数占全部调查人数的比率",
        "≥95%",
        "调查问卷",
    ),
    (
        4,
        4,
        "产出指标",
        "成本指标",
        "公车平台运行费用总成本",
        "公车平台运行费用总成本",
        "≤500000元",
        "年度预算，维修维护清单以及保险单",
    ),
    (
        5,
        7,
        "效益指标",
        "可持续影响指标",
        "公共服务水平提升情况",
        "公共服务水平提升情况",
        "服务水平有所提高",
        "根据提升情况",
    ),
    (6, 4, "产出指标", "成本指标", "平均每区每年成本费用", "平均每区每年成本费用", "≤22.5万元/年", "根据缴费单据"),
    (
        7,
        11,
        "效益指标",
        "社会效益指标",
        "集中办公区各单位正常工作保障率",
        "保障各单位正常工作，确保全年没有因为水费未及时交付而产生停工、误工情况",
        "≥95%",
        "年度工作 计划",
    ),
    (
        8,
        8,
        "效益指标",
        "生态效益指标",
        "保障环境卫生情况",
        "保障环境卫生，减少废弃物污染",
        "环境卫生有所提高",
        "根据年度考核",
    ),
    (9, 9, "满意度指标", "服务对象满意度指标", "服务对象满意度", "服务对象满意度", "≥95%", "根据反馈意见及建议"),
    (10, 3, "产出指标", "质量指标", "故障排除率(％)", "排除故障次数占故障发生次数的比率", "100%", "根据处理情况"),
    (11, 4, "产出指标", "成本指标", "消火栓单价成本", "消防项目所安装消火栓单价成本", "≤1700元", "根据缴费单据"),
    (
        12,
        4,
        "产出指标",
        "成本指标",
        "节能办年度办公资金（元）",
        "节能办公室年度办公资金",
        "控制在预算内",
        "根据工作职责",
    ),
    (
        13,
        1,
        "产出指标",
        "数量指标",
        "劳保、清洁用品使用人员所在办公区数量",
        "劳保、清洁用品使用人员所在办公区数量",
        "4个",
        "根据检测情况",
    ),
    (14, 3, "产出指标", "时效指标", "工资发放时间", "每个月按标准发放工资的时间", "每月25日前发放到位", "部门工作安排"),
    (15, 4, "产出指标", "成本指标", "人均工资标准", "每人每月平均发放工资标准", "≥3780元/月/人", "部门工作安排"),
    (16, 2, "产出指标", "时效指标", "及时性", "实际支付时间占应拨付时间的比率", "100%", "合同要求"),
    (17, 5, "产出指标", "成本指标", "周转房租赁费", "周转房租赁费", "5.4万元", "根据物业合同"),
    (
        18,
        17,
        "满意度指标",
        "服务对象满意度指标",
        "受益群体满意度",
        "受益群体调查中，满意与较满意的人数占全部调查人数的比率",
        "≥95%",
        "根据反馈意见及建议",
    ),
]


def test_counts(seed_doc):
    assert len(seed_doc.projects) == 18
    assert seed_doc.indicator_count == 184
    assert [len(p.indicators) for p in seed_doc.projects] == COUNTS
    assert seed_doc.source_format == "text"


def test_names_and_order(seed_doc):
    assert [p.name for p in seed_doc.projects] == NAMES
    assert [p.order for p in seed_doc.projects] == list(range(1, 19))


@pytest.mark.parametrize("project,row,l1,l2,l3,desc,target,basis", SPOT, ids=[f"p{s[0]}r{s[1]}" for s in SPOT])
def test_spot_row_in_every_project(seed_doc, project, row, l1, l2, l3, desc, target, basis):
    p = seed_doc.projects[project - 1]
    ind = p.indicators[row - 1]
    assert ind.order == row
    assert cells(ind) == [l1, l2, l3, desc, target, basis]
    assert ind.location == f"第{project}个项目“{NAMES[project - 1]}”第{row}行"


def test_spot_table_covers_every_project():
    assert sorted(s[0] for s in SPOT) == list(range(1, 19))


def test_continuation_line_joined_directly(seed_doc):
    joined = [
        (p.order, i.order)
        for p in seed_doc.projects
        for i in p.indicators
        if i.basis == "年度预算，维修维护清单以及保险单"
    ]
    assert joined == [(4, 4)]
    assert not any(i.basis == "维修维护清单以及保险单" for p in seed_doc.projects for i in p.indicators)


def test_first_and_last_rows(seed_doc):
    first = seed_doc.projects[0].indicators[0]
    assert cells(first) == ["产出指标", "数量指标", "保障办公区个数", "保障办公区正常运转个数", "7个", "根据工作职责"]
    last = seed_doc.projects[-1].indicators[-1]
    assert last.order == 17 and last.level3 == "受益群体满意度"
    # project 16 lists 时效 before 质量: the order of the document is kept
    assert [i.level2 for i in seed_doc.projects[15].indicators[:3]] == ["数量指标", "时效指标", "质量指标"]


def test_goals(seed_doc):
    goals = [p.goal for p in seed_doc.projects]
    assert goals[0] == (
        "1.保障机关单位的正常办公，与平乡县三和城市建设投资有限公司签订房屋租赁协议\n"
        "2.根据工作需要，为满足机关办公用房需求，租赁七处办公地点"
    )
    assert goals[6] == (
        "1.保障机关集中办公区自来水供应\n2.保障机关集中办公区电力系统的及时供应\n3.保障机关集中办公区供暖的供应"
    )
    assert goals[13] == (
        "1.确保部门工作正常开展\n2.保障职工工资待遇及社保缴费及时足额发放缴纳\n3.保障职工其他各项待遇及时足额发放"
    )
    assert goals[2] == "1.购置公务用车，保障工作正常运转"
    assert goals[9].count("\n") == 2 and goals[9].endswith("线路复杂")
    for goal in goals:
        assert goal.startswith("1.")
        assert "\t" not in goal and "\n\n" not in goal
        assert all(line == line.strip() for line in goal.split("\n"))


def test_levels_are_canonical_and_raw_kept(seed_doc):
    for p in seed_doc.projects:
        for i in p.indicators:
            assert i.level1 in LEVEL1_NAMES
            assert i.level2 in LEVEL2_BY_LEVEL1[i.level1]
            assert (i.level1_raw, i.level2_raw) == (i.level1, i.level2)
            assert i.level3 and i.target_raw and i.basis and i.description
            assert i.op_hint is None and i.weight is None
    assert {i.level1 for i in seed_doc.projects[0].indicators} == {"产出指标", "效益指标", "满意度指标"}


def test_locations(seed_doc):
    for p in seed_doc.projects:
        assert p.location == f"第{p.order}个项目“{p.name}”"
        assert [i.order for i in p.indicators] == list(range(1, len(p.indicators) + 1))
        for i in p.indicators:
            assert i.location == f"{p.location}第{i.order}行"


def test_department_and_budget(seed_doc):
    assert seed_doc.department_name == "平乡县机关后勤服务中心"
    assert seed_doc.department_code == "430"
    assert seed_doc.year == 2023
    assert seed_doc.budget == {
        "total": Decimal("4131.67"),
        "basic": Decimal("233.45"),
        "project": Decimal("3898.22"),
        "personnel": Decimal("218.99"),
        "public": Decimal("14.46"),
        "procurement": Decimal("550.00"),
        "three_public": Decimal("161.55"),
    }
    assert seed_doc.budget["basic"] + seed_doc.budget["project"] == seed_doc.budget["total"]


def test_overall_goal(seed_doc):
    goal = seed_doc.overall_goal
    assert goal.startswith("为提高机关事务工作的科学性、前瞻性和指导性")
    assert goal.endswith("确保办公区工作的正常开展。")
    assert "\n" not in goal and "分项绩效目标" not in goal


def test_seed_has_no_warnings(seed_doc):
    assert seed_doc.warnings == []


# ---------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda t: t.encode("gb18030"), id="gb18030"),
        pytest.param(lambda t: t.encode("gbk"), id="gbk"),
        pytest.param(lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), id="utf8-bom"),
        pytest.param(lambda t: t.encode("utf-16"), id="utf16-bom"),
        pytest.param(lambda t: t.replace("\n", "\r\n").encode("utf-8"), id="crlf"),
    ],
)
def test_encodings_parse_identically(seed_doc, seed_str, encode):
    doc = parse_file("seed.txt", encode(seed_str))
    assert project_signature(doc) == project_signature(seed_doc)
    assert doc.budget == seed_doc.budget
    assert (doc.department_name, doc.department_code, doc.year) == ("平乡县机关后勤服务中心", "430", 2023)
    assert doc.overall_goal == seed_doc.overall_goal


def test_decode_text_prefers_utf8(seed_raw, seed_str):
    assert decode_text(seed_raw) == seed_str
    assert decode_text("产出指标".encode("gb18030")) == "产出指标"


# ---------------------------------------------------------------------------- harmless irregularities


def _no_blank_lines(t: str) -> str:
    return "\n".join(line for line in t.split("\n") if line.startswith("\t") or line.strip())


def _blank_before_every_cell(t: str) -> str:
    return "\n".join(("\n\n" + line) if line.startswith("\t") else line for line in t.split("\n"))


def _trailing_tabs(t: str) -> str:
    return "\n".join(line + "\t\t" if line.startswith("\t") else line for line in t.split("\n"))


def _spaces_for_blanks(t: str) -> str:
    return "\n".join(line if line else "  \u3000" for line in t.split("\n"))


def _bookmarks_everywhere(t: str) -> str:
    return "\n".join(
        f"[bookmark: _Toc_{n}]" + line if "、" in line[:4] and line.endswith("绩效目标表") else line
        for n, line in enumerate(t.split("\n"))
    )


@pytest.mark.parametrize(
    "mangle",
    [_no_blank_lines, _blank_before_every_cell, _trailing_tabs, _spaces_for_blanks, _bookmarks_everywhere],
)
def test_harmless_irregularities(seed_doc, seed_str, mangle):
    doc = parse_text(mangle(seed_str))
    assert project_signature(doc) == project_signature(seed_doc)
    assert doc.budget == seed_doc.budget
    assert doc.warnings == []


def test_text_after_blank_line_inside_a_row_continues_the_cell(seed_doc, seed_str):
    mangled = seed_str.replace("\t租赁办公区占地总面积\n", "\t租赁办公区\n\n占地总面积\n", 1)
    doc = parse_text(mangled)
    assert project_signature(doc) == project_signature(seed_doc)
    assert len(doc.warnings) == 1 and "第1个项目" in doc.warnings[0] and "第2行" in doc.warnings[0]


def test_rebuilt_text_layout_round_trips(seed_doc):
    assert project_signature(parse_text(build_text(seed_doc))) == project_signature(seed_doc)


def test_merged_level2_rendered_empty(seed_doc):
    text = build_text(seed_doc, l2_empty=True)
    assert "\t\n\t\n" in text  # both 一级 and 二级 empty on some rows
    assert project_signature(parse_text(text)) == project_signature(seed_doc)


def test_level_name_variants_are_normalised(seed_doc, seed_str):
    mangled = (
        seed_str.replace("\t产出指标\n", "\t产出指标（50分）\n", 1)
        .replace("\t效益指标\n", "\t效益 指标(30分)\n", 1)
        .replace("\t社会效益指标\n", "\t社会效益\n指标\n", 1)
        .replace("\t满意度指标\n\t服务对象满意度指标\n", "\t满意度指标\n\t社会公众或服务对象满意度指标\n", 1)
    )
    doc = parse_text(mangled)
    assert project_signature(doc) == project_signature(seed_doc)
    first = doc.projects[0].indicators
    assert first[0].level1_raw == "产出指标（50分）"
    assert first[1].level1_raw == "产出指标（50分）"  # merged: the text of the cell above
    assert first[5].level1_raw == "效益 指标(30分)"
    assert first[5].level2_raw == "社会效益指标"
    assert first[8].level2 == "服务对象满意度指标"
    assert first[8].level2_raw == "社会公众或服务对象满意度指标"


def test_table_of_contents_heading_is_skipped_with_a_warning(seed_doc, seed_str):
    toc = "目录\n1、2023年度机关用房租赁费用项目绩效目标表\n\n"
    doc = parse_text(seed_str.replace("第二部分  预算项目绩效目标\n", "第二部分  预算项目绩效目标\n" + toc, 1))
    assert project_signature(doc) == project_signature(seed_doc)
    assert len(doc.warnings) == 1 and "目录" in doc.warnings[0]


def test_project_name_cell_layout():
    text = "\n".join(
        [
            "\t项目名称",
            "\t乡村道路养护项目",
            "\t年度绩效目标",
            "\t完成道路养护",
            "\t一级指标",
            "\t二级指标",
            "\t三级指标",
            "\t指标值",
            "\t产出指标",
            "\t数量指标",
            "\t养护里程",
            "\t≥20公里",
            "\t",
            "\t时效指标",
            "\t完成时间",
            "\t11月底前",
            "\t满意度指标",
            "\t服务对象满意度",
            "\t群众满意度",
            "\t≥90%",
        ]
    )
    doc = parse_text(text)
    assert [p.name for p in doc.projects] == ["乡村道路养护项目"]
    p = doc.projects[0]
    assert p.goal == "完成道路养护"
    assert [(i.level1, i.level2, i.level3, i.target_raw, i.description, i.basis) for i in p.indicators] == [
        ("产出指标", "数量指标", "养护里程", "≥20公里", "", ""),
        ("产出指标", "时效指标", "完成时间", "11月底前", "", ""),
        ("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%", "", ""),
    ]
    assert doc.warnings == ["第1个项目“乡村道路养护项目”：没有效益指标"]


def test_other_layout_with_metadata_serial_column_and_scores():
    cells = [
        "一、2024年度项目支出绩效目标表",
        "（一）乡村道路养护项目绩效目标表",
        "\t项目名称",
        "\t乡村道路养护项目",
        "\t主管部门",
        "\t[101]某县交通运输局",
        "\t年度绩效目标",
        "\t目标1：完成道路养护",
        "目标2：保障通行安全",
        "\t项目资金（万元）",
        "\t100",
        "\t序号",
        "\t一级指标",
        "\t二级指标",
        "\t三级指标",
        "\t指标值",
        "\t备注",
        "\t1",
        "\t产出指标（50分）",
        "\t数量指标",
        "\t养护里程",
        "\t≥20公里",
        "\t",
        "\t2",
        "\t",
        "\t质量\n指标",
        "\t合格率",
        "\t≥95%",
        "\t",
        "\t3",
        "\t效益指标（30分）",
        "\t社会效益",
        "\t通行条件",
        "\t明显改善",
        "\t",
        "\t4",
        "\t满意度指标（10分）",
        "\t社会公众或服务对象满意度指标",
        "\t群众满意度",
        "\t≥90%",
        "\t抽样调查",
        "",
        "二、其他事项",
    ]
    doc = parse_text("\n".join(cells))
    (p,) = doc.projects
    assert p.name == "乡村道路养护项目"
    assert p.goal == "目标1：完成道路养护\n目标2：保障通行安全"
    assert [(i.level1, i.level2, i.level3, i.target_raw) for i in p.indicators] == [
        ("产出指标", "数量指标", "养护里程", "≥20公里"),
        ("产出指标", "质量指标", "合格率", "≥95%"),
        ("效益指标", "社会效益指标", "通行条件", "明显改善"),
        ("满意度指标", "服务对象满意度指标", "群众满意度", "≥90%"),
    ]
    assert doc.warnings == []


def test_inline_name_and_goal_lines():
    text = "\n".join(
        [
            "项目名称：档案数字化项目",
            "绩效目标：完成馆藏档案数字化",
            "\t一级指标",
            "\t二级指标",
            "\t三级指标",
            "\t指标值",
            "\t产出指标",
            "\t数量指标",
            "\t扫描页数",
            "\t≥10万页",
            "\t效益指标",
            "\t社会效益指标",
            "\t查档效率",
            "\t明显提高",
            "\t满意度指标",
            "\t服务对象满意度指标",
            "\t满意度",
            "\t≥90%",
        ]
    )
    doc = parse_text(text)
    assert [(p.name, p.goal, len(p.indicators)) for p in doc.projects] == [("档案数字化项目", "完成馆藏档案数字化", 3)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32))
def test_random_blank_lines_and_trailing_whitespace_change_nothing(seed_doc, seed_str, seed):
    """Blank lines before cells and headings, and trailing TABs/spaces anywhere, are noise."""
    rnd = random.Random(seed)
    section = seed_str[seed_str.index("第二部分  预算项目绩效目标") :]
    out = []
    for line in section.split("\n"):
        if line.startswith("\t") or line.endswith("绩效目标表"):
            blank = rnd.choice(["", " ", "\u3000", "[bookmark: _GoBack]"])
            out.extend([blank] * rnd.randint(0, 2))
        if line.strip():
            line += rnd.choice(["", "\t", "\t\t\t", " ", " \t"])
        out.append(line)
    doc = parse_text("\n".join(out))
    assert project_signature(doc) == project_signature(seed_doc)


MINI_TABLE = "\n".join(
    [
        "1、会议保障项目绩效目标表",
        "\t绩效目标",
        "\t保障会议",
        "\t一级指标",
        "\t二级指标",
        "\t三级指标",
        "\t指标值",
        "\t产出指标",
        "\t数量指标",
        "\t会议次数",
        "\t≥12次",
        "\t效益指标",
        "\t社会效益指标",
        "\t会议效率",
        "\t提高",
        "\t满意度指标",
        "\t服务对象满意度指标",
        "\t满意度",
        "\t≥90%",
    ]
)


def test_department_and_budget_from_prose_only():
    prose = "\n".join(
        [
            "2024年某县交通运输局部门预算公开说明",
            "2024年部门支出预算为1,120.50万元，其中基本支出100万元，包括人员经费80.00万元和日常公用经费20.00万元；"
            "项目支出1020.50万元。",
            "我部门财政拨款“三公”经费预算安排3.2万元。",
            "2024年，本部门安排政府采购预算10万元。",
            "",
        ]
    )
    doc = parse_text(prose + "\n" + MINI_TABLE)
    assert (doc.department_name, doc.department_code, doc.year) == ("某县交通运输局", None, 2024)
    assert doc.budget == {
        "total": Decimal("1120.50"),
        "basic": Decimal("100"),
        "project": Decimal("1020.50"),
        "personnel": Decimal("80.00"),
        "public": Decimal("20.00"),
        "procurement": Decimal("10"),
        "three_public": Decimal("3.2"),
    }
    assert doc.warnings == []


def test_budget_table_and_prose_disagree(seed_str):
    doc = parse_text(seed_str.replace("其中基本支出233.45万元", "其中基本支出233.40万元"))
    assert doc.budget["basic"] == Decimal("233.45")  # the table wins for totals
    assert doc.warnings == ["预算数“基本支出”在表格与说明文字中不一致（233.45 与 233.40），已取 233.45"]

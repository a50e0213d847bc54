"""Quickstart demo activity: a plausible first half of 2023 for the seed's 18 projects.

``load_demo_activity`` runs after the seed document is imported as budget year 2023 and the
demo users exist. It goes through the same services a user would (budgets as the finance
bureau, spending and values as the owner, review as owner → reviewer → finance), so the
audit log and the workflow history look exactly as in real use. It only flushes; the caller
commits. Everything is fixed data: two runs on two machines give the same demo.

What the mid-year 双监控 (as of 2023-06-30, 序时进度 50%) then shows:

- budget: most projects on pace (~50%); 会议信号 ahead (annual signal rent paid in January);
  维修, 节能办 and 综合事务 slow (yellow); 公车购置 (procurement pending) and 消防 (works
  delayed) far behind (red).
- indicators: mostly green; yellow for prepaid annual costs above their pro-rated share, a
  late month of wages, a 部分达成 or two and a few rates short of target; red for the
  delayed 消防 works and the 环境形象 rate; blue for the 节能宣传用品 bought for 节能宣传周;
  grey for satisfaction surveys not yet run and a few items settled later in the year. The
  one-off deadline "11月底前" stays open (not yet due, so green).
- review: 1–5月 approved for most projects, 6月 waiting at the reviewer or at finance for
  some, and one period (维修 5月) returned by finance with a comment.
- one correction (集中办公区用水吨数, 3月) superseding a mistyped meter reading.

Stock-type quantities (保障办公区个数 7个, 电梯部数 4部 …) are inferred as cumulative by the
importer; the demo owner switches them to 水平型 (set_accumulation), as a user would, before
entering the value once.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import exists, select

from tracker.domain import workflow
from tracker.domain.accumulation import CUMULATIVE, LEVEL
from tracker.domain.periods import periods_of_year
from tracker.domain.targets import (
    KIND_DEADLINE,
    KIND_QUALITATIVE,
    KIND_QUANTITATIVE,
    KIND_WITHIN_BUDGET,
    format_decimal,
)
from tracker.extensions import db
from tracker.models import (
    BudgetYear,
    Department,
    DepartmentBudget,
    Expenditure,
    Indicator,
    ProgressEntry,
    Project,
    Submission,
    User,
)
from tracker.services import progress, review

DEMO_YEAR = 2023
DEMO_DEPARTMENT_CODE = "430"
DEMO_USERS = {"owner": "owner430", "reviewer": "reviewer430", "finance": "finance"}
# The monitoring as-of month (1-6月): nothing is entered after it.
LAST_MONTH = 6

# ----------------------------------------------------------------------------- value specs
#
# A spec says what the owner enters for one indicator:
#   ("cum", {month: value}, unit)      monthly increments of a cumulative indicator, as of
#                                      each month's end; a value may be (wrong, right, reason):
#                                      the wrong one is entered, then corrected.
#   ("level", {month: value}, unit)    a level: the value as of each listed month's end
#                                      (switches a cumulative indicator to 水平型 first).
#   ("tier", tier, note)               a qualitative judgement as of 6月30日.
#   ("monthly", {month: day}, {month: note})  a 每月N日前 deadline done on that day.
#   ("skip", why)                      nothing entered yet (grey 未填报).
# Indicators without a spec get a default from their target (see _default_spec).


def _cum(values: dict[int, object], unit: str = "") -> tuple:
    return ("cum", values, unit)


def _level(value, unit: str = "", month: int = LAST_MONTH, earlier: dict[int, object] | None = None) -> tuple:
    return ("level", {**(earlier or {}), month: value}, unit)


def _tier(tier: str, note: str) -> tuple:
    return ("tier", tier, note)


SKIP_SURVEY = ("skip", "满意度问卷安排在年底开展")


def _each_month(value, months=range(1, LAST_MONTH + 1)) -> dict[int, object]:
    return {m: value for m in months}


@dataclass(frozen=True)
class Spend:
    day: str
    amount: str
    unit: str
    note: str


@dataclass
class Plan:
    key: str  # a part of the project's name
    budget: str | None  # 年初预算数 (万元); None: the rest of the department's 项目支出
    spending: list[Spend]
    values: dict[str, tuple] = field(default_factory=dict)  # level3 (or part of it) → spec
    adjusted: tuple[str, str] | None = None  # 调整后预算数 (万元) and the reason
    # Final review state per month; months 1–5 not listed are approved, 6 not listed is draft.
    review: dict[int, str] = field(default_factory=dict)


def _monthly_spend(day: int, amounts: list[str], unit: str, note: str) -> list[Spend]:
    return [
        Spend(f"{DEMO_YEAR}-{m:02d}-{min(day, calendar.monthrange(DEMO_YEAR, m)[1]):02d}", a, unit, f"{m}月{note}")
        for m, a in enumerate(amounts, start=1)
        if a
    ]


RETURN_COMMENT = "5月维修及时率与维修台账不一致，请核对后重新提交"

PLANS: list[Plan] = [
    Plan(
        "机关用房租赁",
        None,
        [
            Spend("2023-01-12", "582.515", "万元", "第一季度办公用房租金"),
            Spend("2023-04-11", "582.515", "万元", "第二季度办公用房租金"),
        ],
        {
            "保障办公区个数": _level("7", month=1),
            "租赁办公区占地面积": _level("57917.17", month=1),
            "租金拨付率": _level("100", earlier={3: "100"}),
            "租赁标准": _level("412"),
            "业务保障能力": _tier("达成", "上半年7个办公区租赁合同均正常履行，办公秩序正常。"),
            "受益群体满意度": SKIP_SURVEY,
        },
        review={6: workflow.SUBMITTED},
    ),
    Plan(
        "中央空调维保费及电梯维保费",
        "12",
        [
            Spend("2023-01-16", "20000", "元", "电梯全年维保费（合同约定年初一次性支付）"),
            Spend("2023-03-30", "25000", "元", "中央空调第一季度维保费"),
            Spend("2023-06-28", "2.5", "万元", "中央空调第二季度维保费"),
        ],
        {
            "每年检查空调工作状态的次数": _cum(_each_month("1")),
            "办公区电梯部数": _level("4", month=1),
            "中央空调保障办公区楼层": _level("6", month=1),
            "本年度中央空调维保费": _cum({3: "25000", 6: "25000"}, "元"),
            "本年度电梯维保费": _cum({1: "20000"}, "元"),
            "公共服务水平提升情况": _tier("部分达成", "上半年空调报修3次，较上年同期略有减少，提升效果尚不明显。"),
            "故障发生下降情况": _tier("达成", "电梯上半年无停梯故障，空调故障较上年同期下降。"),
            "活动参与者满意度": SKIP_SURVEY,
            "职工满意度": _level("96"),
        },
        review={6: workflow.DEPT_APPROVED},
    ),
    Plan(
        "公车购置及运行",
        "156.8",
        [
            *_monthly_spend(20, ["10350", "8920", "9870", "10100", "9640", "11200"], "元", "车辆保险、燃油及维修费"),
            Spend("2023-05-26", "35.2", "万元", "购置公务用车2辆（政府采购）"),
        ],
        {
            "购置车辆情况": _cum({5: "2"}),
            "平台正常运行车辆完好率": _level("97", earlier={3: "96"}),
            "各项费用缴纳及时率": _level("100"),
            "车辆购置单价": _level("17.6", "万元/辆"),
            "可持续使用年限": ("skip", "车辆使用年限年底核定"),
            "受益群体满意度": SKIP_SURVEY,
            "活动参与者满意度": SKIP_SURVEY,
        },
        adjusted=("142", "车辆更新计划由8辆调减为7辆，核减预算（年中预算调整）"),
    ),
    Plan(
        "公车平台专项",
        "50",
        _monthly_spend(15, ["41200", "38600", "42300", "40100", "43500", "40300"], "元", "公车平台运行费用"),
        {
            "保障公务用车数量": _level("24", month=1),
            "平台正常运行车辆完好率": _level("96", earlier={3: "97"}),
            "各项费用缴纳及时率": _level("100"),
            "公车平台运行费用总成本": _cum(
                {1: "41200", 2: "38600", 3: "42300", 4: "40100", 5: "43500", 6: "40300"}, "元"
            ),
            "可持续使用年限": ("skip", "车辆使用年限年底核定"),
            "受益群体满意度": _level("96"),
        },
        review={6: workflow.SUBMITTED},
    ),
    Plan(
        "后勤保障经费",
        "5.4",
        _monthly_spend(10, ["4380", "4420", "4460", "4350", "4480", "4410"], "元", "食堂食材及后勤保障支出"),
        {
            "保障食品供应月数": _cum(_each_month("1")),
            "食品安全合格率": _level("100", earlier={3: "100"}),
            "后勤保障完成及时率": _level("98"),
            "平均每月支出保障经费": _level("4416.67", "元"),
            "保障职工用餐安全": _level("100"),
            "受益群体满意度": _level("93"),
        },
        review={6: workflow.DEPT_APPROVED},
    ),
    Plan(
        "日常维修维护",
        "88",
        [
            Spend("2023-01-19", "3.2", "万元", "1月办公区水暖管道维修"),
            Spend("2023-02-23", "18000", "元", "2月门窗、照明维修"),
            Spend("2023-03-28", "5.6", "万元", "3月屋面防水维修"),
            Spend("2023-04-26", "69000", "元", "4月配电室设备维护"),
            Spend("2023-05-29", "7.4", "万元", "5月外墙及楼道修缮"),
            Spend("2023-06-27", "51000", "元", "6月空调、消防设施维修"),
        ],
        {
            "保障正常办公的办公区个数": _level("4", month=1),
            "验收合格率": _level("98"),
            "维修及时率": _level("91", earlier={3: "94"}),
            "平均每区每年成本费用": _level("7.5", "万元/年"),
            "提升集中办公区的办公环境": _level("96"),
            "隐患消除情况": _level("96"),
            "保障单位正常办公": _level("100"),
            "公共服务水平提升情况": _level("97"),
            "受益群体满意度": SKIP_SURVEY,
            "活动参与者满意度": SKIP_SURVEY,
        },
        review={5: workflow.RETURNED},
    ),
    Plan(
        "水电暖费用",
        "686.5",
        [
            Spend("2023-01-17", "168", "万元", "1月取暖费及水电费"),
            Spend("2023-02-16", "52.3", "万元", "2月取暖费及水电费"),
            Spend("2023-03-16", "48.6", "万元", "3月取暖费（供暖期结束）及水电费"),
            Spend("2023-04-18", "214000", "元", "4月水电费"),
            Spend("2023-05-17", "198000", "元", "5月水电费"),
            Spend("2023-06-16", "26.9", "万元", "6月水电费（空调用电增加）"),
        ],
        {
            "集中办公区用水吨数": _cum(
                {
                    1: "7420",
                    2: "6980",
                    3: ("8560", "7560", "3月抄表数录入有误，按水务公司缴费通知单更正为7560吨"),
                    4: "7100",
                    5: "7350",
                    6: "7840",
                },
                "吨",
            ),
            "用电总度数": _cum(
                {1: "412000", 2: "386000", 3: "341000", 4: "298000", 5: "315000", 6: "402000"}, "度"
            ),
            "保障办公的办公区个数": _level("4", month=1),
            "办公区供暖面积": _level("29630", month=1),
            "费用及时缴纳率": _level("100"),
            "每吨水费标准": _level("5.47"),
            "平均每度电费标准": _level("0.58"),
            "每平方米取暖费用": _level("26.5"),
            "供暖配套设施建设费用": ("skip", "供暖配套设施改造安排在三季度施工"),
            "活动参与者满意度": SKIP_SURVEY,
            "保障单位办公满意度": SKIP_SURVEY,
        },
    ),
    Plan(
        "集中办公区物业费",
        "397.92",
        [
            Spend(f"2023-{m:02d}-08", a, u, f"{m}月物业费")
            for m, a, u in (
                (1, "331600", "元"),
                (2, "33.16", "万元"),
                (3, "331600", "元"),
                (4, "33.16", "万元"),
                (5, "331600", "元"),
                (6, "33.16", "万元"),
            )
        ],
        {
            "保障办公区个数": _level("4", month=1),
            "保障工作执行率": _level("98"),
            "业务处理及时率": _level("97"),
            "平均每月支付物业费": _level("33.16", "万元/月"),
            "工作保障率": _level("100"),
            "公共服务水平提升情况": _level("96"),
            "机关环境整体形象提高率": _level("16", earlier={3: "8"}),
            "受益群体满意度": _level("96"),
            "活动参与者满意度": SKIP_SURVEY,
        },
        review={6: workflow.DEPT_APPROVED},
    ),
    Plan(
        "机关日常运行经费",
        "4",
        [
            Spend("2023-01-13", "3200", "元", "1月办公用品"),
            Spend("2023-03-22", "6800", "元", "3月打印机、碎纸机购置"),
            Spend("2023-04-12", "2100", "元", "4月办公用品"),
            Spend("2023-05-18", "4500", "元", "5月办公设备耗材"),
            Spend("2023-06-14", "2000", "元", "6月办公用品"),
        ],
        {
            "办公设备保障办公区个数": _level("4", month=1),
            "产品验收合格率": _level("100"),
            "用品及时购置率": _level("100"),
            "本年度成本": _cum({1: "3200", 3: "6800", 4: "2100", 5: "4500", 6: "2000"}, "元"),
            "活动参与者满意度": SKIP_SURVEY,
            "服务对象满意度": SKIP_SURVEY,
        },
        review={6: workflow.SUBMITTED},
    ),
    Plan(
        "会议信号",
        "40",
        [
            Spend("2023-01-09", "20.6", "万元", "会议室信号全年租赁费（年初一次性支付）"),
            *_monthly_spend(25, ["7800"] * 6, "元", "专业调试人员工资（2人）"),
            Spend("2023-03-15", "38000", "元", "会议室话筒、音响等物品配备"),
        ],
        {
            "人员数量": _level("2", month=1),
            "保障会议室正常运转个数": _level("6", month=1),
            "故障排除率": _level("100"),
            "各项工作任务完成及时率": _level("98"),
            "专业人员调试工资": _cum(_each_month("7800"), "元"),
            "会议室物品配备费用": _cum({3: "38000"}, "元"),
            "会议室信号租赁费": _cum({1: "206000"}, "元"),
            "保障会议室设备正常使用率": _level("99"),
            "隐患消除情况": _level("96"),
            "保障视频会议室工作正常运转": _cum({m: str(calendar.monthrange(DEMO_YEAR, m)[1]) for m in range(1, 7)}),
            "受益群体满意度": SKIP_SURVEY,
            "参会单位满意度": _level("97"),
        },
    ),
    Plan(
        "消防项目",
        "13.6",
        [
            Spend("2023-04-27", "16500", "元", "室内消火栓更换（第一批10套）"),
            Spend("2023-05-25", "13200", "元", "室内消火栓更换（第二批8套）"),
        ],
        {
            "室内消火栓个数": _cum({4: "10", 5: "8"}),
            "室内消火栓的合格率": _level("100"),
            "工程按期完成率": _level("45"),
            "消火栓单价成本": _level("1650", "元"),
            "综合利用率": ("skip", "改造完成后统计"),
            "公共服务水平提升情况": ("skip", "改造完成后评估"),
            "保障功能实现率": _level("90"),
            "受益群体满意度": SKIP_SURVEY,
            "活动参与者满意度": SKIP_SURVEY,
        },
        adjusted=("15.3", "消火栓箱体配套改造，追加预算1.7万元"),
        review={5: workflow.DEPT_APPROVED},
    ),
    Plan(
        "节能办",
        "4.8",
        [
            Spend("2023-01-11", "2100", "元", "节能办办公用品"),
            Spend("2023-03-09", "1800", "元", "节能检查资料印刷"),
            Spend("2023-06-12", "11900", "元", "节能宣传周宣传用品（环保袋、宣传册等）"),
        ],
        {
            "节能宣传用品个数": _cum({6: "120"}),
            "购置质量合格率": _level("100"),
            "按时完成率": _level("100"),
            "节能办年度办公资金": _tier("达成", "上半年支出1.58万元，控制在预算内。"),
            "公共机构节能意识有明显提高": _tier(
                "部分达成", "已开展节能宣传周活动，节能意识提升效果待年底问卷评估。"
            ),
            "活动参与者满意度": _level("98"),
            "受益群体满意度": SKIP_SURVEY,
        },
    ),
    Plan(
        "劳保用品及清洁用品",
        "5.04",
        _monthly_spend(12, ["4200", "3900", "4150", "4000", "4200", "4100"], "元", "劳保、清洁用品"),
        {
            "使用人员所在办公区数量": _level("4", month=1),
            "产品验收合格率": _level("100"),
            "用品及时购置率": _level("98"),
            "平均每月支付金额": _level("4091.67", "元"),
            "活动参与者满意度": SKIP_SURVEY,
            "受益群体满意度": _level("96"),
        },
        review={6: workflow.SUBMITTED},
    ),
    Plan(
        "劳务费",
        "66.24",
        _monthly_spend(20, ["5.52"] * 6, "万元", "劳务人员工资（24人）"),
        {
            "工资发放人员数量": _level("24", month=1),
            "工资发放率": _level("100", earlier={3: "100"}),
            "工资发放时间": (
                "monthly",
                {1: 18, 2: 24, 3: 27, 4: 25, 5: 25, 6: 21},
                {3: "3月财政资金拨付延迟，工资于27日发放，晚于规定2天。"},
            ),
            "人均工资标准": _level("2300", "元/月/人"),
            "工作完成率": _level("97"),
            "考核合格率": ("skip", "年度考核年底进行"),
            "满意率": SKIP_SURVEY,
        },
        review={6: workflow.DEPT_APPROVED},
    ),
    Plan(
        "退役人员",
        "4.54",
        _monthly_spend(20, ["3780"] * 6, "元", "退役人员工资"),
        {
            "工资发放人员数量": _level("1", month=1),
            "工资发放率": _level("100"),
            "工资发放时间": ("monthly", {1: 18, 2: 20, 3: 22, 4: 20, 5: 19, 6: 20}, {}),
            "人均工资标准": _level("3780", "元/月/人"),
            "工作完成率": _level("100"),
            "考核合格率": ("skip", "年度考核年底进行"),
            "满意率": SKIP_SURVEY,
        },
    ),
    Plan(
        "视频会议室直播保障",
        "4.92",
        _monthly_spend(26, ["4100"] * 6, "元", "视频会议室直播保障服务费"),
        {
            "保障会议室正常运转个数": _level("1", month=1),
            "及时性": _level("100"),
            "完成率": _level("98"),
            "会议室正常使用成本": _cum(_each_month("4100"), "元"),
            "保障会议室设备正常使用": _level("99"),
            "隐患消除情况": _level("97"),
            "保障视频会议室工作正常运转": _cum({m: str(calendar.monthrange(DEMO_YEAR, m)[1]) for m in range(1, 7)}),
            "活动参与者满意度": SKIP_SURVEY,
            "受益群体满意度": SKIP_SURVEY,
        },
        review={6: workflow.SUBMITTED},
    ),
    Plan(
        "周转房租赁费及物业费",
        "10.4",
        [
            Spend("2023-01-06", "2.7", "万元", "周转房上半年租赁费"),
            *_monthly_spend(28, ["4300", "4100", "3800", "3600", "3700", "3900"], "元", "周转房物业费及水电费"),
        ],
        {
            "周转房数量": _level("21", month=1),
            "保障工作执行率": _level("97"),
            "费用及时支付率": _level("100"),
            "周转房物业费及水电费用": _cum(
                {1: "4300元", 2: "4100元", 3: "3800元", 4: "3600元", 5: "3700元", 6: "3900元"}
            ),
            "周转房租赁费": _cum({1: "2.7"}, "万元"),
            "受益群体满意度": _level("97"),
            "活动参与者满意度": SKIP_SURVEY,
        },
        review={6: workflow.DEPT_APPROVED},
    ),
    Plan(
        "综合事务管理",
        "18",
        [
            Spend("2023-01-30", "1920", "元", "条幅印刷40条"),
            Spend("2023-03-29", "1440", "元", "条幅印刷30条"),
            Spend("2023-04-25", "1920", "元", "条幅印刷40条"),
            Spend("2023-06-26", "1440", "元", "条幅印刷30条"),
            Spend("2023-02-27", "2600", "元", "差旅费（4人次）"),
            Spend("2023-04-24", "3400", "元", "差旅费（5人次）"),
            Spend("2023-06-21", "3100", "元", "差旅费（4人次）"),
            Spend("2023-03-24", "2.38", "万元", "办公设备购置14件"),
            *_monthly_spend(15, ["4230"] * 6, "元", "办公区后勤保障费用"),
        ],
        {
            "印刷条幅": _cum({1: "40", 3: "30", 4: "40", 6: "30"}),
            "差旅费保障人数": _cum({2: "4", 4: "5", 6: "4"}),
            "设备购置件数": _cum({3: "14"}),
            "审计项目次数": _cum({3: "3", 5: "5"}),
            "保障办公的办公区个数": _level("4", month=1),
            "购置设备合格率": _level("100"),
            "按时完成率": _level("96"),
            "办公区条幅印刷费用": _cum({1: "1920", 3: "1440", 4: "1920", 6: "1440"}, "元"),
            "差旅费年度总支出": _cum({2: "2600", 4: "3400", 6: "3100"}, "元"),
            "设备购置总成本": _cum({3: "2.38万元"}),
            "审计费用总支出": ("skip", "审计费用年底统一结算"),
            "办公区后勤保障总费用": _cum(_each_month("4230"), "元"),
            "保障正常办公": _level("98"),
            "各项工作正常开展": _level("97"),
            "长期使用性": _level("96"),
            "活动参与者满意度": SKIP_SURVEY,
            "受益群体满意度": SKIP_SURVEY,
        },
        review={5: workflow.SUBMITTED},
    ),
]

# Percentages for rate indicators without a spec, picked by position (all within 95–100%).
_DEFAULT_PERCENTS = ("98", "97", "100", "96", "99", "98.5")


def _default_spec(indicator: Indicator) -> tuple:
    target = indicator.target
    if target.kind == KIND_QUALITATIVE:
        return _tier("达成", f"截至6月底，{indicator.level3}：{target.raw}，按计划落实。")
    if target.kind == KIND_WITHIN_BUDGET:
        return _tier("达成", "上半年支出控制在预算内。")
    if target.kind == KIND_DEADLINE:
        if target.monthly_day:
            return ("monthly", {m: min(20, target.monthly_day) for m in range(1, LAST_MONTH + 1)}, {})
        return ("skip", "尚未到期")
    if target.kind != KIND_QUANTITATIVE or target.value is None:
        return ("skip", "")
    if "满意" in indicator.level2 or "满意" in indicator.level3:
        return SKIP_SURVEY
    if target.unit == "%":
        value = Decimal(_DEFAULT_PERCENTS[indicator.position % len(_DEFAULT_PERCENTS)])
        if target.value >= 100:
            value = Decimal(100)
        elif not target.value <= value < target.value * Decimal("1.2"):
            value = target.value
        return _level(format_decimal(value))
    if indicator.accumulation == CUMULATIVE:
        share = Decimal("0.5") if target.direction == "正向" else Decimal("0.46")
        per_month = (target.value * share / LAST_MONTH).quantize(Decimal("0.01"))
        return _cum(_each_month(format_decimal(per_month)))
    return _level(format_decimal(target.value))


# ----------------------------------------------------------------------------- loading


def _month_end(month: int) -> str:
    return f"{DEMO_YEAR}-{month:02d}-{calendar.monthrange(DEMO_YEAR, month)[1]:02d}"


def _user(role: str, department: Department) -> User | None:
    user = db.session.scalar(select(User).where(User.username == DEMO_USERS[role], User.role == role))
    if user is None:  # renamed: any active user with that role (and department for owner/reviewer)
        stmt = select(User).where(User.role == role, User.is_active_flag.is_(True))
        if role != "finance":
            stmt = stmt.where(User.department_id == department.id)
        user = db.session.scalars(stmt.order_by(User.id)).first()
    return user


def _plan_for(project: Project) -> Plan | None:
    return next((plan for plan in PLANS if plan.key in project.name), None)


def _spec_for(plan: Plan | None, indicator: Indicator) -> tuple:
    if plan is not None:
        if indicator.level3 in plan.values:
            return plan.values[indicator.level3]
        for key, spec in plan.values.items():
            if key in indicator.level3:
                return spec
    return _default_spec(indicator)


def _zero_counts() -> dict:
    return {
        "budgets": 0,
        "expenditures": 0,
        "entries": 0,
        "corrections": 0,
        "accumulation_changes": 0,
        "submissions": {state: 0 for state in workflow.STATES if state != workflow.DRAFT},
    }


def _already_loaded(department: Department, year: BudgetYear) -> bool:
    in_scope = select(Project.id).where(Project.department_id == department.id, Project.year_id == year.id)
    return any(
        db.session.scalar(select(exists().where(model.project_id.in_(in_scope))))
        for model in (ProgressEntry, Expenditure, Submission)
    )


def load_demo_activity(echo=print) -> dict:
    """Budgets, spending, values and review for the seed department's 2023 projects.

    Idempotent: does nothing (and returns zero counts) when the department already has any
    entry, expenditure or submission in 2023. Flushes only; the caller commits.
    """
    counts = _zero_counts()
    department = db.session.scalar(select(Department).where(Department.code == DEMO_DEPARTMENT_CODE))
    year = db.session.scalar(select(BudgetYear).where(BudgetYear.year == DEMO_YEAR))
    if department is None or year is None or year.is_closed:
        echo("演示填报数据：未找到 2023 年度的演示部门，跳过。")
        return counts
    if _already_loaded(department, year):
        echo("演示填报数据：已存在，未重复生成。")
        return counts
    users = {role: _user(role, department) for role in DEMO_USERS}
    if any(user is None for user in users.values()):
        echo("演示填报数据：缺少演示账号（填报人、审核人或财政局），跳过。")
        return counts
    projects = db.session.scalars(
        select(Project)
        .where(Project.department_id == department.id, Project.year_id == year.id)
        .order_by(Project.position, Project.id)
    ).all()
    if not projects:
        echo("演示填报数据：演示部门没有 2023 年度项目，跳过。")
        return counts
    planned = [(project, _plan_for(project)) for project in projects]

    _set_budgets(planned, department, year, users["finance"], counts)
    for project, plan in planned:
        if plan is not None:
            _record_spending(project, plan, users["owner"], counts)
        _record_values(project, plan, users["owner"], counts)
    for project, plan in planned:
        _review(project, plan, users, counts)
    db.session.flush()

    subs = counts["submissions"]
    echo(
        f"演示填报数据：{counts['budgets']} 个项目预算，支出 {counts['expenditures']} 笔，"
        f"实际完成值 {counts['entries']} 条（含更正 {counts['corrections']} 条），"
        f"审核：已审定 {subs[workflow.APPROVED]} 期、部门已审核 {subs[workflow.DEPT_APPROVED]} 期、"
        f"已提交 {subs[workflow.SUBMITTED]} 期、已退回 {subs[workflow.RETURNED]} 期。"
    )
    return counts


def _set_budgets(planned, department: Department, year: BudgetYear, finance: User, counts: dict) -> None:
    """年初预算数 for every project; the project without a fixed amount gets the rest of 项目支出."""
    dept_budget = db.session.scalar(
        select(DepartmentBudget).where(DepartmentBudget.department_id == department.id, DepartmentBudget.year_id == year.id)
    )
    fixed = sum((Decimal(plan.budget) for _, plan in planned if plan and plan.budget), Decimal(0))
    for project, plan in planned:
        if plan is None or project.initial_budget is not None:
            continue
        if plan.budget is not None:
            amount = Decimal(plan.budget)
        elif dept_budget is not None and dept_budget.project is not None and dept_budget.project > fixed:
            amount = dept_budget.project - fixed
        else:
            continue
        progress.update_budget(
            finance,
            project,
            initial=format_decimal(amount),
            adjusted="",
            reason=f"按{DEMO_YEAR}年部门预算批复录入年初预算数",
            expected_version=None,
        )
        counts["budgets"] += 1
        if plan.adjusted:
            adjusted, reason = plan.adjusted
            progress.update_budget(
                finance, project, initial=format_decimal(amount), adjusted=adjusted, reason=reason, expected_version=None
            )


def _record_spending(project: Project, plan: Plan, owner: User, counts: dict) -> None:
    for spend in sorted(plan.spending, key=lambda s: s.day):
        form = {"spent_on": spend.day, "amount": spend.amount, "unit": spend.unit, "note": spend.note}
        progress.record_spending(owner, project, progress.parse_spending_form(project, form))
        counts["expenditures"] += 1


def _record(owner: User, indicator: Indicator, form: dict, counts: dict, supersedes=None) -> ProgressEntry:
    data = progress.parse_value_form(indicator, form)
    entry = progress.record_value(owner, indicator, data, supersedes=supersedes)
    counts["entries"] += 1
    return entry


def _record_values(project: Project, plan: Plan | None, owner: User, counts: dict) -> None:
    for indicator in project.indicators:
        spec = _spec_for(plan, indicator)
        kind = spec[0]
        if kind == "skip":
            continue
        if kind in ("cum", "level"):
            wanted = CUMULATIVE if kind == "cum" else LEVEL
            if indicator.accumulation != wanted:
                progress.set_accumulation(owner, indicator, wanted)
                counts["accumulation_changes"] += 1
            _, values, unit = spec
            for month, value in sorted(values.items()):
                form = {"as_of": _month_end(month), "unit": unit}
                if isinstance(value, tuple):
                    wrong, right, reason = value
                    first = _record(owner, indicator, {**form, "value": wrong}, counts)
                    _record(owner, indicator, {**form, "value": right, "note": reason}, counts, supersedes=first)
                    counts["corrections"] += 1
                else:
                    _record(owner, indicator, {**form, "value": value}, counts)
        elif kind == "tier":
            _, tier, note = spec
            _record(owner, indicator, {"as_of": _month_end(LAST_MONTH), "tier": tier, "note": note}, counts)
        elif kind == "monthly":
            _, days, notes = spec
            for month, day in sorted(days.items()):
                done = f"{DEMO_YEAR}-{month:02d}-{day:02d}"
                form = {
                    "as_of": done,
                    "completed_on": done,
                    "for_month": str(month),
                    "note": notes.get(month, f"{month}月工资已发放到位。"),
                }
                _record(owner, indicator, form, counts)


# Actions that take a period from draft to each final state, with who acts.
_PATHS = {
    workflow.SUBMITTED: [("owner", workflow.SUBMIT, "")],
    workflow.DEPT_APPROVED: [("owner", workflow.SUBMIT, ""), ("reviewer", workflow.DEPT_APPROVE, "")],
    workflow.APPROVED: [
        ("owner", workflow.SUBMIT, ""),
        ("reviewer", workflow.DEPT_APPROVE, ""),
        ("finance", workflow.APPROVE, ""),
    ],
    workflow.RETURNED: [
        ("owner", workflow.SUBMIT, ""),
        ("reviewer", workflow.DEPT_APPROVE, ""),
        ("finance", workflow.RETURN, RETURN_COMMENT),
    ],
}


def _review(project: Project, plan: Plan | None, users: dict, counts: dict) -> None:
    """Months 1–5 approved unless the plan says otherwise, 6月 as planned (default draft).

    With quarterly reporting a period takes the state planned for its last month.
    """
    states = plan.review if plan else {}
    for period in periods_of_year(DEMO_YEAR, progress.frequency()):
        month = period.end.month
        if month > LAST_MONTH:
            break
        state = states.get(month, workflow.APPROVED if month < LAST_MONTH else workflow.DRAFT)
        if state == workflow.DRAFT:
            continue
        for role, action, comment in _PATHS[state]:
            review.act(users[role], project, period.key, action, comment=comment)
        counts["submissions"][state] += 1

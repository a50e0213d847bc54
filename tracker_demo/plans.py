"""The demo year's fixed data: what each project's owner enters, month by month (see tracker_demo)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field

from tracker.domain import workflow

DEMO_YEAR = 2023
DEMO_DEPARTMENT_CODE = "430"
DEMO_USERS = {"owner": "owner430", "reviewer": "reviewer430", "finance": "finance"}
# The monitoring as-of month (1-6月) ends the first half; the second half runs to 12月.
MID_YEAR = 6
YEAR_END = 12
FIRST_HALF = range(1, MID_YEAR + 1)
SECOND_HALF = range(MID_YEAR + 1, YEAR_END + 1)

# ----------------------------------------------------------------------------- value specs
#
# A spec says what the owner enters for one indicator in one half of the year:
#   ("cum", {month: value}, unit, {month: note})
#                                      monthly increments of a cumulative indicator, as of
#                                      each month's end; a value may be (wrong, right, reason):
#                                      the wrong one is entered, then corrected.
#   ("level", {month: value}, unit, {month: note})
#                                      a level: the value as of each listed month's end
#                                      (switches a cumulative indicator to 水平型 first).
#   ("tier", tier, note)               a qualitative judgement as of the half's last day
#                                      (6月30日, 12月31日).
#   ("monthly", {month: day}, {month: note})  a 每月N日前 deadline done on that day.
#   ("done", "2023-12-05", note)       a one-off deadline done on that day.
#   ("skip", why)                      nothing entered (grey 未填报 in the first half).
# First-half specs are Plan.values, second-half specs Plan.year_end; indicators without
# one get a default (_default_spec from the target, _default_year_end_spec continuing the
# first half).


def _cum(values: dict[int, object], unit: str = "", notes: dict[int, str] | None = None) -> tuple:
    return ("cum", values, unit, notes or {})


def _level(
    value,
    unit: str = "",
    month: int = MID_YEAR,
    earlier: dict[int, object] | None = None,
    note: str = "",
) -> tuple:
    return ("level", {**(earlier or {}), month: value}, unit, {month: note} if note else {})


def _year_end(value, unit: str = "", earlier: dict[int, object] | None = None, note: str = "") -> tuple:
    return _level(value, unit, month=YEAR_END, earlier=earlier, note=note)


def _survey(value: str, answers: int) -> tuple:
    return _year_end(value, note=f"12月开展满意度问卷调查，回收有效问卷{answers}份。")


def _tier(tier: str, note: str) -> tuple:
    return ("tier", tier, note)


SKIP_SURVEY = ("skip", "满意度问卷安排在年底开展")
NOTHING_MORE = ("skip", "下半年无新增")


def _each_month(value, months=FIRST_HALF) -> dict[int, object]:
    return dict.fromkeys(months, value)


def _days(months) -> dict[int, str]:
    """Days of each month (保障视频会议室工作正常运转: every day of the month)."""
    return {m: str(calendar.monthrange(DEMO_YEAR, m)[1]) for m in months}


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
    spending: list[Spend]  # 1–6月
    values: dict[str, tuple] = field(default_factory=dict)  # level3 (or part of it) → 1–6月 spec
    adjusted: tuple[str, str] | None = None  # 调整后预算数 (万元) and the reason
    # Final review state per month. Not listed: 6月 and 12月 draft, every other month approved.
    review: dict[int, str] = field(default_factory=dict)
    later_spending: list[Spend] = field(default_factory=list)  # 7–12月
    year_end: dict[str, tuple] = field(default_factory=dict)  # level3 (or part of it) → 7–12月 spec


def _monthly_spend(day: int, amounts: list[str], unit: str, note: str, first_month: int = 1) -> list[Spend]:
    return [
        Spend(f"{DEMO_YEAR}-{m:02d}-{min(day, calendar.monthrange(DEMO_YEAR, m)[1]):02d}", a, unit, f"{m}月{note}")
        for m, a in enumerate(amounts, start=first_month)
        if a
    ]


def _later_monthly_spend(day: int, amounts: list[str], unit: str, note: str) -> list[Spend]:
    return _monthly_spend(day, amounts, unit, note, first_month=MID_YEAR + 1)


PLATFORM_COSTS_LATER = ["41800", "42600", "39900", "40700", "41200", "44100"]

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
        review={6: workflow.SUBMITTED, 12: workflow.SUBMITTED},
        later_spending=[
            Spend("2023-07-11", "582.515", "万元", "第三季度办公用房租金"),
            Spend("2023-12-05", "582.515", "万元", "第四季度办公用房租金（财政资金12月初到位）"),
        ],
        year_end={
            "租金拨付时间": (
                "done",
                "2023-12-05",
                "第四季度租金因财政资金12月初才到位，于12月5日拨付，晚于“11月底前”的时限；已与出租方沟通，未产生违约金。",
            ),
            "业务保障能力": _tier("达成", "全年7个办公区租赁合同均正常履行，办公秩序正常。"),
            "受益群体满意度": _survey("94", 210),
        },
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
        review={6: workflow.DEPT_APPROVED, 12: workflow.DEPT_APPROVED},
        later_spending=[
            Spend("2023-09-27", "25000", "元", "中央空调第三季度维保费"),
            Spend("2023-12-26", "2.5", "万元", "中央空调第四季度维保费"),
        ],
        year_end={
            "本年度中央空调维保费": _cum({9: "25000", 12: "25000"}, "元"),
            "公共服务水平提升情况": _tier(
                "达成", "全年空调报修7次，较上年减少5次，夏季用电高峰期间未出现停机，服务水平明显提升。"
            ),
            "故障发生下降情况": _tier("达成", "全年电梯无停梯故障，空调故障较上年下降四成。"),
            "活动参与者满意度": _survey("96", 120),
            "职工满意度": _year_end("97"),
        },
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
        later_spending=[
            *_later_monthly_spend(
                20, ["12800", "11900", "12400", "13700", "11900", "14600"], "元", "车辆保险、燃油及维修费"
            ),
        ],
        year_end={
            "平台正常运行车辆完好率": _year_end(
                "93", earlier={9: "95"}, note="第二批车辆未到位，老旧车辆故障增多，完好率下降。"
            ),
            "可持续使用年限": _year_end("8", note="上半年新购2辆，按公务用车管理规定核定使用年限8年。"),
            "业务保障能力持续提升": _tier(
                "部分达成", "第二批5辆公务用车因政府采购流标未能购置，重新采购安排在2024年，车辆更新计划未完成。"
            ),
            "受益群体满意度": _survey("90", 86),
            "活动参与者满意度": _survey("92", 86),
        },
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
        review={6: workflow.SUBMITTED, 12: workflow.SUBMITTED},
        later_spending=_later_monthly_spend(15, PLATFORM_COSTS_LATER, "元", "公车平台运行费用"),
        year_end={
            "平台正常运行车辆完好率": _year_end("97"),
            "公车平台运行费用总成本": _cum(dict(zip(SECOND_HALF, PLATFORM_COSTS_LATER, strict=True)), "元"),
            "可持续使用年限": _year_end("8", note="平台车辆按公务用车管理规定核定使用年限8年。"),
            "受益群体满意度": _survey("97", 150),
        },
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
        review={6: workflow.DEPT_APPROVED, 12: workflow.DEPT_APPROVED},
        later_spending=_later_monthly_spend(
            10, ["4390", "4450", "4420", "4380", "4470", "4390"], "元", "食堂食材及后勤保障支出"
        ),
        year_end={"受益群体满意度": _survey("94", 180)},
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
        later_spending=[
            Spend("2023-07-20", "6.8", "万元", "7月汛期屋面及排水管道抢修"),
            Spend("2023-08-24", "46000", "元", "8月办公区门窗、照明维修"),
            Spend("2023-09-26", "12.5", "万元", "9月第二办公区卫生间改造"),
            Spend("2023-10-25", "89000", "元", "10月供暖管网检修及阀门更换"),
            Spend("2023-11-23", "3.2", "万元", "11月电梯厅及楼道修缮"),
            Spend("2023-12-20", "11.3", "万元", "12月配电设备年度检修及更换"),
        ],
        year_end={
            "维修及时率": _year_end(
                "95", earlier={9: "93"}, note="下半年建立报修台账并逐单销号，维修及时率回升至95%。"
            ),
            "平均每区每年成本费用": _year_end("19.33", "万元/年"),
            "受益群体满意度": _survey("93", 160),
            "活动参与者满意度": _survey("95", 160),
        },
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
            "用电总度数": _cum({1: "412000", 2: "386000", 3: "341000", 4: "298000", 5: "315000", 6: "402000"}, "度"),
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
        later_spending=[
            Spend("2023-07-18", "31.2", "万元", "7月水电费（空调用电高峰）"),
            Spend("2023-08-16", "305000", "元", "8月水电费"),
            Spend("2023-09-15", "226000", "元", "9月水电费"),
            Spend("2023-09-28", "18.6", "万元", "供暖配套设施改造工程款"),
            Spend("2023-10-17", "198000", "元", "10月水电费"),
            Spend("2023-11-16", "108.5", "万元", "11月取暖费（供暖期开始）及水电费"),
            Spend("2023-12-15", "84.2", "万元", "12月取暖费及水电费"),
        ],
        year_end={
            "集中办公区用水吨数": _cum({7: "8120", 8: "8360", 9: "7480", 10: "7050", 11: "6880", 12: "7010"}, "吨"),
            "用电总度数": _cum({7: "468000", 8: "455000", 9: "352000", 10: "305000", 11: "318000", 12: "396000"}, "度"),
            "供暖配套设施建设费用": _cum({9: "18.6"}, "万元", {9: "供暖配套设施改造9月完工，工程款18.6万元。"}),
            "活动参与者满意度": _survey("96", 200),
            "保障单位办公满意度": _survey("97", 24),
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
        review={6: workflow.DEPT_APPROVED, 12: workflow.SUBMITTED},
        later_spending=[
            Spend(f"2023-{m:02d}-08", a, u, f"{m}月物业费")
            for m, a, u in (
                (7, "331600", "元"),
                (8, "33.16", "万元"),
                (9, "331600", "元"),
                (10, "33.16", "万元"),
                (11, "331600", "元"),
                (12, "33.16", "万元"),
            )
        ],
        year_end={
            "机关环境整体形象提高率": _year_end(
                "27", earlier={9: "22"}, note="全年环境整治后测评提高27%；外立面清洗延至2024年，未达30%的目标。"
            ),
            "受益群体满意度": _survey("97", 200),
            "活动参与者满意度": _survey("96", 200),
        },
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
        review={6: workflow.SUBMITTED, 12: workflow.SUBMITTED},
        later_spending=[
            Spend("2023-07-12", "2400", "元", "7月办公用品"),
            Spend("2023-08-17", "3600", "元", "8月硒鼓、墨盒等耗材"),
            Spend("2023-09-13", "2100", "元", "9月办公用品"),
            Spend("2023-10-19", "5200", "元", "10月文件柜购置"),
            Spend("2023-11-15", "2300", "元", "11月办公用品"),
            Spend("2023-12-13", "3400", "元", "12月办公设备耗材"),
        ],
        year_end={
            "本年度成本": _cum({7: "2400", 8: "3600", 9: "2100", 10: "5200", 11: "2300", 12: "3400"}, "元"),
            "活动参与者满意度": _survey("97", 95),
            "服务对象满意度": _survey("96", 95),
        },
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
            "保障视频会议室工作正常运转": _cum(_days(FIRST_HALF)),
            "受益群体满意度": SKIP_SURVEY,
            "参会单位满意度": _level("97"),
        },
        later_spending=[
            *_later_monthly_spend(25, ["7800"] * 6, "元", "专业调试人员工资（2人）"),
            Spend("2023-09-14", "24000", "元", "会议室显示屏、话筒等物品补充配备"),
        ],
        year_end={
            "会议室物品配备费用": _cum({9: "24000"}, "元"),
            "保障视频会议室工作正常运转": _cum(_days(SECOND_HALF)),
            "受益群体满意度": _survey("96", 130),
            "参会单位满意度": _year_end("98"),
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
        review={5: workflow.DEPT_APPROVED, 10: workflow.DEPT_APPROVED, 11: workflow.SUBMITTED},
        later_spending=[
            Spend("2023-09-21", "16500", "元", "室内消火栓更换（第三批10套）"),
            Spend("2023-10-26", "13200", "元", "室内消火栓更换（第四批8套）"),
            Spend("2023-11-28", "19200", "元", "消火栓箱体配套改造"),
            Spend("2023-12-22", "13200", "元", "消防管网试压及检测"),
        ],
        year_end={
            "室内消火栓个数": _cum(
                {9: "10", 10: "8"},
                notes={10: "年内更换36套；其余44套所在区域消防管网需整体改造，调整至2024年实施。"},
            ),
            "工程按期完成率": _year_end(
                "50", earlier={9: "48"}, note="消防管网改造方案调整，工程未按期完成，剩余工程列入2024年计划。"
            ),
            "综合利用率": _year_end("68", note="已更换的消火栓投入使用，未改造区域仍使用旧设施。"),
            "公共服务水平提升情况": _year_end("72"),
            "保障功能实现率": _year_end("88"),
            "受益群体满意度": _survey("86", 140),
            "活动参与者满意度": _survey("89", 140),
        },
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
            "公共机构节能意识有明显提高": _tier("部分达成", "已开展节能宣传周活动，节能意识提升效果待年底问卷评估。"),
            "活动参与者满意度": _level("98"),
            "受益群体满意度": SKIP_SURVEY,
        },
        later_spending=[
            Spend("2023-07-13", "1900", "元", "节能办办公用品"),
            Spend("2023-09-08", "1600", "元", "节能检查资料印刷"),
            Spend("2023-10-19", "9800", "元", "办公区节能灯具更换（LED灯管）"),
            Spend("2023-11-16", "6800", "元", "节能知识竞赛奖品及宣传资料"),
            Spend("2023-12-14", "2400", "元", "年度节能工作总结及台账印刷"),
        ],
        year_end={
            "节能办年度办公资金": _tier("达成", "全年支出3.83万元，控制在预算4.8万元内。"),
            "公共机构节能意识有明显提高": _tier("达成", "年底问卷显示职工节能知晓率96%，较上年提高12个百分点。"),
            "活动参与者满意度": _year_end("97"),
            "受益群体满意度": _survey("95", 110),
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
        review={6: workflow.SUBMITTED, 12: workflow.SUBMITTED},
        later_spending=_later_monthly_spend(
            12, ["4150", "4300", "4050", "4200", "4350", "4100"], "元", "劳保、清洁用品"
        ),
        year_end={
            "平均每月支付金额": _year_end("4141.67", "元"),
            "活动参与者满意度": _survey("96", 90),
            "受益群体满意度": _survey("97", 90),
        },
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
        review={6: workflow.DEPT_APPROVED, 12: workflow.DEPT_APPROVED},
        later_spending=_later_monthly_spend(20, ["5.52"] * 6, "万元", "劳务人员工资（24人）"),
        year_end={
            "工资发放时间": ("monthly", {7: 20, 8: 24, 9: 22, 10: 25, 11: 23, 12: 22}, {}),
            "考核合格率": _year_end("95.8", note="12月开展年度考核，24人中23人合格。"),
            "满意率": _survey("96", 60),
        },
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
        later_spending=_later_monthly_spend(20, ["3780"] * 6, "元", "退役人员工资"),
        year_end={
            "工资发放时间": ("monthly", {7: 20, 8: 18, 9: 20, 10: 19, 11: 20, 12: 20}, {}),
            "考核合格率": _year_end("100", note="12月年度考核合格。"),
            "满意率": _survey("98", 30),
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
            "保障视频会议室工作正常运转": _cum(_days(FIRST_HALF)),
            "活动参与者满意度": SKIP_SURVEY,
            "受益群体满意度": SKIP_SURVEY,
        },
        review={6: workflow.SUBMITTED, 12: workflow.SUBMITTED},
        later_spending=_later_monthly_spend(26, ["4100"] * 6, "元", "视频会议室直播保障服务费"),
        year_end={
            "保障视频会议室工作正常运转": _cum(_days(SECOND_HALF)),
            "活动参与者满意度": _survey("97", 80),
            "受益群体满意度": _survey("96", 80),
        },
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
        review={6: workflow.DEPT_APPROVED, 12: workflow.DEPT_APPROVED},
        later_spending=[
            Spend("2023-07-06", "2.7", "万元", "周转房下半年租赁费"),
            *_later_monthly_spend(28, ["4100", "4300", "4000", "3900", "4200", "4000"], "元", "周转房物业费及水电费"),
        ],
        year_end={
            "周转房物业费及水电费用": _cum(
                {7: "4100元", 8: "4300元", 9: "4000元", 10: "3900元", 11: "4200元", 12: "4000元"}
            ),
            "周转房租赁费": _cum({7: "2.7"}, "万元"),
            "受益群体满意度": _survey("97", 21),
            "活动参与者满意度": _survey("96", 21),
        },
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
        review={5: workflow.SUBMITTED, 11: workflow.SUBMITTED},
        later_spending=[
            Spend("2023-07-26", "1920", "元", "条幅印刷40条"),
            Spend("2023-09-22", "2880", "元", "条幅印刷60条"),
            Spend("2023-10-25", "2400", "元", "条幅印刷50条"),
            Spend("2023-11-24", "1920", "元", "条幅印刷40条"),
            Spend("2023-12-20", "1920", "元", "条幅印刷40条"),
            Spend("2023-07-28", "2600", "元", "差旅费（4人次）"),
            Spend("2023-09-26", "3300", "元", "差旅费（5人次）"),
            Spend("2023-11-23", "1900", "元", "差旅费（3人次）"),
            Spend("2023-12-15", "2500", "元", "差旅费（4人次）"),
            Spend("2023-08-24", "1.7", "万元", "办公设备购置10件"),
            Spend("2023-12-27", "2.8", "万元", "年度审计费用（21个审计项目）"),
            *_later_monthly_spend(15, ["4230"] * 6, "元", "办公区后勤保障费用"),
        ],
        year_end={
            "印刷条幅": _cum(
                {7: "40", 9: "60", 10: "50", 11: "40", 12: "40"},
                notes={12: "全年印刷条幅370条，部分活动改用电子屏宣传，未达400条。"},
            ),
            "差旅费保障人数": _cum({7: "4", 9: "5", 11: "3", 12: "4"}),
            "设备购置件数": _cum({8: "10"}),
            "审计项目次数": _cum({8: "6", 11: "7"}),
            "按时完成率": _year_end("97"),
            "办公区条幅印刷费用": _cum({7: "1920", 9: "2880", 10: "2400", 11: "1920", 12: "1920"}, "元"),
            "差旅费年度总支出": _cum({7: "2600", 9: "3300", 11: "1900", 12: "2500"}, "元"),
            "设备购置总成本": _cum({8: "1.7万元"}),
            "审计费用总支出": _cum({12: "28000"}, "元", {12: "年度审计费用统一结算，共21个审计项目。"}),
            "活动参与者满意度": _survey("95", 100),
            "受益群体满意度": _survey("96", 100),
        },
    ),
]

# Percentages for rate indicators without a spec, picked by position (all within 95–100%).
_DEFAULT_PERCENTS = ("98", "97", "100", "96", "99", "98.5")

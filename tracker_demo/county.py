"""A generated county for benchmarks: departments, imported 绩效目标表, a year of activity.

    flask --app tracker demo county --scale 1.0 --seed 1

At scale 1.0: 151 departments, 2,500 projects, ~45k indicators, ~480k progress entries,
~60k spending rows of the budget year 2023 (scale multiplies every count). The same seed
gives the same county on SQLite and PostgreSQL.

- Each department's projects are written as a pasted 绩效目标表 document (tab-separated, the
  form people copy from Excel) with varied targets (≥ ≤ = bare, deadlines, monthly deadlines,
  qualitative, 控制在预算内, rates and cumulative counts) and imported through the real
  importer and import service (parse_file → plan_import → apply_import).
- Budgets, entries (with corrections and withdrawals), spending, the monthly progress forms in
  realistic review states and their workflow events are then inserted in bulk (executemany in
  chunks, explicit ids so corrections can point at what they replace).
- Optionally (default on) the mid-year 双监控 of 2023-06-30 and the 2023 self-evaluation are run
  through the jobs, as the scheduler would, so the finance pages have something to show.

Not imported by the web app: the CLI imports this module only when the command runs.
"""

from __future__ import annotations

import calendar
import random
import time
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import bindparam, func, select, text, update
from werkzeug.security import generate_password_hash

from tracker.extensions import db
from tracker.importers import parse_file
from tracker.models import (
    Department,
    Expenditure,
    Indicator,
    ProgressEntry,
    Project,
    Submission,
    User,
    WorkflowEvent,
)
from tracker.services import accounts, bulk
from tracker.services.imports import apply_import, plan_import

YEAR = 2023
DEPARTMENTS = 151
PROJECTS = 2500
CHUNK = 5000
HEADER = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]
OWNER_PASSWORD = "Owner2023"
REVIEWER_PASSWORD = "Review2023"

_BUREAUS = (
    "教育局",
    "卫生健康局",
    "民政局",
    "人力资源和社会保障局",
    "自然资源和规划局",
    "住房和城乡建设局",
    "交通运输局",
    "水务局",
    "农业农村局",
    "商务局",
    "文化广电和旅游局",
    "应急管理局",
    "审计局",
    "统计局",
    "市场监督管理局",
    "医疗保障局",
    "退役军人事务局",
    "司法局",
    "公安局",
    "林业局",
    "生态环境分局",
    "行政审批局",
    "信访局",
    "机关事务服务中心",
    "档案馆",
    "融媒体中心",
    "图书馆",
    "疾病预防控制中心",
    "人民医院",
    "中医院",
    "妇幼保健院",
    "职业技术教育中心",
    "体育中心",
    "供销合作社",
    "科学技术局",
    "工业和信息化局",
    "发展和改革局",
    "乡村振兴局",
    "城市管理综合行政执法局",
    "消防救援大队",
)
_TOWNS = (
    "城关",
    "东关",
    "西河",
    "南王",
    "北台",
    "新集",
    "马庄",
    "柳林",
    "石桥",
    "杨村",
    "高庄",
    "李家营",
    "王府",
    "河口",
    "田村",
    "张家堡",
    "龙泉",
    "青山",
    "白塔",
    "双井",
)
_TOPICS = (
    "农村道路养护",
    "义务教育薄弱环节改善",
    "基层医疗卫生服务",
    "城乡居民养老保险补助",
    "高标准农田建设",
    "河道综合治理",
    "老旧小区改造",
    "公共文化服务体系建设",
    "森林防火",
    "城乡环境卫生整治",
    "社区居家养老服务",
    "困难群众救助",
    "农村饮水安全维修养护",
    "学生资助",
    "公共卫生服务补助",
    "信息化系统运维",
    "办公用房租赁",
    "机关日常运行保障",
    "安全生产监管",
    "市场监管执法装备",
    "全民健身设施维护",
    "档案数字化",
    "防汛抗旱",
    "畜禽粪污资源化利用",
    "路灯照明运行维护",
    "垃圾清运",
    "污水处理运行",
    "校园安保",
    "乡村振兴衔接资金",
    "就业创业补贴",
)

# 二级 → candidate (三级 name, description, target text generator, basis)
Gen = Callable[[random.Random], str]


def _n(rng: random.Random, low: int, high: int) -> int:
    return rng.randint(low, high)


_QUANTITY = [
    ("维修养护里程", "完成农村道路维修养护", lambda r: f"≥{_n(r, 20, 300)}公里", "计划标准"),
    ("受益人数", "项目覆盖受益人数", lambda r: f"{_n(r, 200, 20000)}人", "历史标准"),
    ("开展活动次数", "全年组织开展活动", lambda r: f"不少于{_n(r, 4, 48)}次", "计划标准"),
    ("培训人次", "组织业务培训", lambda r: f"≥{_n(r, 50, 3000)}人次", "计划标准"),
    ("采购设备数量", "购置设备台数", lambda r: f"={_n(r, 2, 120)}台", "行业标准"),
    ("改造面积", "完成改造面积", lambda r: f"{_n(r, 500, 60000)}平方米", "计划标准"),
    ("检查次数", "每年开展专项检查", lambda r: f"≥{_n(r, 6, 60)}次", "计划标准"),
    ("补助发放户数", "发放补助资金户数", lambda r: f"{_n(r, 100, 8000)}户", "计划标准"),
    ("清运垃圾量", "全年垃圾清运量", lambda r: f"≥{_n(r, 1000, 40000)}吨", "历史标准"),
]
_QUALITY = [
    ("验收合格率", "工程验收合格率", lambda r: f"≥{r.choice((90, 95, 98))}%", "行业标准"),
    ("设备完好率", "设施设备完好率", lambda r: r.choice(("100%", "≥98%", "≥95%")), "行业标准"),
    ("资金拨付准确率", "资金拨付准确率", lambda r: "100%", "计划标准"),
    ("投诉率", "服务投诉率", lambda r: f"≤{r.choice((1, 2, 3, 5))}%", "历史标准"),
    ("服务质量", "服务质量达到规定标准", lambda r: r.choice(("达到国家标准", "符合相关规定", "优良")), "行业标准"),
]
_TIMELY = [
    ("完成时间", "项目完成时间", lambda r: f"{r.randint(6, 12)}月底前", "计划标准"),
    ("资金支付时间", "资金支付进度", lambda r: f"{r.randint(3, 12)}月{r.choice((15, 20, 30))}日前", "计划标准"),
    ("按月发放", "补助资金按月发放", lambda r: f"每月{r.choice((5, 10, 15, 20, 25))}日前", "计划标准"),
    ("维修及时率", "维修响应及时率", lambda r: f"≥{r.choice((90, 95))}%", "行业标准"),
    ("年内完成", "年度任务按时完成", lambda r: r.choice(("年底前", "12月31日前", "及时")), "计划标准"),
]
_COST_L2 = [
    ("项目成本", "项目总成本", lambda r: r.choice(("控制在预算内", "不超过预算", "预算范围内")), "预算标准"),
    ("单位成本", "每公里养护成本", lambda r: f"≤{_n(r, 1, 9)}.{_n(r, 0, 9)}万元", "历史标准"),
    ("经费支出", "全年经费支出", lambda r: f"{_n(r, 10, 900)}万元", "预算标准"),
]
_BENEFIT_SOCIAL = [
    ("群众生活水平", "群众生产生活条件", lambda r: r.choice(("明显改善", "有效提升", "逐步提高")), "计划标准"),
    ("公共服务能力", "公共服务保障能力", lambda r: r.choice(("显著增强", "有效保障", "持续提升")), "计划标准"),
    ("覆盖率", "服务覆盖率", lambda r: f"≥{r.choice((80, 85, 90, 95))}%", "行业标准"),
    ("安全事故", "安全责任事故", lambda r: "0起", "行业标准"),
]
_BENEFIT_ECON = [
    ("带动增收", "带动群众增收", lambda r: f"≥{_n(r, 10, 500)}万元", "历史标准"),
    ("节约资金", "节约财政资金", lambda r: r.choice(("有效节约", "明显减少支出")), "计划标准"),
]
_BENEFIT_ECO = [
    ("环境质量", "区域环境质量", lambda r: r.choice(("持续改善", "明显改善")), "行业标准"),
    ("污水处理率", "污水处理率", lambda r: f"≥{r.choice((85, 90, 95))}%", "行业标准"),
]
_SUSTAIN = [
    ("长效机制", "长效管护机制", lambda r: r.choice(("建立健全", "长期有效", "逐步完善")), "计划标准"),
    ("设施使用年限", "设施使用年限", lambda r: f"≥{_n(r, 3, 20)}年", "行业标准"),
]
_SATISFACTION = [
    ("服务对象满意度", "服务对象满意度", lambda r: f"≥{r.choice((85, 90, 95))}%", "问卷调查"),
    ("群众满意度", "受益群众满意度", lambda r: f"满意度≥{r.choice((90, 95))}%", "问卷调查"),
]

_PLAN = [  # (一级, 二级, templates, weight in the mix)
    ("产出指标", "数量指标", _QUANTITY, 30),
    ("产出指标", "质量指标", _QUALITY, 18),
    ("产出指标", "时效指标", _TIMELY, 14),
    ("产出指标", "成本指标", _COST_L2, 8),
    ("效益指标", "社会效益指标", _BENEFIT_SOCIAL, 12),
    ("效益指标", "经济效益指标", _BENEFIT_ECON, 4),
    ("效益指标", "生态效益指标", _BENEFIT_ECO, 3),
    ("效益指标", "可持续影响指标", _SUSTAIN, 4),
]
_LEVEL1_ORDER = {"产出指标": 0, "效益指标": 1, "满意度指标": 2}


def _department_names(count: int) -> list[str]:
    names = [f"县{b}" for b in _BUREAUS] + [f"{t}镇人民政府" for t in _TOWNS]
    n = 1
    while len(names) < count:
        names.append(f"县第{n}中学" if n % 2 else f"{_TOWNS[n % len(_TOWNS)]}中心小学{n}")
        n += 1
    return names[:count]


def _split(total: int, parts: int, rng: random.Random, low: float = 0.3, high: float = 2.0) -> list[int]:
    """``total`` spread over ``parts`` (each ≥ 1), uneven like a real county."""
    weights = [rng.uniform(low, high) for _ in range(parts)]
    scale = (total - parts) / sum(weights)
    counts = [1 + int(w * scale) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % parts] += 1
    return counts


def _project_rows(rng: random.Random, count: int) -> list[list[str]]:
    """Indicator rows (一级, 二级, 三级, description, target, basis) of one project."""
    rows = []
    weights = [w for *_, w in _PLAN]
    used: set[str] = set()
    for _ in range(count - rng.randint(1, 2)):
        level1, level2, templates, _w = rng.choices(_PLAN, weights)[0]
        name, description, gen, basis = rng.choice(templates)
        k = 2
        unique = name
        while unique in used:
            unique = f"{name}{k}"
            k += 1
        used.add(unique)
        rows.append([level1, level2, unique, description, gen(rng), basis])
    for i in range(count - len(rows)):
        name, description, gen, basis = _SATISFACTION[i % len(_SATISFACTION)]
        rows.append(["满意度指标", "服务对象满意度指标", name, description, gen(rng), basis])
    rows.sort(key=lambda r: (_LEVEL1_ORDER[r[0]], [p[1] for p in _PLAN].index(r[1]) if r[0] != "满意度指标" else 0))
    return rows


def department_document(rng: random.Random, department: str, projects: list[tuple[str, int]]) -> str:
    """A pasted 绩效目标表 document (tab-separated) with one table per project."""
    lines = []
    for order, (name, indicators) in enumerate(projects, start=1):
        lines.append(f"{order}、{name}绩效目标表")
        lines.append(f"绩效目标\t1.{department}按计划完成{name}年度任务；2.资金使用规范，支出进度符合要求。")
        lines.append("\t".join(HEADER))
        for row in _project_rows(rng, indicators):
            lines.append("\t".join(row))
        lines.append("")
    return "\n".join(lines)


def _chunks(rows: list[dict], size: int = CHUNK) -> Iterable[list[dict]]:
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def _bulk_insert(model, rows: list[dict]) -> None:
    for chunk in _chunks(rows):
        bulk.insert_rows(model, chunk)  # COPY on PostgreSQL


def _next_id(model) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


def _reset_sequences(models) -> None:
    """Rows were inserted with explicit ids: move PostgreSQL's sequences past them."""
    if db.engine.dialect.name != "postgresql":
        return
    for model in models:
        table = model.__tablename__
        db.session.execute(
            text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))")
        )


def _month_end(month: int) -> date:
    return date(YEAR, month, calendar.monthrange(YEAR, month)[1])


def _stamp(day: date, seconds: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC) + timedelta(seconds=seconds)


def _q(value: float, places: str = "0.01") -> Decimal:
    return Decimal(str(value)).quantize(Decimal(places))


class _Entries:
    """Builds progress entry rows with explicit ids; corrections point at what they replace."""

    def __init__(self, first_id: int):
        self.next_id = first_id
        self.rows: list[dict] = []

    def add(
        self,
        ind: dict,
        owner_id: int,
        as_of: date,
        *,
        value=None,
        tier=None,
        completed_on=None,
        for_month=None,
        supersedes=None,
        void=False,
        note="",
    ) -> dict:
        row = {
            "id": self.next_id,
            "indicator_id": ind["id"],
            "project_id": ind["project_id"],
            "as_of": as_of,
            "period_key": f"{as_of.year}-{as_of.month:02d}",
            "value": value,
            "input_value": value,
            "input_unit": ind["target_unit"] if value is not None else "",
            "tier": tier,
            "completed_on": completed_on,
            "for_month": for_month,
            "note": note,
            "client_token": None,
            "supersedes_id": supersedes,
            "is_void": void,
            "created_by_id": owner_id,
            "created_at": _stamp(as_of, self.next_id % 86400),
        }
        self.next_id += 1
        self.rows.append(row)
        return row


_TIERS = ("达成", "部分达成", "未达成")


def _indicator_entries(rng: random.Random, out: _Entries, ind: dict, owner_id: int, pace: float) -> None:
    """A year of entries for one indicator; ``pace`` is how well the project is doing (≈1 on track)."""
    kind = ind["target_kind"]
    if kind == "quantitative":
        target = float(ind["target_value"] or 0) or 10.0
        rate = ind["target_unit"] in ("%", "‰")
        ceiling = ind["target_op"] in ("≤", "<")
        for month in range(1, 13):
            if rng.random() < 0.05:
                continue  # a month without a report
            if rng.random() < 0.2:  # some report mid-month too
                mid = target * pace / 24 if ind["accumulation"] == "cumulative" else target * min(pace, 1.1) * 0.95
                out.add(ind, owner_id, date(YEAR, month, 15), value=_q(min(mid, 100.0) if rate else mid))
            if ind["accumulation"] == "cumulative":
                value = target * pace / 12 * rng.uniform(0.6, 1.4)
            elif ceiling:
                value = target * rng.uniform(0.5, 1.25) if target else rng.choice((0, 0, 1))
            else:
                value = target * min(pace, 1.15) * rng.uniform(0.88, 1.06)
                if rate:
                    value = min(value, 100.0)
            row = out.add(ind, owner_id, _month_end(month), value=_q(value))
            roll = rng.random()
            if roll < 0.012:  # corrected later
                out.add(
                    ind,
                    owner_id,
                    _month_end(month),
                    value=_q(value * rng.uniform(0.9, 1.1)),
                    supersedes=row["id"],
                    note="更正：核对台账后修改",
                )
            elif roll < 0.015:  # withdrawn
                out.add(ind, owner_id, _month_end(month), supersedes=row["id"], void=True, note="撤销：重复填报")
    elif kind == "qualitative":
        for month in range(1, 13):
            if rng.random() < 0.45:
                continue
            tier = rng.choices(_TIERS, (pace, 0.35, 0.12))[0]
            out.add(ind, owner_id, _month_end(month), tier=tier, note="按进度自评")
    elif kind == "within_budget":
        for month in (3, 6, 9, 12):
            out.add(ind, owner_id, _month_end(month), tier=rng.choices(_TIERS, (0.85, 0.1, 0.05))[0])
    elif kind == "deadline":
        if ind["deadline_monthly_day"]:
            day = ind["deadline_monthly_day"]
            for month in range(1, 13):
                if rng.random() < 0.05:
                    continue
                last = calendar.monthrange(YEAR, month)[1]
                late = rng.random() < 0.1
                done = min(last, max(1, day + (rng.randint(1, 4) if late else -rng.randint(0, 4))))
                completed = date(YEAR, month, done)
                out.add(ind, owner_id, completed, completed_on=completed, for_month=month)
        elif ind["deadline_month"]:
            due_month = ind["deadline_month"]
            roll = rng.random()
            if roll < 0.25:
                return  # not done yet / never recorded
            month = min(12, max(1, due_month - rng.randint(0, 3) if roll < 0.85 else due_month + 1))
            completed = date(YEAR, month, rng.randint(1, 28))
            out.add(ind, owner_id, completed, completed_on=completed, note="已完成")


def _analyze() -> None:
    """Planner statistics after a bulk load, as PostgreSQL's autovacuum would gather them soon
    after (it may be off on a test server; without statistics the planner guesses 10 rows per
    table and picks nested loops that cost 75 ms instead of 1 ms)."""
    from sqlalchemy import text

    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def generate(scale: float = 1.0, seed: int = 1, *, runs: bool = True, echo=print) -> dict:
    """Build the county into the current (empty of it) database; returns counts.

    A generator script, not a service: it commits after the imports and after the bulk
    activity (so a county is not one huge transaction), and runs the jobs through the edge."""
    started = time.perf_counter()
    rng = random.Random(seed)
    n_departments = max(1, round(DEPARTMENTS * scale))
    n_projects = max(n_departments, round(PROJECTS * scale))
    if db.session.scalar(select(Department.id).where(Department.code == "C001")):
        raise RuntimeError("数据库中已有生成的县（部门编码 C001），请换一个空库。")

    bureau = accounts.finance_bureau()
    year = accounts.get_or_create_year(YEAR)
    accounts.set_current_year(year)
    finance = db.session.scalar(select(User).where(User.username == "finance"))
    if finance is None:
        finance = accounts.create_user(
            username="finance", password="Finance2023", role="finance", department=bureau, display_name="财政局绩效科"
        )
    if db.session.scalar(select(User.id).where(User.username == "admin")) is None:
        accounts.create_user(
            username="admin", password="Admin2023", role="admin", department=bureau, display_name="系统管理员"
        )

    # Departments and their users (one password hash each: hashing 300 times takes a minute).
    names = _department_names(n_departments)
    departments = []
    for i, name in enumerate(names, start=1):
        dept = Department(code=f"C{i:03d}", name=name)
        db.session.add(dept)
        departments.append(dept)
    db.session.flush()
    owner_hash, reviewer_hash = generate_password_hash(OWNER_PASSWORD), generate_password_hash(REVIEWER_PASSWORD)
    user_rows = []
    for dept in departments:
        for role, pw_hash in (("owner", owner_hash), ("reviewer", reviewer_hash)):
            user_rows.append(
                {
                    "username": f"{role}{dept.code}",
                    "display_name": f"{dept.name}{'填报人' if role == 'owner' else '审核人'}",
                    "email": None,
                    "password_hash": pw_hash,
                    "role": role,
                    "department_id": dept.id,
                    "is_active_flag": True,
                    "session_token": f"{rng.getrandbits(128):032x}",
                    "created_at": _stamp(date(YEAR, 1, 1)),
                    "updated_at": _stamp(date(YEAR, 1, 1)),
                }
            )
    _bulk_insert(User, user_rows)
    users = {
        (dept_id, role): uid
        for uid, dept_id, role in db.session.execute(
            select(User.id, User.department_id, User.role).where(User.department_id.in_([d.id for d in departments]))
        )
    }
    echo(f"部门 {n_departments} 个、用户 {len(user_rows)} 个（{time.perf_counter() - started:.1f} 秒）")

    # Documents through the real importer.
    per_department = _split(n_projects, n_departments, rng)
    indicator_total = 0
    for dept, count in zip(departments, per_department, strict=True):
        topics = rng.sample(_TOPICS, min(count, len(_TOPICS)))
        projects = []
        for k in range(count):
            base = topics[k % len(topics)]
            suffix = "" if k < len(topics) else f"（{k // len(topics) + 1}期）"
            projects.append((f"{YEAR}年{base}项目{suffix}", max(4, int(rng.gauss(17.9, 5)))))
        data = department_document(rng, dept.name, projects).encode("utf-8")
        filename = f"{dept.code}{dept.name}{YEAR}年项目绩效目标表.txt"
        doc = parse_file(filename, data)
        plan = plan_import(doc, year=YEAR, filename=filename, data=data, department=dept)
        apply_import(plan)
        indicator_total += doc.indicator_count
        db.session.flush()
        db.session.expunge_all()  # keep the session small
    db.session.commit()
    echo(f"导入 {n_projects} 个项目、{indicator_total} 条指标（{time.perf_counter() - started:.1f} 秒）")

    dept_ids = [
        d_id
        for (d_id,) in db.session.execute(
            select(Department.id).where(Department.code.like("C%")).order_by(Department.id)
        )
    ]
    counts = {
        "departments": n_departments,
        "projects": n_projects,
        "indicators": indicator_total,
        "entries": 0,
        "spending": 0,
        "submissions": 0,
    }

    entry_id = _next_id(ProgressEntry)
    spend_id = _next_id(Expenditure)
    submission_id = _next_id(Submission)
    finance_id = finance.id
    # Department by department: budgets, entries, spending, monthly forms (memory stays small).
    for dept_id in dept_ids:
        owner_id, reviewer_id = users[(dept_id, "owner")], users[(dept_id, "reviewer")]
        projects = (
            db.session.execute(
                select(Project.id)
                .where(Project.department_id == dept_id, Project.year_id == year.id)
                .order_by(Project.position)
            )
            .scalars()
            .all()
        )
        indicators = (
            db.session.execute(
                select(
                    Indicator.id,
                    Indicator.project_id,
                    Indicator.target_kind,
                    Indicator.target_op,
                    Indicator.target_value,
                    Indicator.target_unit,
                    Indicator.accumulation,
                    Indicator.deadline_month,
                    Indicator.deadline_monthly_day,
                )
                .where(Indicator.project_id.in_(projects))
                .order_by(Indicator.project_id, Indicator.position)
            )
            .mappings()
            .all()
        )
        by_project: dict[int, list] = {}
        for ind in indicators:
            by_project.setdefault(ind["project_id"], []).append(ind)
        entries = _Entries(entry_id)
        spending: list[dict] = []
        submissions: list[dict] = []
        events: list[dict] = []
        budgets: list[dict] = []
        for project_id in projects:
            pace = rng.choice((0.35, 0.55, 0.75, 0.9, 1.0, 1.0, 1.05, 1.1, 1.3))
            has_budget = rng.random() < 0.95
            initial = _q(rng.uniform(8, 1800), "0.01") if has_budget else None
            adjusted = _q(float(initial) * rng.uniform(0.8, 1.2), "0.01") if has_budget and rng.random() < 0.1 else None
            budgets.append({"b_id": project_id, "initial_budget": initial, "adjusted_budget": adjusted})
            for ind in by_project.get(project_id, []):
                _indicator_entries(rng, entries, ind, owner_id, pace)
            # Spending: 1–3 payments a month, the year adding up to pace × budget.
            budget = float(adjusted or initial or Decimal(rng.randint(50, 500)))
            share = budget * min(pace, 1.02) * rng.uniform(0.85, 1.0)
            for month in range(1, 13):
                for _ in range(rng.choice((1, 2, 2, 2, 3))):
                    amount = _q(share / 24 * rng.uniform(0.5, 1.5), "0.000001")
                    in_yuan = rng.random() < 0.3
                    day = date(YEAR, month, rng.randint(1, 28))
                    row = {
                        "id": spend_id,
                        "project_id": project_id,
                        "spent_on": day,
                        "period_key": f"{YEAR}-{month:02d}",
                        "amount": amount,
                        "input_amount": (amount * 10000).quantize(Decimal("0.01")) if in_yuan else amount,
                        "input_unit": "元" if in_yuan else "万元",
                        "note": "支付",
                        "client_token": None,
                        "supersedes_id": None,
                        "is_void": False,
                        "created_by_id": owner_id,
                        "created_at": _stamp(day, spend_id % 86400),
                    }
                    spending.append(row)
                    spend_id += 1
                    if rng.random() < 0.01:  # a corrected amount
                        spending.append(
                            {
                                **row,
                                "id": spend_id,
                                "supersedes_id": row["id"],
                                "amount": _q(float(amount) * 0.9, "0.000001"),
                                "note": "更正金额",
                            }
                        )
                        spend_id += 1
            # Monthly progress forms: the year's end still under review, earlier months approved.
            for month in range(1, 13):
                if month <= 9:
                    state = "approved"
                else:
                    state = rng.choices(
                        ("approved", "dept_approved", "submitted", "returned", "draft"),
                        {10: (80, 8, 8, 2, 2), 11: (50, 15, 20, 5, 10), 12: (10, 10, 25, 5, 50)}[month],
                    )[0]
                at = _month_end(month) + timedelta(days=3)
                steps = {
                    "draft": [],
                    "submitted": [("submit", "draft", "submitted", owner_id)],
                    "dept_approved": [
                        ("submit", "draft", "submitted", owner_id),
                        ("dept_approve", "submitted", "dept_approved", reviewer_id),
                    ],
                    "approved": [
                        ("submit", "draft", "submitted", owner_id),
                        ("dept_approve", "submitted", "dept_approved", reviewer_id),
                        ("approve", "dept_approved", "approved", finance_id),
                    ],
                    "returned": [
                        ("submit", "draft", "submitted", owner_id),
                        ("dept_return", "submitted", "returned", reviewer_id),
                    ],
                }[state]
                submissions.append(
                    {
                        "id": submission_id,
                        "project_id": project_id,
                        "year_id": year.id,
                        "kind": "progress",
                        "period_key": f"{YEAR}-{month:02d}",
                        "state": state,
                        "last_comment": "请核对完成值与佐证材料" if state == "returned" else "",
                        "submitted_by_id": owner_id if steps else None,
                        "updated_at": _stamp(at, len(steps)),
                        "version": 1 + len(steps),
                    }
                )
                for k, (action, before, after, actor) in enumerate(steps):
                    events.append(
                        {
                            "submission_id": submission_id,
                            "action": action,
                            "from_state": before,
                            "to_state": after,
                            "comment": "请核对完成值与佐证材料" if action == "dept_return" else "",
                            "actor_id": actor,
                            "created_at": _stamp(at + timedelta(days=k)),
                        }
                    )
                submission_id += 1
        if budgets:
            db.session.execute(
                update(Project.__table__).where(Project.__table__.c.id == bindparam("b_id")),
                budgets,
            )
        _bulk_insert(ProgressEntry, entries.rows)
        _bulk_insert(Expenditure, spending)
        _bulk_insert(Submission, submissions)
        _bulk_insert(WorkflowEvent, events)
        entry_id = entries.next_id
        counts["entries"] += len(entries.rows)
        counts["spending"] += len(spending)
        counts["submissions"] += len(submissions)
    _reset_sequences((ProgressEntry, Expenditure, Submission))
    db.session.commit()
    _analyze()
    echo(
        f"完成值 {counts['entries']} 条、支出 {counts['spending']} 笔、填报表 {counts['submissions']} 份"
        f"（{time.perf_counter() - started:.1f} 秒）"
    )

    if runs:
        from tracker import edge
        from tracker.services import jobs

        run = edge.run_job(jobs.monitoring_job(date(YEAR, 6, 30)), trigger="cli")
        echo(f"双监控 {YEAR}-06-30：{run.status}（{time.perf_counter() - started:.1f} 秒）")
        run = edge.run_job(jobs.evaluation_job(YEAR), trigger="cli")
        echo(f"{YEAR} 年度自评：{run.status}（{time.perf_counter() - started:.1f} 秒）")
        _analyze()
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts

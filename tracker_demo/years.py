"""The demo's second budget year (issue 12 §4) and one approved target adjustment (§3).

The 2024 document is derived from the 2023 seed by plain text substitutions — the year,
a few targets raised, a cost ceiling changed, one project dropped and one added — and goes
through the real importer (parse → plan → apply), so it is matched to 2023 exactly as an
uploaded file would be. Then the demo owner proposes one target adjustment in 2024, the
reviewer and the finance bureau approve it. Idempotent; flushes only, the caller commits.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from sqlalchemy import select

from tracker.domain import workflow
from tracker.extensions import db
from tracker.models import BudgetYear, Department, Indicator, Project, User
from tracker.models.adjustments import ADJ_TARGET, TargetAdjustment

NEXT_YEAR = 2024
DEPARTMENT_CODE = "430"
DROPPED = "15、落实重新安置军队退役人员待遇绩效目标表"
ADDED_TITLE = "19、机关食堂运营保障项目绩效目标表"
# (text in 2023, text in 2024, how many times from the start): raised ≥ targets and a new ceiling.
TARGET_CHANGES = (
    ("≥12次", "≥15次", 1),  # 空调工作状态检查次数
    ("≥24辆", "≥26辆", 1),  # 公车平台
    ("≤426元", "≤410元", 1),  # 租赁标准 (cost ceiling lowered)
    ("≤18万元/辆", "≤17万元/辆", 1),  # 公车购置 cost ceiling
)
ADJUSTED_LEVEL3 = "每年检查空调工作状态的次数"
ADJUSTED_TARGET = "≥16次"
ADJUSTMENT_REASON = "下半年新增两台空调机组并入集中办公区，检查次数相应增加（演示数据）。"


_TITLE = re.compile(r"^(\d+)、(.*绩效目标表\s*)$")


def next_year_text(seed_text: str) -> str:
    """The 2024 document from the 2023 seed text."""
    text = seed_text.replace("2023", str(NEXT_YEAR))
    for old, new, count in TARGET_CHANGES:
        if old not in text:
            raise ValueError(f"种子文件中没有“{old}”，无法生成 {NEXT_YEAR} 年演示文件。")
        text = text.replace(old, new, count)
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip() == DROPPED)
    end = next(i for i in range(start + 1, len(lines)) if re.match(r"^\d+、.*绩效目标表\s*$", lines[i]))
    dropped_block = lines[start:end]
    # The added project reuses the dropped block's table shape with its own name and goal.
    added = [ADDED_TITLE] + [
        line.replace("保障职工工资待遇及社保缴费及时足额发放缴纳", "保障机关食堂日常运营，提供安全卫生的就餐服务")
        for line in dropped_block[1:]
    ]
    last = max(i for i, line in enumerate(lines) if re.match(r"^\d+、.*绩效目标表\s*$", line))
    last_end = next((i for i in range(last + 1, len(lines)) if lines[i].strip().startswith("[bookmark")), len(lines))
    out = lines[:start] + lines[end:last_end] + [""] + added + lines[last_end:]
    number = 0
    for i, line in enumerate(out):  # 1、2、… without the dropped project's gap
        match = _TITLE.match(line)
        if match:
            number += 1
            out[i] = f"{number}、{match.group(2)}"
    return "\n".join(out)


def load_demo_years(seed_file: Path, echo=print) -> dict:
    from tracker.importers import parse_file
    from tracker.services import adjustments
    from tracker.services.imports import apply_import, plan_import

    counts = {"imported": False, "matched_projects": 0, "matched_indicators": 0, "adjustment": False}
    dept = db.session.scalar(select(Department).where(Department.code == DEPARTMENT_CODE))
    if dept is None:
        echo(f"{NEXT_YEAR} 年演示文件：未找到演示部门，跳过。")
        return counts
    year = db.session.scalar(select(BudgetYear).where(BudgetYear.year == NEXT_YEAR))
    has_projects = year is not None and db.session.scalar(
        select(Project.id).where(Project.year_id == year.id, Project.department_id == dept.id).limit(1)
    )
    if not has_projects:
        data = next_year_text(seed_file.read_text(encoding="utf-8")).encode("utf-8")
        name = f"{NEXT_YEAR}_{DEPARTMENT_CODE}_derived.txt"
        plan = plan_import(parse_file(name, data), year=NEXT_YEAR, filename=name, data=data)
        apply_import(plan)
        counts["imported"] = True
        counts["matched_projects"], counts["matched_indicators"] = plan.previous_matches
        echo(
            f"{NEXT_YEAR} 年演示文件（由 2023 年种子文件派生）：{len(plan.doc.projects)} 个项目、"
            f"{plan.doc.indicator_count} 条指标；与上年对应：{counts['matched_projects']} 个项目、"
            f"{counts['matched_indicators']} 个指标。"
        )
        year = db.session.scalar(select(BudgetYear).where(BudgetYear.year == NEXT_YEAR))
    counts["adjustment"] = _demo_adjustment(dept, year, adjustments, echo)
    return counts


def _user(role: str, dept: Department | None) -> User | None:
    stmt = select(User).where(User.role == role).order_by(User.id)
    if dept is not None:
        stmt = stmt.where(User.department_id == dept.id)
    return db.session.scalar(stmt.limit(1))


def _demo_adjustment(dept: Department, year: BudgetYear, adjustments, echo) -> bool:
    indicator = db.session.scalar(
        select(Indicator)
        .join(Project, Project.id == Indicator.project_id)
        .where(Project.department_id == dept.id, Project.year_id == year.id, Indicator.level3 == ADJUSTED_LEVEL3)
    )
    if indicator is None:
        return False
    if db.session.scalar(select(TargetAdjustment.id).where(TargetAdjustment.indicator_id == indicator.id)):
        return True
    owner, reviewer, finance = _user("owner", dept), _user("reviewer", dept), _user("finance", None)
    if owner is None or reviewer is None or finance is None:
        echo("演示目标调整：缺少演示账号，跳过。")
        return False
    old = indicator.target_raw
    adj = adjustments.propose(
        owner,
        indicator.project,
        ADJ_TARGET,
        indicator=indicator,
        new_target_raw=ADJUSTED_TARGET,
        reason=ADJUSTMENT_REASON,
        effective_from=date(NEXT_YEAR, 7, 1),
    )
    adjustments.act(reviewer, adj, workflow.DEPT_APPROVE)
    adjustments.act(finance, adj, workflow.APPROVE, comment="同意调整")
    echo(f"演示目标调整：{NEXT_YEAR} 年“{indicator.level3}”{old} → {ADJUSTED_TARGET}（7月1日起），已审定。")
    return True

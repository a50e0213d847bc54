"""绩效自评: one self-evaluation form per project and year, its rows and score history."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.domain.targets import Target, parse_target
from tracker.domain.vocab import Grade, Tier, sql_in
from tracker.extensions import db
from tracker.models.base import Money, Quantity, UTCDateTime, utcnow
from tracker.models.org import User
from tracker.models.projects import Indicator, Project, indicator_target

Score = Numeric(8, 2)


class EvaluationForm(db.Model):
    """项目支出绩效自评表 of one project for one budget year."""

    __tablename__ = "evaluation_forms"
    __table_args__ = (
        UniqueConstraint("project_id", "year"),
        CheckConstraint(sql_in("grade", Grade, nullable=True), name="grade_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    # 一级 points as the project uses them ({"产出指标": "50", …}) and the execution weight.
    level1_weights: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # 一级 → 分值 (decimal text)
    execution_weight: Mapped[Decimal] = mapped_column(Score, default=Decimal(10))
    # Funds block (万元): 年初预算数, 全年预算数 (A), 全年执行数 (B), and their sources.
    initial_budget: Mapped[Decimal | None] = mapped_column(Money)
    budget: Mapped[Decimal | None] = mapped_column(Money)
    spent: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    fiscal_share: Mapped[Decimal | None] = mapped_column(Money)  # 其中：财政拨款
    carryover: Mapped[Decimal | None] = mapped_column(Money)  # 上年结转资金
    other_funds: Mapped[Decimal | None] = mapped_column(Money)  # 其他资金
    execution_score: Mapped[Decimal] = mapped_column(Score, default=Decimal(0))
    execution_explanation: Mapped[str] = mapped_column(Text, default="")
    goal_actual: Mapped[str] = mapped_column(Text, default="")  # 年度总体目标 实际完成情况
    total_score: Mapped[Decimal] = mapped_column(Score, default=Decimal(0))
    grade: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    project: Mapped[Project] = relationship()
    rows: Mapped[list[EvaluationRow]] = relationship(
        back_populates="form", order_by="EvaluationRow.position", cascade="all, delete-orphan"
    )
    history: Mapped[list[ScoreChange]] = relationship(order_by="ScoreChange.id", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}


class EvaluationRow(db.Model):
    __tablename__ = "evaluation_rows"
    __table_args__ = (
        UniqueConstraint("form_id", "indicator_id"),
        CheckConstraint(sql_in("tier", Tier, nullable=True), name="tier_known"),
        CheckConstraint("weight >= 0", name="weight_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("evaluation_forms.id", ondelete="CASCADE"), index=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    # The target as it stood when the form opened: a later re-import of a changed document
    # must not silently re-score (or change the printout of) a self-evaluation.
    target_raw: Mapped[str] = mapped_column(Text, default="")
    target_op_override: Mapped[str | None] = mapped_column(String(2))
    weight: Mapped[Decimal] = mapped_column(Score)
    actual_value: Mapped[Decimal | None] = mapped_column(Quantity)  # in the target's unit
    actual_text: Mapped[str] = mapped_column(Text, default="")  # what is shown for tiers / dates
    tier: Mapped[str | None] = mapped_column(String(8))
    proposed_tier: Mapped[str | None] = mapped_column(String(8))  # deadlines: from completion dates
    tier_score: Mapped[Decimal | None] = mapped_column(Score)
    score: Mapped[Decimal | None] = mapped_column(Score)
    overshoot: Mapped[bool] = mapped_column(Boolean, default=False)
    deduction: Mapped[Decimal] = mapped_column(Score, default=Decimal(0))
    deduction_reason: Mapped[str] = mapped_column(Text, default="")
    explanation: Mapped[str] = mapped_column(Text, default="")  # 偏差原因分析及改进措施
    problem: Mapped[str] = mapped_column(Text, default="")  # why it could not be scored yet

    form: Mapped[EvaluationForm] = relationship(back_populates="rows")
    indicator: Mapped[Indicator] = relationship()

    @property
    def target(self) -> Target:
        return row_target(self.target_raw, self.target_op_override, self.indicator)

    @property
    def target_unit(self) -> str:
        return self.target.unit


def row_target(target_raw: str, op_override: str | None, ind) -> Target:
    """The target a self-evaluation row is scored against (EvaluationRow.target and the batch
    opening share it). ``ind`` is the row's Indicator or a row of its columns
    (Indicator.TARGET_COLUMNS, level2, level3)."""
    if ind.target_raw == target_raw:
        # The parse stored at import, which used hints this row does not keep (the 三级
        # name, a 计算符号/度量单位 column); without the indicator's later override.
        target = replace(indicator_target(ind), op=ind.target_op, implicit_op=ind.target_implicit_op)
    else:  # the indicator was re-imported with another target: the row keeps its own
        target = parse_target(target_raw, level2=ind.level2, name=ind.level3)
    if op_override and target.op:
        target = replace(target, op=op_override, implicit_op=False)
    return target


class ScoreChange(db.Model):
    """Every change of a form's total score: who, when, before, after, why."""

    __tablename__ = "score_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("evaluation_forms.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    before: Mapped[Decimal | None] = mapped_column(Score)
    after: Mapped[Decimal] = mapped_column(Score)
    reason: Mapped[str] = mapped_column(Text, default="")

    actor: Mapped[User | None] = relationship()

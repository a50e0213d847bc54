"""Imported documents, projects and their indicators (DOMAIN.md §2, §3)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import (
    DDL,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.domain.targets import Target
from tracker.domain.vocab import Accumulation, TargetKind, sql_in
from tracker.extensions import db
from tracker.models.base import Money, Quantity, TimestampMixin
from tracker.models.org import BudgetYear, Department, User

ACCUMULATIONS = tuple(Accumulation)
ACCUMULATION_LABELS = {Accumulation.CUMULATIVE: "累计型", Accumulation.LEVEL: "水平型"}


class SourceDocument(TimestampMixin, db.Model):
    """One imported file; kept so that a project can say where it came from."""

    __tablename__ = "source_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    source_format: Mapped[str] = mapped_column(String(16))
    size_bytes: Mapped[int] = mapped_column(Integer)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("budget_years.id"), index=True)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    project_count: Mapped[int] = mapped_column(Integer)
    indicator_count: Mapped[int] = mapped_column(Integer)
    # What this import did, in Chinese, for the import history page.
    change_summary: Mapped[str] = mapped_column(Text, default="")

    department: Mapped[Department] = relationship()
    year: Mapped[BudgetYear] = relationship()
    imported_by: Mapped[User | None] = relationship()


class DepartmentBudget(TimestampMixin, db.Model):
    """A department's published budget totals for one year, in 万元."""

    __tablename__ = "department_budgets"
    __table_args__ = (UniqueConstraint("department_id", "year_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    year_id: Mapped[int] = mapped_column(ForeignKey("budget_years.id"), index=True)
    total: Mapped[Decimal | None] = mapped_column(Money)
    basic: Mapped[Decimal | None] = mapped_column(Money)
    project: Mapped[Decimal | None] = mapped_column(Money)
    personnel: Mapped[Decimal | None] = mapped_column(Money)
    public: Mapped[Decimal | None] = mapped_column(Money)
    procurement: Mapped[Decimal | None] = mapped_column(Money)
    three_public: Mapped[Decimal | None] = mapped_column(Money)
    overall_goal: Mapped[str] = mapped_column(Text, default="")
    source_document_id: Mapped[int | None] = mapped_column(ForeignKey("source_documents.id"))

    department: Mapped[Department] = relationship()
    year: Mapped[BudgetYear] = relationship()

    BUDGET_FIELDS = ("total", "basic", "project", "personnel", "public", "procurement", "three_public")
    BUDGET_LABELS = {
        "total": "部门预算总额",
        "basic": "基本支出",
        "project": "项目支出",
        "personnel": "人员经费",
        "public": "公用经费",
        "procurement": "政府采购",
        "three_public": "“三公”经费",
    }


class Project(TimestampMixin, db.Model):
    __tablename__ = "projects"
    __table_args__ = (
        UniqueConstraint("department_id", "year_id", "name"),
        CheckConstraint("initial_budget IS NULL OR initial_budget >= 0", name="initial_budget_nonneg"),
        CheckConstraint("adjusted_budget IS NULL OR adjusted_budget >= 0", name="adjusted_budget_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    year_id: Mapped[int] = mapped_column(ForeignKey("budget_years.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    goal: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    # 年初预算数 / 调整后预算数, 万元; unknown until finance enters them (the published
    # 绩效目标表 does not carry a project's amount).
    initial_budget: Mapped[Decimal | None] = mapped_column(Money)
    adjusted_budget: Mapped[Decimal | None] = mapped_column(Money)
    source_document_id: Mapped[int | None] = mapped_column(ForeignKey("source_documents.id"))
    # The same project in the previous budget year (matched by name at import, issue 12 §4).
    previous_project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"), index=True)
    # 年中追加: added during the year through an approved adjustment, not by the document.
    added_midyear: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0", nullable=False)
    # Optimistic lock: a second concurrent save of the same project gets a conflict.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # How many indicators the project has, kept by the database itself (INDICATOR_COUNT_DDL:
    # triggers on indicators, so every writer — ORM, bulk insert, COPY — keeps it exact). The
    # project list's county-wide total sums it instead of counting ~45k indicator rows.
    indicator_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0", nullable=False)

    department: Mapped[Department] = relationship()
    year: Mapped[BudgetYear] = relationship()
    source_document: Mapped[SourceDocument | None] = relationship()
    indicators: Mapped[list[Indicator]] = relationship(
        back_populates="project",
        order_by="Indicator.position",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def budget(self) -> Decimal | None:
        """全年预算数: the adjusted budget when one exists."""
        return self.adjusted_budget if self.adjusted_budget is not None else self.initial_budget


class Indicator(TimestampMixin, db.Model):
    __tablename__ = "indicators"
    __table_args__ = (
        CheckConstraint(sql_in("target_kind", TargetKind), name="target_kind_known"),
        CheckConstraint("target_op IS NULL OR target_op IN ('≥', '≤', '=', '>', '<')", name="target_op_known"),
        CheckConstraint(
            "op_override IS NULL OR op_override IN ('≥', '≤', '=', '>', '<')",
            name="op_override_known",
        ),
        CheckConstraint(sql_in("accumulation", Accumulation), name="accumulation_known"),
        CheckConstraint("weight IS NULL OR weight >= 0", name="weight_nonneg"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    level1: Mapped[str] = mapped_column(String(32))
    level2: Mapped[str] = mapped_column(String(64))
    level3: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    basis: Mapped[str] = mapped_column(Text, default="")
    # The published text, always kept; the parse below is derived from it.
    target_raw: Mapped[str] = mapped_column(Text, default="")
    target_kind: Mapped[str] = mapped_column(String(16))
    target_op: Mapped[str | None] = mapped_column(String(2))
    target_value: Mapped[Decimal | None] = mapped_column(Quantity)
    target_unit: Mapped[str] = mapped_column(String(32), default="")
    target_implicit_op: Mapped[bool] = mapped_column(Boolean, default=False)
    deadline_year: Mapped[int | None] = mapped_column(Integer)
    deadline_month: Mapped[int | None] = mapped_column(Integer)
    deadline_day: Mapped[int | None] = mapped_column(Integer)
    deadline_monthly_day: Mapped[int | None] = mapped_column(Integer)
    # A user may override the detected operator (and so the direction).
    op_override: Mapped[str | None] = mapped_column(String(2))
    # cumulative: values add up over the year; level: the latest value counts.
    accumulation: Mapped[str] = mapped_column(String(16), default=Accumulation.CUMULATIVE)
    # 分值 within the 一级; None until weights are set (equal split by default).
    weight: Mapped[Decimal | None] = mapped_column(Quantity)
    # The same indicator in the previous budget year (matched by name at import, issue 12 §4).
    previous_indicator_id: Mapped[int | None] = mapped_column(
        ForeignKey("indicators.id", ondelete="SET NULL"), index=True
    )
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    project: Mapped[Project] = relationship(back_populates="indicators")

    @property
    def target(self) -> Target:
        return indicator_target(self)

    # The columns indicator_target reads: batch runs select just these (no ORM object).
    TARGET_COLUMNS = (
        "target_raw",
        "target_kind",
        "target_op",
        "op_override",
        "target_value",
        "target_unit",
        "deadline_year",
        "deadline_month",
        "deadline_day",
        "deadline_monthly_day",
        "target_implicit_op",
    )

    def set_target(self, target: Target) -> None:
        self.target_raw = target.raw
        self.target_kind = target.kind
        self.target_op = target.op
        self.target_value = target.value
        self.target_unit = target.unit or ""
        self.target_implicit_op = target.implicit_op
        self.deadline_year = target.year
        self.deadline_month = target.month
        self.deadline_day = target.day
        self.deadline_monthly_day = target.monthly_day

    @property
    def accumulation_label(self) -> str:
        return ACCUMULATION_LABELS.get(self.accumulation, self.accumulation)


def indicator_target(ind) -> Target:
    """The indicator's target from its columns; ``ind`` is an Indicator or any row with the
    same attribute names (Indicator.TARGET_COLUMNS), so batch runs use the same rule."""
    return Target(
        raw=ind.target_raw,
        kind=ind.target_kind,
        op=ind.op_override or ind.target_op,
        value=ind.target_value,
        unit=ind.target_unit or "",
        year=ind.deadline_year,
        month=ind.deadline_month,
        day=ind.deadline_day,
        monthly_day=ind.deadline_monthly_day,
        implicit_op=ind.target_implicit_op and not ind.op_override,
    )


# The triggers that keep projects.indicator_count (migration 0103 creates the same ones). A later
# migration that rebuilds the indicators table on SQLite (batch "move and copy") drops them and
# must create them again.
INDICATOR_COUNT_DDL = {
    "sqlite": [
        "CREATE TRIGGER trg_indicators_count_insert AFTER INSERT ON indicators BEGIN "
        "UPDATE projects SET indicator_count = indicator_count + 1 WHERE id = NEW.project_id; END",
        "CREATE TRIGGER trg_indicators_count_delete AFTER DELETE ON indicators BEGIN "
        "UPDATE projects SET indicator_count = indicator_count - 1 WHERE id = OLD.project_id; END",
        "CREATE TRIGGER trg_indicators_count_move AFTER UPDATE OF project_id ON indicators "
        "WHEN NEW.project_id IS NOT OLD.project_id BEGIN "
        "UPDATE projects SET indicator_count = indicator_count - 1 WHERE id = OLD.project_id; "
        "UPDATE projects SET indicator_count = indicator_count + 1 WHERE id = NEW.project_id; END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION indicators_count() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP IN ('DELETE', 'UPDATE') THEN "
        "UPDATE projects SET indicator_count = indicator_count - 1 WHERE id = OLD.project_id; END IF; "
        "IF TG_OP IN ('INSERT', 'UPDATE') THEN "
        "UPDATE projects SET indicator_count = indicator_count + 1 WHERE id = NEW.project_id; END IF; "
        "RETURN NULL; END $$",
        "CREATE TRIGGER trg_indicators_count AFTER INSERT OR DELETE OR UPDATE OF project_id ON indicators "
        "FOR EACH ROW EXECUTE FUNCTION indicators_count()",
    ],
}
for _dialect, _statements in INDICATOR_COUNT_DDL.items():
    for _statement in _statements:
        event.listen(Indicator.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect))

"""Spending from the payment system: read a payment-detail export, match it to projects,
preview, then record the matched rows as spending (预算执行).

A row is matched by 项目编码 (codes learned from earlier imports), then by the exact project
name, then by a normalized name. Every row has a stable fingerprint kept in
``Expenditure.client_token`` (unique), so importing the same file twice adds nothing.
The same checks as typed spending apply: department scope, archived years and periods
locked by review, amount range, and an audit record per row. All or nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import defaultdict
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from tracker.domain import DomainError
from tracker.domain.limits import NOTE
from tracker.domain.periods import period_for
from tracker.domain.targets import format_decimal
from tracker.domain.units import UnitError, check_range, to_halfwidth
from tracker.domain.vocab import LOCKED_STATES, Role
from tracker.extensions import db
from tracker.models import (
    BudgetYear,
    Department,
    Expenditure,
    PaymentImport,
    Project,
    ProjectPaymentCode,
    Submission,
    User,
)
from tracker.services import audit
from tracker.services.progress import current_entries_query, frequency, is_locked_day
from tracker.services.scope import visible_department_ids

IMPORT_ROLES = (Role.FINANCE, Role.REVIEWER)
# As for typed spending (tracker/progress/forms.py): amounts are kept in 万元, Money is Numeric(18, 6).
MONEY_UNITS = {"元": Decimal(1) / Decimal(10000), "万元": Decimal(1)}
MAX_MONEY = Decimal(10) ** 11
MAX_ROWS = 20000
TOKEN_PREFIX = "pay:"

# Header vocabulary, compared after removing spaces and brackets.
COLUMNS = {
    "date": ("支付日期", "日期", "付款日期", "交易日期", "支付时间", "记账日期", "清算日期", "业务日期"),
    "code": ("项目编码", "项目代码", "预算项目编码", "预算项目代码", "项目编号"),
    "name": ("项目名称", "预算项目名称", "项目", "预算项目"),
    "amount": ("金额", "支付金额", "付款金额", "实际支付金额", "实付金额", "支出金额", "发生额"),
    "summary": ("摘要", "用途", "资金用途", "支付摘要", "付款用途", "备注"),
    "voucher": ("凭证号", "支付凭证号", "支付令号", "凭证编号", "单据号", "支付单号", "流水号"),
}
LABELS = {
    "date": "支付日期",
    "code": "项目编码",
    "name": "项目名称",
    "amount": "金额",
    "summary": "摘要",
    "voucher": "凭证号",
}

MATCHED, DUPLICATE, UNMATCHED = "matched", "duplicate", "unmatched"
STATUS_LABELS = {MATCHED: "可导入", DUPLICATE: "重复（跳过）", UNMATCHED: "未匹配（跳过）"}
HOW_LABELS = {"code": "按编码", "name": "按名称", "normalized": "按名称（规范化）"}


class PaymentFileError(DomainError):
    """The file cannot be read as a payment export; says where (row, column)."""


class PaymentAccessError(DomainError):
    pass


@dataclass
class PaymentRow:
    line: int  # 1-based row in the file
    spent_on: date
    code: str
    name: str
    input_amount: Decimal
    input_unit: str
    amount: Decimal  # 万元
    summary: str
    voucher: str = ""
    fingerprint: str = ""
    status: str = UNMATCHED
    reason: str = ""
    how: str = ""
    project_id: int | None = None
    project_name: str = ""
    department_name: str = ""

    @property
    def matched_project_id(self) -> int:
        """The project of a matched row; only matched rows reach duplicate checks and apply."""
        if self.project_id is None:
            raise PaymentFileError(f"第 {self.line} 行未匹配到项目。")
        return self.project_id


@dataclass
class PaymentPlan:
    filename: str
    sha256: str
    unit: str
    header_line: int
    rows: list[PaymentRow] = field(default_factory=list)

    def of(self, status: str) -> list[PaymentRow]:
        return [r for r in self.rows if r.status == status]

    @property
    def matched(self) -> list[PaymentRow]:
        return self.of(MATCHED)

    @property
    def matched_amount(self) -> Decimal:
        return sum((r.amount for r in self.matched), Decimal(0))


# ---------------------------------------------------------------- reading


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return to_halfwidth(str(value)).strip()


def _header_key(text: str) -> str:
    return re.sub(r"[\s()（）\[\]【】:：]", "", to_halfwidth(text or ""))


def _column_of(header: str) -> str | None:
    key = _header_key(header)
    bare = re.sub(r"(万元|元)$", "", key)
    for field_name, names in COLUMNS.items():
        if bare in names or key in names:
            return field_name
    return None


def _rows_of(filename: str, data: bytes) -> list[list]:
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:
            raise PaymentFileError(f"“{filename}”不是有效的 Excel（.xlsx）文件。") from None
        with closing(wb):  # a read-only workbook holds the archive open until closed
            rows: list[list[Any]] = []
            for row in wb.worksheets[0].iter_rows(values_only=True):
                rows.append(list(row))
                if len(rows) > MAX_ROWS + 50:
                    raise PaymentFileError(f"文件超过 {MAX_ROWS} 行，请按月拆分后导入。")
            return rows
    if lower.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise PaymentFileError(f"“{filename}”的编码无法识别（应为 UTF-8 或 GBK）。")
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
        except csv.Error:
            dialect = csv.excel
        rows = list(csv.reader(io.StringIO(text), dialect))
        if len(rows) > MAX_ROWS + 50:
            raise PaymentFileError(f"文件超过 {MAX_ROWS} 行，请按月拆分后导入。")
        return rows
    raise PaymentFileError(f"“{filename}”的格式不支持：请上传支付系统导出的 .xlsx 或 .csv 文件。")


def _find_header(rows: list[list]) -> tuple[int, dict[str, int], str]:
    """(row index, field → column index, amount unit) of the header row."""
    for index, row in enumerate(rows[:30]):
        columns: dict[str, int] = {}
        unit = "元"
        for col, cell in enumerate(row):
            text = _cell_text(cell)
            field_name = _column_of(text)
            if field_name and field_name not in columns:
                columns[field_name] = col
                if field_name == "amount" and "万元" in text:
                    unit = "万元"
        if "date" in columns and "amount" in columns and ("code" in columns or "name" in columns):
            return index, columns, unit
    raise PaymentFileError(
        "没有找到表头：前 30 行中应有一行包含“支付日期”（或“日期”）、“金额”（或“支付金额”）"
        "以及“项目编码”或“项目名称”列。"
    )


_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def _parse_date(value, where: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and 20000 < value < 80000:  # an Excel serial day
        return date(1899, 12, 30) + timedelta(days=int(value))
    text = _cell_text(value)
    for pattern in _DATE_PATTERNS:
        m = pattern.match(text)
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                break
    raise PaymentFileError(f"{where}的日期“{text}”无法识别（应如 2023-03-15）。")


def _parse_amount(value, where: str) -> Decimal:
    if isinstance(value, (int, Decimal)):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        text = re.sub(r"[,\s¥￥元]", "", _cell_text(value))
        if text.startswith("(") and text.endswith(")"):
            text = "-" + text[1:-1]
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise PaymentFileError(f"{where}的金额“{_cell_text(value)}”不是数字。") from None
    if not number.is_finite():
        raise PaymentFileError(f"{where}的金额“{_cell_text(value)}”不是数字。")
    return number


def fingerprint(row: PaymentRow) -> str:
    """Stable for the same payment in any later export of the system (not the file's row number)."""
    key = "|".join(
        [
            row.voucher,
            row.code,
            normalize_name(row.name),
            row.spent_on.isoformat(),
            format(row.amount.normalize(), "f"),
            re.sub(r"\s+", "", row.summary),
        ]
    )
    return TOKEN_PREFIX + hashlib.sha256(key.encode("utf-8")).hexdigest()[:36]


def read_payments(filename: str, data: bytes) -> tuple[list[PaymentRow], int, str]:
    """The payment rows of a file, with the header's line and the amount unit.
    Raises PaymentFileError naming the row and column of anything unreadable."""
    if not data:
        raise PaymentFileError(f"“{filename}”是空文件。")
    rows = _rows_of(filename, data)
    header, columns, unit = _find_header(rows)
    out: list[PaymentRow] = []
    for index in range(header + 1, len(rows)):
        row = rows[index]
        line = index + 1

        def get(field_name: str, row=row):
            col = columns.get(field_name)
            return row[col] if col is not None and col < len(row) else None

        texts = [_cell_text(c) for c in row]
        if not any(texts):
            continue
        joined = "".join(texts)
        raw_date, raw_amount = get("date"), get("amount")
        date_text = _cell_text(raw_date)
        if any(w in (date_text or joined) for w in ("合计", "总计", "小计")) and not _DATE_PATTERNS[0].match(date_text):
            continue  # a total line
        where = f"第 {line} 行"
        if _cell_text(raw_date) == "":
            raise PaymentFileError(f"{where}“{LABELS['date']}”列为空。")
        if _cell_text(raw_amount) == "":
            raise PaymentFileError(f"{where}“{LABELS['amount']}”列为空。")
        spent_on = _parse_date(raw_date, f"{where}“支付日期”列")
        input_amount = _parse_amount(raw_amount, f"{where}“金额”列")
        if input_amount < 0:
            raise PaymentFileError(
                f"{where}“金额”列为负数（{_cell_text(raw_amount)}），退回或冲销的支付请在支出页面手工更正后再导入。"
            )
        amount = input_amount * MONEY_UNITS[unit]
        try:
            check_range(amount, what=f"{where}的金额", maximum=MAX_MONEY)
        except UnitError as exc:
            raise PaymentFileError(str(exc)) from None
        code, name = _cell_text(get("code")), _cell_text(get("name"))
        if not code and not name:
            raise PaymentFileError(f"{where}既没有项目编码也没有项目名称。")
        summary, voucher = _cell_text(get("summary")), _cell_text(get("voucher"))
        # The note of the spending row is “支付系统导入：<摘要>（凭证号 …）”: refused, never cut.
        if len(summary) + len(voucher) > NOTE - 40:
            raise PaymentFileError(f"{where}“摘要”过长（{len(summary)} 字），最多 {NOTE - 40 - len(voucher)} 字。")
        item = PaymentRow(
            line=line,
            spent_on=spent_on,
            code=code[:64],
            name=name,
            input_amount=input_amount,
            input_unit=unit,
            amount=amount,
            summary=summary,
            voucher=voucher,
        )
        item.fingerprint = fingerprint(item)
        out.append(item)
    if not out:
        raise PaymentFileError(f"“{filename}”的表头（第 {header + 1} 行）下没有支付记录。")
    return out, header + 1, unit


# ---------------------------------------------------------------- matching

_BRACKETS = re.compile(r"[(（][^()（）]*[)）]")
_NOISE = re.compile(r"[\s\"'“”‘’、,，.。:：;；\-—_/]")


def normalize_name(name: str) -> str:
    """For matching names written slightly differently: widths, spaces, punctuation,
    bracketed notes (（运转项目）), a trailing procurement mark (CG) and a final 项目/经费."""
    text = to_halfwidth(name or "")
    text = _BRACKETS.sub("", text)
    text = _NOISE.sub("", text)
    text = re.sub(r"(?i)cg$", "", text)
    text = re.sub(r"(项目|经费|资金)$", "", text)
    return text


def _require_role(user: User) -> None:
    if user.role not in IMPORT_ROLES:
        raise PaymentAccessError("只有财政局绩效科或部门审核人可以导入支付数据。")


def plan_payments(user: User, filename: str, data: bytes) -> PaymentPlan:
    """Read and match; writes nothing."""
    _require_role(user)
    rows, header_line, unit = read_payments(filename, data)
    plan = PaymentPlan(filename=filename, sha256=hashlib.sha256(data).hexdigest(), unit=unit, header_line=header_line)
    plan.rows = rows
    years = {r.spent_on.year for r in rows}
    visible = visible_department_ids(user)

    stmt = (
        select(Project.id, Project.name, Project.department_id, Department.name, BudgetYear.year, BudgetYear.is_closed)
        .join(Department, Department.id == Project.department_id)
        .join(BudgetYear, BudgetYear.id == Project.year_id)
        .where(BudgetYear.year.in_(years))
    )
    if visible is not None:
        stmt = stmt.where(Project.department_id.in_(visible))
    projects = {r[0]: r for r in db.session.execute(stmt).all()}
    by_name: dict[tuple[int, str], list[int]] = defaultdict(list)
    by_norm: dict[tuple[int, str], list[int]] = defaultdict(list)
    for pid, name, _dept, _dname, year, _closed in projects.values():
        by_name[(year, name.strip())].append(pid)
        by_norm[(year, normalize_name(name))].append(pid)
    by_code: dict[tuple[int, str], list[int]] = defaultdict(list)
    codes = {r.code for r in rows if r.code}
    if codes and projects:
        for pid, code in db.session.execute(
            select(ProjectPaymentCode.project_id, ProjectPaymentCode.code).where(
                ProjectPaymentCode.code.in_(codes), ProjectPaymentCode.project_id.in_(list(projects))
            )
        ):
            by_code[(projects[pid][4], code)].append(pid)

    for r in rows:
        year = r.spent_on.year
        found: list[int] = []
        for how, index, key in (
            ("code", by_code, r.code),
            ("name", by_name, r.name.strip()),
            ("normalized", by_norm, normalize_name(r.name)),
        ):
            if key:
                found = index.get((year, key), [])
                if found:
                    r.how = how
                    break
        if not found:
            scope = "" if visible is None else "（仅在本部门项目中查找）"
            what = "或".join(
                part for part in (f"编码为“{r.code}”" if r.code else "", f"名称为“{r.name}”" if r.name else "") if part
            )
            r.reason = f"{year} 年度没有{what}的项目{scope}"
            continue
        if len(found) > 1:
            names = "、".join(projects[p][3] for p in found)
            r.reason = f"“{r.name or r.code}”在多个部门都有（{names}），无法确定是哪个项目"
            continue
        pid = found[0]
        r.project_id, r.project_name, r.department_name = pid, projects[pid][1], projects[pid][3]
        r.status = MATCHED

    _mark_duplicates_and_locks(plan, projects)
    return plan


def _mark_duplicates_and_locks(plan: PaymentPlan, projects: dict) -> None:
    matched = plan.matched
    if not matched:
        return
    tokens = [r.fingerprint for r in matched]
    imported = set()
    for start in range(0, len(tokens), 500):
        imported |= set(
            db.session.scalars(
                select(Expenditure.client_token).where(Expenditure.client_token.in_(tokens[start : start + 500]))
            )
        )
    project_ids = sorted({r.matched_project_id for r in matched})
    cur = current_entries_query(Expenditure).where(Expenditure.project_id.in_(project_ids))
    recorded = {
        (e.project_id, e.spent_on, e.amount.normalize(), re.sub(r"\s+", "", e.note or ""))
        for e in db.session.scalars(cur)
    }
    # Locks: one query for every project's periods under review or approved.
    locked: dict[int, set[str]] = defaultdict(set)
    for pid, key in db.session.execute(
        select(Submission.project_id, Submission.period_key).where(
            Submission.project_id.in_(project_ids),
            Submission.kind == "progress",
            Submission.state.in_(LOCKED_STATES),
        )
    ):
        locked[pid].add(key)
    seen: dict[str, int] = {}
    for r in matched:
        summary = re.sub(r"\s+", "", r.summary)
        if r.fingerprint in imported:
            r.status, r.reason = DUPLICATE, "已从支付系统导入过（同一笔支付）"
        elif (r.project_id, r.spent_on, r.amount.normalize(), summary) in recorded or (
            (r.project_id, r.spent_on, r.amount.normalize(), _note(r)) in recorded
        ):
            r.status, r.reason = DUPLICATE, "已登记过相同项目、日期、金额、摘要的支出"
        elif r.fingerprint in seen:
            r.status, r.reason = DUPLICATE, f"与文件第 {seen[r.fingerprint]} 行完全相同"
        elif projects[r.matched_project_id][5]:
            r.status, r.reason = UNMATCHED, f"{r.spent_on.year} 年度已归档（只读）"
        elif is_locked_day(r.spent_on, locked[r.matched_project_id]):
            r.status = UNMATCHED
            r.reason = f"{period_for(r.spent_on, frequency()).label}的填报已提交审核或已审核通过，已锁定"
        seen.setdefault(r.fingerprint, r.line)


def _note_text(row: PaymentRow) -> str:
    return (
        "支付系统导入"
        + (f"：{row.summary}" if row.summary else "")
        + (f"（凭证号 {row.voucher}）" if row.voucher else "")
    )


def _note(row: PaymentRow) -> str:
    return re.sub(r"\s+", "", _note_text(row))


def apply_payments(user: User, plan: PaymentPlan) -> PaymentImport:
    """Record the matched rows of a plan (made just now, in this transaction). Flushes."""
    _require_role(user)
    added = list(plan.matched)
    projects = (
        {p.id: p for p in db.session.scalars(select(Project).where(Project.id.in_({r.project_id for r in added})))}
        if added
        else {}
    )
    known_codes = (
        {
            (pid, code)
            for pid, code in db.session.execute(
                select(ProjectPaymentCode.project_id, ProjectPaymentCode.code).where(
                    ProjectPaymentCode.project_id.in_(list(projects))
                )
            )
        }
        if projects
        else set()
    )
    for r in added:
        project = projects[r.matched_project_id]
        if user.role == Role.REVIEWER and project.department_id != user.department_id:
            raise PaymentAccessError(f"第 {r.line} 行的项目不属于您的部门。")  # scope checked twice
        row = Expenditure(
            project_id=project.id,
            spent_on=r.spent_on,
            period_key=period_for(r.spent_on, frequency()).key,
            amount=r.amount,
            input_amount=r.input_amount,
            input_unit=r.input_unit,
            note=_note_text(r),
            created_by_id=user.id,
            client_token=r.fingerprint,
        )
        db.session.add(row)
        if r.code and (project.id, r.code) not in known_codes:
            db.session.add(ProjectPaymentCode(project_id=project.id, code=r.code))
            known_codes.add((project.id, r.code))
    db.session.flush()
    # One audit line per project rather than per payment: a month's export has hundreds.
    per_project: dict[int, list[PaymentRow]] = defaultdict(list)
    for r in added:
        per_project[r.matched_project_id].append(r)
    for pid, items in per_project.items():
        total = sum((r.amount for r in items), Decimal(0))
        audit.record(
            user,
            "spending",
            "expenditure",
            None,
            f"从支付系统导入支出 {len(items)} 笔，合计 {money(total)} 万元（{plan.filename}）",
            project=projects[pid],
            new=money(total),
        )
    record = PaymentImport(
        filename=plan.filename[:255],
        sha256=plan.sha256,
        row_count=len(plan.rows),
        added_count=len(added),
        duplicate_count=len(plan.of(DUPLICATE)),
        unmatched_count=len(plan.of(UNMATCHED)),
        added_amount=plan.matched_amount,
        imported_by_id=user.id,
        department_id=None if user.sees_all_departments else user.department_id,
    )
    db.session.add(record)
    db.session.flush()
    return record


def money(value: Decimal) -> str:
    return format_decimal(value)


def history(user: User, limit: int = 20) -> list[PaymentImport]:
    stmt = select(PaymentImport).order_by(PaymentImport.id.desc()).limit(limit)
    visible = visible_department_ids(user)
    if visible is not None:
        stmt = stmt.where(PaymentImport.department_id.in_(visible))
    return list(db.session.scalars(stmt))

"""Limits on what a person may type: every text field has a stated maximum length.

One table serves both sides: templates put ``maxlength`` on the field (so a browser never lets
a user type more, and nothing typed is lost), and the request edge refuses anything longer
with a message naming the field — never a silent cut. Control characters (NUL and the other
C0 codes except tab and line breaks) are refused the same way: no browser sends them, and
PostgreSQL cannot store NUL.

Dynamic row fields (``row-12-analysis``) are looked up by their last part (``analysis``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SHORT = 200  # a name, a unit, a short answer
NOTE = 2000  # a note on a value or a payment, a comment on a review
LONG = 5000  # an analysis or explanation on a form

# field name → (label, limit)
FIELDS: dict[str, tuple[str, int]] = {
    "note": ("备注", NOTE),
    "comment": ("审核意见", NOTE),
    "reason": ("原因", NOTE),
    "unit": ("单位", 32),
    "value": ("完成值", SHORT),
    "amount": ("金额", 64),
    "q": ("搜索", SHORT),
    "budget_explanation": ("预算执行偏差说明", LONG),
    "execution_explanation": ("执行率偏低原因", LONG),
    "expected_completion": ("全年预计完成情况", LONG),
    "goal_actual": ("年度总体目标实际完成情况", LONG),
    "rectification_requirements": ("整改要求", LONG),
    "rectification_result": ("整改结果", LONG),
    "actual": ("实际完成值", SHORT),
    "analysis": ("偏差原因分析", LONG),
    "explanation": ("偏差原因分析及改进措施", LONG),
    "measure": ("纠偏措施", LONG),
    "forecast_text": ("全年预计完成值", SHORT),
    "forecast_reason": ("预测调整原因", NOTE),
    "forecast_override": ("全年预计完成值", 64),
    "deduction_reason": ("扣分原因", NOTE),
    "deduction": ("扣分", 32),
    "weight": ("分值", 32),
    "tier_score": ("得分", 32),
    "initial_budget": ("年初预算数", 64),
    "adjusted_budget": ("调整后预算数", 64),
    "display_name": ("姓名", 100),
    "email": ("电子邮箱", 200),
    "username": ("用户名", 64),
    "password": ("密码", 128),
    "name": ("名称", 200),
    "code": ("编码", 32),
    "level1": ("一级指标分值", 32),
    "threshold": ("预警阈值", 32),
    # a table pasted into the import page: bounded like an uploaded text file
    "pasted": ("粘贴的表格", 5_000_000),
}
DEFAULT = ("输入内容", LONG)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ROW_PREFIX = re.compile(r"^row-\d+-")
_GROUP_PREFIX = re.compile(r"^(level1|threshold)-")


@dataclass(frozen=True)
class TextProblem:
    field: str
    message: str


def field_key(name: str) -> str:
    """``row-12-analysis`` → ``analysis``; ``level1-产出指标`` → ``level1``; plain names unchanged."""
    group = _GROUP_PREFIX.match(name)
    if group:
        return group.group(1)
    return _ROW_PREFIX.sub("", name) or name


def limit_for(name: str) -> int:
    return FIELDS.get(field_key(name), DEFAULT)[1]


def label_for(name: str) -> str:
    return FIELDS.get(field_key(name), DEFAULT)[0]


def check_text(name: str, value: str) -> TextProblem | None:
    """What is wrong with one submitted text value, or None."""
    label = label_for(name)
    match = _CONTROL.search(value)
    if match:
        code = f"U+{ord(match.group()):04X}"
        return TextProblem(name, f"“{label}”中含有不可见的控制字符（{code}），请删除后重新提交。")
    limit = limit_for(name)
    if len(value) > limit:
        return TextProblem(name, f"“{label}”最多 {limit} 字，提交的内容有 {len(value)} 字，请删减后重新提交。")
    return None


def check_fields(items) -> list[TextProblem]:
    """Check (name, value) pairs of a submitted form; CSRF and token fields are included."""
    problems = []
    for name, value in items:
        if not isinstance(value, str):
            continue
        problem = check_text(name, value)
        if problem is not None:
            problems.append(problem)
    return problems

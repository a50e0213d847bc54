"""Request and response schemas of /api/v1 (they are also the OpenAPI document's components).

Money is in 万元 and every measured value is exact decimal text ("22.5"), never a float.
"""

from __future__ import annotations

import json

from marshmallow import fields as mf

from tracker.api.fields import (
    LABELS,
    Boolean,
    Date,
    DateTime,
    Dec,
    Integer,
    NumberText,
    Schema,
    String,
    one_of,
    page_range,
    per_page_range,
)
from tracker.domain.monitoring import LIGHT_LABELS, LIGHTS
from tracker.domain.targets import KINDS
from tracker.domain.workflow import STATE_LABELS
from tracker.models import TIERS


def _d(name: str, text: str = "") -> dict:
    return {"metadata": {"description": text or LABELS.get(name, name)}}


# ----------------------------------------------------------------------------- errors


class WarningSchema(Schema):
    code = String(metadata={"description": "far_off / yuan_wan / duplicate_date / over_budget / duplicate_payment"})
    message = String()


class ErrorSchema(Schema):
    code = Integer(metadata={"description": "HTTP 状态码"})
    status = String(metadata={"description": "状态名称"})
    message = String(metadata={"description": "错误说明（中文）"})
    errors = mf.Dict(
        keys=mf.String(), values=mf.String(), metadata={"description": "字段名 → 该字段的错误说明（中文）"}
    )
    warnings = mf.List(
        mf.Nested(WarningSchema),
        metadata={
            "description": "数值可能有误（与页面相同的合理性检查）：确认无误后带 confirm_plausible: true 重新提交"
        },
    )


# ----------------------------------------------------------------------------- query arguments


class PageArgs(Schema):
    page = Integer(load_default=1, validate=page_range(), **_d("page", "页码，从 1 开始"))
    per_page = Integer(load_default=50, validate=per_page_range(), **_d("per_page", "每页条数，1–200，默认 50"))


class YearDeptArgs(PageArgs):
    year = Integer(**_d("year", "预算年度，如 2023"))
    department_id = Integer(**_d("department_id", "部门 id"))


class ProjectArgs(YearDeptArgs):
    q = String(**_d("q", "项目名称包含的文字"))


class IndicatorArgs(YearDeptArgs):
    project_id = Integer(**_d("project_id", "项目 id"))
    level1 = String(**_d("level1", "一级指标，如 产出指标"))
    kind = String(
        validate=one_of(KINDS), **_d("kind", "指标值类型：quantitative / qualitative / deadline / within_budget")
    )


class EntryArgs(YearDeptArgs):
    project_id = Integer(**_d("project_id", "项目 id"))
    indicator_id = Integer(**_d("indicator_id", "指标 id"))
    current = Boolean(
        load_default=False,
        **_d("current", "true：只列当前有效的记录（未被更正、未撤销）；默认列出全部历史，含被更正和已撤销的"),
    )
    as_of_from = Date(**_d("as_of_from", "截至日期（或支出日期）不早于"))
    as_of_to = Date(**_d("as_of_to", "截至日期（或支出日期）不晚于"))


class SnapshotArgs(YearDeptArgs):
    project_id = Integer(**_d("project_id", "项目 id"))
    period_key = String(**_d("period_key", "监控时点，如 2023-06-30"))
    light = String(
        validate=one_of(LIGHTS), **_d("light", "项目预警灯或预算执行预警灯为此颜色：red / yellow / green / blue / grey")
    )


class EvaluationArgs(YearDeptArgs):
    project_id = Integer(**_d("project_id", "项目 id"))
    grade = String(validate=one_of(("优", "良", "中", "差")), **_d("grade", "等级：优 / 良 / 中 / 差"))


# ----------------------------------------------------------------------------- request bodies


class ValueBody(Schema):
    """What the indicator page's form takes; which fields apply depends on the target's kind."""

    as_of = String(
        required=True,
        metadata={"description": "截至日期，如 2023-06-30（须在预算年度内、不晚于今天）", "example": "2023-06-30"},
    )
    value = NumberText(
        metadata={
            "type": "string",
            "description": '定量指标：实际完成值，可带单位（如 "1.2万人次"）；建议以字符串传递',
            "example": "12.5",
        }
    )
    unit = String(metadata={"description": "定量指标：value 未带单位时的单位，缺省为目标的单位"})
    tier = String(metadata={"description": "定性指标（及控制在预算内）：达成 / 部分达成 / 未达成", "enum": list(TIERS)})
    completed_on = String(metadata={"description": "时限指标：完成日期，如 2023-11-20"})
    for_month = Integer(metadata={"description": "每月时限指标：完成的是哪个月（1–12）"})
    note = String(metadata={"description": "备注；定性指标必填（说明完成情况）"})
    client_token = String(
        metadata={"description": "可选的请求标识（≤40 字符）：同一标识重复提交只保存一次，返回已保存的记录"}
    )
    confirm_plausible = Boolean(
        load_default=False,
        metadata={
            "description": "true：确认数值无误（页面上“仍然保存”的勾选）；否则可能有误的数值返回 422 和 warnings，不保存"
        },
    )


class NewValueBody(ValueBody):
    indicator_id = Integer(required=True, metadata={"description": "指标 id"})


class VoidBody(Schema):
    reason = String(required=True, metadata={"description": "撤销原因（必填）"})


class SpendingBody(Schema):
    spent_on = String(required=True, metadata={"description": "支出日期，如 2023-03-15", "example": "2023-03-15"})
    amount = NumberText(
        required=True,
        metadata={
            "type": "string",
            "description": '金额，大于 0；可带单位（"1200元"、"0.12万元"）；建议以字符串传递',
            "example": "1200",
        },
    )
    unit = String(load_default="元", metadata={"description": "金额未带单位时的单位：元（默认）或 万元"})
    note = String(metadata={"description": "摘要/备注"})
    client_token = String(metadata={"description": "可选的请求标识：同一标识重复提交只保存一次"})
    confirm_plausible = Boolean(
        load_default=False,
        metadata={
            "description": "true：确认数值无误（页面上“仍然保存”的勾选）；否则可能有误的数值返回 422 和 warnings，不保存"
        },
    )


class NewSpendingBody(SpendingBody):
    project_id = Integer(required=True, metadata={"description": "项目 id"})


# ----------------------------------------------------------------------------- responses


class PageMeta(Schema):
    page = Integer()
    per_page = Integer()
    total = Integer(metadata={"description": "符合条件的总条数"})
    pages = Integer(metadata={"description": "总页数"})


class UserRef(Schema):
    id = Integer()
    display_name = String()


class DepartmentSchema(Schema):
    id = Integer()
    code = String(allow_none=True)
    name = String()
    is_finance_bureau = Boolean()
    is_active = Boolean()


class YearSchema(Schema):
    id = Integer()
    year = Integer()
    is_current = Boolean()
    is_closed = Boolean(metadata={"description": "已归档（只读）"})


class MeSchema(Schema):
    id = Integer()
    username = String()
    display_name = String()
    role = String(metadata={"description": "owner / reviewer / finance / admin"})
    role_label = String()
    department = mf.Nested(DepartmentSchema)
    sees_all_departments = Boolean(metadata={"description": "true：可看全部部门（财政局、管理员）；false：只看本部门"})


class DeadlineSchema(Schema):
    year = Integer(allow_none=True)
    month = Integer(allow_none=True)
    day = Integer(allow_none=True, metadata={"description": "null 表示月底"})
    monthly_day = Integer(allow_none=True, metadata={"description": "每月 N 日前（每月重复的时限）"})
    due_date = Date(allow_none=True, metadata={"description": "截止日期（按预算年度推算）；每月重复的时限为 null"})


class TargetSchema(Schema):
    raw = String(metadata={"description": "公开文件中的指标值原文"})
    kind = String(
        metadata={"description": "quantitative 定量 / qualitative 定性 / deadline 时限 / within_budget 控制在预算内"}
    )
    op = String(allow_none=True, metadata={"description": "≥ ≤ = > <（定量指标）"})
    value = Dec(allow_none=True, metadata={"type": "string", "description": "目标值（定量）"})
    unit = String()
    implicit_op = Boolean(metadata={"description": "运算符由规则推定（原文只有数值）"})
    direction = String(allow_none=True, metadata={"description": "正向 / 反向"})
    deadline = mf.Nested(DeadlineSchema, allow_none=True)
    description = String(metadata={"description": "解析结果的中文说明"})


class IndicatorSchema(Schema):
    id = Integer()
    project_id = Integer()
    position = Integer()
    level1 = String()
    level2 = String()
    level3 = String()
    target = mf.Nested(TargetSchema)
    accumulation = String(metadata={"description": "cumulative 累计型 / level 水平型"})
    weight = Dec(allow_none=True, metadata={"type": "string", "description": "分值（未设置时为 null）"})


class ProjectSchema(Schema):
    id = Integer()
    name = String()
    year = Integer(metadata={"description": "预算年度"})
    department_id = Integer()
    department_name = String()
    goal = String(metadata={"description": "年度总体目标"})
    initial_budget = Dec(allow_none=True, metadata={"type": "string", "description": "年初预算数（万元）"})
    adjusted_budget = Dec(allow_none=True, metadata={"type": "string", "description": "调整后预算数（万元）"})
    budget = Dec(allow_none=True, metadata={"type": "string", "description": "全年预算数（万元）：有调整数时为调整数"})
    spent = Dec(metadata={"type": "string", "description": "已支出（万元），不含被更正和已撤销的记录"})
    execution_rate = Dec(
        allow_none=True,
        metadata={
            "type": "string",
            "description": "预算执行率 = 已支出 / 全年预算数（比例，0.5 即 50%）；无预算时为 null",
        },
    )
    indicator_count = Integer()


class ProjectDetailSchema(ProjectSchema):
    indicators = mf.List(mf.Nested(IndicatorSchema))


class EntrySchema(Schema):
    id = Integer()
    indicator_id = Integer()
    project_id = Integer()
    as_of = Date()
    period_key = String()
    value = Dec(allow_none=True, metadata={"type": "string", "description": "按目标单位换算后的完成值"})
    unit = String(metadata={"description": "目标单位"})
    input_value = Dec(allow_none=True, metadata={"type": "string", "description": "填报时输入的数值"})
    input_unit = String()
    tier = String(allow_none=True)
    completed_on = Date(allow_none=True)
    for_month = Integer(allow_none=True)
    note = String()
    description = String(metadata={"description": "中文摘要，与页面一致"})
    supersedes_id = Integer(allow_none=True, metadata={"description": "本条更正（或撤销）的是哪条记录"})
    superseded_by_id = Integer(allow_none=True, metadata={"description": "被哪条记录更正或撤销；null 表示未被更正"})
    is_void = Boolean(metadata={"description": "true：这是一条撤销记录"})
    is_current = Boolean(metadata={"description": "当前有效：未被更正且不是撤销记录"})
    created_by = mf.Nested(UserRef)
    created_at = DateTime()


class SpendingSchema(Schema):
    id = Integer()
    project_id = Integer()
    spent_on = Date()
    period_key = String()
    amount = Dec(metadata={"type": "string", "description": "金额（万元）"})
    input_amount = Dec(metadata={"type": "string", "description": "填报时输入的金额"})
    input_unit = String(metadata={"description": "元 / 万元"})
    note = String()
    supersedes_id = Integer(allow_none=True)
    superseded_by_id = Integer(allow_none=True)
    is_void = Boolean()
    is_current = Boolean()
    created_by = mf.Nested(UserRef)
    created_at = DateTime()


def _light(name: str) -> mf.Function:
    return mf.Function(
        lambda obj: LIGHT_LABELS.get(getattr(obj, name), ""),
        metadata={"type": "string", "description": "红 / 黄 / 绿 / 蓝 / 灰"},
    )


class MonitoringRowSchema(Schema):
    id = Integer()
    indicator_id = Integer()
    position = Integer()
    level1 = String()
    level2 = String()
    level3 = String()
    target_raw = String()
    target_unit = String()
    accumulation = String()
    current_value = Dec(allow_none=True, metadata={"type": "string"})
    current_text = String()
    light = String(metadata={"description": "red / yellow / green / blue / grey"})
    light_label = _light("light")
    forecast = Dec(allow_none=True, metadata={"type": "string", "description": "全年预测值"})
    forecast_override = Dec(allow_none=True, metadata={"type": "string"})
    forecast_text = String()
    forecast_reason = String()
    reasons = mf.Function(
        lambda row: _json_list(row.reasons),
        metadata={"type": "array", "items": {"type": "string"}, "description": "偏差原因类别"},
    )
    analysis = String()
    likelihood = String(allow_none=True)
    measure = String()


def _json_list(text: str | list | None) -> list:
    """A JSON column's value (typed JSON columns give the list itself; older text columns a string)."""
    if isinstance(text, list):
        return text
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def _json_dict(text: str | dict | None) -> dict:
    """A JSON column's value (typed JSON columns give the dict itself; older text columns a string)."""
    if isinstance(text, dict):
        value = text
    else:
        try:
            value = json.loads(text or "{}")
        except ValueError:
            return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


class SnapshotSchema(Schema):
    id = Integer()
    project_id = Integer()
    project_name = mf.Function(lambda s: s.project.name, metadata={"type": "string"})
    department_id = mf.Function(lambda s: s.project.department_id, metadata={"type": "integer"})
    period_key = String(metadata={"description": "监控时点"})
    as_of = Date()
    time_progress = Dec(metadata={"type": "string", "description": "时间进度（比例）"})
    initial_budget = Dec(allow_none=True, metadata={"type": "string"})
    adjusted_budget = Dec(allow_none=True, metadata={"type": "string"})
    budget = Dec(allow_none=True, metadata={"type": "string", "description": "全年预算数（万元）"})
    spent = Dec(metadata={"type": "string", "description": "截至监控时点已支出（万元）"})
    execution_rate = Dec(allow_none=True, metadata={"type": "string"})
    forecast_spent = Dec(allow_none=True, metadata={"type": "string"})
    budget_light = String(metadata={"description": "预算执行预警灯"})
    budget_light_label = _light("budget_light")
    project_light = String(metadata={"description": "项目（绩效目标）预警灯"})
    project_light_label = _light("project_light")
    needs_rectification = Boolean()
    state = String(metadata={"description": "监控表审核状态：draft / submitted / dept_approved / approved / returned"})
    state_label = mf.Function(lambda s: STATE_LABELS.get(getattr(s, "state", "draft"), ""), metadata={"type": "string"})


class SnapshotDetailSchema(SnapshotSchema):
    annual_goal = String()
    expected_completion = String()
    budget_explanation = String()
    rectification_requirements = String()
    rectification_result = String()
    rows = mf.List(mf.Nested(MonitoringRowSchema))


class EvaluationRowSchema(Schema):
    id = Integer()
    indicator_id = Integer()
    position = Integer()
    level1 = mf.Function(lambda r: r.indicator.level1, metadata={"type": "string"})
    level2 = mf.Function(lambda r: r.indicator.level2, metadata={"type": "string"})
    level3 = mf.Function(lambda r: r.indicator.level3, metadata={"type": "string"})
    target_raw = String()
    weight = Dec(metadata={"type": "string", "description": "分值"})
    actual_value = Dec(allow_none=True, metadata={"type": "string"})
    actual_text = String()
    tier = String(allow_none=True)
    tier_score = Dec(allow_none=True, metadata={"type": "string"})
    score = Dec(allow_none=True, metadata={"type": "string", "description": "得分"})
    overshoot = Boolean()
    deduction = Dec(metadata={"type": "string", "description": "扣分"})
    deduction_reason = String()
    explanation = String()
    problem = String(metadata={"description": "尚不能计分的原因"})


class EvaluationSchema(Schema):
    id = Integer()
    project_id = Integer()
    project_name = mf.Function(lambda f: f.project.name, metadata={"type": "string"})
    department_id = mf.Function(lambda f: f.project.department_id, metadata={"type": "integer"})
    year = Integer()
    level1_weights = mf.Function(
        lambda f: _json_dict(f.level1_weights), metadata={"type": "object", "description": "一级指标分值"}
    )
    initial_budget = Dec(allow_none=True, metadata={"type": "string"})
    budget = Dec(allow_none=True, metadata={"type": "string"})
    spent = Dec(metadata={"type": "string"})
    execution_weight = Dec(metadata={"type": "string", "description": "预算执行率分值"})
    execution_score = Dec(metadata={"type": "string", "description": "预算执行率得分"})
    total_score = Dec(metadata={"type": "string", "description": "总分"})
    grade = String(allow_none=True, metadata={"description": "优 / 良 / 中 / 差"})
    state = String(metadata={"description": "自评表审核状态"})
    state_label = mf.Function(lambda f: STATE_LABELS.get(getattr(f, "state", "draft"), ""), metadata={"type": "string"})


class EvaluationDetailSchema(EvaluationSchema):
    execution_explanation = String()
    goal_actual = String()
    rows = mf.List(mf.Nested(EvaluationRowSchema))


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    """{items: [...], page, per_page, total, pages} for one item schema."""
    return type(name, (PageMeta,), {"items": mf.List(mf.Nested(item))})


DepartmentPage = page_schema(DepartmentSchema, "DepartmentPageSchema")
YearPage = page_schema(YearSchema, "YearPageSchema")
ProjectPage = page_schema(ProjectSchema, "ProjectPageSchema")
IndicatorPage = page_schema(IndicatorSchema, "IndicatorPageSchema")
EntryPage = page_schema(EntrySchema, "EntryPageSchema")
SpendingPage = page_schema(SpendingSchema, "SpendingPageSchema")
SnapshotPage = page_schema(SnapshotSchema, "SnapshotPageSchema")
EvaluationPage = page_schema(EvaluationSchema, "EvaluationPageSchema")

"""marshmallow fields and a base schema whose messages are in Chinese.

The error handler prefixes each message with the field's label (``LABELS``), so a client
gets e.g. ``{"as_of": "截至日期：必填。"}``.
"""

from __future__ import annotations

import math
from decimal import Decimal

import marshmallow as ma
from marshmallow import validate

from tracker.domain.targets import format_decimal

_BASE = {"required": "必填。", "null": "不能为 null。", "validator_failed": "取值无效。"}

# JSON / query field name → label used in error messages and the OpenAPI descriptions.
LABELS = {
    "page": "页码",
    "per_page": "每页条数",
    "year": "预算年度",
    "department_id": "部门",
    "project_id": "项目",
    "indicator_id": "指标",
    "current": "仅当前记录",
    "level1": "一级指标",
    "kind": "指标值类型",
    "period_key": "监控时点",
    "light": "预警灯",
    "grade": "等级",
    "q": "项目名称关键字",
    "as_of": "截至日期",
    "as_of_from": "截至日期起",
    "as_of_to": "截至日期止",
    "value": "实际完成值",
    "unit": "单位",
    "tier": "完成情况",
    "completed_on": "完成日期",
    "for_month": "月份",
    "note": "备注",
    "reason": "原因",
    "client_token": "请求标识",
    "spent_on": "支出日期",
    "amount": "支出金额",
    "_schema": "请求体",
    "json": "请求体",
}


class Schema(ma.Schema):
    error_messages = {"type": "应为 JSON 对象。", "unknown": "不认识的字段。"}

    class Meta:
        ordered = True


class String(ma.fields.String):
    default_error_messages = {**_BASE, "invalid": "应为文本（字符串）。", "invalid_utf8": "不是有效的 UTF-8 文本。"}


class Integer(ma.fields.Integer):
    default_error_messages = {**_BASE, "invalid": "应为整数。", "too_large": "数值过大。"}

    def __init__(self, **kwargs):
        kwargs.setdefault("strict", False)
        super().__init__(**kwargs)


class Boolean(ma.fields.Boolean):
    default_error_messages = {**_BASE, "invalid": "应为 true 或 false。"}


class Date(ma.fields.Date):
    default_error_messages = {
        **_BASE,
        "invalid": "不是有效日期（应为 2023-06-30 的形式）。",
        "format": "日期格式错误。",
    }


class DateTime(ma.fields.AwareDateTime):
    default_error_messages = {**_BASE}


class NumberText(ma.fields.Field):
    """A number given as text ("12.5", "3万元") or as a JSON number; handed to the same parser
    as the pages (units, ranges and Chinese messages there). Text is recommended: a JSON
    number may already have lost digits in the client."""

    default_error_messages = {**_BASE, "invalid": '应为数字或文本，例如 "12.5" 或 "3万元"。'}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            if not math.isfinite(value):
                raise self.make_error("invalid")
            return format(Decimal(repr(value)), "f")
        if isinstance(value, str):
            return value
        raise self.make_error("invalid")

    def _serialize(self, value, attr, obj, **kwargs):
        return value


class Dec(ma.fields.Field):
    """A Decimal out as exact text without exponent or trailing zeros ("22.5"); null stays null."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return format_decimal(Decimal(value))


def page_range():
    return validate.Range(min=1, max=100_000, error="应为 {min} 到 {max} 之间的整数。")


def per_page_range():
    return validate.Range(min=1, max=200, error="应为 {min} 到 {max} 之间的整数。")


def one_of(choices):
    return validate.OneOf(choices, error="只能是：" + "、".join(str(c) for c in choices) + "。")

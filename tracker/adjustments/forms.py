"""The proposal form of a 绩效目标调整 / 年中追加, read into typed values."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from tracker.models.adjustments import ADJ_KIND_LABELS, ADJ_KINDS


def _chinese(field_class, message: str):
    """The field with a Chinese message when the typed text cannot be read (WTForms' own
    messages are English)."""

    class Field(field_class):
        def process_formdata(self, valuelist):
            try:
                super().process_formdata(valuelist)
            except ValueError as exc:
                raise ValueError(message) from exc

    Field.__name__ = f"Chinese{field_class.__name__}"
    return Field


DateInput = _chinese(DateField, "日期格式应为 年-月-日，例如 2024-07-01")
MoneyInput = _chinese(DecimalField, "请输入数字（万元），例如 35.5")
IndicatorChoice = _chinese(SelectField, "请选择本项目的一个指标")


class AdjustmentForm(FlaskForm):
    kind = SelectField("调整类型", choices=[(k, ADJ_KIND_LABELS[k]) for k in ADJ_KINDS])
    indicator_id = IndicatorChoice("要调整的指标", coerce=int, validate_choice=False)
    new_target_raw = StringField("新的指标值（如 ≥16次、≤410元、11月底前）", validators=[Optional(), Length(max=500)])
    level1 = StringField("一级指标", validators=[Optional(), Length(max=32)])
    level2 = StringField("二级指标", validators=[Optional(), Length(max=64)])
    level3 = StringField("三级指标", validators=[Optional(), Length(max=500)])
    project_name = StringField("追加项目名称", validators=[Optional(), Length(max=300)])
    project_goal = TextAreaField("追加项目绩效目标", validators=[Optional(), Length(max=4000)])
    project_budget = MoneyInput("追加预算（万元）", places=None, validators=[Optional()])  # ≥ 0: the service
    reason = TextAreaField("调整原因", validators=[DataRequired("请填写调整原因"), Length(max=2000)])
    effective_from = DateInput("生效日期", validators=[InputRequired("请填写生效日期（如 2024-07-01）")])

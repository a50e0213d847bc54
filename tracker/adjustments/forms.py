"""The proposal form of a 绩效目标调整 / 年中追加, read into typed values."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from tracker.models.adjustments import ADJ_KIND_LABELS, ADJ_KINDS


class AdjustmentForm(FlaskForm):
    kind = SelectField("调整类型", choices=[(k, ADJ_KIND_LABELS[k]) for k in ADJ_KINDS])
    indicator_id = SelectField("要调整的指标", coerce=int, validate_choice=False)
    new_target_raw = StringField("新的指标值（如 ≥16次、≤410元、11月底前）", validators=[Optional(), Length(max=500)])
    level1 = StringField("一级指标", validators=[Optional(), Length(max=32)])
    level2 = StringField("二级指标", validators=[Optional(), Length(max=64)])
    level3 = StringField("三级指标", validators=[Optional(), Length(max=500)])
    project_name = StringField("追加项目名称", validators=[Optional(), Length(max=300)])
    project_goal = TextAreaField("追加项目绩效目标", validators=[Optional(), Length(max=4000)])
    project_budget = DecimalField(
        "追加预算（万元）", places=None, validators=[Optional(), NumberRange(min=0, message="预算不能为负数")]
    )
    reason = TextAreaField("调整原因", validators=[DataRequired("请填写调整原因"), Length(max=2000)])
    effective_from = DateField("生效日期", validators=[DataRequired("请填写生效日期（如 2024-07-01）")])

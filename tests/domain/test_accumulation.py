import pytest

from tracker.domain.accumulation import CUMULATIVE, LEVEL, infer_accumulation
from tracker.domain.targets import parse_target


@pytest.mark.parametrize(
    "raw, level2, level3, expected",
    [
        ("≥95%", "质量指标", "维修合格率", LEVEL),
        ("≤0.6元", "成本指标", "每度电费", LEVEL),
        ("≤2300元/月/人", "成本指标", "人员工资", LEVEL),
        ("≤22.5万元/年", "成本指标", "维保费", LEVEL),
        ("≥12次", "数量指标", "每年检查空调工作状态的次数", CUMULATIVE),
        ("≤500万度", "数量指标", "用电量", CUMULATIVE),
        ("100000元", "成本指标", "维修费用", CUMULATIVE),
        ("≥8年", "质量指标", "设备使用年限", LEVEL),
        ("57917.17平方米", "数量指标", "租赁办公区占地面积", LEVEL),
        ("11月底前", "时效指标", "租金拨付时间", LEVEL),
        ("明显提升", "社会效益指标", "服务水平", LEVEL),
    ],
)
def test_infer_accumulation(raw, level2, level3, expected):
    assert infer_accumulation(parse_target(raw, level2=level2), level3) == expected

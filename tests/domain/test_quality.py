"""Target-quality rules (绩效目标质量审核), table-driven, no app."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tracker.domain import quality as q
from tracker.domain.targets import parse_target


def ind(level1: str, level2: str, level3: str, raw: str, *, id: int | None = None) -> q.IndicatorFacts:
    t = parse_target(raw, level2=level2, name=level3)
    return q.IndicatorFacts(level1, level2, level3, raw, t.kind, t.op, t.value, t.unit, id=id)


# A project that satisfies every rule.
GOOD = (
    ind("产出指标", "数量指标", "培训人次", "≥500人次"),
    ind("产出指标", "质量指标", "培训合格率", "≥95%"),
    ind("产出指标", "时效指标", "完成时间", "11月底前"),
    ind("产出指标", "成本指标", "人均培训成本", "≤300元"),
    ind("效益指标", "社会效益指标", "就业率", "≥80%"),
    ind("满意度指标", "服务对象满意度指标", "参训人员满意度", "≥90%"),
)


def codes(project: q.ProjectFacts, settings: q.QualitySettings | None = None) -> list[str]:
    return [f.code for f in q.review_project(project, settings)]


def test_good_project_has_no_findings():
    assert codes(q.ProjectFacts("职业技能培训", GOOD)) == []
    assert q.score([]) == 100


def _without(*names: str) -> tuple[q.IndicatorFacts, ...]:
    return tuple(i for i in GOOD if i.level3 not in names)


@pytest.mark.parametrize(
    ("indicators", "expected"),
    [
        (_without("培训人次"), ["output_quantity"]),
        (_without("培训合格率"), ["output_quality"]),
        (_without("完成时间"), ["output_timeliness"]),
        (_without("人均培训成本"), ["cost_missing"]),
        (_without("就业率"), ["benefit_missing"]),
        (_without("参训人员满意度"), ["satisfaction_missing"]),
        # 可持续影响 counts as a benefit
        ((*_without("就业率"), ind("效益指标", "可持续影响指标", "长效机制", "建立")), []),
    ],
)
def test_required_dimensions(indicators, expected):
    assert codes(q.ProjectFacts("职业技能培训", indicators)) == expected


def test_satisfaction_only_expected_where_the_project_serves_people():
    inds = (
        ind("产出指标", "数量指标", "维修道路", "12公里"),
        ind("产出指标", "质量指标", "验收合格率", "100%"),
        ind("产出指标", "时效指标", "完工时间", "10月底前"),
        ind("产出指标", "成本指标", "每公里成本", "≤50万元"),
        ind("效益指标", "经济效益指标", "运输成本降低", "≥5%"),
    )
    assert codes(q.ProjectFacts("道路维修", inds)) == []
    assert codes(q.ProjectFacts("道路维修", inds, goal="方便沿线群众出行")) == ["satisfaction_missing"]


@pytest.mark.parametrize(
    ("raw", "flagged"),
    [
        ("明显提升", True),
        ("服务水平有所提高", True),
        ("进一步完善", True),
        ("逐步改善", True),
        ("效果较好", True),
        ("较上年提升", True),  # a bare direction
        ("下降", True),
        ("保障正常运转", False),  # a state, not a change
        ("提高10%", False),  # a measure
        ("达到国家标准", False),
        ("", False),
    ],
)
def test_vague_wording(raw, flagged):
    project = q.ProjectFacts("职业技能培训", (*GOOD, ind("效益指标", "社会效益指标", "社会影响", raw)))
    assert ("vague_wording" in codes(project)) is flagged


@pytest.mark.parametrize(
    ("raw", "threshold", "flagged"),
    [
        ("≥90%", None, False),
        ("≥85%", None, False),
        ("≥80%", None, True),
        ("80%", None, True),
        ("满意", None, True),  # not quantified
        ("≥90%", Decimal(95), True),  # configurable
        ("≥80%", Decimal(75), False),
    ],
)
def test_satisfaction_threshold(raw, threshold, flagged):
    project = q.ProjectFacts(
        "职业技能培训", (*_without("参训人员满意度"), ind("满意度指标", "服务对象满意度指标", "群众满意度", raw))
    )
    settings = q.QualitySettings(thresholds={"satisfaction_low": threshold} if threshold else {})
    found = [f for f in q.review_project(project, settings) if f.code == "satisfaction_low"]
    assert bool(found) is flagged
    if found:
        assert "群众满意度" in found[0].message


@pytest.mark.parametrize(
    ("extra_qualitative", "threshold", "flagged"),
    [
        (0, None, False),
        (6, None, False),  # 6 of 12 quantified: exactly 50 %
        (7, None, True),  # 6 of 13
        (3, Decimal(80), True),  # 6 of 9 = 66.7 % < 80 %
    ],
)
def test_quantified_share(extra_qualitative, threshold, flagged):
    extra = tuple(ind("效益指标", "社会效益指标", f"社会影响{n}", "达到预期") for n in range(extra_qualitative))
    settings = q.QualitySettings(thresholds={"quantified_share": threshold} if threshold else {})
    assert ("quantified_share" in codes(q.ProjectFacts("职业技能培训", GOOD + extra), settings)) is flagged


@pytest.mark.parametrize(
    ("level2", "raw", "flagged"),
    [
        ("数量指标", "按要求完成", True),
        ("质量指标", "符合要求", True),
        ("成本指标", "合理控制", True),
        ("数量指标", "5个", False),
        ("时效指标", "及时", False),  # only 数量/质量/成本 must be measurable
    ],
)
def test_unmeasurable(level2, raw, flagged):
    project = q.ProjectFacts("职业技能培训", (*GOOD, ind("产出指标", level2, "附加指标", raw)))
    assert ("unmeasurable" in codes(project)) is flagged


@pytest.mark.parametrize(
    ("raw", "last", "unit", "flagged"),
    [
        ("≥500人次", "600", "人次", True),
        ("≥500人次", "450", "人次", False),
        ("≥500人次", "500", "人次", False),
        ("≥500人次", "6", "万元", False),  # incompatible unit: no comparison
        ("≤300元", "250", "元", True),  # a ceiling above what was achieved
        ("≤300元", "0.02", "万元", True),  # 200 元 converted
        ("≤300元", "350", "元", False),
    ],
)
def test_below_last_year(raw, last, unit, flagged):
    name = "培训人次" if "人次" in raw else "人均培训成本"
    level2 = "数量指标" if "人次" in raw else "成本指标"
    inds = (*tuple(i for i in GOOD if i.level3 != name), ind("产出指标", level2, name, raw))
    previous = {q.normalize_name(name): q.PreviousActual(Decimal(last), unit, 2022)}
    found = [
        f
        for f in q.review_project(q.ProjectFacts("职业技能培训", inds, previous=previous))
        if f.code == "below_last_year"
    ]
    assert bool(found) is flagged
    if found:
        assert "2022 年" in found[0].message


def test_duplicates_and_name_equals_target():
    project = q.ProjectFacts(
        "职业技能培训",
        (
            *GOOD,
            ind("产出指标", "数量指标", "培训 人次", "≥400人次", id=7),
            ind("效益指标", "社会效益指标", "促进就业", "促进就业", id=8),
        ),
    )
    found = q.review_project(project)
    assert [(f.code, f.indicator_id) for f in found] == [("duplicate", 7), ("name_equals_target", 8)]


def test_disabled_rules_are_skipped_and_score_falls_with_severity():
    project = q.ProjectFacts("职业技能培训", _without("培训人次", "人均培训成本"))
    found = q.review_project(project)
    assert [f.code for f in found] == ["output_quantity", "cost_missing"]
    assert q.score(found) == 100 - q.PENALTY[q.ERROR] - q.PENALTY[q.WARNING]
    assert q.worst_severity(found) == q.ERROR
    assert q.counts(found) == {q.ERROR: 1, q.WARNING: 1, q.HINT: 0}
    settings = q.QualitySettings(disabled=frozenset({"output_quantity"}))
    assert codes(project, settings) == ["cost_missing"]


def test_every_rule_is_documented():
    assert len({r.code for r in q.RULES}) == len(q.RULES)
    for rule in q.RULES:
        assert rule.severity in q.SEVERITIES
        assert rule.guidance.startswith("财预")
        assert (rule.threshold is None) == (rule.threshold_label == "")


def test_empty_project():
    found = q.review_project(q.ProjectFacts("空项目", ()))
    assert {f.code for f in found} == {
        "output_quantity",
        "output_quality",
        "output_timeliness",
        "cost_missing",
        "benefit_missing",
    }
    assert q.score(found) == 100 - 2 * 15 - 3 * 5

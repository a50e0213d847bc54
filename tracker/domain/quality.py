"""Target-quality review (绩效目标质量审核): is a project's 绩效目标表 well set?

Pure functions over plain values. The rules follow the published guidance on setting
performance targets — 财预〔2021〕101号《中央部门项目支出核心绩效目标和指标设置及取值指引（试行）》
and 财预〔2015〕88号《中央部门预算绩效目标管理办法》 (指向明确、细化量化、合理可行、相应匹配) —
paraphrased in each rule's ``guidance``. Every rule can be switched off and the two numeric
thresholds changed by an administrator (``QualitySettings``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from tracker.domain.targets import (
    KIND_DEADLINE,
    KIND_QUALITATIVE,
    KIND_QUANTITATIVE,
    KIND_WITHIN_BUDGET,
    format_decimal,
)
from tracker.domain.units import are_compatible, convert

ERROR = "错误"
WARNING = "警告"
HINT = "提示"
SEVERITIES = (ERROR, WARNING, HINT)
# Points a finding costs from 100 (the score a project starts with).
PENALTY = {ERROR: 15, WARNING: 5, HINT: 1}

GUIDE_101 = "财预〔2021〕101号"
GUIDE_88 = "财预〔2015〕88号"


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    severity: str
    guidance: str
    threshold: Decimal | None = None
    threshold_label: str = ""


RULES: tuple[Rule, ...] = (
    Rule(
        "output_quantity",
        "产出指标缺少数量指标",
        ERROR,
        f"{GUIDE_101}：产出指标一般包括数量、质量、时效、成本指标，数量指标反映提供的产品和服务数量。",
    ),
    Rule(
        "output_quality",
        "产出指标缺少质量指标",
        WARNING,
        f"{GUIDE_101}：质量指标反映提供的产品和服务达到的标准、水平和效果。",
    ),
    Rule(
        "output_timeliness",
        "产出指标缺少时效指标",
        WARNING,
        f"{GUIDE_101}：时效指标反映提供产品和服务的及时程度和效率情况。",
    ),
    Rule(
        "cost_missing",
        "缺少成本指标",
        WARNING,
        f"{GUIDE_101}：成本指标反映预期提供的产品和服务所需成本，原则上应设置。",
    ),
    Rule(
        "benefit_missing",
        "缺少效益指标",
        ERROR,
        f"{GUIDE_101}：效益指标包括经济效益、社会效益、生态效益、可持续影响指标，应至少设置一类。",
    ),
    Rule(
        "satisfaction_missing",
        "服务对象类项目缺少满意度指标",
        WARNING,
        f"{GUIDE_101}：满意度指标反映服务对象或项目受益人的认可程度，面向社会公众或特定服务对象的项目应设置。",
    ),
    Rule(
        "quantified_share",
        "量化指标占比偏低",
        WARNING,
        f"{GUIDE_88}：绩效指标应细化、量化，难以量化的可采用定性表述，但应具有可衡量性。",
        Decimal(50),
        "量化指标最低占比（%）",
    ),
    Rule(
        "vague_wording",
        "指标值表述模糊",
        WARNING,
        f"{GUIDE_88}：绩效目标应指向明确、细化量化；“明显提升”“有所提高”“进一步”等表述无法衡量。",
    ),
    Rule(
        "satisfaction_low",
        "满意度目标偏低或未量化",
        WARNING,
        f"{GUIDE_101}：满意度指标一般以百分比量化，目标值原则上不低于 85%（本地可调整）。",
        Decimal(85),
        "满意度最低目标值（%）",
    ),
    Rule(
        "below_last_year",
        "目标值低于上年实际（目标偏低）",
        WARNING,
        f"{GUIDE_101}：指标值应参考历史标准，原则上不低于上年实际完成值。",
    ),
    Rule(
        "unmeasurable",
        "数量/质量/成本指标无法计量",
        WARNING,
        f"{GUIDE_101}：数量、质量、成本指标应有可计量的指标值和计量单位。",
    ),
    Rule("duplicate", "重复指标", HINT, f"{GUIDE_88}：绩效指标应相应匹配、避免重复设置。"),
    Rule(
        "name_equals_target",
        "三级指标名称与指标值相同",
        WARNING,
        f"{GUIDE_88}：指标值应是可衡量的目标值，不应照抄指标名称。",
    ),
)
RULES_BY_CODE = {rule.code: rule for rule in RULES}

VAGUE_WORDS = (
    "明显提升",
    "明显提高",
    "明显改善",
    "有所提高",
    "有所提升",
    "有所改善",
    "有所增加",
    "进一步",
    "逐步",
    "较好",
    "较高",
    "显著",
    "大幅",
    "不断",
    "稳步",
    "持续提升",
    "持续改善",
    "积极",
    # A bare direction says which way but not how far.
    "提升",
    "提高",
    "下降",
    "降低",
    "改善",
    "增强",
    "增加",
    "减少",
)
# Words that say a project serves people, so a 满意度 indicator is expected.
_SERVES_PEOPLE = re.compile(
    r"服务对象|群众|居民|村民|农户|农民|学生|患者|病人|老人|儿童|职工|干部|受益|人次|参训|培训|就业|住户|游客|市民|公众|社会"
)
_MEASURE = re.compile(r"[0-9０-９]|[一二两三四五六七八九十百千万]+(?:个|项|次|人|户|座|所|台|套|公里|天|日|月)")
_SPACES = re.compile(r"[\s　]+")
_PUNCT = re.compile(r"[（）()【】\[\]“”\"'‘’：:，,。；;、]")


@dataclass(frozen=True)
class IndicatorFacts:
    level1: str
    level2: str
    level3: str
    target_raw: str
    kind: str
    op: str | None = None
    value: Decimal | None = None
    unit: str = ""
    id: int | None = None


@dataclass(frozen=True)
class PreviousActual:
    """Last year's approved actual of the indicator with the same project and 三级 name."""

    value: Decimal
    unit: str
    year: int | None = None


@dataclass(frozen=True)
class ProjectFacts:
    name: str
    indicators: tuple[IndicatorFacts, ...]
    goal: str = ""
    id: int | None = None
    # keyed by normalize_name(level3)
    previous: dict[str, PreviousActual] = field(default_factory=dict)


@dataclass(frozen=True)
class QualitySettings:
    """Which rules run and the two thresholds; built from stored settings, defaults otherwise."""

    disabled: frozenset[str] = frozenset()
    thresholds: dict[str, Decimal] = field(default_factory=dict)

    def enabled(self, code: str) -> bool:
        return code not in self.disabled

    def threshold(self, code: str) -> Decimal:
        value = self.thresholds.get(code)
        if value is not None:
            return value
        default = RULES_BY_CODE[code].threshold
        if default is None:
            raise ValueError(f"quality rule {code!r} has no threshold")
        return default


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    message: str
    indicator_id: int | None = None
    indicator_name: str = ""

    @property
    def title(self) -> str:
        return RULES_BY_CODE[self.code].title

    @property
    def guidance(self) -> str:
        return RULES_BY_CODE[self.code].guidance


def normalize_name(text: str | None) -> str:
    return _PUNCT.sub("", _SPACES.sub("", text or ""))


def _is(level: str, word: str) -> bool:
    return word in (level or "")


def is_output(ind: IndicatorFacts) -> bool:
    return _is(ind.level1, "产出")


def is_benefit(ind: IndicatorFacts) -> bool:
    return _is(ind.level1, "效益") or any(_is(ind.level2, w) for w in ("经济效益", "社会效益", "生态效益", "可持续"))


def is_satisfaction(ind: IndicatorFacts) -> bool:
    return (
        _is(ind.level1, "满意度") or _is(ind.level2, "满意度") or _is(ind.level3, "满意度") or _is(ind.level3, "满意率")
    )


def is_cost(ind: IndicatorFacts) -> bool:
    return _is(ind.level2, "成本")


def is_quantified(ind: IndicatorFacts) -> bool:
    """A target one can measure against: a number, a deadline or 'within budget'."""
    return ind.kind in (KIND_QUANTITATIVE, KIND_DEADLINE, KIND_WITHIN_BUDGET)


def vague_word(text: str) -> str | None:
    """The first vague phrase in a target that carries no measure, else None."""
    if not text or _MEASURE.search(text):
        return None
    for word in VAGUE_WORDS:
        if word in text:
            return word
    return None


def serves_people(project: ProjectFacts) -> bool:
    texts = [project.name, project.goal] + [i.level3 for i in project.indicators]
    return any(_SERVES_PEOPLE.search(t or "") for t in texts)


def _fmt(value: Decimal | None) -> str:
    return format_decimal(value)


def _is_easier(ind: IndicatorFacts, previous: PreviousActual) -> Decimal | None:
    """Last year's actual in the target's unit when the target asks for less than it, else None."""
    if ind.kind != KIND_QUANTITATIVE or ind.value is None or ind.op is None:
        return None
    if not are_compatible(ind.unit, previous.unit):
        return None
    try:
        last = convert(previous.value, previous.unit, ind.unit)
    except Exception:  # incompatible scales: cannot compare, say nothing
        return None
    if ind.op in ("≥", ">", "=") and ind.value < last:
        return last
    if ind.op in ("≤", "<") and ind.value > last and ind.value != 0:
        return last
    return None


def review_project(  # noqa: C901 - one branch per rule, each a few lines; the rules read best in one place
    project: ProjectFacts, settings: QualitySettings | None = None
) -> list[Finding]:
    """Every finding on one project's 绩效目标表, in rule order."""
    settings = settings or QualitySettings()
    inds = project.indicators
    found: list[Finding] = []

    def add(code: str, message: str, ind: IndicatorFacts | None = None) -> None:
        if settings.enabled(code):
            found.append(
                Finding(code, RULES_BY_CODE[code].severity, message, ind.id if ind else None, ind.level3 if ind else "")
            )

    outputs = [i for i in inds if is_output(i)]
    for code, word, what in (
        ("output_quantity", "数量", "数量指标"),
        ("output_quality", "质量", "质量指标"),
        ("output_timeliness", "时效", "时效指标"),
    ):
        if not any(_is(i.level2, word) for i in outputs):
            add(code, f"产出指标下没有{what}。")
    if not any(is_cost(i) for i in inds):
        add("cost_missing", "没有成本指标（产出指标或成本指标下）。")
    if not any(is_benefit(i) for i in inds):
        add("benefit_missing", "没有效益指标（经济、社会、生态效益或可持续影响）。")
    if not any(is_satisfaction(i) for i in inds) and serves_people(project):
        add("satisfaction_missing", "项目面向服务对象，但没有满意度指标。")

    if inds:
        quantified = sum(1 for i in inds if is_quantified(i))
        share = Decimal(quantified * 100) / Decimal(len(inds))
        floor = settings.threshold("quantified_share")
        if share < floor:
            add(
                "quantified_share",
                f"量化指标 {quantified}/{len(inds)} 条，占 {share.quantize(Decimal('0.1'))}%，低于 {_fmt(floor)}%。",
            )

    seen: dict[str, IndicatorFacts] = {}
    sat_floor = settings.threshold("satisfaction_low")
    for ind in inds:
        raw = (ind.target_raw or "").strip()
        if ind.kind == KIND_QUALITATIVE:
            vague = vague_word(raw)
            if vague:
                add("vague_wording", f"“{ind.level3}”的指标值“{raw}”含“{vague}”，没有可衡量的数值或标准。", ind)
        if is_satisfaction(ind):
            if ind.kind != KIND_QUANTITATIVE or ind.value is None:
                add("satisfaction_low", f"满意度指标“{ind.level3}”的指标值“{raw or '（空）'}”未量化。", ind)
            elif ind.unit in ("%", "") and ind.op in ("≥", ">", "=") and ind.value < sat_floor:
                add(
                    "satisfaction_low",
                    f"满意度指标“{ind.level3}”的目标值 {ind.op}{_fmt(ind.value)}{ind.unit} 低于 {_fmt(sat_floor)}%。",
                    ind,
                )
        if ind.kind == KIND_QUALITATIVE and any(_is(ind.level2, w) for w in ("数量", "质量", "成本")):
            add(
                "unmeasurable",
                f"{ind.level2}“{ind.level3}”的指标值“{raw or '（空）'}”没有可计量的数值和单位。",
                ind,
            )
        key = normalize_name(ind.level3)
        previous = project.previous.get(key)
        if previous is not None:
            last = _is_easier(ind, previous)
            if last is not None:
                year = f"{previous.year} 年" if previous.year else "上年"
                add(
                    "below_last_year",
                    f"“{ind.level3}”目标 {ind.op}{_fmt(ind.value)}{ind.unit}，{year}实际已达 {_fmt(last)}{ind.unit}。",
                    ind,
                )
        if key:
            twin = seen.get(key)
            if twin is not None:
                add("duplicate", f"“{ind.level3}”与同项目另一条指标（{twin.level2}）重复。", ind)
            else:
                seen[key] = ind
        if key and raw and normalize_name(raw) == key:
            add("name_equals_target", f"“{ind.level3}”的指标值与指标名称相同，没有给出目标。", ind)
    return found


def score(findings: list[Finding]) -> int:
    """100 less a penalty per finding, never below 0: higher is better."""
    return max(0, 100 - sum(PENALTY[f.severity] for f in findings))


def counts(findings: list[Finding]) -> dict[str, int]:
    out = dict.fromkeys(SEVERITIES, 0)
    for f in findings:
        out[f.severity] += 1
    return out


def worst_severity(findings: list[Finding]) -> str | None:
    for severity in SEVERITIES:
        if any(f.severity == severity for f in findings):
            return severity
    return None


def grade(value: int) -> str:
    """Bands for the county chart."""
    if value >= 90:
        return "优"
    if value >= 75:
        return "良"
    if value >= 60:
        return "中"
    return "差"


GRADES = ("优", "良", "中", "差")

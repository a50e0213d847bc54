"""The fixed vocabulary of 一级/二级指标 names and how real documents spell them.

Real tables write the same name in many ways: "产出 指标", "经济效益\\n指标", "产出指标(50分)",
"（30分）", "社会公众或服务对象满意度指标", "经济效益" without 指标. Importers keep the text as
written (ParsedIndicator.level1_raw / level2_raw) and store the canonical name
(ParsedIndicator.level1 / level2) that scoring and monitoring rely on.

Decisions:
- 社会公众或服务对象满意度指标 and the other spellings of the satisfaction 二级 all map to the
  canonical 服务对象满意度指标; the written form is kept in level2_raw for display and export.
- 成本指标 is both a 一级 (newer templates, with 经济成本指标 / 社会成本指标 / 生态环境成本指标
  beneath it) and a 二级 under 产出指标 (older templates, like the seed).
- A name without the 指标 suffix ("数量", "经济效益", "满意度") is accepted; the canonical name
  always carries it.
- Anything else is not a known name: the functions return None and the importer decides
  whether that is an error (it usually is: a 一级/二级 cell is where rows start).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

PRODUCT = "产出指标"
COST = "成本指标"
BENEFIT = "效益指标"
SATISFACTION = "满意度指标"
SATISFACTION_L2 = "服务对象满意度指标"

LEVEL1_NAMES: tuple[str, ...] = (PRODUCT, COST, BENEFIT, SATISFACTION)

LEVEL2_BY_LEVEL1: dict[str, tuple[str, ...]] = {
    PRODUCT: ("数量指标", "质量指标", "时效指标", COST),
    COST: ("经济成本指标", "社会成本指标", "生态环境成本指标"),
    BENEFIT: ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"),
    SATISFACTION: (SATISFACTION_L2,),
}

LEVEL2_NAMES: tuple[str, ...] = tuple(dict.fromkeys(n for names in LEVEL2_BY_LEVEL1.values() for n in names))

# Other spellings from the published 指标体系 (财预〔2020〕10号 and the provincial templates that
# preceded it), after normalisation (see _normalise) and before the 指标 suffix is added back.
_LEVEL1_ALIASES = {
    "产出": PRODUCT,
    "成本": COST,
    "效益": BENEFIT,
    "满意度": SATISFACTION,
    # older / regional 一级 names
    "项目完成": PRODUCT,
    "完成": PRODUCT,
    "预期产出": PRODUCT,
    "项目产出": PRODUCT,
    "产出目标": PRODUCT,
    "项目效益": BENEFIT,
    "效果": BENEFIT,
    "项目效果": BENEFIT,
    "预期效益": BENEFIT,
    "预期效果": BENEFIT,
    "效益目标": BENEFIT,
    "项目成本": COST,
    "满意度目标": SATISFACTION,
}

_LEVEL2_ALIASES = {
    "时效性指标": "时效指标",
    "及时性指标": "时效指标",
    "数量目标": "数量指标",
    "质量目标": "质量指标",
    "时效目标": "时效指标",
    "产出数量指标": "数量指标",
    "产出质量指标": "质量指标",
    "产出时效指标": "时效指标",
    "产出成本指标": COST,
    "项目成本指标": COST,
    "成本目标": COST,
    "生态环境效益指标": "生态效益指标",
    "环境效益指标": "生态效益指标",
    "可持续影响": "可持续影响指标",
    "可持续发展指标": "可持续影响指标",
    "可持续性影响指标": "可持续影响指标",
    "可持续影响力指标": "可持续影响指标",
    "社会公众或服务对象满意度指标": SATISFACTION_L2,
    "社会公众或服务对象满意度": SATISFACTION_L2,
    "服务对象或社会公众满意度指标": SATISFACTION_L2,
    "社会公众满意度指标": SATISFACTION_L2,
    "服务对象满意度": SATISFACTION_L2,
    "受益对象满意度指标": SATISFACTION_L2,
    "受益群众满意度指标": SATISFACTION_L2,
    "群众满意度指标": SATISFACTION_L2,
    "使用者满意度指标": SATISFACTION_L2,
    "满意度指标": SATISFACTION_L2,
    "满意度": SATISFACTION_L2,
    "生态成本指标": "生态环境成本指标",
}

# "(50分)", "（30分）", "50分", "(10)", "【20分】", "(0-20)分" at the end of a name.
_SCORE_SUFFIX = re.compile(
    r"[（(【\[]\s*(?:\d+(?:\.\d+)?\s*[-—~～至]\s*)?(\d+(?:\.\d+)?)\s*分?\s*[)）】\]]\s*分?\s*$"
    r"|(\d+(?:\.\d+)?)\s*分\s*$"
)
# Normalisation rules, applied in turn until nothing changes (after whitespace is removed):
_NOTE_SUFFIX = re.compile(r"[（(【\[][^（()）【】\[\]]*[)）】\]]$")  # （必填硬性指标）, (选填)
_NUMBERING = re.compile(
    r"^(?:\d{1,2}[、.．)）]|[（(]\d{1,2}[)）]|[一二三四五六七八九十]{1,2}[、.．]|[（(][一二三四五六七八九十]{1,2}[)）])"
)
_TRAILING = re.compile(r"(?:等|类|方面|情况)$")  # 服务对象满意度指标等
_SPACE = re.compile(r"\s+")


def _fold(text: str) -> str:
    """Full-width to half-width (NFKC) and no whitespace at all: only for matching."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or ""))


@lru_cache(maxsize=8192)
def split_score(text: str) -> tuple[str, Decimal | None]:
    """Split "产出指标(50分)" into ("产出指标", Decimal("50")); whitespace inside is removed."""
    folded = _fold(text).rstrip(":：")
    m = _SCORE_SUFFIX.search(folded)
    if not m:
        return folded, None
    number = m.group(1) or m.group(2)
    try:
        score = Decimal(number)
    except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
        score = None
    return folded[: m.start()].rstrip(":："), score


@lru_cache(maxsize=8192)
def _normalise(text: str) -> str:
    """The name with notes, scores, numbering and a trailing 等 removed, by rule.

    "数量指标（必填硬性指标）" → 数量指标; "成本指标(0-20)分" → 成本指标; "1.产出指标" → 产出指标;
    "服务对象满意度指标等" → 服务对象满意度指标.
    """
    name = split_score(text)[0]
    for _ in range(4):
        before = name
        name = _NUMBERING.sub("", name)
        name = split_score(name)[0]
        name = _NOTE_SUFFIX.sub("", name) or name
        name = _TRAILING.sub("", name) or name
        name = name.strip(":：、,，;；.。*")
        if name == before:
            break
    return name


def clean_name(text: str) -> str:
    """The name without whitespace, line breaks or score suffix ("经济效益\\n指标" → 经济效益指标)."""
    return split_score(text)[0]


def _lookup(name: str, names: tuple[str, ...], aliases: dict[str, str]) -> str | None:
    if not name:
        return None
    if name.endswith("值") and not name.endswith("指标值") and len(name) > 2:
        name = name[:-1] + "指标"  # 产出值, 数量值, 经济效益值 (some county templates)
    if name in names:
        return name
    if name in aliases:
        return aliases[name]
    with_suffix = name + "指标"
    if with_suffix in names:
        return with_suffix
    if with_suffix in aliases:
        return aliases[with_suffix]
    if name.endswith("指标") and len(name) > 2:
        return aliases.get(name[:-2])
    return None


@lru_cache(maxsize=8192)
def normalize_level1(text: str | None) -> str | None:
    """Canonical 一级指标 name, or None when the text is not one."""
    return _lookup(_normalise(text or ""), LEVEL1_NAMES, _LEVEL1_ALIASES)


@lru_cache(maxsize=8192)
def normalize_level2(text: str | None, level1: str | None = None) -> str | None:
    """Canonical 二级指标 name, or None when the text is not one.

    level1 (canonical) only disambiguates: under 成本指标 as a 一级, a bare "成本指标" 二级
    stays 成本指标.
    """
    name = _normalise(text or "")
    found = _lookup(name, LEVEL2_NAMES, _LEVEL2_ALIASES)
    if found is None and level1 == COST and name in ("经济成本", "社会成本", "生态环境成本"):
        return name + "指标"
    return found


def written_names() -> tuple[str, ...]:
    """Every 一级/二级 name as it may be written in full (with 指标), longest first: for cutting
    text where the cells run together without any separator."""
    names = set(LEVEL1_NAMES) | set(LEVEL2_NAMES)
    for alias in (*_LEVEL1_ALIASES, *_LEVEL2_ALIASES):
        names.add(alias if alias.endswith("指标") else alias + "指标")
    return tuple(sorted(names, key=len, reverse=True))


def level1_for_level2(level2: str) -> str | None:
    """The 一级 a canonical 二级 belongs to, when that is unambiguous (数量指标 → 产出指标).

    成本指标 is None: it is a 二级 under 产出指标 in older templates and a 一级 in newer ones.
    """
    if level2 in LEVEL1_NAMES:
        return None
    owners = [l1 for l1, names in LEVEL2_BY_LEVEL1.items() if level2 in names]
    return owners[0] if len(owners) == 1 else None


def belongs_to(level1: str, level2: str) -> bool:
    """Whether a canonical 二级 is normally found under a canonical 一级."""
    if level1 == COST and level2 == COST:
        return True
    return level2 in LEVEL2_BY_LEVEL1.get(level1, ())


def is_strict_level2(text: str) -> bool:
    """A 二级 name written in full (with 指标), used where a cell may also be a 三级 name."""
    name = _normalise(text)
    return name.endswith(("指标", "值")) and normalize_level2(name) is not None


__all__ = [
    "BENEFIT",
    "COST",
    "LEVEL1_NAMES",
    "LEVEL2_BY_LEVEL1",
    "LEVEL2_NAMES",
    "PRODUCT",
    "SATISFACTION",
    "SATISFACTION_L2",
    "belongs_to",
    "clean_name",
    "is_strict_level2",
    "level1_for_level2",
    "normalize_level1",
    "normalize_level2",
    "split_score",
]

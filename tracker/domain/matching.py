"""Matching this year's projects and indicators to last year's by name (issue 12 §4).

Names are compared after normalizing: full-width/half-width folded (NFKC), whitespace and
punctuation removed, and bracketed notes such as （运转项目） or (2023年) dropped, and a leading year (2023年度…) ignored — the
same project is often published as 乡村振兴项目（运转项目） one year and 乡村振兴项目 the next.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable, Iterable, Sequence
from typing import TypeVar

_BRACKETS = re.compile(r"[（(【\[〔][^（）()【】\[\]〔〕]*[）)】\]〕]")
_DROP = re.compile(r"[\s\W_]+", re.UNICODE)
# "2023年度机关用房租赁费用项目" and "2024年度机关用房租赁费用项目" are the same project.
_YEAR = re.compile(r"(19|20)\d{2}\s*年度?")

T = TypeVar("T")


def normalize(text: str | None) -> str:
    folded = unicodedata.normalize("NFKC", text or "")
    stripped = _DROP.sub("", _YEAR.sub("", _BRACKETS.sub("", folded)))
    # A name that is only a bracket keeps its content rather than becoming empty.
    return stripped or _DROP.sub("", folded)


def match_projects(names: Sequence[str], previous: Iterable[tuple[int, str]]) -> dict[int, int]:
    """Index into ``names`` → id of last year's project with the same normalized name."""
    by_name: dict[str, list[int]] = {}
    for pid, name in previous:
        by_name.setdefault(normalize(name), []).append(pid)
    out: dict[int, int] = {}
    for i, name in enumerate(names):
        ids = by_name.get(normalize(name))
        if ids:
            out[i] = ids.pop(0)
    return out


def match_indicators(
    rows: Sequence[tuple[str, str, str]], previous: Iterable[tuple[int, str, str, str]]
) -> dict[int, int]:
    """Index into ``rows`` (level1, level2, level3) → id of last year's indicator: first by
    all three levels, then by the 三级 name alone; each of last year's rows is used once."""
    prev = list(previous)
    used: set[int] = set()
    full: dict[Hashable, list[int]] = {}
    alone: dict[str, list[int]] = {}
    for iid, l1, l2, l3 in prev:
        full.setdefault((normalize(l1), normalize(l2), normalize(l3)), []).append(iid)
        alone.setdefault(normalize(l3), []).append(iid)
    out: dict[int, int] = {}
    for i, (l1, l2, l3) in enumerate(rows):
        for iid in full.get((normalize(l1), normalize(l2), normalize(l3)), []):
            if iid not in used:
                out[i] = iid
                used.add(iid)
                break
    for i, (_l1, _l2, l3) in enumerate(rows):
        if i in out:
            continue
        for iid in alone.get(normalize(l3), []):
            if iid not in used:
                out[i] = iid
                used.add(iid)
                break
    return out

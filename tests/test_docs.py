"""The rules live in the repository: every "DOMAIN.md §N" that the code cites is a section of
docs/DOMAIN.md (issue 10, point 8)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "DOMAIN.md"
# "DOMAIN.md §3", "DOMAIN.md §2, §3", "DOMAIN.md §5 and §6", "DOMAIN.md §3.2"
CITATION = re.compile(r"DOMAIN\.md((?:\s*(?:,|，|、|and|和)?\s*§\s*\d+(?:\.\d+)*)+)")
SECTION_NUMBER = re.compile(r"§\s*(\d+(?:\.\d+)*)")
HEADING = re.compile(r"^(#{2,4})\s+(\d+(?:\.\d+)*)\.?\s+\S", re.MULTILINE)


def cited_sections(text: str) -> set[str]:
    return {number for m in CITATION.finditer(text) for number in SECTION_NUMBER.findall(m.group(1))}


def doc_sections(text: str) -> set[str]:
    return {m.group(2) for m in HEADING.finditer(text)}


def _citations() -> dict[str, set[str]]:
    """{section: files citing it} over the code (tracker/) and its templates."""
    found: dict[str, set[str]] = {}
    for folder in ("tracker", "templates"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in (".py", ".html", ".txt", ".md") or not path.is_file():
                continue
            for number in cited_sections(path.read_text(encoding="utf-8")):
                found.setdefault(number, set()).add(str(path.relative_to(ROOT)))
    return found


def test_the_rules_are_in_the_repository():
    assert DOC.is_file(), "docs/DOMAIN.md is missing"
    text = DOC.read_text(encoding="utf-8")
    assert "**default**" in text  # configurable defaults are marked


def test_every_cited_section_exists():
    sections = doc_sections(DOC.read_text(encoding="utf-8"))
    citations = _citations()
    assert citations, "no DOMAIN.md citation found in tracker/: the check would prove nothing"
    missing = {number: sorted(files) for number, files in citations.items() if number not in sections}
    assert not missing, f"docs/DOMAIN.md has no section for: {missing}"


def test_sections_one_to_seven_keep_their_numbers():
    sections = doc_sections(DOC.read_text(encoding="utf-8"))
    assert {str(n) for n in range(1, 8)} <= sections


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(DOMAIN.md §3)", {"3"}),
        ("(DOMAIN.md §2, §3)", {"2", "3"}),
        ("DOMAIN.md §5 and §6", {"5", "6"}),
        ("see DOMAIN.md §3.2 for operators", {"3.2"}),
        ("defaults from DOMAIN.md.", set()),
        ("§4 without the file name", set()),
    ],
)
def test_citation_parser(text, expected):
    assert cited_sections(text) == expected


def test_a_missing_section_is_reported():
    sections = doc_sections("## 1. Who\n\n## 3. Targets\n### 3.1 Normalisation\n")
    assert sections == {"1", "3", "3.1"}
    assert cited_sections("(DOMAIN.md §2)") - sections == {"2"}

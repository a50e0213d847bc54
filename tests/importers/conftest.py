from __future__ import annotations

import pytest

from tests.importers.builders import seed_bytes, seed_text
from tracker.importers.base import ParsedDocument
from tracker.importers.text import parse_text


@pytest.fixture(scope="session")
def seed_raw() -> bytes:
    return seed_bytes()


@pytest.fixture(scope="session")
def seed_str() -> str:
    return seed_text()


@pytest.fixture(scope="session")
def seed_doc(seed_str: str) -> ParsedDocument:
    return parse_text(seed_str, source_name="seed_2023_430.txt")


def project_signature(doc: ParsedDocument, *, goal_lines_joined: bool = False) -> list:
    """Everything that must survive a round trip, project by project."""
    out = []
    for p in doc.projects:
        goal = p.goal.replace("\n", " ") if goal_lines_joined else p.goal
        out.append(
            (
                p.order,
                p.name,
                goal,
                p.location,
                [
                    (i.order, i.level1, i.level2, i.level3, i.description, i.target_raw, i.basis, i.location)
                    for i in p.indicators
                ],
            )
        )
    return out

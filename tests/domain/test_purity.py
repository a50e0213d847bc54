"""The domain core stays pure: no module under tracker/domain imports Flask, SQLAlchemy or the app."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "tracker" / "domain"
# Top-level packages the domain may not import (directly or by a "from x import y").
FORBIDDEN = (
    "flask",
    "flask_login",
    "flask_wtf",
    "flask_sqlalchemy",
    "flask_migrate",
    "sqlalchemy",
    "werkzeug",
    "wtforms",
)
# Inside the project, the domain may import only itself.
ALLOWED_PROJECT_PREFIX = "tracker.domain"


def imported_modules(source: str) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def impurities(source: str) -> list[str]:
    bad = []
    for line, module in imported_modules(source):
        top = module.split(".")[0]
        if top in FORBIDDEN or (
            top == "tracker"
            and not (module == ALLOWED_PROJECT_PREFIX or module.startswith(ALLOWED_PROJECT_PREFIX + "."))
        ):
            bad.append(f"{line}: {module}")
    return bad


DOMAIN_FILES = sorted(DOMAIN.rglob("*.py"))


def test_the_scan_sees_the_domain():
    names = {p.name for p in DOMAIN_FILES}
    assert {"workflow.py", "vocab.py", "scoring.py", "targets.py"} <= names


@pytest.mark.parametrize("path", DOMAIN_FILES, ids=lambda p: p.name)
def test_domain_module_imports_no_framework(path):
    assert impurities(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "source",
    [
        "import flask",
        "from sqlalchemy import select",
        "from sqlalchemy.orm import Session",
        "from tracker.extensions import db",
        "from tracker.models import User",
        "def f():\n    from flask import current_app\n",
    ],
)
def test_the_scan_catches_an_impure_import(source):
    assert impurities(source)


@pytest.mark.parametrize(
    "source", ["from tracker.domain import DomainError", "from tracker.domain.vocab import Role", "import decimal"]
)
def test_the_scan_allows_pure_imports(source):
    assert impurities(source) == []

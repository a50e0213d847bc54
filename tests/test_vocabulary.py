"""One vocabulary: role and state codes are written only in tracker/domain/vocab.py.

Elsewhere in tracker/ (Python) a role or state is named through the enums (Role.ADMIN,
State.DRAFT), so a rename or a new state is one edit and a typo is a NameError, not a
silently false comparison. The scan looks where such a literal decides something: an
operand of a comparison (also inside a tuple/list/set operand), an argument of the role
gates and role/state queries, and the role=/state= keywords. Templates are scanned for
``role``/``state`` comparisons with a quoted code.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from tracker.domain.vocab import Role, State, SubmissionKind, sql_in

ROOT = Path(__file__).resolve().parents[1]
VOCAB = ROOT / "tracker" / "domain" / "vocab.py"
CODES = {str(v) for v in Role} | {str(v) for v in State}
CALLS = {"roles_required", "users_with_role", "in_", "_submissions", "is_editable"}
KEYWORDS = {"role", "state"}


def _codes_in(node: ast.AST) -> list[ast.Constant]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in CODES:
        return [node]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [c for elt in node.elts for c in _codes_in(elt)]
    return []


def _is_code_list(node: ast.AST) -> bool:
    """A tuple/list/set written out of two or more codes: a role or state list defined again."""
    return (
        isinstance(node, (ast.Tuple, ast.List, ast.Set))
        and len(node.elts) >= 2
        and len(_codes_in(node)) == len(node.elts)
    )


def _names_role_or_state(node: ast.AST) -> bool:
    if isinstance(node, ast.Call):
        node = node.func
    name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
    return "role" in name.lower() or "state" in name.lower()


def literal_codes(source: str) -> list[tuple[int, str]]:
    """(line, code) of every role/state literal used where the vocabulary should be."""
    hits: list[ast.Constant] = []
    for node in ast.walk(ast.parse(source)):
        if _is_code_list(node):
            hits.extend(_codes_in(node))
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            # Only comparisons with a role or state (user.role, sub.state, form_state …):
            # other kinds share words ("returned" is also a to-do item's kind).
            if any(_names_role_or_state(o) for o in operands):
                for operand in operands:
                    hits.extend(_codes_in(operand))
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in CALLS:
                for arg in node.args:
                    hits.extend(_codes_in(arg))
            for kw in node.keywords:
                if kw.arg in KEYWORDS:
                    hits.extend(_codes_in(kw.value))
    return sorted({(c.lineno, c.value) for c in hits})


def _python_files() -> list[Path]:
    return sorted(p for p in (ROOT / "tracker").rglob("*.py") if p != VOCAB)


def test_no_role_or_state_literal_outside_the_vocabulary():
    found = {
        f"{path.relative_to(ROOT)}:{line}": code
        for path in _python_files()
        for line, code in literal_codes(path.read_text(encoding="utf-8"))
    }
    assert found == {}


TEMPLATE_LITERAL = re.compile(
    r"\b(?:role|state)\s*(?:==|!=|(?:not\s+)?in)\s*\(?\s*'(" + "|".join(sorted(CODES)) + r")'"
)


def test_no_role_or_state_literal_in_templates():
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if TEMPLATE_LITERAL.search(line)
    ]
    assert found == []


@pytest.mark.parametrize(
    "source",
    [
        'if user.role == "admin": pass',
        'ok = user.role in ("owner", "reviewer")',
        'x = "draft" != sub.state',
        'ok = sub_state == "draft"',
        '@roles_required("finance", "admin")\ndef view(): pass',
        'notify.users_with_role("owner", 3)',
        'q.where(Submission.state.in_(("submitted", "approved")))',
        'ALL_ROLES = ("owner", "reviewer", "finance", "admin")',
        'EDITABLE = ["draft", "returned"]',
        'Submission(kind=k, state="draft")',
    ],
)
def test_the_scan_catches_a_literal(source):
    assert literal_codes(source)


@pytest.mark.parametrize(
    "source",
    [
        'bp = Blueprint("admin", __name__)',
        'notify(kind="returned", message="")',
        "if user.role == Role.ADMIN: pass",
        'users = {"admin": 1}',
        'mine = [i for i in items if i.kind == "returned"]',
        'ACCOUNTS = [("admin", "Admin2023", Role.ADMIN)]',
    ],
)
def test_the_scan_lets_other_strings_be(source):
    assert literal_codes(source) == []


@pytest.mark.parametrize(
    "template", ["{% if current_user.role == 'finance' %}", "{% if state in ('submitted', 'dept_approved') %}"]
)
def test_the_template_scan_catches_a_literal(template):
    assert TEMPLATE_LITERAL.search(template)


def test_values_are_the_stored_strings():
    assert [str(r) for r in Role] == ["owner", "reviewer", "finance", "admin"]
    assert [str(s) for s in State] == ["draft", "submitted", "dept_approved", "approved", "returned"]
    assert [str(k) for k in SubmissionKind] == ["progress", "monitoring", "evaluation", "adjustment"]
    assert Role.ADMIN == "admin" and f"{State.DRAFT}" == "draft"


def test_check_constraints_keep_the_migrations_text():
    """The constraints generated from the enums read exactly as the migrations wrote them."""
    from sqlalchemy import CheckConstraint

    import tracker.models  # noqa: F401  (registers the tables)
    from tracker.extensions import db

    migrations = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "migrations" / "versions").glob("*.py"))
    texts = [
        str(c.sqltext)
        for table in db.metadata.tables.values()
        for c in table.constraints
        if isinstance(c, CheckConstraint) and " IN (" in str(c.sqltext)
    ]
    assert len(texts) >= 10
    assert [t for t in texts if f'"{t}"' not in migrations] == []
    assert sql_in("role", Role) == "role IN ('owner', 'reviewer', 'finance', 'admin')"

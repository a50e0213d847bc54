"""Test fixtures. SQLite by default; TEST_DATABASE_URL=postgresql+psycopg://… runs on PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import delete

from config import BASE_DIR

SEED_FILE = BASE_DIR / "sample_data" / "seed_2023_430.txt"
TEST_PASSWORD = "Passw0rd2023"


def database_url(tmp_dir: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
    return f"sqlite:///{tmp_dir / 'test.sqlite'}"


class IsolatedClient(FlaskClient):
    """Tests hold an app context, and Flask reuses it for requests, so ``g`` (where
    Flask-Login caches the user) would leak from one request to the next. Each request
    starts with an empty ``g``, as it does in production."""

    def open(self, *args, **kwargs):
        if has_app_context():
            for name in list(g):
                g.pop(name, None)
        return super().open(*args, **kwargs)


@contextmanager
def fresh_database(sqlite_path: Path, prefix: str) -> Iterator[str]:
    """A brand-new empty database on the backend of the test run: a SQLite file, or on
    PostgreSQL a database created here and dropped afterwards."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{sqlite_path}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    from tracker import create_app
    from tracker.extensions import db

    tmp = tmp_path_factory.mktemp("app")
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=database_url(tmp),
        UPLOAD_DIR=str(tmp / "uploads"),
        EXPORT_CACHE_DIR=str(tmp / "export-cache"),
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.drop_all()
        db.create_all()
        yield app
        db.session.remove()
        db.drop_all()


@pytest.fixture
def db(app):
    """The database, emptied after each test."""
    from tracker.extensions import db as _db

    yield _db
    for name in list(g):  # cached settings and the like must not outlive the test's rows
        g.pop(name, None)
    _db.session.rollback()
    for table in reversed(_db.metadata.sorted_tables):
        _db.session.execute(delete(table))
    _db.session.commit()
    _db.session.remove()


@pytest.fixture
def client(app, db):
    return app.test_client()


@pytest.fixture
def make_department(db):
    from tracker.models import Department

    counter = {"n": 0}

    def make(name: str | None = None, code: str | None = None, *, finance: bool = False):
        counter["n"] += 1
        dept = Department(
            name=name or f"测试部门{counter['n']}",
            code=code if code is not None else (None if finance else f"9{counter['n']:02d}"),
            is_finance_bureau=finance,
        )
        db.session.add(dept)
        db.session.commit()
        return dept

    return make


@pytest.fixture
def make_user(db, make_department):
    from tracker.services import accounts

    def make(role: str = "owner", department=None, username: str | None = None, password: str = TEST_PASSWORD):
        if department is None:
            department = make_department(finance=role in ("finance", "admin"))
        user = accounts.create_user(
            username=username or f"{role}{department.id}_{os.urandom(3).hex()}",
            password=password,
            role=role,
            department=department,
        )
        db.session.commit()
        return user

    return make


@pytest.fixture
def login(client):
    def do(user, password: str = TEST_PASSWORD):
        response = client.post("/login", data={"username": user.username, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    return do


@pytest.fixture
def seeded(db):
    """The seed document imported as budget year 2023; returns the ImportPlan."""
    from tracker.importers import parse_file
    from tracker.services.imports import apply_import, plan_import

    data = SEED_FILE.read_bytes()
    plan = plan_import(parse_file(SEED_FILE.name, data), year=2023, filename=SEED_FILE.name, data=data)
    apply_import(plan)
    db.session.commit()
    return plan

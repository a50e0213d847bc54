"""Migrations: one head, upgrade from an empty database, and the models agree with them."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from config import BASE_DIR
from tests.conftest import fresh_database

MIGRATIONS = BASE_DIR / "migrations"


@pytest.fixture
def empty_database_url(tmp_path):
    with fresh_database(tmp_path / "migrations.sqlite", "tracker_mig") as url:
        yield url


def test_single_head():
    script = ScriptDirectory.from_config(_alembic_config())
    assert len(script.get_heads()) == 1


def _alembic_config() -> AlembicConfig:
    cfg = AlembicConfig(str(MIGRATIONS / "alembic.ini"))
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def test_upgrade_from_empty_matches_models(empty_database_url, tmp_path):
    import flask_migrate

    from tracker import create_app
    from tracker.extensions import db

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_database_url, UPLOAD_DIR=str(tmp_path))
    with app.app_context():
        flask_migrate.upgrade(directory=str(MIGRATIONS))
        engine = db.engine
        tables = set(inspect(engine).get_table_names())
        assert {"departments", "users", "projects", "indicators", "alembic_version"} <= tables
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diffs = compare_metadata(context, db.metadata)
        assert diffs == [], f"models and migrations differ: {diffs}"
        # And all the way down again.
        flask_migrate.downgrade(directory=str(MIGRATIONS), revision="base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        db.session.remove()
        engine.dispose()

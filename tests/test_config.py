"""Configuration: SQLite by default, DATABASE_URL selects PostgreSQL, production refuses to start bare."""

from __future__ import annotations

import importlib

import pytest


@pytest.fixture(autouse=True)
def reload_config_afterwards(monkeypatch):
    """Other tests must see the configuration of the real environment again."""
    yield
    monkeypatch.undo()
    import config

    importlib.reload(config)


def _config(monkeypatch, **env):
    for key in ("DATABASE_URL", "SECRET_KEY", "TRACKER_ENV"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    import config

    return importlib.reload(config)


def test_sqlite_in_instance_by_default(monkeypatch):
    config = _config(monkeypatch)
    assert config.Config.SQLALCHEMY_DATABASE_URI.startswith("sqlite:///")
    assert config.Config.SQLALCHEMY_DATABASE_URI.endswith("instance/tracker.sqlite")


@pytest.mark.parametrize("url", ["postgres://u@h/db", "postgresql://u@h/db", "postgresql+psycopg://u@h/db"])
def test_database_url_selects_postgresql_with_psycopg3(monkeypatch, url):
    config = _config(monkeypatch, DATABASE_URL=url)
    assert config.Config.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://u@h/db"


def test_production_refuses_to_start_without_secret_and_database(monkeypatch):
    config = _config(monkeypatch)
    from tracker import create_app

    with pytest.raises(RuntimeError, match="SECRET_KEY、DATABASE_URL"):
        create_app(config.ProductionConfig)
    config = _config(monkeypatch, SECRET_KEY="s3cret", DATABASE_URL="sqlite:///:memory:")
    assert create_app(config.ProductionConfig).config["SESSION_COOKIE_SECURE"] is True


def test_a_worker_compiles_every_page_template_at_start(app):
    """tracker/wsgi.py compiles the templates when a gunicorn worker starts: all of them
    compile (a syntax error would stop the worker, not a user's request)."""
    from tracker.web import warm_templates

    assert warm_templates(app) >= 50
    assert len(app.jinja_env.cache) >= 50  # kept compiled for the requests

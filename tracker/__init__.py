"""tracker — 预算绩效目标跟踪系统."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from config import BASE_DIR, INSTANCE_DIR, get_config
from tracker.extensions import csrf, db, login_manager, migrate


def create_app(config: str | type | None = None, **overrides) -> Flask:
    config_class = get_config(config) if config is None or isinstance(config, str) else config
    if hasattr(config_class, "validate"):
        config_class.validate()
    app = Flask(
        __name__,
        instance_path=str(INSTANCE_DIR),
        static_folder=str(BASE_DIR / "static"),
        template_folder=str(BASE_DIR / "templates"),
    )
    app.config.from_object(config_class)
    app.config.update(overrides)
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)

    from tracker import auth, models  # noqa: F401  (models register with the metadata)
    from tracker.admin import bp as admin_bp
    from tracker.auth import bp as auth_bp
    from tracker.evaluation import bp as evaluation_bp
    from tracker.imports import bp as imports_bp
    from tracker.monitoring import bp as monitoring_bp
    from tracker.progress import bp as progress_bp
    from tracker.projects import bp as projects_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(projects_bp)
    app.register_blueprint(imports_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(progress_bp)
    app.register_blueprint(monitoring_bp)
    app.register_blueprint(evaluation_bp)

    from tracker.payments import bp as payments_bp
    from tracker.quality import bp as quality_bp

    app.register_blueprint(quality_bp)
    app.register_blueprint(payments_bp)

    from tracker.adjustments import bp as adjustments_bp  # 目标调整, 年中追加, year comparison

    app.register_blueprint(adjustments_bp)

    from tracker import api, cli, web

    api.init_app(app)
    cli.register(app)
    web.register(app)
    return app


@event.listens_for(Engine, "connect")
def _sqlite_foreign_keys(dbapi_connection, connection_record):
    # SQLite ignores foreign keys unless asked, per connection.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # Wait for a concurrent writer (the scheduler, a second process) instead of failing.
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()


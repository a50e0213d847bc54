"""tracker — 预算绩效目标跟踪系统."""

from __future__ import annotations

__version__ = "1.0.0"

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
    from tracker.edge import end_read_only_request

    app.teardown_appcontext(end_read_only_request)  # after db.init_app: runs before its teardown
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    _security(app)

    from tracker import auth, models  # noqa: F401  (models register with the metadata)
    from tracker.admin import bp as admin_bp
    from tracker.auth import bp as auth_bp
    from tracker.evaluation import bp as evaluation_bp
    from tracker.imports import bp as imports_bp
    from tracker.job_pages import bp as job_requests_bp
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
    app.register_blueprint(job_requests_bp)

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


def _security(app: Flask) -> None:
    """Response headers (flask-talisman), the reverse proxy, and CSRF tokens ending with the session."""
    from flask import session
    from flask_login import user_logged_out
    from flask_talisman import Talisman

    Talisman(
        app,
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=app.config["HSTS"],
        strict_transport_security_include_subdomains=False,
        content_security_policy=app.config["CONTENT_SECURITY_POLICY"],
        frame_options="SAMEORIGIN",
        referrer_policy="same-origin",
        # The cookie flags come from config.py; Talisman must not change them per request.
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=app.config["SESSION_COOKIE_HTTPONLY"],
        session_cookie_samesite=app.config["SESSION_COOKIE_SAMESITE"],
    )
    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n, x_prefix=n)

    @user_logged_out.connect_via(app)
    def _drop_csrf_token(sender, user, **extra):
        # Forms rendered before logout must not submit after it (nor in the next login).
        session.pop("csrf_token", None)


@event.listens_for(Engine, "connect")
def _sqlite_foreign_keys(dbapi_connection, connection_record):
    # SQLite ignores foreign keys unless asked, per connection.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # Wait for a concurrent writer (the scheduler, a second process) instead of failing.
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

"""Configuration from the environment (see README).

SQLite in instance/ is the embedded default; DATABASE_URL selects PostgreSQL
(postgresql+psycopg://…). Production refuses to start without SECRET_KEY and DATABASE_URL.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("TRACKER_INSTANCE_DIR", BASE_DIR / "instance"))


def _database_url(default: str) -> str:
    url = os.environ.get("DATABASE_URL", default)
    # Accept the common short forms and always use psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-not-secret")
    SQLALCHEMY_DATABASE_URI = _database_url(f"sqlite:///{INSTANCE_DIR / 'tracker.sqlite'}")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # A CSRF token lives as long as a working day (a long form filled over an afternoon still
    # submits) and dies with the session: logout drops the session's token (tracker/__init__.py).
    WTF_CSRF_TIME_LIMIT = int(os.environ.get("TRACKER_CSRF_HOURS", "12")) * 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    # Content-Security-Policy: every script, style, font and image is served from static/
    # (vendored), so nothing else is allowed; data: images are Bootstrap's CSS icons.
    CONTENT_SECURITY_POLICY = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'self'",
    }
    HSTS = False  # Strict-Transport-Security, on in production (HTTPS only)
    FORCE_HTTPS = os.environ.get("TRACKER_FORCE_HTTPS") == "1"  # usually nginx redirects http → https
    # Behind nginx (or another reverse proxy): how many proxies set X-Forwarded-For/-Proto/-Host.
    # 0 = not behind a proxy (the headers are ignored, as a client could forge them).
    PROXY_COUNT = int(os.environ.get("TRACKER_PROXY_COUNT", "0"))
    # Default per-file limit for 佐证材料 (admins may change it on the settings page) and a
    # ceiling for a whole request (several files at once).
    EVIDENCE_MAX_MB = int(os.environ.get("TRACKER_MAX_UPLOAD_MB", "20"))
    MAX_CONTENT_LENGTH = int(os.environ.get("TRACKER_MAX_REQUEST_MB", "210")) * 1024 * 1024
    UPLOAD_DIR = os.environ.get("TRACKER_UPLOAD_DIR", str(INSTANCE_DIR / "uploads"))
    # County summaries already written, by a digest of their rows (tracker/exporters/cache.py):
    # local to each server (not shared), safe to delete at any time.
    EXPORT_CACHE_DIR = os.environ.get("TRACKER_EXPORT_CACHE_DIR", str(INSTANCE_DIR / "export-cache"))
    EXPORT_CACHE_FILES = int(os.environ.get("TRACKER_EXPORT_CACHE_FILES", "64"))
    # Project page rows kept rendered per worker, by everything a row shows
    # (tracker/projects/rows.py): ~1 KB each; 0 renders every row on every request.
    ROW_CACHE_SIZE = int(os.environ.get("TRACKER_ROW_CACHE_SIZE", "20000"))
    # Import limits, checked before a file is parsed (decompression bombs, huge files): see
    # tracker/importers/limits.py. Sizes in MB.
    IMPORT_MAX_FILE_MB = int(os.environ.get("TRACKER_IMPORT_MAX_FILE_MB", "50"))
    IMPORT_MAX_TEXT_MB = int(os.environ.get("TRACKER_IMPORT_MAX_TEXT_MB", "10"))
    IMPORT_MAX_UNCOMPRESSED_MB = int(os.environ.get("TRACKER_IMPORT_MAX_UNCOMPRESSED_MB", "80"))
    IMPORT_MAX_MEMBERS = int(os.environ.get("TRACKER_IMPORT_MAX_MEMBERS", "2000"))
    IMPORT_MAX_RATIO = int(os.environ.get("TRACKER_IMPORT_MAX_RATIO", "150"))
    IMPORT_MAX_ROWS = int(os.environ.get("TRACKER_IMPORT_MAX_ROWS", "50000"))
    IMPORT_MAX_CELLS = int(os.environ.get("TRACKER_IMPORT_MAX_CELLS", "1000000"))
    IMPORT_MAX_PAGES = int(os.environ.get("TRACKER_IMPORT_MAX_PAGES", "300"))
    IMPORT_MAX_SECONDS = float(os.environ.get("TRACKER_IMPORT_MAX_SECONDS", "30"))
    IMPORT_MAX_BATCH_FILES = int(os.environ.get("TRACKER_IMPORT_MAX_BATCH_FILES", "300"))
    TIMEZONE = os.environ.get("TRACKER_TIMEZONE", "Asia/Shanghai")
    PER_PAGE = 50
    # The scheduler process looks for jobs asked for from pages this often.
    JOB_POLL_SECONDS = int(os.environ.get("TRACKER_JOB_POLL_SECONDS", "5"))
    # Brute-force protection (tracker/services/login_security.py): failures per account and per
    # client address within the lock window, and the window/lock length in minutes.
    LOGIN_MAX_FAILURES = int(os.environ.get("TRACKER_LOGIN_MAX_FAILURES", "5"))
    LOGIN_MAX_FAILURES_PER_ADDR = int(os.environ.get("TRACKER_LOGIN_MAX_FAILURES_PER_ADDR", "20"))
    LOGIN_LOCK_MINUTES = int(os.environ.get("TRACKER_LOGIN_LOCK_MINUTES", "15"))
    # Optional e-mail for notifications; in-app notifications work without it.
    SMTP_HOST = os.environ.get("TRACKER_SMTP_HOST", "")
    SMTP_PORT = int(os.environ.get("TRACKER_SMTP_PORT", "25"))
    SMTP_FROM = os.environ.get("TRACKER_SMTP_FROM", "tracker@localhost")


class DevelopmentConfig(Config):
    DEBUG = True


class TestingConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = False  # tests that check CSRF turn it back on explicitly
    SQLALCHEMY_DATABASE_URI = _database_url("sqlite://")
    SERVER_NAME = "localhost"


class ProductionConfig(Config):
    # Cookies only over HTTPS. TRACKER_INSECURE_COOKIES=1 is for a plain-http trial only.
    SESSION_COOKIE_SECURE = os.environ.get("TRACKER_INSECURE_COOKIES") != "1"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    HSTS = SESSION_COOKIE_SECURE

    @classmethod
    def validate(cls) -> None:
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL") if not os.environ.get(name)]
        if missing:
            raise RuntimeError("生产环境必须设置环境变量：" + "、".join(missing))


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def get_config(name: str | None = None) -> type[Config]:
    name = name or os.environ.get("TRACKER_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"未知的配置名称：{name}（可选 {', '.join(CONFIGS)}）") from None

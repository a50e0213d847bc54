"""REST API /api/v1 on flask-smorest: token auth, the OpenAPI document at /api/v1/openapi.json
and Swagger UI (vendored in static/vendor/swagger-ui, no CDN) at /api/v1/docs.

flask-smorest is an extension on the plain Flask app: only the blueprints registered through
it enter the OpenAPI document, and (with the error handler override below) the app's HTML
error pages stay as they are.
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from tracker.api.schemas import ErrorSchema

API_CONFIG = {
    "API_TITLE": "预算绩效目标跟踪系统 API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    # validatorUrl null: Swagger UI would otherwise send the document to an online validator.
    "OPENAPI_SWAGGER_UI_CONFIG": {"validatorUrl": None, "persistAuthorization": False},
    "API_SPEC_OPTIONS": {
        "info": {
            "description": (
                "令牌认证：在页面右上角“API 令牌”创建令牌，请求头带 `Authorization: Bearer <令牌>`。"
                "权限与令牌所属用户相同：项目填报人、部门审核人只能读写本部门的项目；财政局、管理员可读全部（只读）。"
                '金额单位为万元，数值一律以精确的十进制文本返回（如 "22.5"）。错误以 JSON 返回，message 与 errors 为中文。'
            )
        },
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearerAuth": []}],
    },
}


class TrackerApi(Api):
    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        # flask-smorest would turn every HTTP error of the whole app into JSON; the API
        # blueprint has its own handlers (tracker/api/common.py) and the pages keep theirs.
        pass


def init_app(app: Flask) -> TrackerApi:
    from tracker.api import read, write  # noqa: F401  (routes register on the blueprint)
    from tracker.api.common import bp
    from tracker.api.tokens import bp as tokens_bp
    from tracker.extensions import csrf

    for key, value in API_CONFIG.items():
        app.config.setdefault(key, value)
    # Vendored assets served by the app itself (county networks are often offline); the
    # document and Swagger UI are public: they describe the API and hold no data.
    app.config.setdefault("OPENAPI_SWAGGER_UI_URL", f"{app.static_url_path}/vendor/swagger-ui/")
    api = TrackerApi(app)
    # Bearer tokens only, never the session cookie: a browser cannot be made to send one.
    csrf.exempt(bp)
    api.register_blueprint(bp)
    app.register_blueprint(tokens_bp)
    return api

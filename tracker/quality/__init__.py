"""Target-quality review pages (绩效目标质量审核): county / department report, one project,
the .xlsx export and the rule settings. Finance and admin see every department; owners and
reviewers their own (the service applies the scope)."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker.auth import roles_required
from tracker.domain import quality as rules
from tracker.domain.vocab import Role
from tracker.edge import Refusal, unit_of_work
from tracker.exporters.quality_xlsx import XLSX_MIMETYPE, quality_filename, quality_workbook
from tracker.extensions import db
from tracker.models import BudgetYear, Department, Indicator
from tracker.services import current, quality
from tracker.services.scope import get_project, scope_departments

bp = Blueprint("quality", __name__, url_prefix="/quality")
ALL_ROLES = tuple(Role)
PAGE_SIZE = 100
SORT_LABELS = {
    "score": "得分从低到高",
    "-score": "得分从高到低",
    "severity": "问题严重程度",
    "department": "部门",
    "name": "项目名称",
}


def _year() -> int:
    year = request.args.get("year", type=int)
    if year:
        return year
    return current.year_number() or db.session.scalar(select(BudgetYear.year).order_by(BudgetYear.year.desc())) or 2023


def _params():
    department_id = request.args.get("department", type=int) or None
    severity = request.args.get("severity") or None
    rule = request.args.get("rule") or None
    sort = request.args.get("sort") or "score"
    if sort not in quality.SORTS:
        sort = "score"
    return (
        department_id,
        severity if severity in rules.SEVERITIES else None,
        rule if rule in rules.RULES_BY_CODE else None,
        sort,
    )


def _report():
    year = _year()
    department_id, severity, rule, sort = _params()
    report = quality.review(current_user, year, department_id=department_id)
    return (
        year,
        report,
        quality.filtered(report, severity=severity, rule=rule, sort=sort),
        (department_id, severity, rule, sort),
    )


@bp.route("/")
@roles_required(*ALL_ROLES)
def index():
    year, report, projects, (department_id, severity, rule, sort) = _report()
    departments = db.session.scalars(
        scope_departments(select(Department), current_user).order_by(Department.code, Department.name)
    ).all()
    years = db.session.scalars(select(BudgetYear).order_by(BudgetYear.year.desc())).all()
    pages = max(1, -(-len(projects) // PAGE_SIZE))
    page = min(max(1, request.args.get("page", 1, type=int)), pages)
    return render_template(
        "quality/index.html",
        page=page,
        pages=pages,
        shown=projects[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        year=year,
        years=years,
        report=report,
        projects=projects,
        departments=departments,
        department_id=department_id,
        severity=severity,
        rule=rule,
        sort=sort,
        sort_labels=SORT_LABELS,
        rules=rules,
        chart=report.chart(),
        rule_counts=report.rule_counts(),
    )


@bp.route("/export.xlsx")
@roles_required(*ALL_ROLES)
def export():
    year, report, projects, (department_id, *_rest) = _report()
    dept = db.session.get(Department, department_id) if department_id else None
    name = (
        dept.name
        if dept is not None and (current_user.sees_all_departments or dept.id == current_user.department_id)
        else None
    )
    return send_file(
        BytesIO(quality_workbook(report, projects)),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name=quality_filename(year, name),
    )


@bp.route("/project/<int:project_id>")
@roles_required(*ALL_ROLES)
def project(project_id: int):
    p = get_project(current_user, project_id)  # 404 outside the user's scope
    report = quality.review(current_user, p.year.year, project_ids=[p.id])
    if not report.projects:
        abort(404)
    review = report.projects[0]
    by_indicator: dict[int, list[rules.Finding]] = {}
    for f in review.findings:
        if f.indicator_id is not None:
            by_indicator.setdefault(f.indicator_id, []).append(f)
    indicators = db.session.scalars(
        select(Indicator).where(Indicator.project_id == p.id).order_by(Indicator.position)
    ).all()
    return render_template(
        "quality/project.html", project=p, review=review, indicators=indicators, by_indicator=by_indicator, rules=rules
    )


def _settings_refused(refusal: Refusal):
    flash(refusal.message, "danger")
    return render_template("quality/settings.html", rules=rules, settings=quality.load_settings()), 400


@bp.route("/settings", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
@unit_of_work(on_error=_settings_refused)
def settings():
    if request.method == "POST":
        if request.form.get("submitted") != "1":
            flash("提交的内容不完整，请在页面上重新保存。", "danger")
            return render_template("quality/settings.html", rules=rules, settings=quality.load_settings()), 400
        enabled = {code for code in request.form.getlist("enabled") if code in rules.RULES_BY_CODE}
        thresholds = {
            r.code: request.form.get(f"threshold_{r.code}", "") for r in rules.RULES if r.threshold is not None
        }
        quality.save_settings(current_user, enabled=enabled, thresholds=thresholds)
        flash("审核规则已保存。", "success")
        return redirect(url_for("quality.settings"))
    return render_template("quality/settings.html", rules=rules, settings=quality.load_settings())

"""What the finance pages' shortcuts (issue 9) must not change: the header badge is the same
number on every page and follows a change at once; a row link built once equals url_for; a
long <select> written by options() equals the Jinja loop it replaced."""

from __future__ import annotations

import re

import pytest
from flask import render_template_string, url_for
from sqlalchemy import select

from tests.web.test_finance_pages import _county


@pytest.fixture
def finance(db, make_user):
    return make_user("finance")


def _badge(html: str) -> int:
    found = re.search(r'id="todo-count">(\d+)<', html)
    return int(found.group(1)) if found else 0


def test_todo_badge_is_the_same_on_every_page_and_follows_a_change(client, db, finance, login):
    from tracker.models import Submission
    from tracker.services import todo

    login(finance)
    _county(db, departments=2, projects=3, indicators=1)
    expected = todo.todo_count(finance)
    assert expected > 0
    # 我的待办 takes the badge from the list it just read; every other page counts in SQL
    for url in ("/", "/todo", "/?year=2023"):
        assert _badge(client.get(url).get_data(as_text=True)) == expected, url
    html = client.get("/todo").get_data(as_text=True)
    assert f"共 {expected} 项" in html
    # A form passed by its department is owed by finance: the next page already counts it
    waiting = db.session.scalars(select(Submission).where(Submission.state != "dept_approved")).first()
    waiting.state = "dept_approved"
    db.session.commit()
    for url in ("/", "/todo"):
        assert _badge(client.get(url).get_data(as_text=True)) == expected + 1, url


def test_url_maker_gives_what_url_for_gives(app):
    with app.test_request_context("/"):
        make = app.jinja_env.globals["url_maker"]
        indicator = make("progress.indicator", "indicator_id", project_id=6)
        project = make("projects.detail", "project_id")
        for n in (1, 96, 987654321987, 2**40):
            assert indicator(n) == url_for("progress.indicator", project_id=6, indicator_id=n)
            assert project(n) == url_for("projects.detail", project_id=n)
        # The placeholder's digits inside another argument: still the right URL
        ambiguous = make("progress.indicator", "indicator_id", project_id=1987654321987)
        assert ambiguous(5) == url_for("progress.indicator", project_id=1987654321987, indicator_id=5)


def test_options_write_what_the_jinja_loop_wrote(app):
    loop = (
        "{% for value, label in choices %}"
        '<option value="{{ value }}" {% if value == selected %}selected{% endif %}>{{ label }}</option>'
        "{% endfor %}"
    )
    choices = [(1, "101 县教育局"), (2, ' 县<水利>局 & "河道"'), (30, "430 县卫健委")]
    with app.test_request_context("/"):
        for selected in (None, 2, 30, 99):
            expected = render_template_string(loop, choices=choices, selected=selected)
            written = render_template_string("{{ options(choices, selected) }}", choices=choices, selected=selected)
            assert written == expected
        assert 'value="2" selected>' in render_template_string("{{ options(choices, 2) }}", choices=choices)
        assert "&lt;水利&gt;" in render_template_string("{{ options(choices, 2) }}", choices=choices)


def test_target_parse_memo_writes_what_the_macro_writes(app, monkeypatch):
    from decimal import Decimal

    from tracker.domain.targets import Target, parse_target

    targets = [
        parse_target(raw)
        for raw in ("≥95%", "≤22.5万元/年", "11月底前", "每月10日前", "明显提升", "控制在预算内", "100", "0次")
    ]
    targets += [
        Target("1.0", "quantitative", "≥", Decimal("1.0")),
        Target("1.00", "quantitative", "≥", Decimal("1.00")),
    ]
    monkeypatch.setattr(app.jinja_env, "auto_reload", False)  # as in production: memoised
    with app.test_request_context("/"):
        macro = app.jinja_env.get_template("_macros/forms.html").module.target_parse
        memo = app.jinja_env.globals["target_parse"]
        for target in targets + targets:  # the second time from the memo
            assert memo(target) == macro(target), target
        assert '<span class="op">≥</span> 95 %' in memo(targets[0])


def _table(html: str) -> str:
    return html[html.index('<table class="table table-bordered table-sm target-table') : html.index("</table>")]


def test_kept_project_rows_equal_fresh_ones_and_follow_every_change(app, client, db, make_user, login, seeded):
    """The project page's rows are kept rendered by everything they show (tracker/projects/rows.py):
    with the keeping on, the table is exactly the one rendered afresh, and a new value, a
    corrected target or another viewer's rights show at once."""
    from decimal import Decimal

    from tests.web.test_progress import _add_entries
    from tracker.models import Department, Indicator, Project
    from tracker.projects import rows

    dept = db.session.scalar(select(Department).where(Department.code == "430"))
    owner = make_user("owner", dept)
    project = db.session.scalars(select(Project).where(Project.department_id == dept.id)).first()
    url = f"/projects/{project.id}"

    def both() -> tuple[str, str]:
        rows._ROWS.clear()
        kept_first = _table(client.get(url).get_data(as_text=True))
        kept = _table(client.get(url).get_data(as_text=True))  # served from the kept rows
        assert kept == kept_first
        app.config["ROW_CACHE_SIZE"] = 0
        try:
            fresh = _table(client.get(url).get_data(as_text=True))
        finally:
            app.config["ROW_CACHE_SIZE"] = 20000
        return kept, fresh

    login(owner)
    kept, fresh = both()
    assert kept == fresh and kept.count('id="indicator-') == len(project.indicators) and "填报</a>" in kept
    before = _table(client.get(url).get_data(as_text=True))
    _add_entries(db, project, owner, 3)
    after = _table(client.get(url).get_data(as_text=True))
    assert after != before and "3 次" in after
    ind = db.session.scalars(
        select(Indicator).where(Indicator.project_id == project.id, Indicator.target_kind == "quantitative")
    ).first()
    ind.target_raw = ind.target_raw + "（修订）"
    ind.target_value = (ind.target_value or Decimal(0)) + Decimal("1.50")
    db.session.commit()
    changed = _table(client.get(url).get_data(as_text=True))
    assert "（修订）" in changed
    kept, fresh = both()
    assert kept == fresh
    client.post("/logout")
    login(make_user("finance"))  # the same rows for a viewer who cannot record: no 填报 link
    finance_table = _table(client.get(url).get_data(as_text=True))
    assert "填报</a>" not in finance_table and 'id="indicator-' in finance_table


def test_template_url_for_gives_what_url_for_gives_under_any_script_root(app):
    """Templates' url_for keeps built URLs (tracker/web.py template_url_for): the same URL as
    url_for for every argument, also when the app is mounted under a prefix."""
    from tracker.web import template_url_for

    cases = [
        ("projects.index", {}),
        ("projects.index", {"year": 2023}),
        ("projects.detail", {"project_id": 7}),
        ("static", {"filename": "css/app.css"}),
        ("progress.indicator", {"project_id": 6, "indicator_id": 96}),
        ("monitoring.index", {"period": "2023-06-30", "department": None}),
        ("projects.detail", {"project_id": 7, "_anchor": "indicator-3"}),
    ]
    for root in ("", "/tracker", "/county/tracker"):
        for _ in range(2):  # built, then kept
            with app.test_request_context("/", environ_overrides={"SCRIPT_NAME": root}):
                for endpoint, values in cases:
                    assert template_url_for(endpoint, **values) == url_for(endpoint, **values), (root, endpoint)
                    assert template_url_for(endpoint, **values).startswith(root + "/")
    with app.test_request_context("/"):
        html = render_template_string("{{ url_for('projects.detail', project_id=9) }}")
        assert html == url_for("projects.detail", project_id=9)


def test_county_periods_by_loose_index_scan_equal_the_distinct_periods(app, db, make_user):
    """The 双监控 period selector for a county-wide user (dashboard.snapshot_periods: one index
    probe per period) lists what SELECT DISTINCT lists, newest first, with several periods
    spread over many snapshots, and nothing when there are none."""
    from datetime import date
    from decimal import Decimal

    from tracker.models import MonitoringSnapshot, Project
    from tracker.services import dashboard

    assert dashboard.snapshot_periods() == []
    make_user("admin")
    _county(db, departments=2, projects=3, indicators=1)
    projects = db.session.scalars(select(Project)).all()
    keys = ["2023-03-31", "2023-09-30", "2022-12-31", "2023-12-31"]
    for n, project in enumerate(projects):
        for key in keys[: 1 + n % len(keys)]:
            db.session.add(
                MonitoringSnapshot(
                    project_id=project.id,
                    period_key=key,
                    as_of=date.fromisoformat(key),
                    time_progress=Decimal("0.5"),
                    spent=Decimal(0),
                    budget_light="green",
                    project_light="green",
                )
            )
    db.session.commit()
    distinct = list(
        db.session.scalars(
            select(MonitoringSnapshot.period_key).distinct().order_by(MonitoringSnapshot.period_key.desc())
        )
    )
    assert len(distinct) == 5
    assert dashboard.snapshot_periods() == distinct

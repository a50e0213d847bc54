"""Finance pages at county scale (issue 9): the same number of queries for a small and a
larger county, counts aggregated in SQL, server-side filters and pagination; 我的待办
lists every kind of thing owed (issue 10, daily use 2); drill-through and the project
list's 执行率 and light (daily use 4)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.web.test_progress import _count_queries

AS_OF = "2023-06-30"
LIGHTS = ("red", "yellow", "green", "blue", "grey")


def _county(db, *, departments: int, projects: int, indicators: int, start: int = 0):
    """A synthetic county written directly (the runs are tested elsewhere): per project a
    monitoring snapshot with its rows, a self-evaluation form, spending, entries, and
    forms in every review state."""
    from tracker.models import (
        BudgetYear,
        Department,
        EvaluationForm,
        EvaluationRow,
        Expenditure,
        Indicator,
        MonitoringRow,
        MonitoringSnapshot,
        ProgressEntry,
        Project,
        Submission,
        User,
    )

    year = db.session.scalar(select(BudgetYear).where(BudgetYear.year == 2023))
    if year is None:
        year = BudgetYear(year=2023, is_current=True)
        db.session.add(year)
        db.session.flush()
    author = db.session.scalars(select(User)).first()
    made = []
    for d in range(start, start + departments):
        dept = Department(name=f"县第{d}局", code=f"{500 + d}")
        db.session.add(dept)
        db.session.flush()
        made.append(dept)
        for p in range(projects):
            n = d * 100 + p
            project = Project(
                department_id=dept.id,
                year_id=year.id,
                name=f"项目{d}-{p}",
                position=p + 1,
                initial_budget=Decimal(100 + p),
            )
            db.session.add(project)
            db.session.flush()
            light = LIGHTS[n % len(LIGHTS)]
            snap = MonitoringSnapshot(
                project_id=project.id,
                period_key=AS_OF,
                as_of=date(2023, 6, 30),
                time_progress=Decimal("0.5"),
                initial_budget=project.initial_budget,
                spent=Decimal(40),
                execution_rate=Decimal(40) / project.initial_budget,
                budget_light=light,
                project_light=light,
                needs_rectification=(p == 0),
            )
            form = EvaluationForm(
                project_id=project.id,
                year=2023,
                budget=project.initial_budget,
                spent=Decimal(90),
                execution_score=Decimal(9),
                total_score=Decimal(60 + n % 40),
                grade=("优", "良", "中", "差")[n % 4],
            )
            db.session.add_all([snap, form])
            db.session.flush()
            for i in range(indicators):
                ind = Indicator(
                    project_id=project.id,
                    position=i + 1,
                    level1="产出指标",
                    level2="数量指标",
                    level3=f"指标{i}",
                    target_raw="≥12次",
                    target_kind="quantitative",
                    target_op="≥",
                    target_value=Decimal(12),
                    target_unit="次",
                    accumulation="cumulative",
                )
                db.session.add(ind)
                db.session.flush()
                db.session.add_all(
                    [
                        MonitoringRow(
                            snapshot_id=snap.id,
                            indicator_id=ind.id,
                            position=i + 1,
                            level1=ind.level1,
                            level2=ind.level2,
                            level3=ind.level3,
                            target_raw=ind.target_raw,
                            accumulation="cumulative",
                            current_value=Decimal(i),
                            light=LIGHTS[(n + i) % len(LIGHTS)],
                        ),
                        EvaluationRow(
                            form_id=form.id,
                            indicator_id=ind.id,
                            position=i + 1,
                            target_raw=ind.target_raw,
                            weight=Decimal(10),
                            score=Decimal(i % 10),
                        ),
                        ProgressEntry(
                            indicator_id=ind.id,
                            project_id=project.id,
                            as_of=date(2023, 3, 31),
                            period_key="2023-03",
                            value=Decimal(1),
                            created_by_id=author.id,
                        ),
                    ]
                )
            db.session.add(
                Expenditure(
                    project_id=project.id,
                    spent_on=date(2023, 5, 1),
                    period_key="2023-05",
                    amount=Decimal(40),
                    input_amount=Decimal(40),
                    input_unit="万元",
                    created_by_id=author.id,
                )
            )
            states = ("submitted", "dept_approved", "returned", "draft")
            db.session.add_all(
                [
                    Submission(project_id=project.id, kind="progress", period_key="2023-02", state=states[p % 4]),
                    Submission(project_id=project.id, kind="monitoring", period_key=AS_OF, state=states[(p + 1) % 4]),
                    Submission(
                        project_id=project.id,
                        kind="evaluation",
                        period_key="2023",
                        state=states[(p + 2) % 4],
                        updated_at=datetime(2024, 1, 10, tzinfo=UTC),
                    ),
                ]
            )
    db.session.commit()
    return made


@pytest.fixture
def finance(db, make_user):
    return make_user("finance")


FINANCE_URLS = [
    f"/monitoring/?period={AS_OF}",
    f"/monitoring/?period={AS_OF}&light=red&sort=rate",
    "/evaluation/?year=2023",
    "/evaluation/?year=2023&grade=优&sort=score_desc",
    "/todo",
    "/",
    "/?sort=budget_desc",
    f"/monitoring/summary.xlsx?period={AS_OF}",
    "/evaluation/summary.xlsx?year=2023",
]


def test_finance_pages_issue_the_same_queries_for_a_small_and_a_larger_county(
    app, client, db, finance, login, make_user
):
    login(finance)
    first = _county(db, departments=2, projects=3, indicators=2)
    urls = [*FINANCE_URLS, f"/monitoring/?period={AS_OF}&department={first[0].id}", f"/?department={first[0].id}"]
    small = {url: _count_queries(app, db, client, url) for url in urls}
    _county(db, departments=5, projects=14, indicators=6, start=2)  # 76 projects: more than a page
    large = {url: _count_queries(app, db, client, url) for url in urls}
    print("queries per finance page (small vs larger county):", {u: (small[u], large[u]) for u in urls})
    assert small == large
    assert max(large.values()) <= 15


def test_owner_pages_issue_the_same_queries(app, client, db, login, make_user):
    make_user("admin")
    depts = _county(db, departments=1, projects=2, indicators=2)
    owner = login(make_user("owner", depts[0]))
    urls = ["/todo", "/", f"/monitoring/?period={AS_OF}", "/evaluation/?year=2023"]
    small = {url: _count_queries(app, db, client, url) for url in urls}
    _county(db, departments=1, projects=0, indicators=0, start=1)
    _county(db, departments=1, projects=12, indicators=5, start=2)
    # More projects in the owner's own department too
    more = _county(db, departments=1, projects=9, indicators=4, start=3)
    from tracker.models import Project

    for project in db.session.scalars(select(Project).where(Project.department_id == more[0].id)):
        project.department_id = owner.department_id
    db.session.commit()
    large = {url: _count_queries(app, db, client, url) for url in urls}
    assert small == large, {u: (small[u], large[u]) for u in urls}


def test_overview_counts_filters_and_pages(client, db, finance, login):
    from tracker.models import MonitoringSnapshot, Project

    login(finance)
    depts = _county(db, departments=3, projects=25, indicators=2)  # 75 projects
    html = client.get(f"/monitoring/?period={AS_OF}").get_data(as_text=True)
    assert html.count('class="row-') == 50  # one page
    assert "共 2 页" in html and "第 1–50 条，共 75 条" in html
    html2 = client.get(f"/monitoring/?period={AS_OF}&page=2").get_data(as_text=True)
    assert html2.count('class="row-') == 25
    # Per-department light counts come from the snapshots
    reds = db.session.scalars(
        select(MonitoringSnapshot.id)
        .join(Project)
        .where(Project.department_id == depts[1].id, MonitoringSnapshot.project_light == "red")
    ).all()
    html = client.get(f"/monitoring/?period={AS_OF}&department={depts[1].id}&light=red").get_data(as_text=True)
    assert html.count('class="row-red"') == len(reds) > 0
    assert f'<option value="{depts[1].id}" selected>' in html  # the department filter stays visible and selected
    assert 'id="department-filter"' in html and f"部门：{depts[1].name}" in html
    assert (
        f"department={depts[1].id}" in html.split('id="export-summary"')[0].rsplit("href=", 1)[1]
    )  # the export keeps it
    # Filters survive paging
    html = client.get(f"/monitoring/?period={AS_OF}&sort=rate_desc&state=submitted").get_data(as_text=True)
    assert "没有符合条件的项目" not in html
    # 自评 overview and its filters
    html = client.get("/evaluation/?year=2023&grade=优").get_data(as_text=True)
    assert ">良<" not in html.split('id="evaluation-summary"')[1] and ">优<" in html
    html = client.get("/evaluation/?year=2023").get_data(as_text=True)
    assert "第 1–50 条，共 75 条" in html


def _dept_row(html: str, name: str) -> list[str]:
    """The cells of a department's row in the overview's department table."""
    import re

    table = html.split('id="dept-table"')[1].split("</table>")[0]
    row = table.split(f">{name}</a>")[1].split("</tr>")[0]
    return [re.sub(r"<[^>]+>", "", cell) for cell in row.split("<td>")[1:]]


def test_overview_department_figures_follow_new_snapshots_and_renames(client, db, finance, login):
    """The per-department figures are memoised while the period's snapshots are unchanged; a
    snapshot added by a later run, a removed one and a renamed department show at once."""
    from tracker.models import MonitoringSnapshot, Project

    login(finance)
    depts = _county(db, departments=2, projects=3, indicators=1)
    url = f"/monitoring/?period={AS_OF}"
    before = _dept_row(client.get(url).get_data(as_text=True), depts[0].name)
    assert before[0] == "3"
    assert client.get(url).get_data(as_text=True).count(f">{depts[0].name}</a>") == 1  # served from the memo
    # a later run snapshots a project added to the department since
    year_id = db.session.scalar(select(Project.year_id).where(Project.department_id == depts[0].id))
    project = Project(
        department_id=depts[0].id, year_id=year_id, name="新增项目", position=9, initial_budget=Decimal(50)
    )
    db.session.add(project)
    db.session.flush()
    db.session.add(
        MonitoringSnapshot(
            project_id=project.id,
            period_key=AS_OF,
            as_of=date(2023, 6, 30),
            time_progress=Decimal("0.5"),
            initial_budget=Decimal(50),
            spent=Decimal(50),
            execution_rate=Decimal(1),
            budget_light="red",
            project_light="red",
        )
    )
    db.session.commit()
    after = _dept_row(client.get(url).get_data(as_text=True), depts[0].name)
    assert after[0] == "4" and int(after[1]) == int(before[1]) + 1  # projects, red lights
    # a renamed department shows its new name
    depts[0].name = "县第0局（更名）"
    db.session.commit()
    html = client.get(url).get_data(as_text=True)
    assert _dept_row(html, "县第0局（更名）")[0] == "4"
    # a removed snapshot leaves the counts
    db.session.delete(db.session.get(MonitoringSnapshot, db.session.scalar(select(func.max(MonitoringSnapshot.id)))))
    db.session.commit()
    assert _dept_row(client.get(url).get_data(as_text=True), "县第0局（更名）")[0] == "3"


def test_evaluation_overview_figures_follow_score_changes(client, db, finance, login):
    """The 自评 overview's per-department averages and grade counts are memoised while the
    year's forms are unchanged: a changed score shows on the next request."""
    import json
    import re

    from tracker.models import EvaluationForm, Project

    login(finance)
    depts = _county(db, departments=2, projects=2, indicators=1)

    def chart() -> dict:
        html = client.get("/evaluation/?year=2023").get_data(as_text=True)
        raw = re.search(r"id=\"avg-chart\"[^>]*data-chart='([^']*)'", html).group(1)
        return json.loads(raw.replace("&#34;", '"').replace("&quot;", '"'))

    before = chart()
    assert chart() == before  # the memo serves the same figures
    form = db.session.scalar(select(EvaluationForm).join(Project).where(Project.department_id == depts[0].id).limit(1))
    was_poor = form.grade in (None, "差")
    form.total_score = Decimal(0)
    form.grade = "差"
    db.session.commit()
    after = chart()
    index = after["departments"].index(depts[0].name)
    assert after["averages"][index] < before["averages"][index]
    assert dict(after["grades"])["差"] == dict(before["grades"])["差"] + (0 if was_poor else 1)


def test_overview_pages_keep_the_chosen_order(client, db, finance, login):
    """The page's ids are chosen sorted, then read in full: the rows keep that order."""
    login(finance)
    _county(db, departments=3, projects=25, indicators=1)
    seen = []
    for page in (1, 2):
        html = client.get(f"/monitoring/?period={AS_OF}&sort=name&page={page}").get_data(as_text=True)
        body = html.split('id="monitoring-projects"')[1].split("</tbody>")[0]
        seen += [part.split("<")[0] for part in body.split('">项目')[1:]]
    assert len(seen) == 75 and seen == sorted(seen)


def test_project_list_shows_execution_rate_and_light(client, db, finance, login):
    login(finance)
    _county(db, departments=1, projects=2, indicators=1)
    html = client.get("/?year=2023").get_data(as_text=True)
    # 项目0: 40 of 100 万元 spent → 40.0%; its latest snapshot's light
    row = html.split("项目0-0")[1].split("</tr>")[0]
    assert "40.00%" in row and "light-red" in row
    row = html.split("项目0-1")[1].split("</tr>")[0]
    assert "39.60%" in row and "light-yellow" in row  # 40 / 101


def test_drill_through_from_forms_to_the_indicator_history(client, db, dept, make_user, login):
    from tracker.models import EvaluationForm, MonitoringSnapshot
    from tracker.services import evaluation, monitoring

    monitoring.run(date(2023, 6, 30))
    evaluation.open_forms(2023)
    db.session.commit()
    login(make_user("finance"))
    snap = db.session.scalars(select(MonitoringSnapshot)).first()
    html = client.get(f"/monitoring/{snap.project_id}/{AS_OF}").get_data(as_text=True)
    row = snap.rows[0]
    link = f"/projects/{snap.project_id}/indicators/{row.indicator_id}"
    assert link in html
    assert client.get(link).status_code == 200
    form = db.session.scalars(select(EvaluationForm)).first()
    html = client.get(f"/evaluation/{form.project_id}/2023").get_data(as_text=True)
    assert f"/projects/{form.project_id}/indicators/{form.rows[0].indicator_id}" in html


@pytest.fixture
def dept(db, seeded):
    from tracker.models import Department

    return db.session.scalar(select(Department).where(Department.code == "430"))


def test_indicator_history_is_paginated(client, db, dept, make_user, login):
    from tests.web.test_progress import _add_entries
    from tracker.models import Indicator

    owner = login(make_user("owner", dept))
    ind = db.session.scalars(select(Indicator).where(Indicator.target_raw == "≥12次")).first()
    project = ind.project
    _add_entries(db, project, owner, 60)
    html = client.get(f"/projects/{project.id}/indicators/{ind.id}").get_data(as_text=True)
    assert html.count('id="entry-') == 50 and "共 60 条" in html
    html = client.get(f"/projects/{project.id}/indicators/{ind.id}?page=2").get_data(as_text=True)
    assert html.count('id="entry-') == 10


def test_todo_lists_every_kind_with_due_dates(db, make_user, monkeypatch):
    from tracker.services import todo

    make_user("admin")
    depts = _county(db, departments=1, projects=4, indicators=1)
    owner, reviewer, finance = (
        make_user(role, depts[0] if role != "finance" else None) for role in ("owner", "reviewer", "finance")
    )
    monkeypatch.setattr(todo, "today", lambda: date(2024, 1, 20))
    items = todo.todo_for(owner).items
    kinds = {i.kind for i in items}
    # returned forms (progress p=2, monitoring p=1, evaluation p=0), 监控表 in draft (p=2: state draft; p=… none),
    # 自评表 in draft (p=1), 需整改 (p=0), and the period 2023-03 with values but nothing submitted
    assert {"returned", "monitoring", "evaluation", "rectification", "period"} <= kinds, kinds
    monitoring_item = next(i for i in items if i.kind == "monitoring")
    assert monitoring_item.due == date(2023, 7, 31) and monitoring_item.overdue
    period_item = next(i for i in items if i.kind == "period")
    assert period_item.period_key == "2023-03" and period_item.due == date(2023, 4, 1)
    dues = [i.due for i in items if i.due]
    assert dues == sorted(dues) and items[-1].due is None  # sorted by due date, undated last
    assert todo.todo_count(owner) == todo.todo_for(owner).count == len(items)
    reviews = todo.todo_for(reviewer)
    assert {i.kind for i in reviews.to_review} == {"review"} and all(i.state == "submitted" for i in reviews.to_review)
    assert todo.todo_count(reviewer) == reviews.count
    assert {i.form_kind for i in todo.todo_for(finance).items} == {"progress", "monitoring", "evaluation"}
    assert all(i.state == "dept_approved" for i in todo.todo_for(finance).items)
    assert todo.todo_count(finance) == 3  # one of each kind across the 4 projects


def test_finance_badge_counts_the_current_year_only_and_forms_keep_their_project_year(db, make_user):
    """The finance bureau's badge reads the forms' own year (no join to the projects): a form
    made without its year takes its project's, and last year's forms awaiting approval stay
    out of this year's count, as they are out of its list."""
    from tracker.models import BudgetYear, Project, Submission
    from tracker.services import todo

    make_user("admin")
    depts = _county(db, departments=1, projects=4, indicators=1)
    finance = make_user("finance")
    before = todo.todo_count(finance)
    assert before == todo.todo_for(finance).count > 0
    last_year = BudgetYear(year=2022, is_current=False)
    db.session.add(last_year)
    db.session.flush()
    old = Project(department_id=depts[0].id, year_id=last_year.id, name="上年项目", position=1)
    db.session.add(old)
    db.session.flush()
    form = Submission(project_id=old.id, kind="progress", period_key="2022-05", state="dept_approved")
    db.session.add(form)
    db.session.commit()
    assert form.year_id == last_year.id
    assert todo.todo_count(finance) == todo.todo_for(finance).count == before
    this_year = db.session.scalar(select(Project).where(Project.year_id != last_year.id).limit(1))
    db.session.add(Submission(project_id=this_year.id, kind="progress", period_key="2023-11", state="dept_approved"))
    db.session.commit()
    assert todo.todo_count(finance) == todo.todo_for(finance).count == before + 1

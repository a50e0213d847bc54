"""Project list and page: grouping like the published table, parsed targets, department scope."""

from __future__ import annotations

from sqlalchemy import select


def _project(db, name_part):
    from tracker.models import Project

    return db.session.scalar(select(Project).where(Project.name.contains(name_part)))


def test_list_shows_projects_with_counts(client, seeded, make_user, login, db):
    login(make_user("finance"))
    html = client.get("/?year=2023").get_data(as_text=True)
    assert "共 18 个项目，184 条指标" in html
    assert "2023年度机关用房租赁费用项目" in html
    html = client.get("/", query_string={"year": 2023, "q": "物业"}).get_data(as_text=True)
    assert "机关集中办公区物业费项目CG（运转项目）" in html
    assert "2023年度机关用房租赁费用项目" not in html


def test_project_page_groups_and_shows_parse(client, seeded, make_user, login, db):
    login(make_user("finance"))
    project = _project(db, "机关用房租赁")
    html = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert 'rowspan="5"' in html  # 产出指标 spans its five rows
    assert "≤</span> 426 元" in html
    assert "截止日期：11月底前" in html
    assert "定性" in html
    assert "保障机关单位的正常办公" in html


def test_owner_sees_only_own_department(client, seeded, make_user, make_department, login, db):
    from tracker.models import Department, Project

    seed_dept = db.session.scalar(select(Department).where(Department.code == "430"))
    other = make_department("县水利局", "520")
    foreign = Project(department_id=other.id, year_id=_project(db, "机关用房").year_id, name="水库维修项目", position=1)
    db.session.add(foreign)
    db.session.commit()

    login(make_user("owner", other))
    html = client.get("/?year=2023").get_data(as_text=True)
    assert "水库维修项目" in html and "机关用房租赁" not in html
    seed_project = _project(db, "机关用房租赁")
    assert client.get(f"/projects/{seed_project.id}").status_code == 404
    assert client.get(f"/projects/{foreign.id}").status_code == 200
    # A department filter for someone else's department shows nothing either.
    html = client.get("/", query_string={"year": 2023, "department": seed_dept.id}).get_data(as_text=True)
    assert "机关用房租赁" not in html


def test_reviewer_of_seed_department_sees_its_projects(client, seeded, make_user, login, db):
    from tracker.models import Department

    dept = db.session.scalar(select(Department).where(Department.code == "430"))
    login(make_user("reviewer", dept))
    html = client.get("/?year=2023").get_data(as_text=True)
    assert "共 18 个项目，184 条指标" in html

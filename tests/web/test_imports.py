"""The upload page: preview first, write on confirm, errors in Chinese, nothing half-written."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from tests.conftest import SEED_FILE


def _count(db, model):
    return db.session.scalar(select(func.count(model.id)))


def _upload(client, data: bytes, name: str, year=2023):
    return client.post(
        "/imports/",
        data={"file": (io.BytesIO(data), name), "year": str(year), "department_id": "0"},
        content_type="multipart/form-data",
    )


def test_preview_then_confirm(client, make_user, login, db):
    from tracker.models import Indicator, Project

    login(make_user("finance"))
    response = _upload(client, SEED_FILE.read_bytes(), "平乡县机关后勤服务中心2023.txt")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="project-count">18<' in html and 'id="indicator-count">184<' in html
    assert "≥</span> 90 %" in html  # a parsed target is shown
    assert _count(db, Project) == 0  # preview writes nothing

    token = html.split('name="token" type="hidden" value="')[1].split('"')[0]
    response = client.post(
        "/imports/confirm",
        data={
            "token": token,
            "filename": "平乡县机关后勤服务中心2023.txt",
            "year": "2023",
            "department_id": "",
            "mode": "file",
        },
    )
    assert response.status_code == 302
    assert _count(db, Project) == 18 and _count(db, Indicator) == 184
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "18 个项目" in result

    # The same file again: the preview says nothing changes and offers no confirm button.
    html = _upload(client, SEED_FILE.read_bytes(), "again.txt").get_data(as_text=True)
    assert "完全一致" in html and "confirm-import" not in html


def test_gb18030_file_is_read(client, make_user, login, db):
    login(make_user("admin"))
    data = SEED_FILE.read_text(encoding="utf-8").encode("gb18030")
    html = _upload(client, data, "gbk.txt").get_data(as_text=True)
    assert 'id="indicator-count">184<' in html


def test_bad_files_get_chinese_messages(client, make_user, login, db):
    from tracker.models import Project

    login(make_user("finance"))
    for data, name, expected in [
        (b"", "empty.txt", "为空"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "pic.txt", "无法导入"),
        ("这是一份会议通知，没有任何表格。".encode(), "notice.txt", "无法导入"),
    ]:
        response = _upload(client, data, name)
        html = response.get_data(as_text=True)
        assert response.status_code == 400, name
        assert expected in html and name in html
    assert _count(db, Project) == 0


def test_owner_cannot_import(client, make_user, login, db):
    login(make_user("owner"))
    assert client.get("/imports/").status_code == 403
    assert _upload(client, SEED_FILE.read_bytes(), "x.txt").status_code == 403
    assert client.post("/imports/confirm", data={"token": "0" * 64}).status_code == 403


def test_bad_form_fields_get_chinese_messages(client, make_user, login, db):
    login(make_user("finance"))
    for data, expected in [
        ({"year": "abc", "department_id": "0"}, "预算年度应为四位数字"),
        ({"year": "2023", "department_id": "abc"}, "请从列表中选择部门"),
        ({"year": "2023", "department_id": "99999"}, "所选部门不存在"),
        ({"year": "1800", "department_id": "0"}, "2000–2100"),
    ]:
        response = client.post(
            "/imports/",
            data={**data, "file": (io.BytesIO(SEED_FILE.read_bytes()), "x.txt")},
            content_type="multipart/form-data",
        )
        html = response.get_data(as_text=True)
        assert response.status_code == 400 and expected in html, data
        assert "Not a valid" not in html and "Invalid Choice" not in html


def test_huge_ids_in_urls_are_not_found(client, make_user, login, db):
    login(make_user("finance"))
    for url in (
        "/projects/99999999999999999999",
        "/evidence/99999999999999999999",
        "/?year=99999999999999999999999",
        "/audit?page=99999999999999999999",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post("/monitoring/run", data={"as_of": "1900-06-30"}, follow_redirects=True)
    assert "没有 1900 预算年度" in response.get_data(as_text=True)
    response = client.post("/evaluation/open", data={"year": "abc"}, follow_redirects=True)
    assert "预算年度“abc”无效" in response.get_data(as_text=True)


# ---------------------------------------------------------------------------- PDF, skipped, batches


def _pdf(department="[301001]示例县农业农村局"):
    from tests.importers.pdf_builder import build_pdf, indicator_rows

    return build_pdf(
        [("农机购置补贴项目", "完成农机补贴发放。", indicator_rows(12))],
        department=department,
        year=2023,
        scanned_page=True,
    )


def _upload_many(client, files, year=2023):
    return client.post(
        "/imports/",
        data={"file": [(io.BytesIO(d), n) for n, d in files], "year": str(year), "department_id": "0"},
        content_type="multipart/form-data",
    )


def _run_batch(client, location):
    """Step the batch to its end as the page's script does; returns the number of steps."""
    steps = 0
    while True:
        r = client.post(location + "/step", headers={"Accept": "application/json"})
        assert r.status_code == 200, r.get_data(as_text=True)
        steps += 1
        if r.get_json()["finished"]:
            return steps


def test_pdf_preview_lists_skipped_page_and_asks_department(client, make_user, login, db):
    from tracker.models import Department, Project

    login(make_user("finance"))
    html = _upload(client, _pdf(department=None), "无部门.pdf").get_data(as_text=True)
    assert 'id="project-count">1<' in html and 'id="indicator-count">12<' in html
    assert 'id="skipped"' in html and "“无部门.pdf”，第2页" in html and "没有文字" in html
    assert 'id="choose-department"' in html
    token = html.split('name="token" type="hidden" value="')[1].split('"')[0]
    form = {"token": token, "filename": "无部门.pdf", "year": "2023", "department_id": "", "mode": "file"}
    response = client.post("/imports/confirm", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="department-error"' in html and _count(db, Project) == 0
    assert 'id="choose-department"' in html and token in html  # the same preview, still confirmable
    response = client.post("/imports/confirm", data={**form, "new_name": "示例县水利局", "new_code": "302"})
    assert response.status_code == 302 and _count(db, Project) == 1
    assert db.session.scalar(select(Department.name).where(Department.code == "302")) == "示例县水利局"


def test_batch_of_files_preview_confirm_report(client, make_user, login, db):
    from tracker.models import Department, Indicator, Project

    login(make_user("finance"))
    dept = Department(code="999", name="示例县财政局")
    db.session.add(dept)
    db.session.commit()
    response = _upload_many(
        client,
        [
            ("平乡.txt", SEED_FILE.read_bytes()),
            ("坏.txt", "没有表格".encode()),
            ("农业.pdf", _pdf()),
            ("无部门.pdf", _pdf(department=None)),
        ],
    )
    assert response.status_code == 302
    location = response.headers["Location"].split("localhost")[-1]
    page = client.get(location).get_data(as_text=True)
    assert 'id="batch-progress"' in page and "0</span> / 4" in page and "import_batch.js" in page
    status = client.get(location + "/status").get_json()
    assert status == {"stage": "preview", "done": 0, "total": 4, "current": "平乡.txt", "finished": False}
    assert _run_batch(client, location) == 4
    assert _count(db, Project) == 0  # previews write nothing
    page = client.get(location).get_data(as_text=True)
    assert 'id="batch-progress"' not in page and "confirm-batch" in page
    assert page.count('data-status="imported"') == 2 and 'data-status="refused"' in page and 'data-status="ask"' in page
    assert "第2页" in page and "没有文字" in page  # skipped rows with their place

    # the nameless file needs a department: refused without one
    response = client.post(location + "/confirm", follow_redirects=True)
    assert "请为这些文件选择或新建部门：无部门.pdf" in response.get_data(as_text=True)
    response = client.post(location + "/confirm", data={"dept_3": str(dept.id)})
    assert response.status_code == 302
    assert _run_batch(client, location) == 4
    assert (_count(db, Project), _count(db, Indicator)) == (20, 208)
    report = client.get(location).get_data(as_text=True)
    assert "共 4 个文件：已导入（新增） 3，拒绝 1" in report
    assert report.count("/imports/") >= 3  # links to each written file's record
    assert db.session.scalar(select(func.count(Project.id)).where(Project.department_id == dept.id)) == 1


def test_zip_upload_is_a_batch(client, make_user, login, db):
    import zipfile

    from tracker.models import Project

    login(make_user("admin"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("全县/平乡.txt", SEED_FILE.read_bytes())
        zf.writestr("全县/农业.pdf", _pdf())
    response = _upload(client, buf.getvalue(), "全县.zip")
    location = response.headers["Location"].split("localhost")[-1]
    _run_batch(client, location)
    page = client.get(location).get_data(as_text=True)
    assert "全县.zip/全县/平乡.txt" in page and "全县.zip/全县/农业.pdf" in page
    client.post(location + "/confirm")
    _run_batch(client, location)
    assert _count(db, Project) == 19
    # the same zip again: nothing to write
    response = _upload(client, buf.getvalue(), "全县.zip")
    location = response.headers["Location"].split("localhost")[-1]
    _run_batch(client, location)
    page = client.get(location).get_data(as_text=True)
    assert page.count('data-status="unchanged"') == 2 and "confirm-batch" not in page


def test_batch_only_for_finance_and_admin_and_needs_csrf(app, client, make_user, login, db):
    finance = make_user("finance")
    login(finance)
    response = _upload_many(client, [("a.txt", SEED_FILE.read_bytes()), ("b.txt", SEED_FILE.read_bytes())])
    location = response.headers["Location"].split("localhost")[-1]
    assert client.get("/imports/batch/" + "0" * 32).status_code == 404
    assert client.get("/imports/batch/not-an-id").status_code == 404
    client.post("/logout")
    for role in ("owner", "reviewer"):
        login(make_user(role))
        assert client.get(location).status_code == 403
        assert client.post(location + "/step").status_code == 403
        assert client.get(location + "/status").status_code == 403
        assert client.post(location + "/confirm").status_code == 403
        client.post("/logout")
    client.post("/logout")
    login(finance)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post(location + "/step").status_code == 400
        assert client.post(location + "/confirm").status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert client.get(location + "/status").get_json()["done"] == 0


def test_batch_step_is_one_at_a_time(app, client, make_user, login, db):
    import fcntl
    from pathlib import Path

    login(make_user("finance"))
    response = _upload_many(client, [("a.txt", SEED_FILE.read_bytes()), ("b.txt", SEED_FILE.read_bytes())])
    location = response.headers["Location"].split("localhost")[-1]
    batch_id = location.rsplit("/", 1)[-1]
    lock = Path(app.config["UPLOAD_DIR"]) / "imports" / f"batch-{batch_id}.lock"
    with open(lock, "w") as held:  # another request is stepping this batch
        fcntl.flock(held, fcntl.LOCK_EX)
        r = client.post(location + "/step", headers={"Accept": "application/json"})
        assert r.get_json()["busy"] is True and r.get_json()["done"] == 0
        fcntl.flock(held, fcntl.LOCK_UN)
    r = client.post(location + "/step", headers={"Accept": "application/json"})
    assert r.get_json()["busy"] is False and r.get_json()["done"] == 1


def test_bomb_upload_is_refused_quickly(client, make_user, login, db):
    from tests.importers.test_limits import xlsx_bomb

    login(make_user("finance"))
    response = _upload(client, xlsx_bomb(2_000_000), "炸弹.xlsx")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "“炸弹.xlsx”解压后超过" in html

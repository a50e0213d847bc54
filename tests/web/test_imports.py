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
        data={"token": token, "filename": "平乡县机关后勤服务中心2023.txt", "year": "2023", "department_id": "", "mode": "file"},
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
        response = client.post("/imports/", data={**data, "file": (io.BytesIO(SEED_FILE.read_bytes()), "x.txt")},
                               content_type="multipart/form-data")
        html = response.get_data(as_text=True)
        assert response.status_code == 400 and expected in html, data
        assert "Not a valid" not in html and "Invalid Choice" not in html


def test_huge_ids_in_urls_are_not_found(client, make_user, login, db):
    login(make_user("finance"))
    for url in ("/projects/99999999999999999999", "/evidence/99999999999999999999",
                "/?year=99999999999999999999999", "/audit?page=99999999999999999999"):
        assert client.get(url).status_code == 404, url
    response = client.post("/monitoring/run", data={"as_of": "1900-06-30"}, follow_redirects=True)
    assert "没有 1900 预算年度" in response.get_data(as_text=True)
    response = client.post("/evaluation/open", data={"year": "abc"}, follow_redirects=True)
    assert "预算年度“abc”无效" in response.get_data(as_text=True)

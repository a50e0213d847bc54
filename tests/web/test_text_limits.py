"""Forged requests with NUL bytes or over-long text are refused before any view runs
(issue 10, security 6 and 7): a 400 page naming the field, nothing stored, no file left."""

from __future__ import annotations

import io
import os

from sqlalchemy import func, select


def _files(root):
    return [os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs] if os.path.isdir(root) else []


def test_nul_byte_in_a_note_with_an_upload_is_a_field_error_and_leaves_no_file(
    app, client, make_user, login, seeded, db
):
    from tracker.models import Indicator, ProgressEntry

    user = make_user("owner")
    ind = db.session.scalar(select(Indicator).order_by(Indicator.id))
    user.department_id = ind.project.department_id
    db.session.commit()
    login(user)
    before = _files(app.config["UPLOAD_DIR"])
    response = client.post(
        f"/projects/{ind.project_id}/indicators/{ind.id}",
        data={
            "value": "5",
            "as_of": "2023-03-31",
            "note": "正常\x00文字",
            "files": (io.BytesIO(b"%PDF-1.4 test"), "a.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "“备注”中含有不可见的控制字符（U+0000）" in text
    assert db.session.scalar(select(func.count(ProgressEntry.id))) == 0
    assert _files(app.config["UPLOAD_DIR"]) == before


def test_a_million_characters_are_refused_not_cut(client, make_user, login, db):
    user = make_user("admin")
    login(user)
    response = client.post(
        f"/admin/users/{user.id}",
        data={"display_name": "x" * 1_000_000, "role": "admin", "department_id": user.department_id},
    )
    assert response.status_code == 400
    assert "“姓名”最多 100 字" in response.get_data(as_text=True)


def test_maxlength_is_rendered_from_the_same_table(app):
    with app.test_request_context():
        from flask import render_template_string

        html = render_template_string('<textarea name="note" maxlength="{{ maxlen(\'note\') }}"></textarea>')
    assert 'maxlength="2000"' in html

"""The header names the user, role and department once each (issue 10, daily use 6)."""

import re


def _navbar_text(html: str) -> str:
    m = re.search(r'<span class="navbar-text[^"]*">(.*?)</span>', html, re.S)
    return re.sub(r"<[^>]+>", "", m.group(1))


def test_person_name_gets_role_and_department(client, make_user, make_department, login, db):
    user = make_user("owner", make_department("县水利局", "520"))
    user.display_name = "张敏"
    db.session.commit()
    login(user)
    text = _navbar_text(client.get("/").get_data(as_text=True))
    assert text == "张敏 · 项目填报人 · 县水利局"


def test_role_and_department_in_the_display_name_are_not_repeated(client, make_user, make_department, login, db):
    user = make_user("owner", make_department("县水利局", "520"))
    user.display_name = "项目填报人（县水利局）"
    db.session.commit()
    login(user)
    text = _navbar_text(client.get("/").get_data(as_text=True))
    assert text.count("项目填报人") == 1 and text.count("县水利局") == 1

"""Absurd numbers in score fields are field errors, not 500s (issue 10, security 6)."""

from __future__ import annotations

import pytest

from tests.web.test_evaluation import _form, _post_data, dept, setup  # noqa: F401  (pytest fixtures, used by name)


@pytest.mark.parametrize("field", ["weight", "deduction", "level1"])
@pytest.mark.parametrize("bad", ["1e999999999", "-1e999999999"])
def test_overflowing_number_in_the_self_evaluation_form_is_a_field_error(client, db, setup, login, field, bad):  # noqa: F811
    login(setup["owner"])
    form = _form(db, setup["project"])
    row = form.rows[0]
    data = _post_data(form)
    key = next(k for k in data if k.startswith("level1-")) if field == "level1" else f"row-{row.id}-{field}"
    data[key] = bad
    response = client.post(setup["url"], data=data)
    assert response.status_code in (200, 400, 409)
    text = response.get_data(as_text=True)
    assert "过大" in text or "不是有效的数值" in text or "负数" in text
    assert _form(db, setup["project"]).version == form.version  # nothing saved

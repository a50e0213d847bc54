"""Bulk writes of the batch runs: defaults filled like an ORM insert, same transaction,
notifications deduplicated like notify() (issue 9)."""

from __future__ import annotations

from sqlalchemy import func, select


def test_insert_rows_fills_model_defaults_and_joins_the_transaction(db, make_user):
    from tracker.models import Notification
    from tracker.services import bulk

    user = make_user("owner")
    bulk.insert_rows(
        Notification, [{"user_id": user.id, "kind": "k", "message": f"m{i}", "dedupe_key": f"key{i}"} for i in range(3)]
    )
    rows = db.session.scalars(select(Notification).order_by(Notification.id)).all()
    assert [r.message for r in rows] == ["m0", "m1", "m2"]
    assert all(r.link == "" and r.created_at is not None and r.created_at.tzinfo is not None for r in rows)
    db.session.rollback()  # not committed: gone with the transaction
    assert db.session.scalar(select(func.count(Notification.id))) == 0


def test_insert_rows_takes_attribute_names(db, make_department):
    from tracker.models import User
    from tracker.services import bulk

    dept = make_department()
    bulk.insert_rows(
        User,
        [
            {
                "username": "bulk1",
                "display_name": "批量",
                "password_hash": "x",
                "role": "owner",
                "department_id": dept.id,
                "is_active_flag": False,
                "session_token": "t",
            }
        ],
    )
    user = db.session.scalar(select(User).where(User.username == "bulk1"))
    assert user.is_active_flag is False and user.email is None


def test_notify_many_sends_each_key_once_per_user(db, make_user, make_department):
    from tracker.models import Notification
    from tracker.services import notify

    dept = make_department()
    a, b = make_user("owner", dept), make_user("owner", dept)
    other = make_user("owner")
    owners = notify.user_ids_by_department("owner", [dept.id, other.department_id])
    assert owners == {dept.id: (a.id, b.id), other.department_id: (other.id,)}
    messages = [
        notify.Message(owners[dept.id], "k", "to the department", "/x", "key:1"),
        notify.Message(owners[other.department_id], "k", "to the other", "/y", "key:2"),
        notify.Message((), "k", "to nobody", "", "key:3"),
    ]
    assert notify.notify_many(messages) == 3
    assert notify.notify_many(messages) == 0  # a rerun notifies nobody twice
    # notify() and notify_many() share the dedupe key
    assert notify.notify([a], kind="k", message="again", dedupe_key="key:1") == 0
    got = db.session.execute(select(Notification.user_id, Notification.dedupe_key).order_by(Notification.id)).all()
    assert got == [(a.id, "key:1"), (b.id, "key:1"), (other.id, "key:2")]

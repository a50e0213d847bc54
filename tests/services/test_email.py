"""Notifications go out by e-mail when SMTP is configured (tested against a local server)."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import select


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Collect(Message):
        def handle_message(self, message):
            received.append(message)

    controller = Controller(Collect(), hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller, received
    finally:
        controller.stop()


def test_pending_notifications_are_emailed_once(app, db, make_user, smtp_server):
    from tracker.models import Notification
    from tracker.services import notify

    controller, received = smtp_server
    with_mail = make_user("owner")
    with_mail.email = "owner@example.local"
    without_mail = make_user("owner")
    db.session.commit()
    notify.notify(
        [with_mail, without_mail], kind="reminder", message="6月有 3 条指标未填报", link="/todo", dedupe_key="t1"
    )
    db.session.commit()

    assert notify.send_pending_email() == 0  # SMTP not configured: in-app only
    app.config.update(SMTP_HOST=controller.hostname, SMTP_PORT=controller.port)
    try:
        assert notify.send_pending_email() == 1
        db.session.commit()
        assert notify.send_pending_email() == 0  # never twice
    finally:
        app.config.update(SMTP_HOST="")
    assert len(received) == 1
    mail = received[0]
    assert mail["To"] == "owner@example.local"
    assert "6月有 3 条指标未填报" in mail.get_payload(decode=True).decode("utf-8")
    sent = db.session.scalar(select(Notification).where(Notification.user_id == with_mail.id))
    assert sent.emailed_at is not None

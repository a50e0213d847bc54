"""Personal API tokens (REST API /api/v1): one row per token a user created on the token page."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.models.base import UTCDateTime, utcnow
from tracker.models.org import User


class ApiToken(db.Model):
    """A bearer token acting as its user, with exactly the user's role and department scope.

    Only the sha256 of the secret is stored: the secret is shown once, when it is created.
    A revoked or expired token, or one whose user is deactivated, authenticates nobody.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # sha256 hex of the whole secret; looked up by equality (the secret has 256 random bits).
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the secret (e.g. "trk_Ab3x"), so that a user can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def state(self, now: datetime) -> str:
        """active / expired / revoked"""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"

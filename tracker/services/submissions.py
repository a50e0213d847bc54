"""Finding the form under review (a ``Submission``) of a project, kind and period."""

from __future__ import annotations

from sqlalchemy import select

from tracker.extensions import db
from tracker.models import Submission


def find_submission(project_id: int, kind: str, period_key: str) -> Submission | None:
    """The form under review for a project, kind (progress / monitoring / evaluation) and period."""
    return db.session.scalar(
        select(Submission).where(
            Submission.project_id == project_id, Submission.kind == kind, Submission.period_key == period_key
        )
    )

"""Files that join the database transaction.

A service that writes a file during a unit of work stages it: the bytes go to a temporary
name next to the target, and the session's own events finish the job — moved into place
when the transaction commits, deleted when it rolls back or the session closes without a
commit. So a refused request leaves no file behind, and a committed row never lacks its file.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, scoped_session

_KEY = "staged_files"


def stage(session: Session | scoped_session[Any], target: Path, data: bytes) -> None:
    """Write ``data`` for ``target``; it appears under that name only when ``session`` commits."""
    temp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
    temp.write_bytes(data)
    session.info.setdefault(_KEY, []).append((temp, target))


def pending(session: Session) -> list[tuple[Path, Path]]:
    return list(session.info.get(_KEY, ()))


@event.listens_for(Session, "after_commit")
def _move_into_place(session: Session) -> None:
    for temp, target in session.info.pop(_KEY, ()):
        os.replace(temp, target)


@event.listens_for(Session, "after_transaction_end")
def _discard(session: Session, transaction) -> None:
    # After a commit the list is gone already; what is left belonged to a rollback.
    if transaction.parent is None and transaction.nested is False:
        for temp, _ in session.info.pop(_KEY, ()):
            temp.unlink(missing_ok=True)

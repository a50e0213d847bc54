"""The edge: the one place that commits.

A write request, a CLI command and a scheduled job are each one unit of work. Services add
and flush; the edge commits once when the work succeeded, rolls back when anything failed,
and turns a refusal into a response. Files written during the unit join it
(services/files.py): moved into place on commit, deleted on rollback.

    Views    @unit_of_work(redirect_to=lambda project_id: url_for(...))   flash + redirect
             @unit_of_work(on_error=render_with_errors)                   re-render, 400/409
    CLI      with transaction() as unit: ...   (unit.discard() for a dry run)
    Jobs     run_job(jobs.monitoring_job(as_of), trigger="cli")           exactly once

Refusals: an InputError (field → message), a ConflictError (the page was stale), any other
DomainError, and a race lost on the database (StaleDataError, IntegrityError). Anything
else (404, 403, a bug) rolls back and goes on to Flask's error handlers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import wraps

from flask import flash, g, has_app_context, has_request_context, redirect, session
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError

from tracker.domain import ConflictError, DomainError, InputError
from tracker.extensions import db

# Said when two people saved the same thing at once and the database noticed.
CONFLICT = "保存时发现其他人刚刚修改了同一条记录，您的修改未保存，请刷新后重试。"

LOST_RACE = (StaleDataError, IntegrityError)
REFUSALS = (DomainError, *LOST_RACE)


@dataclass(frozen=True)
class Refusal:
    """Why a unit of work was rolled back, in the words the page shows."""

    error: Exception
    message: str
    errors: dict[str, str] = field(default_factory=dict)  # field name → message (InputError)

    @property
    def lost_race(self) -> bool:
        """The database refused (a concurrent save), not a rule."""
        return isinstance(self.error, LOST_RACE)

    @property
    def is_conflict(self) -> bool:
        return self.lost_race or isinstance(self.error, ConflictError)


def refusal_of(error: Exception, *, conflict: str = CONFLICT) -> Refusal:
    if isinstance(error, InputError):
        return Refusal(error, str(error), dict(error.errors))
    if isinstance(error, LOST_RACE):
        return Refusal(error, conflict)
    return Refusal(error, str(error))


# ----------------------------------------------------------------------------- the unit


def _depth() -> int:
    return db.session.info.get("edge_depth", 0)


def _set_depth(value: int) -> None:
    db.session.info["edge_depth"] = value


def in_unit() -> bool:
    """True inside a unit of work (a nested one joins it and never commits on its own)."""
    return _depth() > 0


def _rollback() -> None:
    db.session.rollback()


def _commit() -> None:
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


@dataclass
class Unit:
    nested: bool = False
    discarded: bool = False

    def discard(self) -> None:
        """End the unit with a rollback instead of a commit (a dry run, a preview)."""
        if self.nested:
            raise RuntimeError("a unit joined to an outer one cannot be discarded on its own")
        self.discarded = True


@contextmanager
def transaction() -> Iterator[Unit]:
    """One unit of work for a CLI command, a script or a job: commit on success, roll back
    on any exception (and on ``unit.discard()``). Nested, it joins the outer unit."""
    if in_unit():
        yield Unit(nested=True)
        return
    unit = Unit()
    _set_depth(1)
    try:
        yield unit
    except BaseException:
        _rollback()
        raise
    else:
        if unit.discarded:
            _rollback()
        else:
            _commit()
    finally:
        _set_depth(0)


# ----------------------------------------------------------------------------- views


def _flash_mark() -> int:
    return len(session.get("_flashes", ())) if session is not None else 0


def _flash_reset(mark: int) -> None:
    """Success messages flashed before a failed commit must not be shown."""
    flashes = session.get("_flashes")
    if flashes is not None and len(flashes) > mark:
        session["_flashes"] = flashes[:mark]


def unit_of_work(
    view: Callable | None = None,
    *,
    redirect_to: Callable[..., str] | None = None,
    on_error: Callable[..., object] | None = None,
    conflict: str = CONFLICT,
    commit_error_responses: bool = False,
):
    """The view is one unit of work: commit after it returns (a response below 400),
    roll back when it raises or answers 400 or more.

    A refusal is answered by ``on_error(refusal, **view_args)`` (a page re-rendered with the
    user's input and the messages), else flashed and redirected to ``redirect_to(**view_args)``,
    else passed on to the app's error pages. ``conflict`` is what a lost race says.
    ``commit_error_responses``: an answer of 400 or more still commits what the view stored
    on purpose (the login page records a failed attempt and answers 401).
    """

    def decorate(func):
        @wraps(func)
        def wrapped(*args, **kwargs):
            if in_unit():  # called from another unit: join it
                return func(*args, **kwargs)
            mark = _flash_mark()
            _set_depth(1)
            try:
                try:
                    response = func(*args, **kwargs)
                    status = getattr(response, "status_code", None)
                    if status is None and isinstance(response, tuple) and len(response) > 1:
                        status = response[1]
                    if isinstance(status, int) and status >= 400 and not commit_error_responses:
                        _rollback()
                    else:
                        db.session.commit()
                    return response
                except REFUSALS as exc:
                    _rollback()
                    _flash_reset(mark)
                    if on_error is None and redirect_to is None:
                        raise
                    refusal = refusal_of(exc, conflict=conflict)
                    if on_error is not None:
                        return on_error(refusal, **kwargs)
                    flash(refusal.message, "danger")
                    return redirect(redirect_to(**kwargs))
                except BaseException:
                    _rollback()
                    _flash_reset(mark)
                    raise
            finally:
                _set_depth(0)

        wrapped.unit_of_work = True  # read by the test that every POST route has an edge
        return wrapped

    return decorate(view) if view is not None else decorate


# ----------------------------------------------------------------------------- read-only requests
#
# A request that only read (a page, an export) ends its transaction with COMMIT instead of
# the ROLLBACK the session would send when it closes. For a transaction that wrote nothing the
# two are the same; but psycopg forgets every prepared statement on ROLLBACK, so with rollback
# PostgreSQL parsed and planned every query of every page afresh (planning was 0.4–1.5 ms of
# the badge and project page queries). Any statement in the request that is not a SELECT, any pending ORM
# change, an error or an open unit of work leaves the request to the usual rollback.


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(conn, cursor, statement, parameters, context, executemany) -> None:
    if (executemany or statement.lstrip()[:6].upper() != "SELECT") and has_request_context():
        g._edge_wrote = True


def end_read_only_request(error: BaseException | None) -> None:
    """teardown_appcontext, before the session is removed (registered after Flask-SQLAlchemy:
    teardowns run in reverse order)."""
    if error is not None or not has_app_context() or g.pop("_edge_wrote", False) or in_unit():
        return
    if not db.session.registry.has():
        return
    session = db.session()
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return
    # Objects stay as read (a response still being sent may read them), as after a rollback.
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    except Exception:  # the response is already made: end as before, with a rollback
        logging.getLogger(__name__).warning("read-only request: commit at the end failed, rolled back", exc_info=True)
        session.rollback()
    finally:
        session.expire_on_commit = expire


# ----------------------------------------------------------------------------- jobs


def run_job(plan, *, trigger: str = "schedule", user=None):
    """Run a scheduled job exactly once for its (job, period): the claim (a JobCompletion
    row), the job's data and the run record commit together, or nothing does.

    - run again, it finds the completion and records a skipped run;
    - killed half-way, nothing was committed, so a rerun does the whole job;
    - two processes at once: both insert the same unique key, one wins, the other fails on
      the key (or on the lock) and records a skipped run;
    - a job that fails is rolled back and its failure recorded, then the error goes on.
    """
    from tracker.models.base import utcnow
    from tracker.services import jobs

    if in_unit():
        raise RuntimeError("a job is its own unit of work; run it outside a request's or command's unit")
    started = utcnow()
    t0 = time.perf_counter()
    session = db.session

    def record(status: str, counts: dict | None = None, error: str = ""):
        return jobs.record_run(plan.job, plan.period_key, trigger, status, started, counts, error=error, user=user)

    _set_depth(1)
    try:
        if jobs.already_done(plan.job, plan.period_key):
            session.rollback()
            run = record("skipped", {"reason": "该期间已运行过"})
            session.commit()
            return run
        jobs.claim(plan.job, plan.period_key)  # a concurrent run blocks or fails here
        counts = plan.work()
        counts["seconds"] = round(time.perf_counter() - t0, 3)
        run = record("succeeded", counts)
        session.commit()
        return run
    except IntegrityError:
        session.rollback()
        run = record("skipped", {"reason": "另一进程正在或已经运行"})
        session.commit()
        return run
    except OperationalError as exc:
        session.rollback()
        if "lock" not in str(exc).lower():
            raise
        # The database stayed busy: nothing was done and nothing claimed, so it may run again.
        run = record("failed", error="数据库忙（被其他进程锁定），本次未执行，可稍后重试")
        try:
            session.commit()
        except OperationalError:
            session.rollback()
        return run
    except Exception as exc:
        session.rollback()
        record("failed", error=f"{type(exc).__name__}: {exc}")
        session.commit()
        raise
    finally:
        _set_depth(0)


def run_daily(today, *, trigger: str = "schedule") -> list:
    """What the scheduler does every morning: every job due today, each its own unit."""
    from tracker.services import jobs

    return [run_job(plan, trigger=trigger) for plan in jobs.due_jobs(today)]

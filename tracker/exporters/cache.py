"""County summaries written once per content: the workbook is a pure function of its rows.

Writing a county summary (2,500 projects × 13 cells) costs ~0.3 s of CPU in XlsxWriter, while
reading its rows costs a few milliseconds. So an export first reads its rows and digests them
(BLAKE2b over each row's repr, with the table's parameters and this code's own source), then
serves the workbook already written for that digest, or writes it (a second pass of the same
streaming query) and keeps it. Identical rows give an identical workbook, so a kept file can
never be stale: any change to any value, name or state changes the digest. Memory stays
constant (rows are digested as they stream, never held).

Files live in EXPORT_CACHE_DIR (local to each server; two servers each keep their own copy),
are written to a temporary name and renamed into place (a worker reading one never sees half
a file), and only the newest EXPORT_CACHE_FILES are kept. Deleting the directory is always
safe.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

from flask import current_app


def _code_stamp() -> bytes:
    """The source of the writers: a new release with another layout never serves an old file."""
    here = Path(__file__).resolve().parent
    digest = hashlib.blake2b(digest_size=16)
    for name in sorted(p.name for p in here.glob("*.py")):
        digest.update(name.encode())
        digest.update((here / name).read_bytes())
    return digest.digest()


CODE_STAMP = _code_stamp()


def digest_rows(kind: str, params: tuple, rows: Iterable[tuple]) -> tuple[str, int]:
    """(hex digest, number of rows)."""
    digest = hashlib.blake2b(digest_size=20)
    digest.update(CODE_STAMP)
    digest.update(repr((kind, params)).encode())
    count = 0
    for row in rows:
        digest.update(repr(tuple(row)).encode())
        digest.update(b"\n")
        count += 1
    return digest.hexdigest(), count


def _directory() -> Path:
    path = Path(current_app.config["EXPORT_CACHE_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:  # another worker removed it meanwhile
        return 0.0


def _keep_newest(directory: Path, keep: int) -> None:
    files = sorted(directory.glob("*.xlsx"), key=_mtime, reverse=True)
    for old in files[keep:]:
        old.unlink(missing_ok=True)
    newest = _mtime(files[0]) if files else 0.0
    for part in directory.glob("*.part"):  # left by a worker killed while writing
        if _mtime(part) < newest - 3600:
            part.unlink(missing_ok=True)


def workbook(
    kind: str,
    params: tuple,
    rows: Callable[[], Iterable[tuple]],
    write: Callable[[Iterable[tuple]], IO[bytes]],
    *,
    allow_empty: bool = True,
) -> IO[bytes] | None:
    """The workbook ``write(rows())`` would give, from the cache when the rows are unchanged
    (None when there are no rows and ``allow_empty`` is false).

    ``rows`` is called once to digest the rows and, when nothing is kept for them, once more
    to write them (each call runs the same streaming query)."""
    key, count = digest_rows(kind, params, rows())
    if not count and not allow_empty:
        return None
    try:
        directory = _directory()
    except OSError:
        # An unusable cache directory must not stop the download: write it as before.
        current_app.logger.warning("export cache: directory unusable", exc_info=True)
        return write(rows())
    path = directory / f"{kind}-{key}.xlsx"
    try:
        return path.open("rb")  # the response streams and closes it
    except FileNotFoundError:
        pass
    out = write(rows())
    try:
        fd, temporary = tempfile.mkstemp(dir=directory, suffix=".part")
    except OSError:
        current_app.logger.warning("export cache: could not keep %s", path, exc_info=True)
        out.seek(0)
        return out
    try:
        with os.fdopen(fd, "wb") as kept:
            shutil.copyfileobj(out, kept)
        os.replace(temporary, path)
    except OSError:
        # A full or read-only disk must not stop the download: serve what was written.
        Path(temporary).unlink(missing_ok=True)
        current_app.logger.warning("export cache: could not keep %s", path, exc_info=True)
    else:
        _keep_newest(directory, current_app.config.get("EXPORT_CACHE_FILES", 64))
    out.seek(0)
    return out

"""Backup and restore of the database and the evidence files, as one .tar.gz.

    flask --app tracker backup [--out FILE]
    flask --app tracker restore FILE --yes

The archive holds ``manifest.json`` (app version, Alembic revision, database kind, row count of
every table, SHA-256 of every file), the database, and every file under UPLOAD_DIR.

Consistent while the app runs:
- PostgreSQL: one REPEATABLE READ transaction exports its snapshot (pg_export_snapshot); the row
  counts and the evidence list are read in it and ``pg_dump --snapshot`` dumps exactly that
  state. pg_dump must be at least the server's major version (checked first).
- SQLite: the sqlite3 online backup API copies the database as of one moment; counts are read
  from the copy.
Files are copied after the database snapshot: an evidence file is written before its row is
committed and never changed afterwards, so every file the snapshot refers to is there (checked
against the row's SHA-256); a file uploaded after the snapshot is extra and harmless.

Restore refuses an archive whose schema revision is not this program's, or whose database kind
differs, checks every checksum before touching anything, and needs confirmation.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from config import BASE_DIR
from tracker.domain import DomainError
from tracker.extensions import db

FORMAT = 1
MANIFEST = "manifest.json"


class BackupError(DomainError):
    pass


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def head_revision() -> str:
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    cfg = AlembicConfig(str(BASE_DIR / "migrations" / "alembic.ini"))
    cfg.set_main_option("script_location", str(BASE_DIR / "migrations"))
    return ScriptDirectory.from_config(cfg).get_current_head()


def app_version() -> str:
    from tracker import __version__

    return __version__


def _tables() -> list[str]:
    return sorted(t.name for t in db.metadata.sorted_tables)


def _counts(conn) -> dict[str, int]:
    present = set(inspect(conn).get_table_names())
    return {
        name: conn.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one() for name in _tables() if name in present
    }


def _revision(conn) -> str | None:
    if "alembic_version" not in inspect(conn).get_table_names():
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _evidence(conn) -> list[tuple[str, str]]:
    if "evidence" not in inspect(conn).get_table_names():
        return []
    return [tuple(r) for r in conn.execute(text("SELECT stored_name, sha256 FROM evidence"))]


def _sqlite_path() -> Path:
    database = make_url(db.engine.url).database
    if not database or database == ":memory:":
        raise BackupError("内存中的 SQLite 数据库不能备份。")
    return Path(database)


def _libpq_uri() -> str:
    url = make_url(db.engine.url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _pg_tool(name: str) -> str:
    path = os.environ.get(f"TRACKER_{name.upper()}") or shutil.which(name)
    if not path:
        raise BackupError(
            f"找不到 {name}（PostgreSQL 客户端）。请安装与服务器同一主版本的 postgresql-client，或用环境变量 TRACKER_{name.upper()} 指定其路径。"
        )
    return path


def _check_pg_tool_version(tool: str, server_num: int) -> None:
    out = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"(\d+)(?:\.(\d+))?", out)
    client_major = int(match.group(1)) if match else 0
    server_major = server_num // 10000
    if client_major < server_major:
        raise BackupError(
            f"{Path(tool).name} 的版本（{client_major}）低于数据库服务器（{server_major}），无法备份/恢复。"
            f"请安装 postgresql-client-{server_major}。"
        )


@dataclass
class BackupResult:
    path: Path
    manifest: dict


def backup(out: Path | None = None) -> BackupResult:
    kind = db.engine.dialect.name
    upload_dir = Path(current_app.config["UPLOAD_DIR"])
    created = datetime.now(UTC)
    if out is None:
        out = Path(current_app.instance_path) / "backups" / f"tracker-{created:%Y%m%d-%H%M%S}.tar.gz"
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    db.session.remove()  # our own connections only
    with tempfile.TemporaryDirectory(prefix="tracker-backup-") as tmp:
        tmp = Path(tmp)
        if kind == "sqlite":
            db_file = tmp / "database.sqlite"
            source = sqlite3.connect(_sqlite_path())
            target = sqlite3.connect(db_file)
            try:
                source.backup(target)  # one consistent copy, while others may keep writing
            finally:
                source.close()
            target.close()
            from sqlalchemy import create_engine

            engine = create_engine(f"sqlite:///{db_file}")
            with engine.connect() as conn:
                counts, revision, evidence = _counts(conn), _revision(conn), _evidence(conn)
            engine.dispose()
        elif kind == "postgresql":
            db_file = tmp / "database.dump"
            pg_dump = _pg_tool("pg_dump")
            with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, conn.begin():
                _check_pg_tool_version(pg_dump, int(conn.execute(text("SHOW server_version_num")).scalar()))
                snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar()
                counts, revision, evidence = _counts(conn), _revision(conn), _evidence(conn)
                result = subprocess.run(
                    [
                        pg_dump,
                        "--format=custom",
                        "--no-owner",
                        "--no-acl",
                        f"--snapshot={snapshot}",
                        f"--file={db_file}",
                        f"--dbname={_libpq_uri()}",
                    ],
                    capture_output=True,
                    text=True,
                    check=False,  # the return code becomes a Chinese message below
                )
                if result.returncode != 0:
                    raise BackupError(f"pg_dump 失败：{result.stderr.strip()}")
        else:
            raise BackupError(f"不支持备份 {kind} 数据库。")
        if revision is None:
            raise BackupError("数据库没有迁移版本记录（alembic_version），请先执行 flask --app tracker db upgrade。")

        files = []
        if upload_dir.is_dir():
            for path in sorted(p for p in upload_dir.rglob("*") if p.is_file()):
                if path.name.startswith(".") and path.name.endswith(".part"):
                    continue  # staged by a request still in flight (services/files.py): not committed
                rel = path.relative_to(upload_dir).as_posix()
                files.append({"path": rel, "size": path.stat().st_size, "sha256": _sha256(path)})
        by_name = {f["path"].rsplit("/", 1)[-1]: f["sha256"] for f in files if f["path"].startswith("evidence/")}
        missing = [name for name, sha in evidence if by_name.get(name) != sha]
        if missing:
            raise BackupError(
                f"有 {len(missing)} 个佐证材料在上传目录 {upload_dir} 中缺失或已被改动（例如 {missing[0]}），"
                "备份未完成。请检查 TRACKER_UPLOAD_DIR 是否指向正确的目录。"
            )
        manifest = {
            "format": FORMAT,
            "app": "tracker",
            "app_version": app_version(),
            "created_at": created.isoformat(),
            "db_kind": kind,
            "alembic_revision": revision,
            "database": {"path": db_file.name, "size": db_file.stat().st_size, "sha256": _sha256(db_file)},
            "tables": counts,
            "files": files,
        }
        partial = out.with_name(out.name + ".part")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(data), int(created.timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(db_file, arcname=db_file.name)
            for f in files:
                tar.add(upload_dir / f["path"], arcname=f"uploads/{f['path']}")
        partial.replace(out)  # never a half-written archive under the final name
    return BackupResult(out, manifest)


def read_manifest(archive: Path) -> dict:
    try:
        with tarfile.open(archive, "r:gz") as tar:
            member = tar.extractfile(MANIFEST)
            manifest = json.loads(member.read())
    except (OSError, tarfile.TarError, KeyError, ValueError) as exc:
        raise BackupError(f"“{archive}”不是本系统的备份文件（{exc}）。") from None
    if manifest.get("app") != "tracker" or manifest.get("format") != FORMAT:
        raise BackupError(f"“{archive}”不是本系统的备份文件（格式不符）。")
    return manifest


def check_restorable(manifest: dict) -> None:
    head = head_revision()
    if manifest["alembic_revision"] != head:
        raise BackupError(
            f"备份的数据库结构版本为 {manifest['alembic_revision']}（程序版本 {manifest['app_version']}），"
            f"当前程序的结构版本为 {head}，两者不一致，未恢复任何数据。"
            "请用与备份时相同版本的程序恢复，恢复后再升级程序并执行 flask --app tracker db upgrade。"
        )
    kind = db.engine.dialect.name
    if manifest["db_kind"] != kind:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(
            f"备份来自 {names.get(manifest['db_kind'], manifest['db_kind'])} 数据库，"
            f"当前配置的是 {names.get(kind, kind)}，不能直接恢复。"
        )


def _extract(archive: Path, manifest: dict, into: Path) -> None:
    wanted = {manifest["database"]["path"]: manifest["database"]["sha256"]}
    wanted |= {f"uploads/{f['path']}": f["sha256"] for f in manifest["files"]}
    with tarfile.open(archive, "r:gz") as tar:
        for member in tar.getmembers():
            if member.name == MANIFEST:
                continue
            if member.name not in wanted or not member.isfile():
                raise BackupError(f"备份文件中有清单之外的条目“{member.name}”，已拒绝恢复。")
            tar.extract(member, into, filter="data")
    for name, sha in wanted.items():
        path = into / name
        if not path.is_file() or _sha256(path) != sha:
            raise BackupError(f"备份中的“{name}”缺失或校验和不符（文件已损坏），未恢复任何数据。")


def restore(archive: Path, *, confirmed: bool) -> dict:
    manifest = read_manifest(archive)
    check_restorable(manifest)
    if not confirmed:
        raise BackupError("恢复会用备份覆盖当前的数据库和佐证材料目录。确认无误后请加 --yes 重新执行。")
    upload_dir = Path(current_app.config["UPLOAD_DIR"])
    upload_dir.mkdir(parents=True, exist_ok=True)
    kind = db.engine.dialect.name
    db.session.remove()
    with tempfile.TemporaryDirectory(prefix="tracker-restore-", dir=upload_dir.parent) as tmp:
        tmp = Path(tmp)
        _extract(archive, manifest, tmp)  # everything checked before anything is replaced
        db_file = tmp / manifest["database"]["path"]
        db.engine.dispose()
        if kind == "sqlite":
            source = sqlite3.connect(db_file)
            target = sqlite3.connect(_sqlite_path(), timeout=30)
            try:
                source.backup(target)  # replaces the whole database in one step
            finally:
                source.close()
                target.close()
        else:
            pg_restore = _pg_tool("pg_restore")
            with db.engine.connect() as conn:
                _check_pg_tool_version(pg_restore, int(conn.execute(text("SHOW server_version_num")).scalar()))
            db.engine.dispose()
            result = subprocess.run(
                [
                    pg_restore,
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-acl",
                    "--single-transaction",
                    "--exit-on-error",
                    f"--dbname={_libpq_uri()}",
                    str(db_file),
                ],
                capture_output=True,
                text=True,
                check=False,  # the return code becomes a Chinese message below
            )
            if result.returncode != 0:
                raise BackupError(f"pg_restore 失败，数据库未改变：{result.stderr.strip()}")
        # Files: the upload directory gets exactly the archive's files.
        for child in upload_dir.iterdir():
            if child.resolve() == tmp.resolve():
                continue
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
        source_dir = tmp / "uploads"
        if source_dir.is_dir():
            for path in sorted(p for p in source_dir.rglob("*") if p.is_file()):
                target = upload_dir / path.relative_to(source_dir)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(path, target)
    with db.engine.connect() as conn:
        counts = _counts(conn)
    if counts != manifest["tables"]:
        raise BackupError(f"恢复后的行数与备份清单不符：{counts} ≠ {manifest['tables']}")
    return manifest

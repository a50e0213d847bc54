"""flask backup / flask restore: a round trip of the demo (database and evidence files) on the
backend of the test run, and the refusals (unconfirmed, other schema revision, damaged archive)."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from config import BASE_DIR
from tests.conftest import fresh_database

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _files(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


def _counts(db) -> dict[str, int]:
    with db.engine.connect() as conn:
        names = set(inspect(conn).get_table_names())
        return {
            t.name: conn.execute(text(f'SELECT COUNT(*) FROM "{t.name}"')).scalar_one()
            for t in db.metadata.sorted_tables
            if t.name in names
        }


@pytest.fixture
def demo_app(tmp_path):
    import flask_migrate

    from tracker import create_app
    from tracker.cli import load_demo
    from tracker.extensions import db
    from tracker.models import ProgressEntry, Project, User
    from tracker.services import evidence

    with fresh_database(tmp_path / "roundtrip.sqlite", "prodsetup_backup") as url:
        app = create_app("testing", SQLALCHEMY_DATABASE_URI=url, UPLOAD_DIR=str(tmp_path / "uploads"))
        with app.app_context():
            flask_migrate.upgrade(directory=str(BASE_DIR / "migrations"))
            load_demo(echo=lambda *a, **k: None)
            owner = db.session.query(User).filter_by(username="owner430").one()
            entry = db.session.query(ProgressEntry).order_by(ProgressEntry.id).first()
            with app.test_request_context():
                evidence.store(
                    [("照片.png", PNG), ("合同.pdf", PDF)],
                    project=db.session.get(Project, entry.project_id),
                    user=owner,
                    progress_entry_id=entry.id,
                )
                db.session.commit()  # the staged files move into place on commit
            try:
                yield app
            finally:
                db.session.remove()
                db.engine.dispose()


def test_round_trip_restores_the_same_rows_and_files(demo_app, tmp_path):
    from tracker.extensions import db

    uploads = Path(demo_app.config["UPLOAD_DIR"])
    before_rows, before_files = _counts(db), _files(uploads)
    # the demo has 2023 and 2024 (18 projects each)
    assert before_rows["projects"] == 36 and before_rows["progress_entries"] > 400 and len(before_files) == 2
    runner = demo_app.test_cli_runner()
    archive = tmp_path / "backup.tar.gz"
    result = runner.invoke(args=["backup", "--out", str(archive)])
    assert result.exit_code == 0, result.output
    assert "已备份到" in result.output and "2 个文件" in result.output

    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        names = tar.getnames()
    assert manifest["db_kind"] == db.engine.dialect.name and manifest["tables"] == before_rows
    assert manifest["app_version"] and manifest["alembic_revision"]
    assert {f["path"]: f["sha256"] for f in manifest["files"]} == before_files
    assert sorted(n for n in names if n.startswith("uploads/")) == sorted(f"uploads/{p}" for p in before_files)

    # Wipe: every table and every file gone.
    db.session.remove()
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE alembic_version"))
    shutil.rmtree(uploads)
    assert _counts(db) == {}

    refused = runner.invoke(args=["restore", str(archive)], input="")
    assert refused.exit_code == 1 and "未确认" in refused.output and _counts(db) == {}

    result = runner.invoke(args=["restore", str(archive), "--yes"])
    assert result.exit_code == 0, result.output
    assert _counts(db) == before_rows
    assert _files(uploads) == before_files
    # The restored app works: the ids go on after the restored rows (sequences restored too).
    from tracker.models import Department

    db.session.add(Department(name="恢复后新建的部门", code="999"))
    db.session.commit()


def _rewrite(archive: Path, out: Path, change) -> None:
    with tarfile.open(archive) as src, tarfile.open(out, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            data, member = change(member, data)
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))


def test_restore_refuses_another_schema_revision_or_a_damaged_archive(demo_app, tmp_path):
    from tracker.extensions import db

    runner = demo_app.test_cli_runner()
    archive = tmp_path / "b.tar.gz"
    assert runner.invoke(args=["backup", "--out", str(archive)]).exit_code == 0
    rows = _counts(db)

    def older(member, data):
        if member.name == "manifest.json":
            manifest = json.loads(data)
            manifest["alembic_revision"] = "0004"
            data = json.dumps(manifest).encode()
        return data, member

    _rewrite(archive, tmp_path / "old.tar.gz", older)
    result = runner.invoke(args=["restore", str(tmp_path / "old.tar.gz"), "--yes"])
    assert result.exit_code == 1 and "结构版本为 0004" in result.output and "不一致，未恢复任何数据" in result.output

    def damaged(member, data):
        if member.name.startswith("uploads/"):
            data = data[:-1] + b"X"
        return data, member

    _rewrite(archive, tmp_path / "bad.tar.gz", damaged)
    result = runner.invoke(args=["restore", str(tmp_path / "bad.tar.gz"), "--yes"])
    assert result.exit_code == 1 and "校验和不符" in result.output
    assert _counts(db) == rows  # nothing was touched

    (tmp_path / "not.tar.gz").write_bytes(b"hello")
    result = runner.invoke(args=["restore", str(tmp_path / "not.tar.gz"), "--yes"])
    assert result.exit_code == 1 and "不是本系统的备份文件" in result.output


def test_backup_refuses_when_evidence_files_are_missing(demo_app, tmp_path):
    uploads = Path(demo_app.config["UPLOAD_DIR"])
    victim = next(p for p in uploads.rglob("*") if p.is_file())
    victim.unlink()
    out = tmp_path / "x.tar.gz"
    result = demo_app.test_cli_runner().invoke(args=["backup", "--out", str(out)])
    assert result.exit_code == 1 and "缺失或已被改动" in result.output and not out.exists()


def test_backup_while_the_app_writes_is_one_consistent_state(demo_app, tmp_path):
    """Another connection keeps inserting departments (and their 2 users each, in one
    transaction) while the backup runs: the archive holds one moment — its counts agree with
    its own database dump, and every department in it has both of its users."""
    import threading

    from sqlalchemy import create_engine

    from tracker.extensions import db

    url = db.engine.url
    writer = create_engine(url, connect_args={"timeout": 30} if url.get_backend_name() == "sqlite" else {})
    stop = threading.Event()
    written = {"n": 0}
    user_cols = (
        "username, password_hash, role, department_id, display_name, is_active, session_token, created_at, updated_at"
    )

    def write():
        while not stop.is_set():
            i = written["n"]
            with writer.begin() as conn:
                dept = conn.execute(
                    text(
                        "INSERT INTO departments (name, code, is_finance_bureau, is_active, created_at, updated_at) "
                        "VALUES (:n, :c, false, true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) RETURNING id"
                    ),
                    {"n": f"并发部门{i}", "c": f"C{i}"},
                ).scalar()
                for k in range(2):
                    conn.execute(
                        text(
                            f"INSERT INTO users ({user_cols}) VALUES (:u, 'x', 'owner', :d, '', true, :t, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                        ),
                        {"u": f"w{i}_{k}", "d": dept, "t": f"t{i}{k}"},
                    )
            written["n"] += 1

    thread = threading.Thread(target=write)
    thread.start()
    try:
        while written["n"] < 3:
            assert thread.is_alive(), "the writer died"
            stop.wait(0.05)
        result = demo_app.test_cli_runner().invoke(args=["backup", "--out", str(tmp_path / "live.tar.gz")])
    finally:
        stop.set()
        thread.join()
        writer.dispose()
    assert result.exit_code == 0, result.output
    manifest = json.loads(tarfile.open(tmp_path / "live.tar.gz").extractfile("manifest.json").read())
    concurrent_in_backup = manifest["tables"]["departments"] - _demo_departments(db)
    assert 3 <= concurrent_in_backup <= written["n"]
    # Restore (it checks the restored row counts against the manifest) and look inside.
    result = demo_app.test_cli_runner().invoke(args=["restore", str(tmp_path / "live.tar.gz"), "--yes"])
    assert result.exit_code == 0, result.output
    with db.engine.connect() as conn:
        lonely = conn.execute(
            text(
                "SELECT COUNT(*) FROM departments d WHERE d.name LIKE '并发部门%' AND "
                "(SELECT COUNT(*) FROM users u WHERE u.department_id = d.id) <> 2"
            )
        ).scalar()
        restored = conn.execute(text("SELECT COUNT(*) FROM departments WHERE name LIKE '并发部门%'")).scalar()
    assert lonely == 0 and restored == concurrent_in_backup
    print(f"backup while writing: {written['n']} transactions written, {concurrent_in_backup} in the backup")


def _demo_departments(db) -> int:
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT COUNT(*) FROM departments WHERE name NOT LIKE '并发部门%'")).scalar()

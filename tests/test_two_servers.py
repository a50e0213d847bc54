"""Two app servers behind one address on one PostgreSQL (issue 9, production setup).

Starts the production commands of deploy/ directly: `flask db upgrade`, two
`gunicorn --config gunicorn.conf.py` on two ports with the same SECRET_KEY, database and upload
directory, and two `flask scheduler tick` processes. Then: log in on A and use the session on B;
upload evidence on A and download it on B; ask for 运行双监控 on both; exactly one run.

PostgreSQL only: SQLite is one file on one host, not a database two servers share.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

import pytest

from config import BASE_DIR
from tests.conftest import SEED_FILE, fresh_database

pytestmark = pytest.mark.skipif(
    not (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgresql"),
    reason="two app servers share one PostgreSQL; set TEST_DATABASE_URL=postgresql+psycopg://… to run",
)

PORTS = (5241, 5242)
PASSWORD = "Passw0rd2023"
PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(256)


class Browser:
    """Just enough of a browser: cookies by name, CSRF token from the last page."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        conn.close()
        return response.status, dict(response.getheaders()), data

    def get(self, port, path):
        return self.request(port, "GET", path)

    def post(self, port, path, fields: dict):
        return self.request(
            port, "POST", path, urlencode(fields).encode(), {"Content-Type": "application/x-www-form-urlencoded"}
        )

    def post_multipart(self, port, path, fields: dict, files: list[tuple[str, str, bytes]]):
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, filename, data in files:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                f"Content-Type: application/octet-stream\r\n\r\n".encode()
                + data
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request(
            port, "POST", path, b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )


def _token(html: bytes) -> str:
    return re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', html).group(1).decode()


def _run(args, env, **kw):
    result = subprocess.run(args, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300, **kw)
    assert result.returncode == 0, (args, result.stdout[-2000:], result.stderr[-2000:])
    return result.stdout


def _wait_healthy(port: int, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"gunicorn on {port} exited: {log.read_text()[-3000:] if log.exists() else ''}")
        try:
            status, _, _ = Browser().get(port, "/healthz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"gunicorn on {port} did not become healthy")


@pytest.fixture
def two_servers(tmp_path):
    bin_dir = Path(sys.executable).parent
    with fresh_database(tmp_path / "unused.sqlite", "prodsetup_two") as url:
        env = os.environ | {
            "TRACKER_ENV": "production",
            "SECRET_KEY": uuid.uuid4().hex,  # the same on both servers
            "DATABASE_URL": url,
            "TRACKER_UPLOAD_DIR": str(tmp_path / "shared-uploads"),
            "TRACKER_INSTANCE_DIR": str(tmp_path / "instance"),
            "TRACKER_INSECURE_COOKIES": "1",  # plain http in this test
            "TRACKER_WORKERS": "2",
        }
        flask = [str(bin_dir / "flask"), "--app", "tracker"]
        _run([*flask, "db", "upgrade"], env)
        _run([*flask, "import-doc", str(SEED_FILE), "--year", "2023"], env)
        _run([*flask, "create-user", "--username", "fin", "--role", "finance", "--password", PASSWORD], env)
        _run(
            [
                *flask,
                "create-user",
                "--username",
                "own",
                "--role",
                "owner",
                "--department",
                "平乡县机关后勤服务中心",
                "--password",
                PASSWORD,
            ],
            env,
        )
        procs = []
        try:
            for port in PORTS:
                logs = tmp_path / f"logs-{port}"
                logs.mkdir()
                server_env = env | {"TRACKER_BIND": f"127.0.0.1:{port}", "TRACKER_LOG_DIR": str(logs)}
                proc = subprocess.Popen(
                    [str(bin_dir / "gunicorn"), "--config", "gunicorn.conf.py"],
                    cwd=BASE_DIR,
                    env=server_env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                procs.append(proc)
                _wait_healthy(port, proc, logs / "error.log")
            yield {"env": env, "flask": flask, "url": url, "uploads": tmp_path / "shared-uploads", "logs": tmp_path}
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()


def _login(port: int, username: str) -> Browser:
    b = Browser()
    _, _, page = b.get(port, "/login")
    status, _headers, _ = b.post(
        port, "/login", {"username": username, "password": PASSWORD, "csrf_token": _token(page)}
    )
    assert status == 302, status
    return b


def test_two_gunicorn_servers_share_sessions_uploads_and_jobs(two_servers):
    from sqlalchemy import create_engine, text

    a, b = PORTS
    engine = create_engine(two_servers["url"])
    try:
        # 1. Log in on A, use the session on B.
        owner = _login(a, "own")
        status, _, html = owner.get(b, "/todo")
        assert status == 200 and "own" in html.decode(), status
        # 2. Upload evidence on A, download it on B.
        with engine.connect() as conn:
            project_id, indicator_id = conn.execute(
                text("SELECT project_id, id FROM indicators WHERE target_kind = 'quantitative' ORDER BY id LIMIT 1")
            ).one()
        path = f"/projects/{project_id}/indicators/{indicator_id}"
        _, _, page = owner.get(a, path)
        status, _, _ = owner.post_multipart(
            a,
            path,
            {"csrf_token": _token(page), "as_of": "2023-03-31", "value": "1", "client_token": uuid.uuid4().hex},
            [("files", "照片.png", PNG)],
        )
        assert status == 302, status
        with engine.connect() as conn:
            evidence_id, stored = conn.execute(text("SELECT id, stored_name FROM evidence")).one()
        assert (two_servers["uploads"] / "evidence" / stored).read_bytes() == PNG
        status, _, data = owner.get(b, f"/evidence/{evidence_id}")
        assert status == 200 and hashlib.sha256(data).digest() == hashlib.sha256(PNG).digest()
        # 3. 运行双监控 asked for on A and on B at the same moment: queued, nothing run in the request.
        finance = _login(a, "fin")
        tokens = {port: _token(finance.get(port, "/monitoring/")[2]) for port in PORTS}
        answers = {}

        def ask(port):
            answers[port] = finance.post(port, "/monitoring/run", {"as_of": "2023-06-30", "csrf_token": tokens[port]})

        threads = [threading.Thread(target=ask, args=(port,)) for port in PORTS]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for port, (status, headers, _) in answers.items():
            assert status == 302 and "/jobs/" in headers["Location"], (port, status)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM monitoring_snapshots")).scalar() == 0
        # Two scheduler processes poll at once (there should be one; exactly-once holds anyway).
        ticks = [
            subprocess.Popen(
                two_servers["flask"] + ["scheduler", "tick"],
                cwd=BASE_DIR,
                env=two_servers["env"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        for proc in ticks:
            _out, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err[-2000:]
        request_path = answers[b][1]["Location"].split("//", 1)[-1]
        request_path = request_path[request_path.index("/jobs/") :]
        status, _, body = finance.get(a, request_path + ".json")
        result = json.loads(body)
        assert result["finished"] and result["state"] == "done", result
        with engine.connect() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM job_completions WHERE job = 'monitoring'")).scalar() == 1
            assert (
                conn.execute(
                    text("SELECT COUNT(*) FROM job_runs WHERE job = 'monitoring' AND status = 'succeeded'")
                ).scalar()
                == 1
            )
            assert conn.execute(text("SELECT COUNT(*) FROM monitoring_snapshots")).scalar() == 18
            states = conn.execute(text("SELECT state FROM job_requests")).scalars().all()
        assert states and set(states) == {"done"}
        # 4. Log out on B: a copy of the session cookie taken before no longer works on A.
        copied = Browser()
        copied.cookies = dict(owner.cookies)
        _, _, page = owner.get(b, "/todo")
        status, _, _ = owner.post(b, "/logout", {"csrf_token": _token(page)})
        assert status == 302
        status, headers, _ = copied.get(a, "/todo")
        assert status == 302 and "/login" in headers["Location"], status
        # The access logs of both servers got requests (the log files of the config work).
        for port in PORTS:
            assert "GET /healthz" in (two_servers["logs"] / f"logs-{port}" / "access.log").read_text()
    finally:
        engine.dispose()

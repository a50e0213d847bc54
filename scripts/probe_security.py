"""Re-measure issue 10's probe on a fresh SQLite app with the seed loaded: brute force,
session replay after logout, NUL bytes and decimal overflow in forms. Prints figures.

    .venv/bin/python scripts/probe_security.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASSWORD = "Probe2023pw"


def main() -> None:
    from sqlalchemy import select

    from tracker import create_app
    from tracker.extensions import db
    from tracker.importers import parse_file
    from tracker.models import Department, Indicator
    from tracker.services import accounts
    from tracker.services.imports import apply_import, plan_import

    tmp = Path(tempfile.mkdtemp())
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp / 'probe.sqlite'}", UPLOAD_DIR=str(tmp / "up"))
    with app.app_context():
        db.create_all()
        seed = ROOT / "sample_data" / "seed_2023_430.txt"
        data = seed.read_bytes()
        apply_import(plan_import(parse_file(seed.name, data), year=2023, filename=seed.name, data=data))
        dept = db.session.scalar(select(Department).where(Department.code == "430"))
        owner = accounts.create_user(username="probe_owner", password=PASSWORD, role="owner", department=dept)
        victim = accounts.create_user(username="probe_victim", password=PASSWORD, role="owner", department=dept)
        db.session.commit()
        ind = db.session.scalar(select(Indicator).order_by(Indicator.id))

        # 1. brute force: 50 wrong passwords, then the right one
        c = app.test_client()
        codes, known_ms = [], []
        for _ in range(50):
            t = time.perf_counter()
            r = c.post(
                "/login",
                data={"username": victim.username, "password": "wrong-Passw0rd"},
                environ_base={"REMOTE_ADDR": "10.1.1.1"},
            )
            known_ms.append((time.perf_counter() - t) * 1000)
            codes.append(r.status_code)
        right = c.post(
            "/login", data={"username": victim.username, "password": PASSWORD}, environ_base={"REMOTE_ADDR": "10.1.1.1"}
        )
        print(
            f"暴力破解：50 次错误密码 → {codes.count(401)} 次 401、{codes.count(429)} 次 429（锁定）；随后正确密码 → {right.status_code}"
        )
        # timing: known vs unknown user (fresh addresses, below every limit)
        unknown_ms, known2_ms = [], []
        for i in range(8):
            for name, bucket in (("nobody_at_all", unknown_ms), (owner.username, known2_ms)):
                t = time.perf_counter()
                app.test_client().post(
                    "/login",
                    data={"username": name, "password": "wrong-Passw0rd"},
                    environ_base={"REMOTE_ADDR": f"10.2.{i}.{len(bucket)}"},
                )
                bucket.append((time.perf_counter() - t) * 1000)
            if i == 3:  # stay below the account lock for the known user
                from tracker.services import login_security

                login_security.unlock(owner, acting=owner)
                db.session.commit()
        print(
            f"错误密码耗时中位数：已知用户 {statistics.median(known2_ms):.0f} ms，未知用户 {statistics.median(unknown_ms):.0f} ms"
        )

        # 2. session replay after logout
        a = app.test_client()
        a.post(
            "/login",
            data={"username": owner.username, "password": PASSWORD, "remember": "y"},
            environ_base={"REMOTE_ADDR": "10.3.0.1"},
        )
        stolen_session = a.get_cookie("session").value
        stolen_remember = a.get_cookie("remember_token").value
        a.post("/logout")
        b = app.test_client()
        b.set_cookie("session", stolen_session)
        r1 = b.get("/")
        b2 = app.test_client()
        b2.set_cookie("remember_token", stolen_remember)
        r2 = b2.get("/")
        print(
            f"退出后重放：会话 Cookie → {r1.status_code}（{r1.headers.get('Location', '')}），记住我 Cookie → {r2.status_code}"
        )

        # 3. NUL byte and overflow in forms
        c = app.test_client()
        c.post(
            "/login", data={"username": owner.username, "password": PASSWORD}, environ_base={"REMOTE_ADDR": "10.4.0.1"}
        )
        url = f"/projects/{ind.project_id}/indicators/{ind.id}"
        r = c.post(url, data={"as_of": "2023-03-31", "value": "1", "note": "a\x00b"})
        print(f"NUL 字节：{r.status_code}，{'含字段提示' if '控制字符' in r.get_data(as_text=True) else '无提示'}")
        r = c.post(url, data={"as_of": "2023-03-31", "value": "1e999999999"})
        print(f"1e999999999 作为完成值：{r.status_code}")
        r = c.post(url, data={"as_of": "2023-03-31", "value": "1", "note": "字" * 1_000_000})
        print(f"一百万字的备注：{r.status_code}，{'含字段提示' if '最多' in r.get_data(as_text=True) else '无提示'}")


if __name__ == "__main__":
    main()

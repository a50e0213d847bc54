from tests.services.test_jobs import *  # noqa

def test_slow(app, db, people, tmp_path):
    release_session(db)
    go = tmp_path / "go"
    workers = [start_worker(app, tmp_path, "--ready", str(tmp_path / f"ready{n}"), "--go", str(go), "--sleep", os.environ.get("SLEEP", "0.5")) for n in (1, 2)]
    for n in (1, 2):
        wait_for(tmp_path / f"ready{n}", workers)
    t = time.monotonic()
    go.touch()
    for w in workers:
        out, err = w.communicate(timeout=60)
        print(round(time.monotonic() - t, 2), w.returncode, out, err[-1500:])
    print(statuses(), totals())

"""Benchmark: how fast oversized files are refused, and what PDFs cost; prints figures
(issue 10 point 5 re-measured: a 16 MB .xlsx of 2M rows held a worker 83 s, a 52 MB .txt 74 s).

    python scripts/bench_import_limits.py
"""

from __future__ import annotations

import io
import sys
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config import BASE_DIR

SEED = BASE_DIR / "sample_data" / "seed_2023_430.txt"


def timed(label: str, fn) -> None:
    started = time.perf_counter()
    try:
        result = fn()
        outcome = f"read: {len(result.projects)} projects, {result.indicator_count} indicators"
    except Exception as exc:  # the refusal is the point
        outcome = f"refused: {str(exc)[:70]}…"
    print(f"{label:<44} {(time.perf_counter() - started) * 1000:8.0f} ms  {outcome}")


def main() -> None:
    from tests.importers.pdf_builder import build_pdf, indicator_rows
    from tests.importers.test_limits import xlsx_bomb
    from tracker.importers import parse_file
    from tracker.importers.limits import ImportLimits

    bomb = xlsx_bomb(2_000_000)
    with zipfile.ZipFile(io.BytesIO(bomb)) as zf:
        inside = sum(i.file_size for i in zf.infolist())
    print(f"xlsx bomb: {len(bomb) / 1e6:.1f} MB on disk, {inside / 1e6:.0f} MB uncompressed, 2,000,000 rows")
    timed("2M-row .xlsx (size / ratio check)", lambda: parse_file("bomb.xlsx", bomb))
    mid = xlsx_bomb(60_000)
    timed("60k-row .xlsx under the size limit (rows)", lambda: parse_file("rows.xlsx", mid))
    seed = SEED.read_bytes()
    big = seed * (52_000_000 // len(seed))
    timed(f"{len(big) / 1e6:.0f} MB .txt (size check)", lambda: parse_file("big.txt", big))
    timed("seed .txt (61 KB)", lambda: parse_file("seed.txt", seed))
    for n in (1, 10, 40):
        projects = [(f"项目{k}", "目标。", indicator_rows(12, f"指标{k}-")) for k in range(n)]
        pdf = build_pdf(projects)
        timed(f"PDF, {n} ruled tables ({len(pdf) // 1024} KB)", lambda pdf=pdf: parse_file("x.pdf", pdf))
    print(f"limits: {ImportLimits()}")


if __name__ == "__main__":
    main()

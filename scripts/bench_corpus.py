"""Measure the importer on the corpus of real published layouts (tests/fixtures/corpus).

    python scripts/bench_corpus.py [--json] [--only SUBSTRING] [--verbose] [--corpus DIR]

For every corpus file (text, HTML, .docx, .xlsx, .pdf) it runs
``tracker.importers.parse_file(filename, data)`` and compares the result with the hand-checked
expectations in ``expected.json``: projects found/expected, indicator rows found/expected, rows
read right (一级 + 二级 + 三级 + target_raw equal after ``normalise``), and whether the file was
refused (ImportFormatError, with its message) or crashed (any other exception). It prints one
line per document and the totals; ``--json`` prints the same as JSON. No assertions here: the
floors live in tests/importers/test_corpus.py, which imports ``run_corpus``.

Works with any version of the importer: every file is parsed inside its own try/except, and
only the public fields (projects[].indicators[].level1/level2/level3/target_raw) are read.

Matching rules (also documented in tests/fixtures/corpus/README.md):
- rows are matched as a multiset inside a document (order and project split do not matter);
- ``null`` in an expected row means "not shown in the source": that field is not compared;
- texts are compared after NFKC, without whitespace, with operator spellings unified
  (≧ >= ＞＝ → ≥, ≦ <= → ≤, ═ ＝ → =), and for 三级 names without template placeholders such as
  "(≥**%)" and "指标1:" prefixes;
- a document is "fully imported" when it is not refused, the project and row counts equal the
  expectation and every expected row is read right; a document whose expectation is a refusal
  counts as right when it is refused.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CORPUS_DIR = ROOT / "tests" / "fixtures" / "corpus"
FORMATS = {".txt": "text", ".html": "html", ".htm": "html", ".docx": "docx", ".xlsx": "xlsx", ".pdf": "pdf"}

_OPS = [
    ("＞＝", "≥"),
    (">=", "≥"),
    ("≧", "≥"),
    ("⩾", "≥"),
    ("＜＝", "≤"),
    ("<=", "≤"),
    ("≦", "≤"),
    ("⩽", "≤"),
    ("═", "="),
    ("＝", "="),
]
_WS = re.compile(r"\s+")
_PLACEHOLDER = re.compile(r"[(（][^()（）]*\*\*[^()（）]*[)）]|[≥≤<>=]\*\*\S*$")
_NUMBERED = re.compile(r"^指标\d+[:：]")


def normalise(text: str | None, *, name: bool = False) -> str:
    """The form in which expected and found texts are compared."""
    t = unicodedata.normalize("NFKC", text or "")
    t = _WS.sub("", t)
    for a, b in _OPS:
        t = t.replace(a, b)
    if name:
        t = _NUMBERED.sub("", t)
        t = _PLACEHOLDER.sub("", t)
        t = t.lstrip("*★")
    return t


def _row_matches(expected: list, found: tuple[str, str, str, str]) -> bool:
    for i, (want, got) in enumerate(zip(expected, found, strict=True)):
        if want is None:
            continue
        if normalise(want, name=(i == 2)) != normalise(got, name=(i == 2)):
            return False
    return True


@dataclass
class DocResult:
    file: str
    format: str
    province: str = ""
    level: str = ""
    kind: str = ""
    expect_refusal: bool = False
    projects_expected: int = 0
    projects_found: int = 0
    rows_expected: int = 0
    rows_found: int = 0
    rows_right: int = 0
    refused: str | None = None  # ImportFormatError message
    error: str | None = None  # any other exception: "TypeName: message"
    seconds: float = 0.0
    missing: list[list] = field(default_factory=list)  # expected rows not read right
    extra: list[list] = field(default_factory=list)  # found rows matching no expected row

    @property
    def fully_imported(self) -> bool:
        return (
            not self.expect_refusal
            and self.refused is None
            and self.error is None
            and self.projects_found == self.projects_expected
            and self.rows_found == self.rows_expected
            and self.rows_right == self.rows_expected
        )

    @property
    def right(self) -> bool:
        """Fully imported, or refused as expected."""
        if self.expect_refusal:
            return self.refused is not None and self.error is None
        return self.fully_imported


@dataclass
class CorpusReport:
    documents: list[DocResult]

    @property
    def totals(self) -> dict:
        docs = self.documents
        importable = [d for d in docs if not d.expect_refusal]
        return {
            "documents": len(docs),
            "documents_right": sum(d.right for d in docs),
            "importable_documents": len(importable),
            "fully_imported": sum(d.fully_imported for d in importable),
            "refused": sum(d.refused is not None for d in docs),
            "crashed": sum(d.error is not None for d in docs),
            "rows_expected": sum(d.rows_expected for d in docs),
            "rows_found": sum(d.rows_found for d in docs),
            "rows_right": sum(d.rows_right for d in docs),
            "by_format": _by_format(docs),
        }

    def to_json(self) -> dict:
        return {
            "totals": self.totals,
            "documents": [asdict(d) | {"fully_imported": d.fully_imported, "right": d.right} for d in self.documents],
        }


def _by_format(docs: list[DocResult]) -> dict:
    out: dict[str, dict] = {}
    for d in docs:
        f = out.setdefault(d.format, {"documents": 0, "right": 0, "rows_expected": 0, "rows_right": 0})
        f["documents"] += 1
        f["right"] += d.right
        f["rows_expected"] += d.rows_expected
        f["rows_right"] += d.rows_right
    return out


def load_expected(corpus_dir: Path = CORPUS_DIR) -> dict[str, dict]:
    """File name → expectation; derived binaries inherit their source's projects/rows."""
    data = json.loads((corpus_dir / "expected.json").read_text(encoding="utf-8"))
    docs: dict[str, dict] = dict(data["documents"])
    for name, spec in data.get("derived", {}).items():
        base = dict(docs[spec["source"]])
        base.update({k: v for k, v in spec.items() if k != "source"})
        base["source"] = spec["source"]
        if base.get("expect_refusal"):
            base["projects"] = []
        docs[name] = base
    return docs


def corpus_files(corpus_dir: Path = CORPUS_DIR) -> list[Path]:
    return sorted(p for p in corpus_dir.iterdir() if p.suffix.lower() in FORMATS and p.is_file())


def measure_file(path: Path, spec: dict | None) -> DocResult:
    spec = spec or {}
    projects = spec.get("projects", [])
    expected_rows = [r for p in projects for r in p["rows"]]
    res = DocResult(
        file=path.name,
        format=FORMATS.get(path.suffix.lower(), path.suffix),
        province=spec.get("province", ""),
        level=spec.get("level", ""),
        kind=spec.get("kind", ""),
        expect_refusal=bool(spec.get("expect_refusal")),
        projects_expected=len(projects),
        rows_expected=len(expected_rows),
    )
    try:
        from tracker.importers import ImportFormatError, parse_file
    except Exception as exc:  # the importer package itself does not load
        res.error = f"{type(exc).__name__}: {exc}"
        res.missing = [list(r) for r in expected_rows]
        return res
    data = path.read_bytes()
    t0 = time.perf_counter()
    try:
        doc = parse_file(path.name, data)
    except ImportFormatError as exc:
        res.refused = str(exc)
        doc = None
    except Exception as exc:  # a crash is a result too; the bench goes on
        res.error = f"{type(exc).__name__}: {exc}"
        doc = None
    res.seconds = round(time.perf_counter() - t0, 4)
    found: list[tuple[str, str, str, str]] = []
    if doc is not None:
        proj_list = list(getattr(doc, "projects", []) or [])
        res.projects_found = len(proj_list)
        for p in proj_list:
            for ind in getattr(p, "indicators", []) or []:
                found.append(
                    (
                        str(getattr(ind, "level1", "") or ""),
                        str(getattr(ind, "level2", "") or ""),
                        str(getattr(ind, "level3", "") or ""),
                        str(getattr(ind, "target_raw", "") or ""),
                    )
                )
    res.rows_found = len(found)
    used = [False] * len(found)
    for row in expected_rows:
        for i, got in enumerate(found):
            if not used[i] and _row_matches(row, got):
                used[i] = True
                res.rows_right += 1
                break
        else:
            res.missing.append(list(row))
    res.extra = [list(f) for f, u in zip(found, used, strict=True) if not u]
    return res


def run_corpus(corpus_dir: Path | str = CORPUS_DIR, only: str | None = None) -> CorpusReport:
    corpus_dir = Path(corpus_dir)
    expected = load_expected(corpus_dir)
    results = []
    for path in corpus_files(corpus_dir):
        if only and only not in path.name:
            continue
        results.append(measure_file(path, expected.get(path.name)))
    return CorpusReport(results)


def _line(d: DocResult) -> str:
    if d.error:
        status = f"崩溃 {d.error[:70]}"
    elif d.refused is not None:
        status = ("拒绝(预期) " if d.expect_refusal else "拒绝 ") + d.refused.replace("\n", " ")[:70]
    elif d.fully_imported:
        status = "完整导入"
    elif d.expect_refusal:
        status = "应拒绝却导入"
    else:
        status = "部分"
    return (
        f"{d.file:<44} {d.format:<5} 项目 {d.projects_found:>2}/{d.projects_expected:<2} "
        f"行 {d.rows_found:>3}/{d.rows_expected:<3} 正确 {d.rows_right:>3}  {status}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    ap.add_argument("--only", help="only files whose name contains this")
    ap.add_argument("--verbose", "-v", action="store_true", help="list rows not read right")
    ap.add_argument("--corpus", default=str(CORPUS_DIR))
    args = ap.parse_args(argv)
    report = run_corpus(args.corpus, args.only)
    if args.json:
        json.dump(report.to_json(), sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    for d in report.documents:
        print(_line(d))
        if args.verbose and not d.right:
            for r in d.missing:
                print("    缺/错:", " | ".join("∅" if x is None else x for x in r))
            for r in d.extra:
                print("    多/异:", " | ".join(r))
    t = report.totals
    print()
    print(
        f"文档 {t['documents']} 份：完整导入 {t['fully_imported']}/{t['importable_documents']}，"
        f"结果正确（含应拒绝而拒绝）{t['documents_right']}/{t['documents']}，"
        f"被拒绝 {t['refused']}，崩溃 {t['crashed']}"
    )
    print(f"指标行：读对 {t['rows_right']}/{t['rows_expected']}（共读出 {t['rows_found']} 行）")
    for fmt, f in sorted(t["by_format"].items()):
        print(f"  {fmt:<5} 文档 {f['right']}/{f['documents']}  行 {f['rows_right']}/{f['rows_expected']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

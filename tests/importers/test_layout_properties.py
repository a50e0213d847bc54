"""Property: a generated project table, rendered in every supported layout, imports to the same
indicators (一级, 二级, 三级, target_raw) and the same project name."""

from __future__ import annotations

import html as html_lib
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils import get_column_letter

from tests.importers.builders import docx_from_items, xlsx_from_sheets
from tracker.importers import parse_any_text, parse_file, parse_grids
from tracker.importers.levels import LEVEL2_BY_LEVEL1

# ---------------------------------------------------------------------------- the model

LEVEL3_POOL = (
    "培训人次",
    "设备购置数量",
    "验收合格率",
    "项目完成及时率",
    "群众出行便利度",
    "受益人口数",
    "资金支付进度",
    "农田灌溉面积",
    "维修道路里程",
    "公共服务覆盖率",
    "系统正常运行时间",
    "单位造价",
    "垃圾清运量",
    "绿化养护面积",
    "困难群众救助户数",
    "监测站点数",
    "档案数字化卷数",
    "巡查频次",
)
QUALITATIVE = ("明显提升", "有效改善", "按计划完成", "逐步提高", "持续发挥作用")
UNITS = ("%", "个", "人次", "万元", "公里", "台", "户", "亩")
OPS = ("≥", "≤", "")

# 一级 → its 二级 names, as the published 指标体系 writes them
GROUPS = [(l1, l2) for l1, names in LEVEL2_BY_LEVEL1.items() for l2 in names]


@dataclass(frozen=True)
class Target:
    op: str  # ≥ ≤ or "" (an exact value or a qualitative text)
    value: str
    unit: str

    @property
    def raw(self) -> str:
        return f"{self.op}{self.value}{self.unit}"

    @property
    def op_cell(self) -> str:
        if self.op:
            return self.op
        return "定量" if self.unit else "定性"


@dataclass(frozen=True)
class Row:
    level1: str
    level2: str
    level3: str
    target: Target
    long_target: str


@dataclass(frozen=True)
class Project:
    name: str
    rows: tuple[Row, ...]

    def expected(self) -> list[tuple[str, str, str, str]]:
        return [(r.level1, r.level2, r.level3, r.target.raw) for r in self.rows]


targets = st.one_of(
    st.builds(
        Target,
        st.sampled_from(OPS),
        st.integers(1, 999).map(str),
        st.sampled_from(UNITS),
    ),
    st.builds(Target, st.just(""), st.sampled_from(QUALITATIVE), st.just("")),
)


@st.composite
def projects(draw) -> Project:
    groups = draw(st.lists(st.sampled_from(GROUPS), min_size=1, max_size=4, unique=True))
    groups.sort(key=GROUPS.index)  # rows of one 一级 / 二级 stay together, as in real tables
    names = iter(draw(st.permutations(LEVEL3_POOL)))
    rows: list[Row] = []
    for l1, l2 in groups:
        for _ in range(draw(st.integers(1, 3))):
            target = draw(targets)
            rows.append(Row(l1, l2, next(names), target, "≥" + str(draw(st.integers(1, 999))) + "个"))
    name = draw(st.sampled_from(("乡村道路维护", "城区绿化提升", "农业生产发展", "学校设备购置"))) + "项目"
    return Project(name, tuple(rows))


# ---------------------------------------------------------------------------- renderings

HEADER = ["一级指标", "二级指标", "三级指标", "指标值"]


def full_rows(p: Project, *, merged: str = "repeat") -> list[list[str]]:
    """merged: repeat (一级/二级 on every row), blank (empty cells), omit (cells left out)."""
    out: list[list[str]] = []
    prev: tuple[str, str] | None = None
    for r in p.rows:
        l1 = r.level1 if merged == "repeat" or prev is None or prev[0] != r.level1 else None
        new_l2 = merged == "repeat" or prev is None or prev != (r.level1, r.level2)
        l2 = r.level2 if new_l2 else None
        cells = [l1, l2, r.level3, r.target.raw]
        if merged == "blank":
            cells = [c or "" for c in cells]
        elif merged == "omit":
            while cells and cells[0] is None:
                cells.pop(0)
            cells = [c for c in cells if c is not None]
        out.append([c or "" for c in cells])
        prev = (r.level1, r.level2)
    return out


def title(p: Project) -> str:
    return f"{p.name}绩效目标表"


def tabs(p: Project) -> str:
    return "\n".join([title(p), "\t".join(HEADER), *("\t".join(r) for r in full_rows(p, merged="blank"))])


def pipes(p: Project) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join(r) + " |" for r in full_rows(p, merged="blank")]
    return "\n".join([f"项目名称：{p.name}", *lines])


def one_cell_per_line(p: Project) -> str:
    cells = [c for r in full_rows(p, merged="omit") for c in r]
    return "\n\n".join(["2024年部门预算公开", "项目名称", p.name, *HEADER, *cells])


def one_cell_per_line_repeated(p: Project) -> str:
    """Each cell on its own line, 一级/二级 repeated on every row, a 绩效指标 label cell."""
    cells = [c for r in full_rows(p, merged="repeat") for c in r]
    return "\n".join([title(p), "绩效指标", *HEADER, *cells])


def flattened_words(p: Project) -> str:
    """A table flattened into one line, one space between cells (text of a .docx preview)."""
    cells = [c for r in full_rows(p, merged="omit") for c in r]
    return " ".join([title(p), *HEADER, *cells])


def cells_ending_in_pipe(p: Project) -> str:
    cells = [c for r in full_rows(p, merged="omit") for c in r]
    return "\n".join(f"{c} |" for c in [title(p), *HEADER, *cells])


def spaces(p: Project) -> str:
    width = [12, 20, 16, 12]
    lines = []
    for r in [HEADER, *full_rows(p, merged="repeat")]:
        lines.append("".join(c + " " * max(2, width[i] - len(c)) for i, c in enumerate(r)).rstrip())
    return "\n".join([title(p), *lines])


def spaces_merged(p: Project) -> str:
    """PDF text: merged 一级/二级 cells are simply absent from the following rows."""
    lines = ["    ".join(HEADER)] + ["    ".join(r) for r in full_rows(p, merged="omit")]
    return "\n".join([title(p), *lines])


def label_cell(p: Project) -> str:
    """Copied from a browser: 绩效指标 spans the block (only in the header row), merged cells left out."""
    rows = ["\t".join(["绩效指标", *HEADER])] + ["\t".join(r) for r in full_rows(p, merged="omit")]
    return "\n".join([title(p), *rows])


def twin_groups(p: Project) -> str:
    head = ["一级指标", "二级指标", "三级指标", "中长期目标", "年度目标"]
    second = ["", "", "", "指标值", "指标值"]
    rows = [[*r[:3], row.long_target, r[3]] for r, row in zip(full_rows(p, merged="blank"), p.rows, strict=True)]
    return "\n".join([f"项目名称\t{p.name}", "\t".join(head), "\t".join(second), *("\t".join(r) for r in rows)])


def operator_column(p: Project) -> str:
    head = ["一级指标", "二级指标", "三级指标", "计算符号", "指标值", "度量单位"]
    rows = [
        [*r[:3], row.target.op_cell, row.target.value, row.target.unit]
        for r, row in zip(full_rows(p, merged="blank"), p.rows, strict=True)
    ]
    return "\n".join([f"项目(专项)名称\t{p.name}", "\t".join(head), *("\t".join(r) for r in rows)])


def self_evaluation(p: Project) -> str:
    head = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]
    rows = [[*r, "已完成", "10", "10", ""] for r in full_rows(p, merged="blank")]
    return "\n".join(
        [
            f"{p.name}支出绩效自评表",
            "\t".join(head),
            *("\t".join(r) for r in rows),
            "总分\t\t\t\t\t100\t100",
            "填表人：张三",
        ]
    )


TEXT_LAYOUTS = {
    "tabs": tabs,
    "pipes": pipes,
    "one_cell_per_line": one_cell_per_line,
    "one_cell_per_line_repeated": one_cell_per_line_repeated,
    "flattened_words": flattened_words,
    "cells_ending_in_pipe": cells_ending_in_pipe,
    "spaces": spaces,
    "spaces_merged": spaces_merged,
    "label_cell": label_cell,
    "twin_groups": twin_groups,
    "operator_column": operator_column,
    "self_evaluation": self_evaluation,
}


def _merges(rows: list[list[str]], p: Project, top: int, left: int) -> list[tuple[int, int, int, int]]:
    """(r0, c0, r1, c1) ranges of the 一级 and 二级 runs, in grid coordinates."""
    out = []
    for col, key in ((0, lambda r: r.level1), (1, lambda r: (r.level1, r.level2))):
        start = 0
        for i in range(1, len(p.rows) + 1):
            if i == len(p.rows) or key(p.rows[i]) != key(p.rows[start]):
                if i - 1 > start:
                    out.append((top + start, left + col, top + i - 1, left + col))
                start = i
    return out


def docx_bytes(p: Project) -> bytes:
    """A real .docx: 绩效指标 label column merged down the block, 一级/二级 merged with python-docx."""
    rows = [["绩效指标", *HEADER]] + [["绩效指标", *r] for r in full_rows(p, merged="repeat")]
    merges = [(0, 0, len(rows) - 1, 0), *_merges(rows, p, top=1, left=1)]
    return docx_from_items([f"1、{title(p)}", rows], merges={0: merges})


def xlsx_bytes(p: Project) -> bytes:
    rows: list[list[object]] = [[title(p)], ["绩效指标", *HEADER]]
    rows += [["", *r] for r in full_rows(p, merged="blank")]
    refs = [f"A2:A{len(rows)}"]
    for r0, c0, r1, c1 in _merges(rows, p, top=3, left=1):
        refs.append(f"{get_column_letter(c0 + 1)}{r0}:{get_column_letter(c1 + 1)}{r1}")
    return xlsx_from_sheets([("Sheet1", rows)], merges={"Sheet1": refs})


def html_text(p: Project) -> str:
    """A saved web page: rowspan cells for the label, 一级 and 二级."""
    trs = [
        "<tr><td rowspan='{}'>绩效指标</td>{}</tr>".format(len(p.rows) + 1, "".join(f"<th>{h}</th>" for h in HEADER))
    ]
    spans = {(r0 - 1, c0): r1 - r0 + 1 for r0, c0, r1, _ in _merges([], p, top=1, left=0)}
    covered = {(r, c) for (r0, c), n in spans.items() for r in range(r0 + 1, r0 + n)}
    for i, row in enumerate(p.rows):
        tds = []
        for c, text in enumerate([row.level1, row.level2, row.level3, row.target.raw]):
            if (i, c) in covered:
                continue
            span = spans.get((i, c))
            attr = f" rowspan='{span}'" if span else ""
            tds.append(f"<td{attr}>{html_lib.escape(text)}</td>")
        trs.append("<tr>" + "".join(tds) + "</tr>")
    return f"<html><body><p>{title(p)}</p><table>{''.join(trs)}</table></body></html>"


def grid_rows(p: Project) -> list[list[str | None]]:
    """What a PDF table reader gives: None for the continuation of a merged cell."""
    rows: list[list[str | None]] = [[title(p)], list(HEADER)]
    for r in full_rows(p, merged="blank"):
        rows.append([c or None for c in r])
    return rows


def signature(doc) -> tuple[list[str], list[tuple[str, str, str, str]]]:
    return (
        [p.name for p in doc.projects],
        [(i.level1, i.level2, i.level3, i.target_raw) for p in doc.projects for i in p.indicators],
    )


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(projects(), st.sampled_from(sorted(TEXT_LAYOUTS)))
def test_every_text_layout_imports_the_same_indicators(p, layout):
    doc = parse_any_text(TEXT_LAYOUTS[layout](p))
    assert signature(doc) == ([p.name], p.expected()), layout


@SETTINGS
@given(projects())
def test_twin_groups_keep_the_long_term_target_as_information(p):
    doc = parse_any_text(twin_groups(p))
    assert [i.description for i in doc.projects[0].indicators] == [f"中长期目标：{r.long_target}" for r in p.rows]


@SETTINGS
@given(projects())
def test_operator_column_gives_hints(p):
    doc = parse_any_text(operator_column(p))
    assert [i.op_hint for i in doc.projects[0].indicators] == [r.target.op_cell for r in p.rows]
    assert [i.unit_hint for i in doc.projects[0].indicators] == [r.target.unit or None for r in p.rows]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(projects())
def test_docx_xlsx_html_and_grids_import_the_same_indicators(p):
    expected = ([p.name], p.expected())
    assert signature(parse_file("a.docx", docx_bytes(p))) == expected
    assert signature(parse_file("a.xlsx", xlsx_bytes(p))) == expected
    assert signature(parse_file("a.html", html_text(p).encode())) == expected
    assert signature(parse_grids([grid_rows(p)], source_format="pdf")) == expected


FOOTERS = ("合计", "填表人：张三", "审核人：李四", "注：指标值应当可衡量")


@SETTINGS
@given(projects(), st.sampled_from(["tabs", "pipes", "spaces", "label_cell", "operator_column"]), st.data())
def test_rows_below_the_table_are_listed_never_imported(p, layout, data):
    footers = data.draw(st.lists(st.sampled_from(FOOTERS), min_size=1, max_size=3, unique=True))
    doc = parse_any_text(TEXT_LAYOUTS[layout](p) + "\n" + "\n".join(footers))
    assert signature(doc) == ([p.name], p.expected())
    assert [s.text for s in doc.skipped] == footers

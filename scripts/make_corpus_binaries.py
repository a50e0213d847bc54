"""Make the binary members of the corpus (.docx, .xlsx, .html, .pdf) from hand-checked text.

    python scripts/make_corpus_binaries.py          # (re)writes the files, prints their sizes

Most published tables reached us as text. Counties receive the same layouts as Word, Excel,
saved web pages and PDF, so for a representative subset this script lays the table of a corpus
document out again as such a file, the way those offices' templates do:

- a title line and 项目名称 / 主管部门 rows above the indicator table;
- merged cells: 一级 over its rows, 二级 over its rows, and a label cell (绩效指标 / 年度绩效指标)
  spanning the whole indicator block where the original had one;
- the original's column groups: Sichuan split columns (指标性质/指标值/度量单位/权重) with a
  项目名称 column holding several projects, twin 长期/年度 groups with the long-term group empty,
  自评表 columns (年度指标值/实际完成值/分值/得分);
- PDF with ruling lines (fpdf2 tables, Droid Sans Fallback embedded as a subset), one of them with the
  table continuing over a page break, and one "scanned" PDF: the table drawn as an image with
  no text layer at all.

The indicator rows come from tests/fixtures/corpus/expected.json (the hand-checked reading of
the source text), so a derived file and its source text must import to the same rows; the
"derived" section of expected.json says which file comes from which text. Outputs are
committed; rerun after changing this script. Needs python-docx, openpyxl, fpdf2 and Pillow
(requirements-dev.txt) and the CJK fonts of Debian's fonts-droid-fallback (PDF text) and
fonts-noto-cjk (the scanned image; Droid is used when Noto is missing).
"""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "corpus"
# TrueType (glyf) CJK font for the PDF text layer: fpdf2 draws CFF-based fonts such as Noto CJK
# without extractable text, so the PDFs use Droid Sans Fallback (Debian: fonts-droid-fallback).
PDF_FONT = Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")
# Droid Sans Fallback has no Latin digits or ≥ ≤: DejaVu Sans (fonts-dejavu-core) draws those,
# Droid the Chinese (fpdf2 font fallback).
LATIN_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
# Any CJK font will do for drawing the "scanned" image (Pillow/FreeType read CFF fine).
IMAGE_FONT_CANDIDATES = [
    (Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), 2),
    (PDF_FONT, 0),
]
FIXED_TIME = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


# ---------------------------------------------------------------------------------------------
# A table as a grid of cells with merges (the one model every writer below renders)


@dataclass
class Grid:
    rows: list[list[str]] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # r0, c0, r1, c1 inclusive
    header_rows: set[int] = field(default_factory=set)
    title: str = ""
    intro: str = ""  # a paragraph above the table (used to push the table over a page break)

    @property
    def width(self) -> int:
        return max(len(r) for r in self.rows)

    def add(self, cells: list[str], header: bool = False) -> int:
        self.rows.append(list(cells))
        if header:
            self.header_rows.add(len(self.rows) - 1)
        return len(self.rows) - 1

    def merge(self, r0: int, c0: int, r1: int, c1: int) -> None:
        if (r0, c0) != (r1, c1):
            self.merges.append((r0, c0, r1, c1))

    def covered(self) -> dict[tuple[int, int], tuple[int, int, int, int]]:
        """(r, c) hidden under a merge → the merge; the top-left cell is not included."""
        out = {}
        for m in self.merges:
            r0, c0, r1, c1 = m
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if (r, c) != (r0, c0):
                        out[(r, c)] = m
        return out


_TARGET = re.compile(r"^(≥|≤|=|>|<)?\s*([0-9][0-9.,]*)\s*(.*)$")


def split_target(target: str) -> tuple[str, str, str]:
    """ "≥95%" → ("≥", "95", "%"); "有效" → ("定性", "有效", "")."""
    m = _TARGET.match(target)
    if not m:
        return "定性", target, ""
    op, value, unit = m.groups()
    return op or "=", value, unit


def _merge_runs(grid: Grid, first_row: int, col: int, keys: list[tuple]) -> None:
    """Merge vertically the consecutive rows whose key is equal (一级, then 一级+二级)."""
    start = 0
    for i in range(1, len(keys) + 1):
        if i == len(keys) or keys[i] != keys[start]:
            grid.merge(first_row + start, col, first_row + i - 1, col)
            start = i


def indicator_grid(
    doc: dict,
    *,
    title: str,
    info: list[tuple[str, str]],
    label: str | None,
    kind: str = "plain",  # plain | twin | selfeval | projectcol
    actuals: list[tuple[str, str, str]] | None = None,
    intro: str = "",
) -> Grid:
    g = Grid(title=title, intro=intro)
    projects = doc["projects"]
    if kind == "projectcol":
        head = ["项目名称", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "权重"]
    elif kind == "twin":
        head = [
            "一级指标",
            "二级指标(长期)",
            "三级指标(长期)",
            "指标值(长期)",
            "二级指标(年度)",
            "三级指标(年度)",
            "指标值(年度)",
        ]
    elif kind == "selfeval":
        head = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"]
    else:
        head = ["一级指标", "二级指标", "三级指标", "指标值"]
    lead = 1 if label else 0
    width = len(head) + lead
    g.add([title] + [""] * (width - 1), header=True)
    g.merge(0, 0, 0, width - 1)
    for key, value in info:
        r = g.add([key, value] + [""] * (width - 2))
        g.merge(r, 1, r, width - 1)
    hr = g.add(([label] if label else []) + head, header=True)
    first = hr + 1
    rows = [(p["name"], r) for p in projects for r in p["rows"]]
    for i, (pname, (l1, l2, l3, target)) in enumerate(rows):
        if kind == "projectcol":
            op, value, unit = split_target(target)
            cells = [pname, l1, l2, l3, op, value, unit, "10"]
        elif kind == "twin":
            cells = [l1, l2, "", "", l2, l3, target]
        elif kind == "selfeval":
            actual, score, got = (actuals or [])[i]
            cells = [l1, l2, l3, target, actual, score, got]
        else:
            cells = [l1, l2, l3, target]
        g.add(([label] if label else []) + cells)
    n = len(rows)
    if label:
        g.merge(hr, 0, hr + n, 0)  # the label cell spans the header and every indicator row
    c = lead
    if kind == "projectcol":
        _merge_runs(g, first, c, [(p,) for p, _ in rows])
        c += 1
        _merge_runs(g, first, c, [(p, r[0]) for p, r in rows])
        _merge_runs(g, first, c + 1, [(p, r[0], r[1]) for p, r in rows])
    elif kind == "twin":
        pass  # this template repeats 一级 and 二级 on every row: no merges
    else:
        _merge_runs(g, first, c, [(r[0],) for _, r in rows])
        _merge_runs(g, first, c + 1, [(r[0], r[1]) for _, r in rows])
    return g


# ---------------------------------------------------------------------------------------------
# Writers


def _stable_zip(path: Path) -> None:
    """Rewrite a .docx/.xlsx with fixed entry dates so that reruns give identical bytes."""
    import zipfile

    with zipfile.ZipFile(path) as zin:
        entries = [(i.filename, zin.read(i.filename)) for i in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in entries:
            if name == "docProps/core.xml":  # openpyxl stamps "modified" with the time of saving
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2024-01-01T00:00:00Z", data)
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(info, data)


def write_docx(grid: Grid, path: Path) -> None:
    from docx import Document
    from docx.shared import Pt

    d = Document()
    d.core_properties.created = FIXED_TIME.replace(tzinfo=None)
    d.core_properties.modified = FIXED_TIME.replace(tzinfo=None)
    d.core_properties.author = "corpus"
    if grid.intro:
        d.add_paragraph(grid.intro)
    table = d.add_table(rows=len(grid.rows), cols=grid.width)
    table.style = "Table Grid"
    hidden = grid.covered()
    for r, row in enumerate(grid.rows):
        for c in range(grid.width):
            if (r, c) in hidden:
                continue
            cell = table.cell(r, c)
            cell.text = row[c] if c < len(row) else ""
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(9)
                    run.bold = r in grid.header_rows
    for r0, c0, r1, c1 in grid.merges:
        table.cell(r0, c0).merge(table.cell(r1, c1))
    d.save(str(path))
    _stable_zip(path)


def write_xlsx(grid: Grid, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = Workbook()
    ws = wb.active
    ws.title = "绩效目标表"
    thin = Side(style="thin")
    hidden = grid.covered()
    for r, row in enumerate(grid.rows, start=1):
        for c in range(1, grid.width + 1):
            cell = ws.cell(row=r, column=c)
            if (r - 1, c - 1) not in hidden:
                cell.value = row[c - 1] if c - 1 < len(row) and row[c - 1] != "" else None
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # "=100%" is text typed in a cell, not a formula
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            if r - 1 in grid.header_rows:
                cell.font = Font(bold=True)
    for r0, c0, r1, c1 in grid.merges:
        ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
    for c in range(grid.width):
        ws.column_dimensions[chr(ord("A") + c)].width = 16
    wb.properties.creator = "corpus"
    wb.properties.created = FIXED_TIME.replace(tzinfo=None)
    wb.properties.modified = FIXED_TIME.replace(tzinfo=None)
    wb.save(str(path))
    _stable_zip(path)


def write_html(grid: Grid, path: Path) -> None:
    hidden = grid.covered()
    spans = {(m[0], m[1]): m for m in grid.merges}
    out = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        f"<title>{html.escape(grid.title)}</title>",
        "<style>table{border-collapse:collapse}td,th{border:1px solid #000;padding:2px 4px}</style>",
        "</head><body>",
        '<div class="position">首页 &gt; 政务公开 &gt; 预算/决算</div>',
    ]
    if grid.intro:
        out.append(f"<p>{html.escape(grid.intro)}</p>")
    out.append('<table border="1" cellspacing="0">')
    for r, row in enumerate(grid.rows):
        cells = []
        for c in range(grid.width):
            if (r, c) in hidden:
                continue
            attrs = ""
            m = spans.get((r, c))
            if m:
                rs, cs = m[2] - m[0] + 1, m[3] - m[1] + 1
                attrs = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
            text = html.escape(row[c] if c < len(row) else "")
            cells.append(f"<td{attrs}>{text}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out += ["</table>", "<p>扫一扫在手机打开当前页</p>", "</body></html>", ""]
    path.write_text("\n".join(out), encoding="utf-8")


def _pdf_font() -> Path:
    if PDF_FONT.exists():
        return PDF_FONT
    raise SystemExit("需要 Droid Sans Fallback 字体（Debian: apt-get install fonts-droid-fallback）")


def _image_font() -> tuple[Path, int]:
    for p, index in IMAGE_FONT_CANDIDATES:
        if p.exists():
            return p, index
    raise SystemExit("需要中文字体（Debian: apt-get install fonts-noto-cjk 或 fonts-droid-fallback）")


def write_pdf(grid: Grid, path: Path, *, font_size: float = 9, line_height: float = 7) -> None:
    """A text PDF with ruling lines; fpdf2's table() continues over page breaks."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_creation_date(FIXED_TIME)
    pdf.set_creator("corpus")
    pdf.add_font("DroidSansFallback", fname=str(_pdf_font()))
    pdf.add_font("DejaVuSans", fname=str(LATIN_FONT))
    pdf.set_fallback_fonts(["DroidSansFallback"])
    pdf.add_page()
    pdf.set_font("DejaVuSans", size=font_size)
    if grid.intro:
        pdf.multi_cell(0, line_height, grid.intro)
        pdf.ln(2)
    hidden = grid.covered()
    spans = {(m[0], m[1]): m for m in grid.merges}
    # the title and info rows are part of the ruled table, as in the templates
    with pdf.table(
        line_height=line_height,
        first_row_as_headings=False,
        text_align="LEFT",
        borders_layout="ALL",
        repeat_headings=0,
    ) as table:
        for r, row in enumerate(grid.rows):
            trow = table.row()
            for c in range(grid.width):
                if (r, c) in hidden:
                    continue
                m = spans.get((r, c))
                rs = m[2] - m[0] + 1 if m else 1
                cs = m[3] - m[1] + 1 if m else 1
                style = FontFace(fill_color=(230, 230, 230)) if r in grid.header_rows else None
                trow.cell(row[c] if c < len(row) else "", rowspan=rs, colspan=cs, style=style)
    pdf.output(str(path))


def write_scanned_pdf(grid: Grid, path: Path) -> None:
    """The table drawn as a greyscale image: a PDF page with no text layer (like a scan)."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw, ImageFont

    font_path, index = _image_font()
    font = ImageFont.truetype(str(font_path), 22, index=index)
    col_w = [150] + [190] * (grid.width - 1)
    row_h = 44
    w = sum(col_w) + 40
    h = row_h * len(grid.rows) + 40
    img = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(img)
    xs = [20]
    for cw in col_w:
        xs.append(xs[-1] + cw)
    hidden = grid.covered()
    spans = {(m[0], m[1]): m for m in grid.merges}
    for r, row in enumerate(grid.rows):
        for c in range(grid.width):
            if (r, c) in hidden:
                continue
            m = spans.get((r, c)) or (r, c, r, c)
            x0, x1 = xs[m[1]], xs[m[3] + 1]
            y0, y1 = 20 + m[0] * row_h, 20 + (m[2] + 1) * row_h
            draw.rectangle([x0, y0, x1, y1], outline=0, width=2)
            text = row[c] if c < len(row) else ""
            while text and draw.textlength(text, font=font) > (x1 - x0 - 8):
                text = text[:-1]
            draw.text((x0 + 4, y0 + (y1 - y0 - 26) // 2), text, font=font, fill=0)
    img = img.rotate(0.6, fillcolor=255, expand=False)  # a slightly skewed scan
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_creation_date(FIXED_TIME)
    pdf.set_creator("scanner")
    pdf.add_page()
    pdf.image(buf, x=10, y=10, w=277)
    pdf.output(str(path))


# ---------------------------------------------------------------------------------------------
# The subset and how each one is laid out


def build(expected: dict) -> dict[str, tuple[str, callable]]:
    docs = expected["documents"]
    plans: dict[str, tuple[str, callable]] = {}

    # 1. 岳阳县 申报表: a 绩效指标 label cell spanning the indicator block, merged 一级/二级.
    src = "hunan_county_shenbao_01.txt"
    g1 = indicator_grid(
        docs[src],
        title="绩效目标申报表(基础设施建设类)(2022年度)",
        info=[
            ("项目名称", "岳阳县2022年高标准农田建设项目"),
            ("主管部门", "岳阳县农业农村局"),
            ("年度目标", "完成项目主体工程70%"),
        ],
        label="绩效指标",
    )
    for ext, writer in (("docx", write_docx), ("xlsx", write_xlsx), ("html", write_html), ("pdf", write_pdf)):
        plans[f"hunan_county_shenbao_01.{ext}"] = (src, lambda p, g=g1, w=writer: w(g, p))

    # 2. 马踏镇: one sheet, 项目名称 column with two projects, Sichuan split columns.
    src = "sichuan_township_mubiao_01.txt"
    g2 = indicator_grid(
        docs[src],
        title="部门预算项目绩效目标申报表(2023年度) 单位:井研县马踏镇人民政府",
        info=[],
        label=None,
        kind="projectcol",
    )
    for ext, writer in (("xlsx", write_xlsx), ("docx", write_docx), ("html", write_html), ("pdf", write_pdf)):
        plans[f"sichuan_township_mubiao_01.{ext}"] = (src, lambda p, g=g2, w=writer: w(g, p))

    # 3. 武汉青山区: twin 长期/年度 column groups, the 长期 group empty, 一级 on every row.
    src = "hubei_county_mubiao_02.txt"
    g3 = indicator_grid(
        docs[src],
        title="项目支出绩效目标表(2020年度)",
        info=[
            ("项目名称", "教育系统基础设施建设和设备购置"),
            ("主管部门及编码", "[015001]武汉市青山区教育局"),
            ("年度目标", "按工作计划完成教育局重点项目建设经费预算安排"),
        ],
        label="绩效项目指标表",
        kind="twin",
    )
    for ext, writer in (("docx", write_docx), ("xlsx", write_xlsx), ("html", write_html), ("pdf", write_pdf)):
        plans[f"hubei_county_mubiao_02.{ext}"] = (src, lambda p, g=g3, w=writer: w(g, p))

    # 4. 永德县 自评表: 年度指标值 / 实际完成值 / 分值 / 得分 (values read from the source text).
    src = "yunnan_county_ziping_01.txt"
    actuals = [
        ("735人次", "10", "10"),
        ("100%", "10", "10"),
        ("100%", "10", "7"),
        ("100%", "10", "10"),
        ("有效", "10", "10"),
        ("98%", "10", "9"),
        ("100%", "10", "10"),
        ("100%", "10", "10"),
        ("100%", "10", "10"),
    ]
    g4 = indicator_grid(
        docs[src],
        title="2022年度项目支出绩效自评表",
        info=[
            ("项目名称", "义务教育营养改善计划专项资金"),
            ("主管部门", "永德县教育体育局"),
            ("实施单位", "永德县明朗中学"),
        ],
        label="绩效指标",
        kind="selfeval",
        actuals=actuals,
    )
    for ext, writer in (("docx", write_docx), ("xlsx", write_xlsx), ("pdf", write_pdf)):
        plans[f"yunnan_county_ziping_01.{ext}"] = (src, lambda p, g=g4, w=writer: w(g, p))

    # 5. 南岳区 申报表 as PDF whose table starts low on page 1 and continues on page 2.
    src = "hunan_county_shenbao_02.txt"
    intro = (
        "2018年市级专项扶贫资金基础设施(人大代表扶贫基地)绩效目标申报表。"
        "发布时间:2018年05月20日 来源:南岳区财政局。" + "为水濂村带来观光游客不少于6万人,村集体收入达6万元。" * 12
    )
    g5 = indicator_grid(
        docs[src],
        title="绩效目标申报表",
        info=[("项目名称", "2018年市级专项扶贫资金基础设施(人大代表扶贫基地)"), ("主管部门", "南岳镇政府")],
        label=None,  # fpdf2 keeps a rowspan group on one page: a label over all rows could not break
        intro=intro,
    )
    plans["hunan_county_shenbao_02.pdf"] = (src, lambda p, g=g5: write_pdf(g, p, font_size=10, line_height=9))

    # 6. 湘潭 申报表 "scanned": an image-only PDF (no text layer) → a clear refusal is right.
    src = "hunan_city_shenbao_01.txt"
    g6 = indicator_grid(
        docs[src],
        title="2023年项目支出绩效目标申报表",
        info=[("项目支出名称", "雾炮车降尘抑尘服务"), ("预算部门", "湘潭市环境卫生管理处")],
        label="本年度绩效指标",
    )
    plans["hunan_city_shenbao_01.pdf"] = (src, lambda p, g=g6: write_scanned_pdf(g, p))
    return plans


def main() -> int:
    expected = json.loads((CORPUS / "expected.json").read_text(encoding="utf-8"))
    plans = build(expected)
    derived = expected.get("derived", {})
    total = 0
    for name, (src, make) in plans.items():
        path = CORPUS / name
        make(path)
        size = path.stat().st_size
        total += size
        print(f"{name:<40} {size:>8} 字节  ← {src}")
        if name not in derived or derived[name].get("source") != src:
            print(f"  注意：expected.json 的 derived 里没有 {name}（来源 {src}）", file=sys.stderr)
    print(f"共 {len(plans)} 个文件，{total / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

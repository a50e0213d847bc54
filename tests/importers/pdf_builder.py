"""Write test PDFs with reportlab: ruled 绩效目标表 tables in a CID font (STSong-Light, no font
file needed), text-only pages, image-only (scanned) pages, encrypted files.

Tables are laid out as published ones: a title line above each table, a 年度绩效目标 row spanning
the table, the header, and merged (SPAN) 一级/二级 cells. A long table is split across pages by
reportlab itself, the way Word does it when it prints to PDF.
"""

from __future__ import annotations

import io

HEADER = ["一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"]
FONT = "STSong-Light"


def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def indicator_rows(n: int, prefix: str = "指标") -> list[list[str]]:
    """n indicator rows in the usual groups: 产出 (数量/质量/时效/成本), 效益, 满意度."""
    groups = [
        ("产出指标", "数量指标", "{}个"),
        ("产出指标", "质量指标", "≥{}%"),
        ("产出指标", "时效指标", "{}月底前"),
        ("产出指标", "成本指标", "≤{}万元"),
        ("效益指标", "社会效益指标", "有效提升"),
        ("满意度指标", "服务对象满意度指标", "≥{}%"),
    ]
    per = max(1, n // len(groups))
    rows: list[list[str]] = []
    for g, (l1, l2, target) in enumerate(groups):
        count = per if g < len(groups) - 1 else n - per * (len(groups) - 1)
        for k in range(count):
            value = str(1 + (g * 7 + k) % 11) if "月" in target else str(80 + k)
            rows.append([l1, l2, f"{prefix}{len(rows) + 1}", f"{l2}描述{k + 1}", target.format(value), "根据工作计划"])
    return rows


def _spans(rows: list[list[str]], start: int) -> list[tuple]:
    """SPAN commands for equal consecutive 一级 / 二级 cells (rows start at table row `start`)."""
    out = []
    for col in (0, 1):
        key = (lambda r: r[0]) if col == 0 else (lambda r: (r[0], r[1]))
        a = 0
        for i in range(1, len(rows) + 1):
            if i == len(rows) or key(rows[i]) != key(rows[a]):
                if i - 1 > a:
                    out.append(("SPAN", (col, start + a), (col, start + i - 1)))
                a = i
    return out


def build_pdf(
    projects: list[tuple[str, str, list[list[str]]]],
    *,
    department: str | None = "[301001]示例县农业农村局",
    year: int | None = 2024,
    ruled: bool = True,
    scanned_page: bool = False,
    encrypt: str | None = None,
    merge_levels: bool = True,
    running_head: str | None = None,
    repeat_rows: int = 0,
    one_cell_per_line: bool = False,
) -> bytes:
    """projects: (name, goal, indicator rows). ruled=False: the same tables without ruling lines."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _font()
    style = ParagraphStyle("cjk", fontName=font, fontSize=10, leading=14, wordWrap="CJK")
    title = ParagraphStyle("title", parent=style, fontSize=12, leading=18)
    out = io.BytesIO()
    kwargs = {}
    if encrypt:
        from reportlab.lib.pdfencrypt import StandardEncryption

        kwargs["encrypt"] = StandardEncryption(encrypt, canPrint=1)
    pdf = SimpleDocTemplate(out, pagesize=A4, leftMargin=36, rightMargin=36, topMargin=40, bottomMargin=40, **kwargs)
    story: list = []
    if year:
        story.append(Paragraph(f"{year}年部门预算公开", title))
    if department:
        story.append(Paragraph(f"部门名称：{department}", style))
    story.append(Spacer(1, 8))
    for k, (name, goal, rows) in enumerate(projects, start=1):
        story.append(Paragraph(f"{k}、{name}绩效目标表", title))
        if one_cell_per_line:  # a text report: every cell on a line of its own, no table at all
            for cell in ["年度绩效目标", goal, *HEADER, *(c for r in rows for c in r)]:
                story.append(Paragraph(cell, style))
            story.append(Spacer(1, 12))
            continue
        data = [["年度绩效目标", goal, "", "", "", ""], HEADER, *[list(r) for r in rows]]
        commands = [("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 9)]
        if ruled:
            data = [[Paragraph(c, style) if c else "" for c in r] for r in data]
            commands += [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("SPAN", (1, 0), (-1, 0)),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
            if merge_levels:
                commands += _spans(rows, 2)
                for cmd in _spans(rows, 2):  # merged cells hold their text in the top cell only
                    (c, r0), (_, r1) = cmd[1], cmd[2]
                    for r in range(r0 + 1, r1 + 1):
                        data[r][c] = ""
        # unruled: plain strings on one line each, 一级/二级 repeated on every row, the columns
        # aligned by position only (what a PDF made from a web page or a text report looks like)
        widths = [60, 70, 110, 120, 70, 93] if ruled else [55, 95, 60, 125, 55, 90]
        # repeat_rows: the first rows (goal, header) printed again at the top of every page
        story.append(Table(data, colWidths=widths, style=TableStyle(commands), repeatRows=repeat_rows))
        story.append(Spacer(1, 12))
    if scanned_page:
        story.append(PageBreak())
        story.append(_Picture())

    def decorate(canvas, _doc):  # running head and page number, as printed reports have
        canvas.saveState()
        canvas.setFont(font, 8)
        if running_head:
            canvas.drawString(36, A4[1] - 25, running_head)
        canvas.drawCentredString(A4[0] / 2, 20, f"- {canvas.getPageNumber()} -")
        canvas.restoreState()

    pdf.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return out.getvalue()


def _Picture():
    """A page holding only an image (a scan): no text layer."""
    from reportlab.platypus import Flowable

    class Picture(Flowable):
        def wrap(self, aw, ah):
            return 400, 300

        def draw(self):
            from PIL import Image, ImageDraw
            from reportlab.lib.utils import ImageReader

            img = Image.new("L", (400, 300), 255)
            d = ImageDraw.Draw(img)
            for y in range(0, 300, 20):
                d.line((0, y, 400, y), fill=0)
            buf = io.BytesIO()
            img.save(buf, format="PNG")
            buf.seek(0)
            self.canv.drawImage(ImageReader(buf), 0, 0, 400, 300)

    return Picture()


def scanned_pdf(pages: int = 2) -> bytes:
    """A PDF of image-only pages (what a scanner produces)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import PageBreak, SimpleDocTemplate

    out = io.BytesIO()
    story: list = []
    for p in range(pages):
        if p:
            story.append(PageBreak())
        story.append(_Picture())
    SimpleDocTemplate(out, pagesize=A4).build(story)
    return out.getvalue()


def split_row_pdf(rows: list[list[str]], cut: int, tail: str) -> bytes:
    """Two pages drawn by hand: the table's rows up to `cut` on page 1, the last of them with its
    description cut short; page 2 starts with the rest of that row (only the description cell
    filled, as Word prints a row allowed to break across pages), then the remaining rows."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas
    from reportlab.platypus import Table, TableStyle

    font = _font()
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    style = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), font),
            ("FONTSIZE", (0, 0), (-1, -1), 9),
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ]
    )
    widths = [55, 95, 60, 150, 55, 90]

    def draw(data, top):
        t = Table(data, colWidths=widths, style=style)
        _, h = t.wrapOn(c, A4[0], A4[1])
        t.drawOn(c, 36, top - h)

    c.setFont(font, 12)
    c.drawString(36, A4[1] - 50, "1、断行项目绩效目标表")
    draw([["年度绩效目标", "目标。", "", "", "", ""], HEADER, *rows[:cut]], A4[1] - 60)
    c.showPage()
    draw([["", "", "", tail, "", ""], *rows[cut:]], A4[1] - 40)
    c.showPage()
    c.save()
    return out.getvalue()

"""Cells that are safe to open, and a streaming sheet for county-wide summaries.

Formula injection (OWASP "CSV Injection"): a text typed by a user that starts with
``= + - @`` (or a tab / carriage return) would be read by Excel as a formula — a
``=HYPERLINK(...)`` that leaks data or a ``=cmd|...`` DDE call. Every text cell of every
export goes through :func:`set_text`: it is stored with the string data type (never as a
formula; openpyxl otherwise writes any ``=…`` string as one) and with Excel's quote
prefix, so that editing the cell in Excel keeps it text as well. The text itself is kept
as typed.

:class:`StreamSheet` writes a summary row by row in openpyxl's write-only mode (rows go to
a temporary file as they come, memory stays flat) with named styles registered once per
workbook instead of a font, border and alignment object on each cell.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Sequence
from math import ceil
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.page import PageMargins

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def is_risky(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def set_text(cell, value) -> None:
    """Put ``value`` in ``cell``; a text that Excel could take for a formula stays text."""
    cell.value = value
    if is_risky(value):
        cell.data_type = "s"
        cell.quotePrefix = True


_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_RIGHT = Alignment(horizontal="right", vertical="center")
_BODY = Font(name="宋体", size=10)

LIGHT_COLORS = {"red": "FFC7CE", "yellow": "FFEB9C", "green": "C6EFCE", "blue": "BDD7EE", "grey": "D9D9D9"}

# name → (font, alignment, border, number format, fill)
STYLES = {
    "t_title": (Font(name="宋体", size=18, bold=True), _CENTER, None, None, None),
    "t_subtitle": (Font(name="仿宋", size=12), _CENTER, None, None, None),
    "t_label": (Font(name="宋体", size=10, bold=True), _CENTER, _BOX, None, None),
    "t_text": (_BODY, _LEFT, _BOX, None, None),
    "t_center": (_BODY, _CENTER, _BOX, None, None),
    "t_money": (_BODY, _RIGHT, _BOX, "#,##0.00", None),
    "t_rate": (_BODY, _RIGHT, _BOX, "0.00%", None),
    "t_score": (_BODY, _CENTER, _BOX, "0.00", None),
    "t_note": (Font(name="仿宋", size=9), _LEFT, None, None, None),
    **{
        f"t_light_{light}": (_BODY, _CENTER, _BOX, None, PatternFill("solid", fgColor=color))
        for light, color in LIGHT_COLORS.items()
    },
}

LINE_HEIGHT = 13.5
MIN_HEIGHT = 20.0


def _text_px(text: str, size: float) -> float:
    import unicodedata

    em = size * 4 / 3
    return sum(em if unicodedata.east_asian_width(ch) in "WF" else em / 2 for ch in text)


def wrapped_lines(text: str, width: float, size: float = 10) -> int:
    room = max((width * 7 + 5 - 6) * 0.95, 1)
    return sum(max(1, ceil(_text_px(part, size) / room)) for part in text.split("\n"))


class StreamSheet:
    """One write-only worksheet: rows are appended in order, each cell a (value, style)."""

    def __init__(self, title: str, sheet_title: str, widths: Sequence[float]):
        self.wb = Workbook(write_only=True)
        self.wb.properties.title = title
        for name, (font, align, border, number_format, fill) in STYLES.items():
            style = NamedStyle(name=name, font=font, alignment=align)
            if border is not None:
                style.border = border
            if number_format:
                style.number_format = number_format
            if fill is not None:
                style.fill = fill
            self.wb.add_named_style(style)
        self.ws = self.wb.create_sheet(sheet_title)
        self.widths = tuple(widths)
        for index, width in enumerate(self.widths, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = width
        self.row = 0

    def append(self, cells: Iterable[tuple], *, height: float | None = None) -> int:
        """Append a row of (value, style name) pairs; None leaves a cell empty. The row's
        height follows the longest wrapped text unless given."""
        self.row += 1
        values = []
        fit = MIN_HEIGHT
        for col, item in enumerate(cells, start=1):
            if item is None:
                values.append(None)
                continue
            value, style = item
            cell = WriteOnlyCell(self.ws)
            cell.style = style  # first: a named style replaces the cell's whole style
            set_text(cell, value)
            values.append(cell)
            if isinstance(value, str) and value and col <= len(self.widths):
                fit = max(fit, wrapped_lines(value, self.widths[col - 1]) * LINE_HEIGHT + 6)
        self.ws.row_dimensions[self.row].height = round(height if height is not None else fit, 1)
        self.ws.append(values)
        return self.row

    def merged(self, value, style: str, *, last_col: int, height: float) -> int:
        """A row whose first cell spans ``last_col`` columns (titles and notes)."""
        row = self.append([(value, style)], height=height)
        self.ws.merged_cells.add(CellRange(min_col=1, min_row=row, max_col=last_col, max_row=row))
        return row

    def finish(self, *, header_row: int, first_row: int, last_data_row: int, last_row: int, filter_rows: bool) -> None:
        ws = self.ws
        last_col = len(self.widths)
        letter = get_column_letter(last_col)
        if filter_rows:
            ws.auto_filter.ref = f"A{header_row}:{letter}{last_data_row}"
        ws.freeze_panes = f"A{first_row}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = "9"  # A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
        ws.print_options.horizontalCentered = True
        ws.print_title_rows = f"{header_row}:{header_row}"
        ws.print_area = f"A1:{letter}{last_row}"
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
        ws.oddFooter.center.size = 9
        ws.sheet_view.showGridLines = False

    def save(self) -> IO[bytes]:
        """The workbook in a temporary file, positioned at its start (for send_file)."""
        out = tempfile.TemporaryFile()
        self.wb.save(out)
        out.seek(0)
        return out

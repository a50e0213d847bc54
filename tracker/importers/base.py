"""The neutral structure every importer produces, whatever the source format.

Importers only read; they never touch the database. The import service turns a
ParsedDocument into departments, projects and indicators.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from tracker.domain import DomainError


class ImportFormatError(DomainError):
    """The file is not a readable 绩效目标 document; the message names the place."""


@dataclass
class SkippedItem:
    """A row or cell the importer did not take in, with its place and why (shown in the preview).

    Import what is understood; list everything else here for the user to confirm. Only a file
    with nothing usable at all is refused (ImportFormatError).
    """

    reason: str  # Chinese, e.g. "不是指标行（填表人签名）" / "无法识别的一级指标“XX”"
    text: str = ""  # the row or cell as written (shortened for display by the caller)
    file: str = ""  # source file name (batch imports: the file inside the .zip)
    table: str = ""  # e.g. "第3张表" or the project name
    row: int | None = None  # 1-based row within the table (or line within a text file)
    column: str = ""  # column header or letter, when a single cell is meant

    @property
    def place(self) -> str:
        parts = [p for p in (self.file and f"“{self.file}”", self.table) if p]
        if self.row is not None:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(f"“{self.column}”列")
        return "，".join(parts)


@dataclass
class ParsedIndicator:
    level1: str  # normalised: 产出指标 / 效益指标 / 满意度指标 / 成本指标
    level2: str  # normalised 二级 name, e.g. 数量指标, 服务对象满意度指标
    level3: str
    description: str
    target_raw: str
    basis: str
    order: int  # 1-based position within the project
    location: str = ""  # human place, e.g. "第3个项目“…”第5行"
    # Split-column layouts (Sichuan style) may give these; None when absent.
    op_hint: str | None = None  # 计算符号 column: ≥ ≤ = 定性 …
    unit_hint: str | None = None  # 度量单位 column
    weight: Decimal | None = None  # 权重 / 分值 column
    direction_hint: str | None = None  # 指标方向性: 正向 / 反向
    # The 一级/二级 cells as written ("产出指标(50分)", "社会公众或服务对象满意度指标"); level1 /
    # level2 hold the canonical names. For a merged cell, the text of the cell above.
    level1_raw: str = ""
    level2_raw: str = ""


@dataclass
class ParsedProject:
    name: str  # without the trailing 绩效目标表
    goal: str
    order: int
    indicators: list[ParsedIndicator] = field(default_factory=list)
    location: str = ""


@dataclass
class ParsedDocument:
    department_name: str | None = None
    department_code: str | None = None
    year: int | None = None
    # 万元, from the budget tables when present: total, basic, project, personnel,
    # public (公用经费), procurement (政府采购), three_public ("三公")
    budget: dict[str, Decimal] = field(default_factory=dict)
    overall_goal: str = ""
    projects: list[ParsedProject] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # rows/cells not imported (not indicators, unreadable, empty twin column …), with their place
    skipped: list[SkippedItem] = field(default_factory=list)
    source_format: str = ""  # text / docx / xlsx / xls / html / pasted / pdf

    @property
    def indicator_count(self) -> int:
        return sum(len(p.indicators) for p in self.projects)

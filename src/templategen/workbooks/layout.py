"""The layout of a workbook as plain data: sheets, cells, names, formulas and charts.

A layout is computed once per instrument (no recipient in it; see workbooks.plan.plan_layout):
the renderer writes it once per copy, filling in the recipient's texts; the reader uses it to
know which cells of an input sheet are the template's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from templategen.content.model import FieldKind, Instrument, Slot

INTRO_SHEET, RESPONDENT_SHEET, SCORES_SHEET = "Toelichting", "Gegevens", "Scores"


@dataclass
class Cell:
    value: Any = None  # text (may hold Jinja2 placeholders), number or "=formula"
    style: str = "text"  # a key of workbooks.style.ROLES
    number_format: str | None = None
    prefill: str | None = None  # respondent field filled from the recipient


@dataclass
class ChartPlan:
    kind: str  # bar | radar | scatter
    title: str
    anchor: str  # top-left cell
    categories: str | None = None  # absolute range of category labels
    # (title text, title cell or None, values range, x values range or None)
    series: list[tuple[str, str | None, str, str | None]] = field(default_factory=list)
    axis_max: float | None = None
    axis_min: float | None = None
    x_title: str = ""
    y_title: str = ""
    number_format: str | None = None  # the value axis's, e.g. "0%"


def chart_size(plan: ChartPlan) -> tuple[float, float]:
    """A chart's width and height in centimetres (what the page count needs of a chart,
    without openpyxl). A scatter of many stakeholders is wider, with its legend beside it
    (LibreOffice stacks a bottom legend in one column)."""
    if plan.kind == "scatter" and len(plan.series) > 6:
        return 26, max(12, 2 + len(plan.series) // 2)
    return 16, 9


@dataclass
class SheetPlan:
    title: str
    cells: dict[str, Cell] = field(default_factory=dict)
    widths: dict[str, float] = field(default_factory=dict)
    heights: dict[int, float] = field(default_factory=dict)
    merges: list[str] = field(default_factory=list)
    header_row: int = 0  # frozen and repeated when printing
    hidden: bool = False
    inputs: dict[str, Slot] = field(default_factory=dict)  # coordinate -> slot
    formats: list[tuple[str, str, Any]] = field(default_factory=list)  # (kind, range, arg)
    charts: list[ChartPlan] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)  # coordinate -> sheet it points to
    keep: list[tuple[int, int]] = field(default_factory=list)  # (first, last) rows: one page

    def put(self, coord: str, value: Any, style: str = "text", fmt: str | None = None) -> None:
        self.cells[coord] = Cell(value, style, fmt)


@dataclass
class ResultCells:
    """Where a rule's results land (absolute references), mirroring scoring.RuleResult."""

    value: str | None = None
    maximum: str | None = None
    band: str | None = None  # percent: band label; coverage: the message
    rows: dict[str, str] = field(default_factory=dict)  # row key (or group label) -> cell
    row_bands: dict[str, str] = field(default_factory=dict)


@dataclass
class Layout:
    instrument: Instrument
    sheets: list[SheetPlan]
    names: dict[str, str]  # anchor -> absolute reference
    lists: dict[tuple[str, ...], str]  # list key -> absolute range of its labels
    results: dict[str, ResultCells] = field(default_factory=dict)  # rule id -> cells

    def sheet(self, title: str) -> SheetPlan | None:
        return next((s for s in self.sheets if s.title == title), None)


def list_key(slot: Slot) -> tuple[str, ...] | None:
    f = slot.field
    if f.kind is FieldKind.CHECK:
        return ("check",)
    if f.kind is FieldKind.SCALE and f.scale is not None:
        return ("scale", f.scale.id)
    if f.kind is FieldKind.CHOICE:
        return ("choice", *f.options)
    return None

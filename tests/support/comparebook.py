"""Reading the comparison workbook in tests and benchmarks: the item sheet as a table, and a
check of every sheet's XML against Excel's limits (read with lxml, not openpyxl, so nothing
is repaired or truncated on the way)."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

MAX_FORMULA = 8192  # characters, with the leading '='
MAX_TEXT = 32767  # characters in a cell
MAX_ROWS = 1_048_576
MAX_COLS = 16_384
NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REF = re.compile(r"([A-Z]+)(\d+)")


def items_table(ws: Any) -> dict[str, dict[str, Any]]:
    """The item sheet as respondent -> {slot key: cell value} (header row 6, rows from 7)."""
    keys = [c.value for c in ws[6]]
    return {row[1]: {k: v for k, v in zip(keys[3:], row[3:], strict=False) if k}
            for row in ws.iter_rows(min_row=7, values_only=True) if row[1] is not None}


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


@dataclass
class Limits:
    problems: list[str] = field(default_factory=list)
    longest_formula: int = 0
    formulas: int = 0
    max_row: int = 0
    max_col: int = 0
    sheets: int = 0


def check_limits(path: Path) -> Limits:
    """Every cell of every sheet against Excel's limits: formula length (and balanced
    parentheses, which a cut-off formula lacks), text length, rows and columns."""
    out = Limits()
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name == "xl/sharedStrings.xml":
                for _, si in etree.iterparse(z.open(name), tag=f"{NS}si"):
                    text = "".join(si.itertext())
                    if len(text) > MAX_TEXT:
                        out.problems.append(f"shared string of {len(text)} characters")
                    si.clear()
            if not (name.startswith("xl/worksheets/sheet") and name.endswith(".xml")):
                continue
            out.sheets += 1
            for _, c in etree.iterparse(z.open(name), tag=f"{NS}c"):
                ref = c.get("r", "")
                m = REF.fullmatch(ref)
                if m:
                    col, row = _column(m.group(1)), int(m.group(2))
                    out.max_row, out.max_col = max(out.max_row, row), max(out.max_col, col)
                    if row > MAX_ROWS or col > MAX_COLS:
                        out.problems.append(f"{name}!{ref}: outside the sheet")
                f = c.find(f"{NS}f")
                if f is not None and f.text:
                    out.formulas += 1
                    length = len(f.text) + 1
                    out.longest_formula = max(out.longest_formula, length)
                    if length > MAX_FORMULA:
                        out.problems.append(f"{name}!{ref}: formula of {length} characters")
                    if _unbalanced(f.text):
                        out.problems.append(f"{name}!{ref}: unbalanced parentheses")
                for t in c.iter(f"{NS}t"):
                    if t.text and len(t.text) > MAX_TEXT:
                        out.problems.append(f"{name}!{ref}: text of {len(t.text)} characters")
                c.clear()
    return out


def _unbalanced(text: str) -> bool:
    depth, quoted = 0, False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
            if depth < 0:
                return True
    return depth != 0


def subject_tables(ws: Any) -> dict[str, list[list[Any]]]:
    """Every per-subject table of the overview, by the score named above its header."""
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    out = {}
    for n, row in enumerate(rows):
        if row[:2] == ["Onderwerp", "Aantal respondenten"]:
            title = str(rows[n - 1][0])
            assert title.startswith("Per onderwerp: "), title
            body = []
            for r in rows[n + 1:]:
                if r[0] is None:
                    break
                body.append(r)
            out[title.removeprefix("Per onderwerp: ")] = body
    return out

"""Write a planned workbook layout as an openpyxl workbook: cells, styles, validations,
conditional formats, charts, defined names, protection and print set-up.

Texts holding Jinja2 placeholders are filled for one recipient (sandboxed) and the copy's
custom document properties are set.
"""


from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from copy import copy
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.packaging.custom import StringProperty
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from templategen.content.bundled import BUNDLED_TEMPLATES
from templategen.content.copies import copy_properties, office_language, organisation
from templategen.content.model import (
    Instrument,
)
from templategen.content.placeholders import JINJA, context_of, fill, prefill_of
from templategen.content.recipients import Recipient
from templategen.content.signing import CopyKey
from templategen.office.formulas import sheet_link
from templategen.office.openpyxl_internals import StyleArray, set_style, style_of
from templategen.workbooks.charts import make_chart
from templategen.workbooks.layout import Cell as LayoutCell
from templategen.workbooks.layout import Layout, SheetPlan, list_key
from templategen.workbooks.pages import MARGIN_HEADER, MARGIN_SIDE, MARGIN_TOP, page_setup
from templategen.workbooks.style import FORMATS, ROLES, HouseStyle, load_house_style, validation
from templategen.xmltext import xml_safe

REFERENCE_XLSX = "reference.xlsx"



def house_style(templates_dir: Path | None) -> HouseStyle:
    """The named cell styles of the templates folder's reference.xlsx (bundled by default)."""
    return load_house_style((templates_dir or BUNDLED_TEMPLATES) / REFERENCE_XLSX)


def write_workbook(layout: Layout, recipient: Recipient | None,
                   house: HouseStyle | None = None,
                   signing_key: CopyKey | None = None) -> Workbook:
    """One copy of the workbook for a recipient (or blank), built directly with openpyxl."""
    inst = layout.instrument
    context = context_of(recipient, inst.placeholders)
    prefill = prefill_of(recipient)
    cache: dict[str, str] = {}

    def render(text: str) -> str:
        if "{" not in text:
            return text
        if text not in cache:
            cache[text] = fill(JINJA.from_string(text), context)
        return cache[text]

    def value_of(cell: LayoutCell) -> Any:
        if cell.prefill:
            return prefill.get(cell.prefill) or None
        value = cell.value
        return render(value) if isinstance(value, str) and not value.startswith("=") else value

    return build_workbook(layout, value_of, render(inst.title),
                          custom_properties(inst, recipient, signing_key), house)


def build_workbook(layout: Layout, value_of: Callable[[LayoutCell], Any], title: str,
                   props: dict[str, str], house: HouseStyle | None = None) -> Workbook:
    """The workbook of a layout, each cell's value given by ``value_of``, styled with the
    named cell styles of ``house`` (default: the bundled reference)."""
    wb = Workbook()
    wb.remove(wb.active)
    house = house or house_style(None)
    house.add_to(wb)
    for plan in layout.sheets:
        ws = wb.create_sheet(plan.title)
        _write_sheet(ws, plan, layout, value_of)
        _header_footer(ws, title)
    for name, ref in layout.names.items():
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
    for name, value in props.items():
        wb.custom_doc_props.append(StringProperty(name=xml_safe(name), value=xml_safe(value)))
    inst = layout.instrument
    now = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    wb.properties.title = xml_safe(title)
    wb.properties.subject = xml_safe(inst.source.document or title)
    wb.properties.creator = wb.properties.lastModifiedBy = organisation(house.author,
                                                                        house.form_author)
    wb.properties.created = wb.properties.modified = now
    wb.properties.language = office_language(inst)
    wb.properties.keywords = f"{inst.id} {inst.version}"
    return wb


def _header_footer(ws: Worksheet, title: str) -> None:
    """Printed pages carry the instrument's title, the sheet's name and "Pagina x van y"."""
    ws.oddHeader.center.text = title.replace("&", "&&")[:200]
    ws.oddHeader.center.size = 9
    ws.oddFooter.left.text = "&A"
    ws.oddFooter.left.size = 9
    ws.oddFooter.right.text = "Pagina &P van &N"
    ws.oddFooter.right.size = 9


def custom_properties(inst: Instrument, recipient: Recipient | None,
                      signing_key: CopyKey | None = None) -> dict[str, str]:
    """The custom document properties of one copy (a fresh instance id each time; a
    personalised copy signed, see content.signing)."""
    return copy_properties(inst, recipient, "workbook", signing_key)


class _StyleCache:
    """Styles are set once per (role, number format) and copied: setting each attribute
    per cell makes openpyxl hash every style object again (most of the build time). A role
    is a named style of the workbook plus its protection and, for text inputs, the text
    format (see workbooks.style.ROLES)."""

    def __init__(self, ws: Worksheet):
        self.ws = ws
        self.arrays: dict[tuple[str, str | None], StyleArray] = {}

    def get(self, name: str, number_format: str | None) -> StyleArray:
        key = (name, number_format)
        if key not in self.arrays:
            role = ROLES[name]
            scratch = Cell(self.ws)
            scratch.style = role.style
            scratch.protection = role.protection
            if number_format or role.number_format:
                scratch.number_format = number_format or role.number_format
            self.arrays[key] = style_of(scratch)
        return copy(self.arrays[key])


def _write_sheet(ws: Worksheet, plan: SheetPlan, layout: Layout,
                 value_of: Callable[[LayoutCell], Any]) -> None:
    styles = _StyleCache(ws)
    for coord, cell in plan.cells.items():
        target = ws[coord]
        value = value_of(cell)
        target.value = xml_safe(value) if isinstance(value, str) else value
        set_style(target, styles.get(cell.style, cell.number_format))
    for coord, sheet in plan.links.items():
        ws[coord].hyperlink = sheet_link(sheet)
    for letter, width in plan.widths.items():
        ws.column_dimensions[letter].width = width
    for row, height in plan.heights.items():
        ws.row_dimensions[row].height = height
    for rng in plan.merges:
        ws.merge_cells(rng)
    validations: dict[Any, DataValidation] = {}
    for coord, slot in plan.inputs.items():
        key = list_key(slot)
        signature = (slot.field, key)
        if signature not in validations:
            dv = validation(slot.field, layout.lists.get(key) if key else None)
            ws.add_data_validation(dv)
            validations[signature] = dv
        validations[signature].add(coord)
    for kind, rng, arg in plan.formats:
        FORMATS[kind](ws, rng, arg)
    for chart in plan.charts:
        ws.add_chart(make_chart(chart), chart.anchor)
    if plan.header_row:
        ws.freeze_panes = f"A{plan.header_row + 1}"
        ws.print_title_rows = f"1:{plan.header_row}"
    setup = page_setup(plan)
    ws.page_setup.orientation = setup.orientation
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = setup.pages_tall
    for row in setup.breaks:
        ws.row_breaks.append(Break(id=row - 1))
    ws.page_margins = PageMargins(left=MARGIN_SIDE, right=MARGIN_SIDE, top=MARGIN_TOP,
                                  bottom=MARGIN_TOP, header=MARGIN_HEADER, footer=MARGIN_HEADER)
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    if plan.hidden:
        ws.sheet_state = "hidden"

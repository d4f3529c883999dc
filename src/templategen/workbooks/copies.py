"""Personalised workbook copies: build the workbook once, then patch each copy's XML.

Building a workbook with openpyxl costs a few hundred milliseconds for the larger
instruments; what differs between two recipients' copies is tiny: the prefilled cells of
the respondent block, the texts holding Jinja2 placeholders, the document title and the
custom properties (with a fresh instance id). So the *master* is built once with a marker
in each of those cells (openpyxl writes every text as an inline string), and a copy is the
master's parts with each marked cell replaced by the recipient's value and a new
docProps/custom.xml, zipped again. If openpyxl ever writes a marked cell in a form this
module does not recognise, the master says so and every copy is built directly instead.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from jinja2 import Template

from templategen.content.placeholders import JINJA, context_of, fill, prefill_of
from templategen.content.recipients import Recipient
from templategen.content.signing import CopyKey
from templategen.office import custom_props
from templategen.workbooks.layout import Cell, Layout
from templategen.workbooks.style import HouseStyle
from templategen.workbooks.write import build_workbook, custom_properties, write_workbook
from templategen.xmltext import escape, xml_safe

_MARK = "~~tg-{}~~"
# a marked cell as openpyxl writes it: <c r="B3" s="6" t="inlineStr"><is><t>~~tg-0~~</t></is></c>
_CELL = re.compile(r'<c ([^>]*?) ?t="inlineStr"([^>]*)><is><t>~~tg-(\d+)~~</t></is></c>')
_TITLE = re.compile(r"~~tg-title~~")
_CORE = "docProps/core.xml"


@dataclass
class _Fill:
    """What goes into one marked cell: the recipient's column or a rendered text."""

    prefill: str | None = None
    template: Template | None = None

    def value(self, context: dict[str, str], prefill: dict[str, str]) -> str:
        if self.prefill is not None:
            return prefill.get(self.prefill, "")
        assert self.template is not None
        return fill(self.template, context)


@dataclass
class WorkbookMaster:
    """A built workbook whose personal cells are markers; ``copy()`` fills them."""

    layout: Layout
    parts: dict[str, bytes]  # every part of the master, in zip order
    pieces: dict[str, list[str | int]]  # marked part -> static XML and _Fill numbers between
    fills: list[_Fill] = field(default_factory=list)
    title: Template | None = None  # the document title, when it holds placeholders
    patchable: bool = True
    house: HouseStyle | None = None  # the named cell styles (None: the bundled ones)

    def copy(self, recipient: Recipient | None, signing_key: CopyKey | None = None) -> bytes:
        """The bytes of one copy for a recipient (or the unpersonalised copy); a personalised
        copy is signed with ``signing_key`` (default: the installation's key)."""
        if not self.patchable:
            buffer = io.BytesIO()
            write_workbook(self.layout, recipient, self.house, signing_key).save(buffer)
            return buffer.getvalue()
        context = context_of(recipient, self.layout.instrument.placeholders)
        prefill = prefill_of(recipient)
        values = [fill.value(context, prefill) for fill in self.fills]
        title = _xml_text(fill(self.title, context)) if self.title else ""
        props = custom_properties(self.layout.instrument, recipient, signing_key)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, data in self.parts.items():
                if name == custom_props.CUSTOM_PART:
                    data = custom_props.custom_xml(props)
                elif name in self.pieces:
                    data = _join(self.pieces[name], values).encode("utf-8")
                    if name == _CORE:
                        data = data.replace(b"~~tg-title~~", title.encode("utf-8"))
                zf.writestr(name, data)
        return buffer.getvalue()


def build_master(layout: Layout, house: HouseStyle | None = None) -> WorkbookMaster:
    """Build the workbook once, with markers in the cells that differ per recipient."""
    fills: list[_Fill] = []
    templates: dict[str, Template] = {}

    def value_of(cell: Cell) -> Any:
        value = cell.value
        if cell.prefill:
            fills.append(_Fill(prefill=cell.prefill))
        elif isinstance(value, str) and "{" in value and not value.startswith("="):
            if value not in templates:
                templates[value] = JINJA.from_string(value)
            fills.append(_Fill(template=templates[value]))
        else:
            return value
        return _MARK.format(len(fills) - 1)

    inst = layout.instrument
    title = JINJA.from_string(inst.title) if "{" in inst.title else None
    props = custom_properties(inst, None)
    wb = build_workbook(layout, value_of, "~~tg-title~~" if title else inst.title, props,
                        house)
    buffer = io.BytesIO()
    wb.save(buffer)
    with zipfile.ZipFile(buffer) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    pieces: dict[str, list[str | int]] = {}
    found = 0
    for name, data in parts.items():
        if not name.endswith(".xml") or b"~~tg-" not in data:
            continue
        split = _split(data.decode("utf-8"))
        pieces[name] = split
        found += sum(1 for p in split if isinstance(p, int))
    marks_left = any(isinstance(p, str) and "~~tg-" in p.replace("~~tg-title~~", "")
                     for split in pieces.values() for p in split)
    patchable = (found == len(fills) and not marks_left
                 and custom_props.CUSTOM_PART in parts)
    return WorkbookMaster(layout, parts, pieces, fills, title, patchable, house)


def _split(xml: str) -> list[str | int]:
    """Static XML and, for each marked cell, [attributes without the type, fill number]."""
    out: list[str | int] = []
    last = 0
    for match in _CELL.finditer(xml):
        out.append(xml[last:match.start()])
        out.append(f"<c {match.group(1)}{match.group(2)}".rstrip())
        out.append(int(match.group(3)))
        last = match.end()
    out.append(xml[last:])
    return out


def _join(pieces: list[str | int], values: list[str]) -> str:
    out = []
    for piece in pieces:
        if isinstance(piece, int):
            text = values[piece]
            # an empty value leaves the cell empty, as openpyxl writes a blank cell
            out.append(f' t="inlineStr"><is><t xml:space="preserve">{_xml_text(text)}</t></is></c>'
                       if text else "/>")
        else:
            out.append(piece)
    return "".join(out)


def _xml_text(text: str) -> str:
    """Cell text as XML character data (characters XML cannot hold dropped, as in openpyxl
    they would be refused); a carriage return kept as a reference."""
    return escape(xml_safe(text)).replace("\r", "&#13;")

"""Open answers collated per question, and the provenance of every stored file.

Open answers: up to six respondents side by side (one row per question, its text once above
its parts, one column per respondent); else for every text slot (outside the respondent
block), a heading with the question and one row per respondent who answered: subject,
respondent, the answer as text, wrapped; a round with more answers than one sheet holds
(1,048,576 rows) goes on in the next sheet.

Provenance: every submission with file name, received time, short sha256, version, status,
warnings, whether it is compared and what superseded it; then the rejected files.
"""

from __future__ import annotations

from collections.abc import Callable

from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from templategen.compare.cells import BOLD, GROUP_FILL, TITLE, header, put, widths, wrap
from templategen.compare.data import Column, Comparison
from templategen.compare.items import MAX_ROWS, labelled, slot_label
from templategen.content.model import RESPONDENT, FieldKind, Instrument

STATUS = {"accepted": "Geaccepteerd", "accepted_with_warnings": "Geaccepteerd met waarschuwingen",
          "unverified": "Niet geverifieerd: voor niemand geteld"}
MAX_SIDE_BY_SIDE = 6  # up to this many respondents: one column each, one row per question
KIND = {"form": "Formulier (Word)", "workbook": "Werkmap (Excel)"}


def write_open_answers(wb: Workbook, title: str, inst: Instrument, columns: list[Column],
                       more: Callable[[int], str] | None = None,
                       max_rows: int = MAX_ROWS) -> list[str]:
    """Write the sheet; past ``max_rows`` rows go on in a next sheet titled ``more(k)``
    (k = 2, 3, …). Return the titles of the sheets written."""
    if len(columns) <= MAX_SIDE_BY_SIDE:
        _side_by_side(wb.create_sheet(title), inst, columns)
        return [title]
    titles = [title]

    def start(name: str) -> Worksheet:
        ws = wb.create_sheet(name)
        put(ws, 1, 1, f"Open antwoorden per vraag — {inst.title}").font = TITLE
        header(ws, 3, ["Onderwerp", "Respondent", "Antwoord"])
        ws.freeze_panes = "A4"
        widths(ws, {1: 26, 2: 24, 3: 90})
        return ws

    ws = start(title)
    row, shown = 4, 0
    for slot in inst.slots():
        if slot.item.id == RESPONDENT or slot.field.kind is not FieldKind.TEXT:
            continue
        answered = [c for c in columns if isinstance(c.values.get(slot.key), str)]
        if not answered:
            continue
        for n, column in enumerate([None, *answered]):
            if row > max_rows:
                titles.append((more or (lambda k: f"{title} ({k})"))(len(titles) + 1))
                ws, row = start(titles[-1]), 4
            if n == 0 or row == 4:
                _question(ws, row, slot_label(slot) + ("" if n == 0 else " (vervolg)"))
                row += 1
                if n == 0:
                    continue
            assert column is not None
            wrap(put(ws, row, 1, column.subject))
            wrap(put(ws, row, 2, column.respondent))
            wrap(put(ws, row, 3, column.values[slot.key]))
            row, shown = row + 1, shown + 1
    if not shown:
        put(ws, 4, 1, "Nog geen open antwoorden.")
    return titles


def _side_by_side(ws: Worksheet, inst: Instrument, columns: list[Column]) -> None:
    """One row per question, one column per respondent (subject above the name)."""
    put(ws, 1, 1, f"Open antwoorden per vraag — {inst.title}").font = TITLE
    slots = [s for s in inst.slots()
             if s.item.id != RESPONDENT and s.field.kind is FieldKind.TEXT
             and any(isinstance(c.values.get(s.key), str) for c in columns)]
    for n, column in enumerate(columns):
        wrap(put(ws, 3, 2 + n, column.subject)).font = BOLD
    header(ws, 4, ["Vraag", *(c.respondent for c in columns)])
    row = 5
    for label, slot in labelled(slots):
        cell = wrap(put(ws, row, 1, label))
        if slot is None:  # a question's text once, above its answers
            cell.font = BOLD
        else:
            for n, column in enumerate(columns):
                value = column.values.get(slot.key)
                if isinstance(value, str):
                    wrap(put(ws, row, 2 + n, value))
        row += 1
    if not slots:
        put(ws, 5, 1, "Nog geen open antwoorden.")
    ws.freeze_panes = "B5"
    widths(ws, {1: 40})
    widths(ws, {2 + n: max(24, 150 / max(len(columns), 1)) for n in range(len(columns))})


def _question(ws: Worksheet, row: int, label: str) -> None:
    cell = put(ws, row, 1, label)
    cell.font = BOLD
    for col in (1, 2, 3):
        ws.cell(row=row, column=col).fill = GROUP_FILL
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
    wrap(cell)
    ws.row_dimensions[row].height = 30


def write_provenance(wb: Workbook, title: str, comparison: Comparison) -> None:
    ws = wb.create_sheet(title)
    put(ws, 1, 1, "Herkomst: alle ontvangen bestanden").font = TITLE
    names = {s.id: s.file_name for s in comparison.history}
    header(ws, 3, ["Bestand", "Ontvangen", "Gewijzigd", "SHA-256 (kort)", "Instrument", "Versie",
                   "Soort", "Respondent", "Onderwerp", "Status", "Waarschuwingen",
                   "Vervangen door", "In de vergelijking"])
    row = 4
    for sub in comparison.history:
        values = [sub.file_name, sub.received, sub.modified, sub.sha256[:12], sub.instrument,
                  sub.version, KIND.get(sub.kind, sub.kind), sub.respondent, sub.subject,
                  STATUS.get(sub.status, sub.status), "\n".join(sub.warnings),
                  names.get(sub.superseded_by, "") if sub.superseded_by else "",
                  "Ja" if sub.id in comparison.included else "Nee"]
        for col, value in enumerate(values, start=1):
            wrap(put(ws, row, col, value))
        row += 1
    if comparison.rejections:
        put(ws, row + 1, 1, "Geweigerde bestanden").font = BOLD
        header(ws, row + 2, ["Bestand", "Ontvangen", "Reden"])
        for k, (file_name, received, reason) in enumerate(comparison.rejections):
            for col, value in enumerate((file_name, received, reason), start=1):
                wrap(put(ws, row + 3 + k, col, value))
    ws.freeze_panes = "B4"
    widths(ws, {1: 40, 2: 20, 3: 20, 4: 14, 5: 22, 6: 8, 7: 16, 8: 20, 9: 20, 10: 16,
                11: 60, 12: 30, 13: 12})

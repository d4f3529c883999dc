"""The full comparison workbook, written row by row in near-constant memory.

openpyxl's write-only mode sends each row to disk as it is written; the respondents'
answers are read from the store one respondent at a time. First every copy is merged once
(compare.data.roster: its subject, for the order, and what the sheets' heads must know:
older versions' keys, invalid values, disagreements), then, per instrument, the copies are
merged again one by one in column order, and each one's row goes at once to the item sheet,
the overview, the list of disagreements, the matrices' tallies and (for the Open sheet,
which lists answers question by question) a temporary table on disk. What needs every
respondent (per-subject tables, strongest disagreements, matrices) is written after them
from small tallies. Provenance and response come from the store as streams; every sheet
that grows with the files goes on in a next sheet past 1,048,576 rows.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from statistics import mean

from openpyxl import Workbook

from templategen.compare.cells import TITLE, header, put, sheet_title, widths, wrap
from templategen.compare.data import Column, Roster, roster, stream_columns
from templategen.compare.full.conflicts import ConflictsWriter
from templategen.compare.full.distribution import write_distribution
from templategen.compare.full.glance import Shown, write_glance
from templategen.compare.full.items import ItemsWriter
from templategen.compare.full.matrices import Seen, has_matrices, write_matrices
from templategen.compare.full.overview import OverviewWriter
from templategen.compare.held import Held
from templategen.compare.labels import slot_label
from templategen.compare.open_answers import (
    MAX_SIDE_BY_SIDE,
    open_slots,
    write_open_answers,
    write_open_list,
)
from templategen.compare.provenance import write_provenance
from templategen.compare.ranking import leader, main_rule, number_format
from templategen.compare.response import write_response
from templategen.compare.sheet import MAX_ROWS, RowSheet
from templategen.content.model import Instrument, Slot
from templategen.content.recipients import Recipient
from templategen.content.scoring import evaluate_rule
from templategen.i18n import N_, document
from templategen.office.formulas import sheet_link
from templategen.office.streamed import streamed_workbook
from templategen.store import aggregates
from templategen.store.database import Store
from templategen.store.response import ResponseRow, iter_response

# the instrument's sheets, by their English name (translated into the files' language)
LABELS = (N_("Overview"), N_("Distribution"), N_("Items"), N_("Open"), N_("Matrices"),
          N_("Per respondent"), N_("Differences"))


def write_full(store: Store, instruments: list[Instrument], all_versions: bool,
               out: Path, max_rows: int = MAX_ROWS,
               recipients: Sequence[Recipient] = ()) -> Held:
    """Write the full workbook to ``out``; return what it holds (for the summary line).
    Herkomst, Respons and the Open lists go on in a next sheet past ``max_rows`` rows;
    ``recipients`` (the recipients file) name the subjects of those still missing."""
    rosters = roster(store, instruments, all_versions)
    with streamed_workbook(out) as wb:
        index = RowSheet(wb, document("Contents"))
        taken = {document("Contents").lower()}
        rows: list[list[str]] = []
        scores: dict[str, dict[str, float]] = {}
        expected: dict[str, list[ResponseRow]] = {}
        for r in iter_response(store, recipients):
            expected.setdefault(r.instrument, []).append(r)
        shown: list[Shown] = []
        for inst in instruments:
            listed = rosters[inst.id]
            if not listed.entries:
                rows.append([inst.title, inst.id, "0", document("no answers yet")])
                continue
            names = {label: sheet_title(document(label), inst.id, taken) for label in LABELS}
            sheets, seen = _instrument(store, wb, inst, listed, names, taken, max_rows)
            seen.expected = expected.get(inst.id, [])
            scores[inst.id] = seen.scores
            shown.append(seen)
            rows.append([inst.title, inst.id, str(len(listed.entries)), ", ".join(sheets)])
        glance = write_glance(wb, shown, taken, recipients)
        provenance = sheet_title(document("Provenance"), "", taken)
        aggregates.compared(store, {i.id: None if all_versions else i.version
                                    for i in instruments})  # which files are compared
        files = write_provenance(wb, provenance, aggregates.history(store), store.rejections(),
                                 lambda k: sheet_title(f"{document('Provenance')} {k}", "", taken),
                                 max_rows)
        # who was sent what and who returned it (the mail loop, personalised copies)
        write_response(wb, store, sheet_title(document("Response"), "", taken),
                       lambda k: sheet_title(f"{document('Response')} {k}", "", taken), max_rows)
        _index(index, rows, provenance, glance)
        index.close()
    compared = [i for i in instruments if rosters[i.id].entries]
    respondents = sum(len(rosters[i.id].entries) for i in compared)
    return Held(len(compared), respondents, files,
                tuple(line for inst in compared if (line := leader(inst, scores.get(inst.id, {})))))


def _instrument(store: Store, wb: Workbook, inst: Instrument, listed: Roster,
                names: dict[str, str], taken: set[str],
                max_rows: int) -> tuple[list[str], Shown]:
    """The sheets of one instrument; return their titles and what the first sheet shows
    of it (with the tool's mean main score per subject)."""
    count = len(listed.entries)
    # overview and distribution first (their sheets' place), filled from the item sheet
    overview_ws = RowSheet(wb, names["Overview"])
    distribution_ws = RowSheet(wb, names["Distribution"])
    for several_tables in (overview_ws, distribution_ws):
        several_tables.keep_tables()
    seen = Seen(inst)
    items = ItemsWriter(wb, names["Items"], inst, listed, seen.helpers())
    overview = OverviewWriter(overview_ws, inst, listed, items.sheet)
    conflicts = ConflictsWriter(wb, names["Differences"], inst, listed.most_conflicts,
                                slot_label) if listed.most_conflicts else None
    few: list[Column] = []  # up to six respondents: their open answers side by side
    parked = Parked(open_slots(inst)) if count > MAX_SIDE_BY_SIDE else None
    rule = main_rule(inst)
    per_subject: dict[str, list[float]] = {}
    for n, column in enumerate(stream_columns(store, inst, listed)):
        items.row(n, column, seen.add(column))
        overview.row(n, column)
        if conflicts is not None:
            conflicts.add(column)
        if parked is not None:
            parked.add(n, column)
        else:
            few.append(column)
        if rule is not None:
            value = evaluate_rule(inst, rule, column.values).value
            if isinstance(value, float):
                per_subject.setdefault(column.subject, []).append(value)
    sheet = items.close()
    overview.close()
    write_distribution(distribution_ws, inst, count, sheet)
    distribution_ws.close()
    titles = [names["Overview"], names["Distribution"],
              document("{sheet} (hidden)").format(sheet=names["Items"])]
    if conflicts is not None:
        conflicts.close()
        titles.append(names["Differences"])
    more = functools.partial(_more_title, inst.id, taken)
    if parked is not None:
        titles += write_open_list(wb, names["Open"], inst.title, parked.rows(), more,
                                  max_rows)
        parked.close()
    else:
        titles += write_open_answers(wb, names["Open"], inst, few, more, max_rows)
    if has_matrices(inst):
        write_matrices(wb, names["Matrices"], names["Per respondent"], inst, listed, seen,
                       sheet)
        titles += [names["Matrices"], names["Per respondent"]]
    respondents: dict[str, int] = {}
    for entry in listed.entries:
        respondents[entry.subject] = respondents.get(entry.subject, 0) + 1
    answered = {sub.recipient: entry.subject for entry in listed.entries
                for sub in entry.submissions if sub.recipient}
    seen_ = Shown(inst, list(respondents), respondents, answered, sheet, names["Overview"],
                  {s: mean(v) for s, v in per_subject.items()})
    if rule is not None and (place := overview.main_range()) is not None:
        seen_.score_range, seen_.subject_range = place
        seen_.score_label, seen_.direction = rule.label, rule.direction
        seen_.score_format = "0.0%" if "%" in number_format(inst, rule) else "0.00"
    return titles, seen_


class Parked:
    """The open answers of one instrument, parked in a temporary SQLite file as the columns
    pass, read back question by question for the Open sheet's list."""

    def __init__(self, slots: list[Slot]):
        self.slots = slots
        self.db = sqlite3.connect("")  # a private temporary file, deleted on close
        self.db.execute("CREATE TABLE open (slot INTEGER, n INTEGER, subject TEXT, "
                        "respondent TEXT, answer TEXT)")

    def add(self, n: int, column: Column) -> None:
        self.db.executemany("INSERT INTO open VALUES (?, ?, ?, ?, ?)", [
            (k, n, column.subject, column.respondent, value)
            for k, slot in enumerate(self.slots)
            if isinstance(value := column.values.get(slot.key), str)])

    def rows(self) -> Iterator[tuple[str, str, str, str, str]]:
        labels: dict[int, str] = {}
        for k, subject, respondent, answer in self.db.execute(
                "SELECT slot, subject, respondent, answer FROM open ORDER BY slot, n"):
            if k not in labels:
                labels[k] = slot_label(self.slots[k])
            yield self.slots[k].key, labels[k], subject, respondent, answer

    def close(self) -> None:
        self.db.close()


def _more_title(instrument_id: str, taken: set[str], k: int) -> str:
    return sheet_title(f"{document('Open')} {k}", instrument_id, taken)


def _index(ws: RowSheet, rows: list[list[str]], provenance: str, glance: str) -> None:
    put(ws, 1, 1, document("Comparison of the filled-in forms and workbooks")).font = TITLE
    put(ws, 2, 1, document("Scores are formulas over the sheets 'Items'; respondents' answers "
                           "are always there as text."))
    put(ws, 3, 1, document("The sheets 'Items' are hidden (too wide to print); show them "
                           "with a right-click on a sheet tab > Unhide."))
    header(ws, 4, [document("Instrument"), "Id", document("Number of respondents"),
                   document("Sheets")])
    for k, row in enumerate(rows):
        for col, value in enumerate(row, start=1):
            cell = wrap(put(ws, 5 + k, col, int(value) if col == 3 else value))
            if col == 4 and row[2] != "0":  # to the instrument's first sheet
                cell.hyperlink = sheet_link(value.split(", ")[0])
    end = 6 + len(rows)
    put(ws, end, 1, document("Provenance of all files: sheet '{sheet}'.").format(
        sheet=provenance)).hyperlink = \
        sheet_link(provenance)
    put(ws, end + 1, 1, document("Where each subject stands: sheet '{sheet}'.").format(
        sheet=glance)).hyperlink = \
        sheet_link(glance)
    widths(ws, {1: 50, 2: 26, 3: 14, 4: 70})

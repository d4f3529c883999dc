"""The comparison of a large round: figures per question, subject and rule, read from the
database one respondent at a time, written row by row in constant memory.

Above :data:`DETAIL_LIMIT` compared respondents, the full workbook (every answer of every
respondent, live formulas; compare.full) grows past what people read and what a
spreadsheet recalculates comfortably (streamed, its memory stays flat, but its time and
file size grow: about 11 s and 3.4 MB per 1,000 files). compare then writes this summary
instead (openpyxl's write-only mode: each row goes to disk as it is written):

* Inhoud: what this workbook is, what it leaves out, and that the answers per respondent
  are in ``export``;
* Scores <id>: per subject and whole-instrument rule the number of respondents with a
  score, mean, lowest, highest, spread and standard deviation; subjects ranked by the main
  rule, best first (compare.summary.scores);
* Vragen <id>: per item with a number, tick or choice: how many answered, mean, lowest,
  highest, spread (highest − lowest), standard deviation and the distribution of answers;
* Onderwerpen <id>: the same per item and subject;
* Matrices <id>: the figures of the full workbook's Matrices sheet, as values
  (compare.summary.matrices);
* Open <id>: per open question how many answered it (store.merged.open_counts); the
  texts are in ``export`` (millions of rows in a national round), which Inhoud and this
  sheet name with the command;
* Herkomst: every stored file and the rejected ones (compare.provenance, as the full workbook);
* Respons: who was sent what and who returned it (compare.response, as the full workbook).

The answers are merged and added up in the database (store.merged: the full workbook's rules
of compare.data.merge — the workbook's typed value over the form's, a pre-filled value only
where nothing was typed, values that do not fit their question never count — in SQL, the
rules' figures from their SQL form, compare.summary.sql); Python receives how many
respondents gave each value per question and subject, and each score per subject. A sheet past
1,048,576 rows goes on in a next sheet with the same header.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from templategen.compare.cells import BOLD, HEADER_FILL, TITLE, cell_text, sheet_title
from templategen.compare.held import Held
from templategen.compare.labels import slot_label
from templategen.compare.open_answers import open_slots
from templategen.compare.provenance import write_provenance
from templategen.compare.ranking import whole_rules
from templategen.compare.response import write_response
from templategen.compare.sheet import MAX_ROWS, Pages
from templategen.compare.summary.counting import Figures, Tally, Values, counted
from templategen.compare.summary.matrices import MatrixSums
from templategen.compare.summary.scores import SubjectScores
from templategen.content.model import FieldKind, Instrument, Slot
from templategen.i18n import N_, document
from templategen.office.openpyxl_internals import deflate_early
from templategen.office.streamed import streamed_workbook
from templategen.store import aggregates
from templategen.store.database import Store

__all__ = ["DETAIL_LIMIT", "Pages", "compare_large", "compared_files"]

DETAIL_LIMIT = 2000  # compared files up to which the full workbook is written (~17 s)
NUMERIC = frozenset({FieldKind.CHECK, FieldKind.SCALE, FieldKind.NUMBER})
STAT_HEAD = [N_("Number of answers"), N_("Mean"), N_("Lowest"), N_("Highest"),
             N_("Spread (highest − lowest)"), N_("Standard deviation"), N_("Distribution")]


def _cell(ws: Any, value: Any, bold: bool = False,
          number_format: str | None = None) -> Any:
    """A value for ``ws.append``: plain where openpyxl keeps it as it is (fast), a cell
    where it must be told: text that looks like a formula stays text, styles."""
    if value is None:
        return None
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, str):
        value = cell_text(value)
        if not value.startswith("=") and not bold:
            return value
    elif isinstance(value, int) and not bold:
        return value
    cell = WriteOnlyCell(ws, value)
    if isinstance(value, str):
        cell.data_type = "s"  # respondents' text is data, never a formula
    elif isinstance(value, float):
        cell.number_format = number_format or "0.00"
    if bold:
        cell.font = BOLD
        cell.fill = HEADER_FILL
    return cell


def _versions(instruments: list[Instrument], all_versions: bool) -> dict[str, str | None]:
    return {i.id: None if all_versions else i.version for i in instruments}


def compared_files(store: Store, instruments: list[Instrument], all_versions: bool) -> int:
    """How many files of the chosen instruments (versions) a comparison compares: the ones
    the summary and the full workbook compare (not superseded, unverified or empty)."""
    return aggregates.compared_files(store, _versions(instruments, all_versions))


def compare_large(store: Store, instruments: list[Instrument], out: Path,
                  all_versions: bool, limit: int = DETAIL_LIMIT, max_rows: int = MAX_ROWS) -> Held:
    """Write the summary workbook of a large round to ``out``; return what it holds."""
    versions = _versions(instruments, all_versions)
    respondents = aggregates.compared(store, versions)
    wanted = [i for i in instruments if respondents.get(i.id)]
    total = sum(r.submissions for i in wanted for r in respondents[i.id])
    with streamed_workbook(out) as wb:
        contents, provenance = document("Contents"), document("Provenance")
        taken = {contents.lower(), provenance.lower()}
        names = {i.id: _names(i, taken) for i in wanted}
        _index(wb, contents, instruments, respondents, names, total, limit, store.name)
        counts = {i.id: sum(r.submissions for r in respondents[i.id]) for i in wanted}
        with counted(store, wanted, counts) as figures:
            # (on PostgreSQL the instruments are counted on other connections meanwhile)
            first = len(wb.worksheets)
            files = write_provenance(wb, provenance, aggregates.history(store),
                                     store.rejections(),
                                     functools.partial(_more, provenance, "", taken), max_rows)
            # who was sent what and who returned it
            response = document("Response")
            write_response(wb, store, sheet_title(response, "", taken),
                           functools.partial(_more, response, "", taken), max_rows)
            last = wb.worksheets[first:]
            for ws in last:  # finished: deflated while the instruments are counted
                deflate_early(ws)
            leaders = [leader for inst, got in zip(wanted, figures, strict=True)
                       if (leader := _instrument(wb, inst, got, names[inst.id], taken,
                                                 max_rows, store.name))]
        for ws in last:  # Herkomst and Respons after the instruments' sheets
            wb.move_sheet(ws.title, len(wb.worksheets) - 1 - wb.worksheets.index(ws))
    return Held(len(wanted), total, files, tuple(leaders))


def _names(inst: Instrument, taken: set[str]) -> dict[str, str]:
    """The instrument's sheets (in this order): scores and matrices only when it has them."""
    labels = [N_("Scores")] if whole_rules(inst) else []
    labels += [N_("Questions"), N_("Subjects")]
    labels += [N_("Matrices")] if MatrixSums(inst).blocks else []
    labels += [N_("Open")]
    return {label: sheet_title(document(label), inst.id, taken) for label in labels}


def _more(label: str, instrument_id: str, taken: set[str], k: int) -> str:
    """The title of the k-th sheet of a table that goes on past one sheet's rows."""
    return sheet_title(f"{label} {k}", instrument_id, taken)


def _open(wb: Workbook, inst: Instrument, counts: dict[str, int], title: str,
          taken: set[str], max_rows: int, store_name: str) -> None:
    """Per open question how many respondents answered it (``counts``); the texts themselves
    are in the export (millions of rows in a national round: no workbook to read, and no
    time left)."""
    slots = open_slots(inst)
    head = [[document("Open questions — {title}").format(title=inst.title)],
            [export_hint(store_name)],
            [document("Key"), document("Question"), document("Number of answers")]]
    pages = Pages(wb, title, head, functools.partial(_more, document("Open"), inst.id, taken),
                  max_rows, widths=(24, 60, 14))
    for slot in slots:
        pages.append([slot.key, slot_label(slot), counts.get(slot.key, 0)])
    pages.close()


def export_hint(store_name: str) -> str:
    """Where the answers per respondent and the open answers' texts are (Dutch)."""
    return document("The texts of the open answers and all answers per respondent: "
                    "templategen export --db {store} --format xlsx --out antwoorden.xlsx "
                    "(or --format csv or json).").format(store=store_name)


def _index(wb: Workbook, contents: str, instruments: list[Instrument],
           respondents: dict[str, list[aggregates.Respondent]],
           names: dict[str, dict[str, str]], total: int, limit: int, store_name: str) -> None:
    ws = wb.create_sheet(contents)
    ws.column_dimensions["A"].width = 50
    ws.column_dimensions["B"].width = 26
    ws.column_dimensions["D"].width = 60
    title = WriteOnlyCell(ws, document("Comparison of a large round"))
    title.font = TITLE
    ws.append([title])
    for line in (
        document("{total} respondents: more than {limit}, the limit up to which this workbook "
                 "shows every answer of every respondent with formulas.").format(
            total=total, limit=limit),
        document("Scores: per subject and per rule of the content the number of respondents "
                 "with a score, the mean, the lowest and highest score, the spread and the "
                 "standard deviation; the subjects ranked by the main score, the best first."),
        document("Questions and Subjects: per question (and per subject) the number of "
                 "answers, the mean, the lowest and highest value, the spread and the "
                 "distribution."),
        document("Matrices: per party or row the means, the quadrant, the priority and rank, "
                 "the realisation and the coverage, over all respondents."),
        document("All figures are values, computed from each respondent's merged answers "
                 "(form and workbook together; invalid answers are not counted)."),
        document("Open: per open question how many respondents answered it."),
        document("Not in this workbook: the answers and scores per respondent, the texts of "
                 "the open answers, the differences between form and workbook and the "
                 "charts; a workbook with all answers and formulas: compare fewer instruments "
                 "with --only, or --layout full."),
        export_hint(store_name),
    ):
        ws.append([_cell(ws, line)])
    ws.append([])
    ws.append([_cell(ws, h, bold=True) for h in (
        document("Instrument"), "Id", document("Number of respondents"), document("Sheets"))])
    for inst in instruments:
        count = sum(r.submissions for r in respondents.get(inst.id, []))
        sheets = ", ".join(names[inst.id].values()) if inst.id in names \
            else document("no answers yet")
        ws.append([_cell(ws, v) for v in (inst.title, inst.id, count, sheets)])
    ws.append([])
    ws.append([_cell(ws, document("Provenance of all files: sheet '{sheet}'.").format(
        sheet=document("Provenance")))])


def _instrument(wb: Workbook, inst: Instrument, figures: Figures, titles: dict[str, str],
                taken: set[str], max_rows: int, store_name: str) -> str | None:
    """Write the instrument's sheets from its ``figures`` (counted by the database:
    compare.summary.counting); return the summary line's part naming the best subject (or
    None)."""
    slots, counted, scores = figures.slots, figures.counted, figures.scores
    overall, per_subject, matrices = figures.overall, figures.per_subject, figures.matrices
    if "Scores" in titles:  # (the keys are the sheets' English names)
        _scores(wb, inst, scores, titles["Scores"], taken, max_rows)
    head = [[document("Per question — {title}").format(title=inst.title)],
            [document("Key"), document("Question"), *map(document, STAT_HEAD)]]
    items = Pages(wb, titles["Questions"], head,
                  lambda k: sheet_title(f"{document('Questions')} {k}", inst.id, taken),
                  max_rows, widths=(24, 60, 12, 12, 10, 10, 14, 14, 50))
    values = Values()
    for key, slot in counted.items():
        tally = overall.get(key, Tally())
        items.append([key, slot_label(slot), *_numbers_only(slot, tally.stats(values))])
    head = [[document("Per question and subject — {title}").format(title=inst.title)],
            [document("Key"), document("Subject"), *map(document, STAT_HEAD)]]
    subjects = Pages(wb, titles["Subjects"], head,
                     lambda k: sheet_title(f"{document('Subjects')} {k}", inst.id, taken), max_rows,
                     widths=(24, 30, 12, 12, 10, 10, 14, 14, 50))
    order = {key: n for n, key in enumerate(counted)}
    for (key, subject), tally in sorted(per_subject.items(),
                                        key=lambda kv: (order[kv[0][0]], kv[0][1].casefold(),
                                                        kv[0][1])):
        subjects.append([key, subject, *_numbers_only(slots[key], tally.stats(values))])
    if "Matrices" in titles:
        head = [[document("Matrices and tables — {title} (values over all respondents)").format(
            title=inst.title)]]
        sheet = Pages(wb, titles["Matrices"], head,
                      lambda k: sheet_title(f"{document('Matrices')} {k}", inst.id, taken),
                      max_rows, widths=(40, 16, 16, 16, 16, 16))
        for row, bold in matrices.rows():
            sheet.append(row, bold=bold)
    _open(wb, inst, figures.open, titles["Open"], taken, max_rows, store_name)
    return scores.leader()


def _scores(wb: Workbook, inst: Instrument, scores: SubjectScores, title: str,
            taken: set[str], max_rows: int) -> None:
    main = (document("; ranked by '{score}'").format(score=scores.main.label)
            if scores.main is not None else "")
    head = [[document("Scores per subject — {title}").format(title=inst.title) + main],
            *scores.head()]
    pages = Pages(wb, title, head,
                  lambda k: sheet_title(f"{document('Scores')} {k}", inst.id, taken),
                  max_rows, widths=(30, 14, *(12,) * (len(scores.head()[1]) - 2)))
    formats = scores.formats()
    for row in scores.rows():
        pages.append(row, formats=formats)


def _numbers_only(slot: Slot, stats: list[Any]) -> list[Any]:
    """A choice has a distribution, no mean."""
    if slot.field.kind in NUMERIC:
        return stats
    return [stats[0], None, None, None, None, None, stats[6]]

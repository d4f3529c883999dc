"""The comparison workbook: everything in the store side by side, as live formulas.

Per instrument with submissions: an overview (compare.overview), the distribution of the
answers per question (compare.distribution), the item sheet that holds
every answer and that all formulas read (compare.items), the open answers collated per
question (compare.text) and, when the content has matrices, the merged matrices
(compare.matrices). One provenance sheet lists every stored file; a "Respons" sheet says
per recipient and instrument what was sent and returned (compare.response).

The tool computes every rule itself too (scoring.evaluate per respondent); the summary it
returns names the best-scoring subject by that computation (highest or lowest, as the
rule's direction says), which the workbook's own
formulas reproduce.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from statistics import mean

from openpyxl import Workbook

from templategen.compare.cells import TITLE, header, put, sheet_title, widths, wrap
from templategen.compare.conflicts import write_conflicts
from templategen.compare.data import Column, Comparison, gather
from templategen.compare.distribution import write_distribution
from templategen.compare.items import slot_label, write_items
from templategen.compare.large import DETAIL_LIMIT, compare_large, compared_files
from templategen.compare.matrices import has_matrices, helpers, write_matrices
from templategen.compare.overview import write_overview
from templategen.compare.printing import set_up_printing
from templategen.compare.response import write_response
from templategen.compare.rules import main_rule
from templategen.compare.text import write_open_answers, write_provenance
from templategen.content.model import Direction, Instrument
from templategen.content.scoring import RULES
from templategen.errors import StoreError
from templategen.store.backend import require_existing
from templategen.store.database import Store
from templategen.store.definitions import (
    chosen,
    comparison_catalog,
    uncomparable,
    why_uncomparable,
)
from templategen.store.response import ResponseRow, response

LAYOUTS = ("auto", "full", "summary")


def compare_store(db: Path | str, out: Path, only: tuple[str, ...] | list[str] = (),
                  all_versions: bool = False, content_dir: Path | None = None,
                  detail_limit: int = DETAIL_LIMIT, layout: str = "auto",
                  warn: Callable[[str], None] | None = None) -> str:
    """Write the comparison workbook for the store ``db`` to ``out``; return a summary line.

    ``layout`` (one of LAYOUTS): ``auto`` writes the full workbook up to ``detail_limit``
    compared files and the summary of a large round (compare.large) above it; ``full`` and
    ``summary`` write that one at any size (``warn`` is told when ``full`` is asked above
    the limit, before the long work starts)."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")
    require_existing(db)
    with Store(db) as store:
        catalog = comparison_catalog(store, content_dir)
        instruments = chosen(store, catalog, only)
        missing = uncomparable(store, catalog, only)
        if missing:
            raise StoreError(why_uncomparable(store, missing))
        files = compared_files(store, instruments, all_versions)
        if layout == "summary" or (layout == "auto" and files > detail_limit):
            return compare_large(store, instruments, out, all_versions, detail_limit)
        if files > detail_limit and warn is not None:
            warn(f"warning: the full workbook of {files} compared files (more than "
                 f"{detail_limit}) can take a long time and much memory; "
                 "--layout summary writes the summary of a large round")
        comparison = gather(store, instruments, all_versions)
        answered = response(store)
        versions = {i.id: i.version for i in instruments}
        older = 0 if all_versions else sum(
            1 for sub in store.submissions(current_only=True)
            if sub.instrument in versions and sub.version != versions[sub.instrument])
    wb = build_workbook(instruments, comparison, answered)
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    compared = [i for i in instruments if comparison.columns[i.id]]
    respondents = sum(len(comparison.columns[i.id]) for i in compared)
    return (f"wrote {out}: {len(compared)} instrument(s), {respondents} respondent(s), "
            f"{len(comparison.history)} stored file(s)" + _leaders(compared, comparison)
            + (f"; {older} file(s) of older versions left out (--all-versions compares them)"
               if older else ""))


def build_workbook(instruments: list[Instrument], comparison: Comparison,
                   answered: list[ResponseRow] | None = None) -> Workbook:
    wb = Workbook()
    index = wb.active
    index.title = "Inhoud"
    taken = {"inhoud"}
    rows: list[list[str]] = []
    for inst in instruments:
        columns = comparison.columns[inst.id]
        if not columns:
            rows.append([inst.title, inst.id, "0", "nog geen antwoorden"])
            continue
        names = {label: sheet_title(label, inst.id, taken)
                 for label in ("Overzicht", "Verdeling", "Items", "Open", "Matrices",
                               "Per respondent", "Verschillen")}
        # overview and distribution first, filled once the item sheet exists
        overview = wb.create_sheet(names["Overzicht"])
        distribution = wb.create_sheet(names["Verdeling"])
        items = write_items(wb, names["Items"], inst, columns, helpers(inst, columns))
        # the data sheet every formula reads: one column per answer (hundreds), which no page
        # holds legibly; hidden so a printout of the workbook is the sheets people read
        wb[names["Items"]].sheet_state = "hidden"
        write_overview(overview, inst, columns, items)
        write_distribution(distribution, inst, columns, items)
        sheets = [names["Overzicht"], names["Verdeling"], f"{names['Items']} (verborgen)"]
        if write_conflicts(wb, names["Verschillen"], inst, columns, slot_label):
            sheets.append(names["Verschillen"])
        sheets += write_open_answers(
            wb, names["Open"], inst, columns,
            more=functools.partial(_more_title, inst.id, taken))
        if has_matrices(inst):
            write_matrices(wb, names["Matrices"], names["Per respondent"], inst, columns, items)
            sheets += [names["Matrices"], names["Per respondent"]]
        rows.append([inst.title, inst.id, str(len(columns)), ", ".join(sheets)])
    provenance = sheet_title("Herkomst", "", taken)
    write_provenance(wb, provenance, comparison)
    if answered:  # who was sent what and who returned it (the mail loop, personalised copies)
        write_response(wb, sheet_title("Respons", "", taken), answered)
    _index(index, rows, provenance)
    set_up_printing(wb)
    return wb


def _more_title(instrument_id: str, taken: set[str], k: int) -> str:
    return sheet_title(f"Open {k}", instrument_id, taken)


def _index(ws: object, rows: list[list[str]], provenance: str) -> None:
    put(ws, 1, 1, "Vergelijking van de ingevulde formulieren en werkmappen").font = TITLE
    put(ws, 2, 1, "Scores zijn formules over de bladen 'Items'; antwoorden van respondenten "
                  "staan er altijd als tekst.")
    put(ws, 3, 1, "De bladen 'Items' zijn verborgen (te breed om af te drukken); maak ze "
                  "zichtbaar met een rechtsklik op een bladtab > Zichtbaar maken.")
    header(ws, 4, ["Instrument", "Id", "Respondenten", "Bladen"])
    for k, row in enumerate(rows):
        for col, value in enumerate(row, start=1):
            wrap(put(ws, 5 + k, col, int(value) if col == 3 else value))
    put(ws, 6 + len(rows), 1, f"Herkomst van alle bestanden: blad '{provenance}'.")
    widths(ws, {1: 50, 2: 26, 3: 14, 4: 70})


def subject_scores(inst: Instrument, columns: list[Column]) -> dict[str, float]:
    """Mean main score per subject, computed in Python with the content's rules."""
    rule = main_rule(inst)
    if rule is None:
        return {}
    per_subject: dict[str, list[float]] = {}
    for column in columns:
        value = RULES[rule.kind](inst, rule, column.values, {}).value
        if isinstance(value, float):
            per_subject.setdefault(column.subject, []).append(value)
    return {s: mean(v) for s, v in per_subject.items()}


BEST: dict[Direction, Callable[..., str]] = {Direction.HIGHER: max, Direction.LOWER: min}


def _leaders(instruments: list[Instrument], comparison: Comparison) -> str:
    parts = []
    for inst in instruments:
        scores = subject_scores(inst, comparison.columns[inst.id])
        rule = main_rule(inst)
        pick = BEST.get(rule.direction) if rule is not None else None
        if scores and rule is not None and pick is not None and len(scores) > 1:
            best = pick(scores, key=lambda s: scores[s])
            parts.append(f"{inst.id}: best {rule.label!r} ({rule.direction.value} is better) "
                         f"{best} ({scores[best]:.2f})")
    return ("; " + "; ".join(parts)) if parts else ""

"""Plan a workbook: every sheet of the layout (intro, respondent, sections, tables, Rekenblad,
lists) and where each answer, name, formula and chart goes. The Scores sheet is in
workbooks.scores; the resulting plain data model is in workbooks.layout."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from templategen.content.copies import PREFILLED
from templategen.content.defaults import shown_default
from templategen.content.model import (
    OTHER_TEXT,
    SIMPLE_KINDS,
    TABLE_KINDS,
    FieldKind,
    Instrument,
    Item,
    ItemKind,
    Section,
    Slot,
    item_slots,
)
from templategen.content.rulekinds import row_rules
from templategen.content.slots import row_keys
from templategen.content.spellings import FALSE_WORDS, TRUE_WORDS
from templategen.content.wording import closing, dutch_date
from templategen.content.wording import text as wording
from templategen.i18n import N_, document
from templategen.office.formulas import column_index, column_letter, sheet_title
from templategen.workbooks.formulas import (
    CALC_SHEET,
    LIST_SHEET,
    PART,
    Answer,
    absolute,
    chosen_formula,
    looks_up,
    number_formula,
    reads_number,
    row_columns,
    text_formula,
    typed_formula,
    value_formula,
    yes_no,
)
from templategen.workbooks.layout import (
    INTRO_SHEET,
    RESPONDENT_SHEET,
    SCORES_SHEET,
    Cell,
    ChartPlan,
    Layout,
    ResultCells,
    SheetPlan,
    list_key,
)
from templategen.workbooks.pages import DEFAULT_ROW, page_room, page_setup, text_lines
from templategen.workbooks.scores import scores_sheet
from templategen.workbooks.sharing import (
    SCALE_LEGEND,
    scale_runs,
    shared_title,
    shown_choices,
    table_columns,
)

# the question sheets: Nr., Vraag, Antwoord, Toelichting
SECTION_WIDTHS: dict[str, float] = {"A": 8, "B": 62, "C": 45, "D": 30}

# width of an input column per answer kind (characters)
INPUT_WIDTH = {FieldKind.TEXT: 40, FieldKind.CHECK: 11, FieldKind.SCALE: 22,
               FieldKind.CHOICE: 20, FieldKind.NUMBER: 13, FieldKind.DATE: 13}


def calc_order(inst: Instrument) -> Iterator[Slot]:
    """Answers in Rekenblad order: a table column (or entry field) lies in one block."""
    for it in inst.walk_items():
        slots = list(item_slots(it))
        if it.kind in TABLE_KINDS or it.kind is ItemKind.ENTRIES:
            fields = it.columns or it.fields
            slots.sort(key=lambda s: [f.id for f in fields].index(s.field.id))
        yield from slots


class _Planner:
    def __init__(self, inst: Instrument):
        self.inst = inst
        self.taken = {t.casefold() for t in
                      (INTRO_SHEET, RESPONDENT_SHEET, SCORES_SHEET, CALC_SHEET, LIST_SHEET)}
        self.names: dict[str, str] = {}
        self.slot_cells: dict[str, str] = {}  # slot key -> absolute input cell
        self.calc_rows: dict[str, int] = {}
        self.lists: dict[tuple[str, ...], str] = {}
        self.lookups: dict[str, tuple[str, str]] = {}  # scale id -> label:value, values
        self.ticks = ""  # the tick words' spelling:value range on Lijsten
        self.item_sheets: dict[str, str] = {}
        self.results: dict[str, ResultCells] = {}
        self.row = 0  # the next row of the sheet being laid out
        self.table_groups: list[list[Item]] = []
        self.uses_text = any(r.params.get("when", {}).get("equals") is not None
                             for r in inst.rules)

    # -- helpers -------------------------------------------------------------------------

    def value_ref(self, key: str) -> str:
        return absolute(CALC_SHEET, f"B{self.calc_rows[key]}")

    def add_input(self, sheet: SheetPlan, coord: str, slot: Slot, value: Any = None) -> None:
        style = {FieldKind.DATE: "input_date", FieldKind.NUMBER: "input_number"}.get(
            slot.field.kind, "input_wrap" if slot.field.kind is FieldKind.TEXT else "input")
        if value is None:  # a question's default answer (content.defaults)
            value = shown_default(slot.field)
        sheet.cells[coord] = Cell(value, style, "DD-MM-YYYY" if slot.field.kind is
                                  FieldKind.DATE else None)
        sheet.inputs[coord] = slot
        self.names[slot.anchor] = absolute(sheet.title, coord)
        self.slot_cells[slot.key] = absolute(sheet.title, coord)

    # -- sheets --------------------------------------------------------------------------

    def lists_sheet(self) -> SheetPlan:
        sheet = SheetPlan(LIST_SHEET, hidden=True)
        col = 1

        def column(labels: list[str], values: list[float] | None) -> tuple[str, str]:
            """Labels (and their values beside them): the labels' range, the values'."""
            nonlocal col
            letter, second = column_letter(col), column_letter(col + 1)
            for r, label in enumerate(labels, start=1):
                sheet.put(f"{letter}{r}", label)
                if values is not None:
                    sheet.put(f"{second}{r}", values[r - 1])
            end = len(labels)
            col += 2 if values is not None else 1
            return (f"{absolute(LIST_SHEET, f'{letter}1')}:${letter}${end}",
                    f"{absolute(LIST_SHEET, f'{second}1')}:${second}${end}")

        self.lists[("check",)] = column([*yes_no()], None)[0]
        for scale in self.inst.scales.values():
            labels, values = column([p.label for p in scale.points],
                                    [p.value for p in scale.points])
            self.lists[("scale", scale.id)] = labels
            self.lookups[scale.id] = (f"{labels.rsplit(':', 1)[0]}:{values.rsplit(':', 1)[1]}",
                                      values)
        for slot in self.inst.slots():
            key = list_key(slot)
            if key and key[0] == "choice" and key not in self.lists:
                self.lists[key] = column(list(key[1:]), None)[0]
        # last, so the lists above keep their cells: every spelling of a tick, 1 or 0
        # (content.spellings), looked up by the Rekenblad's tick formulas
        words, values = column([*TRUE_WORDS, *FALSE_WORDS],
                               [1.0] * len(TRUE_WORDS) + [0.0] * len(FALSE_WORDS))
        self.ticks = f"{words.rsplit(':', 1)[0]}:{values.rsplit(':', 1)[1]}"
        return sheet

    def intro_sheet(self) -> SheetPlan:
        inst, src = self.inst, self.inst.source
        sheet = SheetPlan(INTRO_SHEET, widths={"A": 22, "B": 95})
        rows: list[tuple[str, str, str]] = [
            ("", inst.title, "title"), (document("For"), inst.role, "text"), ("", "", "text"),
            ("", document("What is this?"), "heading"), ("", inst.introduction, "text"),
            ("", wording(inst.register, "workbook_how_to_heading"), "heading"),
        ]
        if inst.instructions:
            rows.append(("", inst.instructions, "text"))
        rows += [("", wording(inst.register, "workbook_how_to"), "text"),
                 ("", document("Source"), "heading"), (document("Document"), src.document, "text")]
        for label, value in ((N_("Location"), src.location), (N_("Publisher"), src.publisher),
                             (N_("Licence"), src.licence), (N_("Attribution"), src.attribution),
                             (N_("Web address"), src.url)):
            if value:
                rows.append((document(label), value, "text"))
        rows += [("", document("About this file"), "heading"),
                 (document("Instrument"), inst.id, "text"),
                 (document("Version"), inst.version, "text")]
        for r, (label, text, style) in enumerate(rows, start=1):
            if label:
                sheet.put(f"A{r}", label, "label")
            sheet.put(f"B{r}", text, style)
            if len(text) > 95:
                sheet.heights[r] = 15 * (len(text) // 90 + 1)
        return sheet

    def respondent_block(self, sheet: SheetPlan) -> None:
        """The respondent's details from ``self.row`` on, above the first section."""
        first = self.row
        sheet.put(f"A{first}", document("Details of the respondent"), "title")
        sheet.merges.append(f"A{first}:D{first}")
        sheet.heights[first] = 21.0
        for r, slot in enumerate(item_slots(self.inst.respondent_item), start=first + 1):
            sheet.put(f"B{r}", slot.field.label, "label")
            sheet.heights[r] = 20.0
            self.add_input(sheet, f"C{r}", slot)
            if slot.field.id in PREFILLED:
                sheet.cells[f"C{r}"].prefill = slot.field.id
            self.row = r + 1
        sheet.keep.append((first, self.row - 1))

    def section_sheets(self) -> list[SheetPlan]:
        """The question sheets: a section longer than a page has a sheet of its own,
        consecutive shorter ones share one (workbooks.pages keeps each on one page); a short
        section after a long one joins its sheet when it fits on that sheet's last page
        (no near-empty page of its own)."""
        sections = [s for s in self.inst.sections if any(
            it.kind in SIMPLE_KINDS or it.kind in (ItemKind.GUIDANCE, ItemKind.MULTI)
            for it in s.walk_items())]
        room = page_room(SECTION_WIDTHS) - DEFAULT_ROW
        groups: list[list[Section]] = []
        closed = False  # the last group holds a section longer than a page
        for section in sections:
            scratch = SheetPlan("", widths=dict(SECTION_WIDTHS))
            self.row = 1
            self.section_block(scratch, section)
            tall = sum(scratch.heights.get(r, DEFAULT_ROW) for r in range(1, self.row)) > room
            first = len(groups) == 1  # the group on the sheet with the respondent's details
            if tall or not groups:
                groups.append([section])
                closed = tall
            elif not closed or (self.pages(groups[-1] + [section], first)
                                == self.pages(groups[-1], first)):
                groups[-1].append(section)
            else:
                groups.append([section])
                closed = False
        return [self.section_sheet(group, n == 0) for n, group in enumerate(groups or [[]])]

    def pages(self, sections: list[Section], respondent: bool) -> int:
        """The printed pages (estimated) of a question sheet holding these sections."""
        sheet = SheetPlan("", widths=dict(SECTION_WIDTHS), header_row=1)
        self.fill_sheet(sheet, sections, respondent)
        return page_setup(sheet).pages

    def section_sheet(self, sections: list[Section], respondent: bool) -> SheetPlan:
        """A question sheet: the sections' column headers (repeated on every printed page)
        and their blocks, the respondent's details first on the first sheet."""
        first, last = (sections[0], sections[-1]) if sections else (None, None)
        if first is None or last is None:
            head = RESPONDENT_SHEET
        elif len(sections) == 1:
            head = f"{first.number} {first.title}"
        else:
            head = (document("Questions {first}–{last}").format(first=first.number,
                                                                last=last.number)
                    if first.number and last.number else document("Questions"))
        sheet = SheetPlan(sheet_title(head.strip(), self.taken, words=True),
                          widths=dict(SECTION_WIDTHS), header_row=1)
        self.fill_sheet(sheet, sections, respondent)
        return sheet

    def fill_sheet(self, sheet: SheetPlan, sections: list[Section], respondent: bool) -> None:
        for col, text in zip("ABCD", (N_("No."), N_("Question"), N_("Answer"), N_("Notes")),
                             strict=True):
            sheet.put(f"{col}1", document(text), "header")
        sheet.heights[1] = DEFAULT_ROW
        self.row = 2
        if respondent:
            self.respondent_block(sheet)
        for section in sections:
            self.section_block(sheet, section)

    def section_block(self, sheet: SheetPlan, section: Section) -> None:
        """A top section from ``self.row`` on: its title, introduction and rows, kept on
        one page when it fits on one."""
        first = self.row
        sheet.put(f"A{first}", f"{section.number}. {section.title}" if section.number else
                  section.title, "title")
        sheet.merges.append(f"A{first}:D{first}")
        sheet.heights[first] = 21.0 * text_lines(sheet.cells[f"A{first}"].value, 145, 14)
        self.row += 1
        if section.intro:
            sheet.put(f"A{self.row}", section.intro, "guidance")
            sheet.merges.append(f"A{self.row}:D{self.row}")
            sheet.heights[self.row] = DEFAULT_ROW * text_lines(section.intro, 145)
            self.row += 1
        self.section_rows(sheet, section, top=True)
        sheet.keep.append((first, self.row - 1))

    def section_rows(self, sheet: SheetPlan, section: Section, top: bool = False) -> None:
        first = self.row
        if not top:
            sheet.put(f"A{self.row}", section.number, "group")
            sheet.put(f"B{self.row}", section.title, "group")
            sheet.merges.append(f"B{self.row}:D{self.row}")
            sheet.heights[self.row] = DEFAULT_ROW * text_lines(section.title, 137)
            self.row += 1
            if section.intro:
                sheet.put(f"B{self.row}", section.intro, "guidance")
                sheet.merges.append(f"B{self.row}:D{self.row}")
                sheet.heights[self.row] = DEFAULT_ROW * text_lines(section.intro, 137)
                self.row += 1
        runs, in_run = scale_runs(section.children), 0
        for child in section.children:
            in_run = max(0, in_run - 1)
            if isinstance(child, Section):
                self.section_rows(sheet, child)
                continue
            if child.id in runs:  # questions on one scale: its labels once, above them
                count, labels = runs[child.id]
                legend = f"{document(SCALE_LEGEND)}: {' · '.join(labels)}"
                sheet.put(f"B{self.row}", legend, "note")
                sheet.merges.append(f"B{self.row}:D{self.row}")
                sheet.heights[self.row] = DEFAULT_ROW * text_lines(
                    sheet.cells[f"B{self.row}"].value, 137)
                sheet.keep.append((self.row, self.row + count))
                self.row += 1
                in_run = count
            r = self.row
            if child.kind in SIMPLE_KINDS:
                sheet.put(f"A{r}", child.number, "label")
                sheet.put(f"B{r}", child.text, "question")
                slot = next(item_slots(child))
                self.add_input(sheet, f"C{r}", slot)
                side = "\n".join(t for t in (child.hint, "" if in_run else
                                              shown_choices(slot.field)) if t)
                if side:
                    sheet.put(f"D{r}", side, "note")
                multiline = child.kind is ItemKind.TEXT and child.answer and child.answer.multiline
                lines = max(text_lines(child.text, 62), text_lines(side, 30))
                sheet.heights[r] = max(60.0 if multiline else 20.0, DEFAULT_ROW * lines)
                self.other_row(sheet, child)
            elif child.kind is ItemKind.MULTI:
                sheet.put(f"A{r}", child.number, "label")
                sheet.put(f"B{r}", child.text, "question")
                sheet.put(f"D{r}", document("More than one answer possible: choose Yes for "
                                            "each that applies."), "note")
                sheet.heights[r] = DEFAULT_ROW * max(text_lines(child.text, 62),
                                                     text_lines(sheet.cells[f"D{r}"].value, 30))
                for slot in item_slots(child):
                    if slot.field is child.other:
                        continue
                    self.row += 1
                    sheet.put(f"B{self.row}", slot.field.label, "label")
                    sheet.heights[self.row] = DEFAULT_ROW * text_lines(slot.field.label, 62)
                    self.add_input(sheet, f"C{self.row}", slot)
                self.other_row(sheet, child)
            elif child.kind is ItemKind.GUIDANCE:
                # the text and each bullet a row of its own: a page may break between them
                # (one tall row moves whole to the next page, leaving one nearly empty)
                parts = [p for p in (child.text, *(f"• {b}" for b in child.bullets)) if p]
                for n, text in enumerate(parts):
                    self.row = r + n
                    sheet.put(f"B{self.row}", text, "guidance")
                    sheet.merges.append(f"B{self.row}:D{self.row}")
                    sheet.heights[self.row] = DEFAULT_ROW * text_lines(text, 137)
            else:
                target = self.item_sheets[child.id]
                sheet.put(f"A{r}", child.number, "label")
                sheet.put(f"B{r}", f"{child.text}: zie het blad '{target}'.", "question")
                # the link on its own cell: LibreOffice prints a linked cell's text on one
                # line, so the question beside it keeps wrapping
                sheet.put(f"C{r}", target, "text")
                sheet.links[f"C{r}"] = target
                sheet.heights[r] = DEFAULT_ROW * text_lines(sheet.cells[f"B{r}"].value, 62)
            self.row += 1
        if not top:
            sheet.keep.append((first, self.row - 1))

    def other_row(self, sheet: SheetPlan, item: Item) -> None:
        """The "Anders, namelijk …" text input below a choice or multi item."""
        if item.other is None:
            return
        self.row += 1
        sheet.put(f"B{self.row}", item.other.label, "label")
        sheet.heights[self.row] = DEFAULT_ROW * text_lines(item.other.label, 62)
        self.add_input(sheet, f"C{self.row}", Slot(key=f"{item.id}.{OTHER_TEXT}", item=item,
                                                   field=item.other))

    def table_sheet(self, items: list[Item], title: str) -> SheetPlan:
        """A table's sheet (title, hint, header row repeated on every page, rows); short
        tables with the same columns share one, each a block kept on one page."""
        if len(items) == 1:
            sheet = SheetPlan(title, header_row=3)
            self.table_block(sheet, items[0], 1, 3)
            return sheet
        sheet = SheetPlan(title, header_row=1)  # one header row: the tables' columns alike
        top = 2
        for n, item in enumerate(items):
            top = self.table_block(sheet, item, top, None if n else 1) + 2
        return sheet

    def table_block(self, sheet: SheetPlan, item: Item, top: int,
                    header: int | None) -> int:
        """One table from row ``top`` on (its title, hint and rows; its header row in row
        ``header``, if any); returns its last row."""
        title = sheet.title
        sheet.put(f"A{top}", f"{item.number} {item.text}".strip(), "title")
        if item.hint:
            sheet.put(f"A{top + 1}", item.hint, "guidance")
        entries = item.kind is ItemKind.ENTRIES
        fields = item.fields if entries else item.columns
        heads: list[tuple[str, float]] = [("Nr.", 6)] if entries else [("Onderwerp", 45)]
        heads += [(a.label, 16) for a in item.attributes]
        first_input = len(heads) + 1
        # a scale or short choice column shows its choices under its name (on every page)
        heads += [("\n".join(t for t in (f.label, shown_choices(f, lead=False)) if t),
                   INPUT_WIDTH[f.kind]) for f in fields]
        rules = row_rules(self.inst, item.id)
        formula_cols = [(rule, c) for rule in rules for c in row_columns(self.inst, rule)]
        first_formula = len(heads) + 1
        part_col = {(rule.id, c.name): j for j, (rule, c) in enumerate(formula_cols,
                                                                       start=first_formula)}
        heads += [(c.header, 16) for _, c in formula_cols]
        for i, (text, width) in enumerate(heads, start=1):
            letter = column_letter(i)
            if header is not None:
                sheet.put(f"{letter}{header}", text, "header")
            sheet.widths[letter] = width
        # a long header (a formula column's) wraps: make the row tall enough for its lines
        lines = max(max(-(-len(text) // max(1, int(width) - 2)), text_lines(text, width))
                    for text, width in heads)
        if lines > 1 and header is not None:
            sheet.heights[header] = 15.0 * lines
        last = column_letter(len(heads))
        sheet.merges.append(f"A{top}:{last}{top}")
        span = sum(width for _, width in heads)
        # a merged cell does not grow with its text: as tall as the title's lines
        sheet.heights[top] = 21.0 * text_lines(sheet.cells[f"A{top}"].value, span, 14)
        if item.hint:
            sheet.merges.append(f"A{top + 1}:{last}{top + 1}")
            sheet.heights[top + 1] = DEFAULT_ROW * text_lines(item.hint, span)
        data_rows: list[tuple[str, int]] = []
        r = header + 1 if header and header > top else top + (2 if item.hint else 1)
        group = ""
        for key in row_keys(item):
            row = None if entries else next(x for x in item.rows if x.id == key)
            if row is not None and row.group and row.group != group:
                group = row.group
                sheet.put(f"A{r}", group, "group")
                sheet.merges.append(f"A{r}:{last}{r}")
                r += 1
            if row is None:
                sheet.put(f"A{r}", int(key), "label")
            else:
                sheet.put(f"A{r}", row.text, "question")
                for j, attr in enumerate(item.attributes, start=2):
                    sheet.put(f"{column_letter(j)}{r}", row.attributes.get(attr.id, ""),
                              "label")
            n = int(key) if entries else 0
            prefill = item.prefill[n - 1] if 0 < n <= len(item.prefill) else {}
            for j, f in enumerate(fields, start=first_input):
                slot = next(s for s in item_slots(item) if s.key == f"{item.id}.{key}.{f.id}")
                self.add_input(sheet, f"{column_letter(j)}{r}", slot, prefill.get(f.id))
            for j, (rule, col) in enumerate(formula_cols, start=first_formula):
                def v(ref: str, rule_id: str = rule.id, key: str = key, r: int = r) -> str:
                    if ref.startswith(PART):
                        return f"{column_letter(part_col[rule_id, ref[len(PART):]])}{r}"
                    return self.value_ref(f"{item.id}.{key}.{ref}")
                coord = f"{column_letter(j)}{r}"
                sheet.put(coord, col.formula(v), "formula", col.number_format)
                cells = self.results.setdefault(rule.id, ResultCells())
                if col.role == "band":
                    cells.row_bands[key] = absolute(title, coord)
                elif col.role != "latest":
                    cells.rows[key] = absolute(title, coord)
            sheet.heights[r] = max(20.0, 15.0 * (len(str(sheet.cells[f"A{r}"].value)) // 45 + 1))
            data_rows.append((key, r))
            r += 1
        first, end = data_rows[0][1], data_rows[-1][1]
        for j, (rule, col) in enumerate(formula_cols, start=first_formula):
            letter = column_letter(j)
            rng = f"{letter}{first}:{letter}{end}"
            if col.role == "band":
                sheet.formats.append(("bands", rng, [b.label for b in rule.bands]))
            elif col.role == "quadrant":
                sheet.formats.append(("quadrants", rng, rule.params["quadrants"]))
            elif col.role == "difference":
                sheet.formats.append(("gap", rng, None))
            elif col.number_format == "0%":
                sheet.formats.append(("percent", rng, None))
        for rule in rules:
            if rule.params.get("chart") == "scatter":
                sheet.charts.append(self.scatter(item, rule, data_rows, fields, first_input,
                                                 f"{column_letter(len(heads) + 2)}3"))
        sheet.keep.append((top, r - 1))
        return r - 1

    def scatter(self, item: Item, rule: Any, data_rows: list[tuple[str, int]],
                fields: tuple[Any, ...], first_input: int, anchor: str) -> ChartPlan:
        p = rule.params
        x_field, y_field = item.field_by_id(p["x"]), item.field_by_id(p["y"])
        name_col = "A"
        if item.kind is ItemKind.ENTRIES:
            text_fields = [i for i, f in enumerate(fields) if f.kind is FieldKind.TEXT]
            if text_fields:
                name_col = column_letter(first_input + text_fields[0])
        chart = ChartPlan("scatter", rule.label, anchor,
                          x_title=x_field.label if x_field else "",
                          y_title=y_field.label if y_field else "")
        maxima = [f.scale.maximum for f in (x_field, y_field) if f and f.scale]
        chart.axis_max = max(maxima) if maxima else None
        chart.axis_min = 0
        title_sheet = self.item_sheets[item.id]
        for key, r in data_rows:
            chart.series.append((key, absolute(title_sheet, f"{name_col}{r}"),
                                 self.value_ref(f"{item.id}.{key}.{p['y']}"),
                                 self.value_ref(f"{item.id}.{key}.{p['x']}")))
        return chart

    def calc_sheet(self) -> SheetPlan:
        sheet = SheetPlan(CALC_SHEET, hidden=True, widths={"A": 40})
        sheet.put("A1", "Antwoord", "header")
        sheet.put("B1", "Waarde", "header")
        sheet.put("C1", "Gekozen", "header")
        sheet.put("D1", "Tekst", "header")
        uses_chosen = any(r.params.get("groups") for r in self.inst.rules)
        if any(looks_up(s) for s in self.inst.slots()):
            sheet.put("E1", "Getypt", "header")
        if any(reads_number(s) for s in self.inst.slots()):
            sheet.put("F1", "Getal", "header")
        for r, slot in enumerate(calc_order(self.inst), start=2):
            self.calc_rows[slot.key] = r
            sheet.put(f"A{r}", slot.key)
            key = list_key(slot)
            answer = Answer(self.slot_cells[slot.key], r, self.ticks,
                            self.lookups.get(key[1]) if key and key[0] == "scale" else None)
            formula = value_formula(slot, answer)
            if formula:
                sheet.put(f"B{r}", formula, "formula")
            if uses_chosen:
                sheet.put(f"C{r}", chosen_formula(slot, answer), "formula")
            if self.uses_text:
                sheet.put(f"D{r}", text_formula(answer.ref), "formula")
            if looks_up(slot):
                sheet.put(answer.typed, typed_formula(answer), "formula")
            if reads_number(slot):
                sheet.put(answer.number, number_formula(answer), "formula")
        return sheet

    def build(self) -> Layout:
        inst = self.inst
        sheets = [self.intro_sheet()]
        tables = [it for it in inst.walk_items()
                  if it.kind in TABLE_KINDS or it.kind is ItemKind.ENTRIES]
        self.table_groups = self.group_tables(tables)
        for group in self.table_groups:
            title = sheet_title(shared_title([f"{it.number} {it.text}".strip() for it in group]),
                                self.taken, words=True)
            for it in group:
                self.item_sheets[it.id] = title
        lists = self.lists_sheet()
        sheets += self.section_sheets()
        calc, table_plans = self._calc_with_tables(tables)
        sheets += table_plans
        closing_block(sheets[-1], inst)  # after the last question (no question: the intro)
        scores = scores_sheet(self.inst, self.calc_rows, self.results)
        if scores:
            sheets.append(scores)
        sheets += [calc, lists]
        return Layout(inst, sheets, self.names, self.lists, self.results)

    def _calc_with_tables(self, tables: list[Item]) -> tuple[SheetPlan, list[SheetPlan]]:
        # Rekenblad rows depend only on slot order, so number them first, then lay out tables
        for r, slot in enumerate(calc_order(self.inst), start=2):
            self.calc_rows[slot.key] = r
        plans = [self.table_sheet(group, self.item_sheets[group[0].id])
                 for group in self.table_groups]
        return self.calc_sheet(), plans

    def group_tables(self, tables: list[Item]) -> list[list[Item]]:
        """Tables in a row with the same columns, no formulas and each shorter than a page
        share a sheet; any other table has its own."""
        groups: list[list[Item]] = []
        last: tuple[Any, ...] | None = None
        for it in tables:
            shape = None if row_rules(self.inst, it.id) else table_columns(it)
            if shape is not None:
                scratch = SheetPlan("")
                end = self.table_block(scratch, it, 1, 3)
                height = sum(scratch.heights.get(r, DEFAULT_ROW) for r in range(1, end + 1))
                if height > page_room(scratch.widths) - DEFAULT_ROW:
                    shape = None
            if shape is not None and shape == last:
                groups[-1].append(it)
            else:
                groups.append([it])
            last = shape
        return groups





def closing_block(sheet: SheetPlan, inst: Instrument) -> None:
    """Below a sheet's last row: "Zo stuurt u dit terug" — how to send the workbook back,
    which file to fill and by when (content.wording.closing), wrapped across the sheet's
    columns and kept on one printed page."""
    heading, lines = closing(inst.register, inst.mail.bijlagen, dutch_date(inst.mail.deadline),
                             workbook=True)
    columns = sorted(sheet.widths, key=column_index)
    last = columns[-1] if columns else "D"
    span = sum(sheet.widths.values()) or 100.0
    used = [int(m.group(1)) for c in sheet.cells if (m := re.search(r"(\d+)$", c))]
    first = max(used, default=0) + 2
    for r, (text, style) in enumerate([(heading, "title"), *((t, "guidance") for t in lines)],
                                      start=first):
        sheet.put(f"A{r}", text, style)
        sheet.merges.append(f"A{r}:{last}{r}")
        sheet.heights[r] = (21.0 * text_lines(text, span, 14) if style == "title"
                            else DEFAULT_ROW * text_lines(text, span))
    sheet.keep.append((first, first + len(lines)))


def plan_layout(instrument: Instrument) -> Layout:
    return _Planner(instrument).build()



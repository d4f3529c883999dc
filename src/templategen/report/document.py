"""One subject's report as a Word document, laid out on the house style's reference .docx.

The styles are the forms' (forms.layout.STYLES: Title, Heading 1–3, Toelichting, Table Grid),
the page header the forms' (logo and title); every fixed text goes through the document
catalogue (i18n.document), so the report is in the round's language, Dutch by default.
Per instrument the subject was assessed on: who answered, the scores beside the group's
(a table per section and a chart), the place in the ranking, the answers per question, the
open answers and the matrices. Tables repeat their header row on a next page.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table

from templategen.compare.labels import labelled
from templategen.content.expr import Look
from templategen.content.model import Direction, FieldKind, Slot
from templategen.content.rulekinds import definition
from templategen.forms.layout import STYLES, TEXT_WIDTH_CM, find_logo, write_header
from templategen.forms.render import reference_path
from templategen.i18n import document
from templategen.report import charts
from templategen.report.charts import number
from templategen.report.figures import Part, Score, Subject
from templategen.report.matrices import Matrix
from templategen.xmltext import xml_safe

HEAD_FILL = "DEEAF6"
SECTION_FILL = "F2F2F2"
PICTURE_CM = TEXT_WIDTH_CM
FIGURE_CM = 2.6  # a column of figures in a matrix


def report_bytes(subject: Subject, templates_dir: Path | None,
                 today: dt.date | None = None) -> bytes:
    """The report of ``subject`` as .docx bytes."""
    path = reference_path(templates_dir)
    doc = Document(str(path))
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    write_header(doc, document("Report") + " — " + xml_safe(subject.name), find_logo(path.parent))
    Writer(doc).write(subject, today or dt.date.today())
    out = io.BytesIO()
    doc.core_properties.title = xml_safe(document("Report") + ": " + subject.name)
    doc.save(out)
    return out.getvalue()


class Writer:
    def __init__(self, doc: DocxDocument):
        self.doc = doc

    def para(self, role: str, text: str = "", bold: bool = False) -> Any:
        p = self.doc.add_paragraph(style=self.doc.styles[STYLES[role]])
        if text:
            p.add_run(xml_safe(text)).bold = bold or None
        return p

    def write(self, subject: Subject, today: dt.date) -> None:
        self.para("title", subject.name)
        self.para("subtitle", document("Report on the returned forms, {date}").format(
            date=f"{today.day}-{today.month}-{today.year}"))
        names = subject.respondents
        self.para("intro", document(
            "This report shows how {subject} stands beside the group it was compared with: "
            "its scores per rule beside the group's mean and range, its place in the "
            "ranking, its respondents' answers per question, their open answers and the "
            "matrices. It is made from the answers of {names}.").format(
            subject=subject.name, names=", ".join(names)))
        for part in subject.parts:
            self.part(subject.name, part)

    # --- one instrument -------------------------------------------------------------------

    def part(self, subject: str, part: Part) -> None:
        self.para("heading1", part.inst.title)
        self.para("intro", document(
            "Answered for {subject} by {respondents} ({n}); the group: {subjects} subjects, "
            "{all} respondents.").format(
            subject=subject, respondents=", ".join(c.respondent for c in part.columns),
            n=len(part.columns), subjects=part.subjects, all=part.respondents))
        if part.scores:
            self.scores(part)
        if part.placing is not None:
            self.placing(subject, part)
        if part.answers:
            self.answers(part)
        if part.open:
            self.open(part)
        if part.matrices:
            self.matrices(part)

    def scores(self, part: Part) -> None:
        self.para("heading2", document("Scores"))
        self.para("intro", document(
            "Per rule the mean of this subject's respondents, beside the mean, the lowest and "
            "highest score and the standard deviation of all respondents in the group."))
        heads = [document("Rule"), document("This subject"), document("Mean of the group"),
                 document("Lowest – highest"), document("Standard deviation")]
        rows: list[tuple[str, list[str]]] = []
        section = None
        for score in part.scores:
            if score.section != section:
                section = score.section
                rows.append(("section", [section or document("The whole instrument")]))
            g = score.group
            rows.append(("row", [score.rule.label, _figure(score, score.subject.mean),
                                 _figure(score, g.mean),
                                 f"{_figure(score, g.low)} – {_figure(score, g.high)}"
                                 if g.n else "",
                                 number(g.sd) if g.sd is not None and score.look is not Look.PERCENT
                                 else (f"{g.sd * 100:.0f}%" if g.sd is not None else "")]))
        self.table(heads, rows, (5.6, 2.2, 2.4, 2.6, 3.8))
        for picture in _score_charts(part.scores):
            self.picture(picture)

    def placing(self, subject: str, part: Part) -> None:
        placing = part.placing
        assert placing is not None
        self.para("heading2", document("Place in the ranking"))
        better = {Direction.HIGHER: document("higher is better"),
                  Direction.LOWER: document("lower is better"),
                  Direction.NEITHER: document("neither higher nor lower is better")}
        rule = placing.rule
        if placing.rank is None:
            self.para("intro", document(
                "The subjects are not ranked on '{rule}' ({better}).").format(
                rule=rule.label, better=better[rule.direction]))
        else:
            self.para("intro", document(
                "On '{rule}' ({better}) {subject} takes place {rank} of {n} subjects. The "
                "chart shows every subject's mean; the others are not named.").format(
                rule=rule.label, better=better[rule.direction], subject=subject,
                rank=placing.rank, n=len(placing.means)))
        if len(placing.means) > 1:
            percent = definition(part.inst, rule).value.look is Look.PERCENT
            self.picture(charts.ranking(subject, placing.means, rule.label, percent))

    def answers(self, part: Part) -> None:
        self.para("heading2", document("Answers per question"))
        self.para("intro", document(
            "Per closed question the answers of this subject's respondents (how many gave "
            "each answer); for a scale the mean, for a tick the share ticked, of this subject "
            "beside that of the group."))
        heads = [document("Question"), document("Answers (number)"), document("This subject"),
                 document("Group")]
        rows: list[tuple[str, list[str]]] = []
        for section, answers in part.answers:
            if section:
                rows.append(("section", [section]))
            by_key = {a.slot.key: a for a in answers}
            for label, slot in labelled(a.slot for a in answers):
                if slot is None:
                    rows.append(("question", [label.strip()]))
                    continue
                a = by_key[slot.key]
                counts = "; ".join(f"{answer} ({n})" for answer, n in a.counts)
                rows.append(("row", [label, counts, _mean(a.slot, a.mean),
                                     _mean(a.slot, a.group)]))
        self.table(heads, rows, (8.0, 4.4, 2.1, 2.1))

    def open(self, part: Part) -> None:
        self.para("heading2", document("Open answers"))
        for question, said in part.open:
            self.para("question", question).paragraph_format.keep_with_next = True
            for respondent, text in said:
                p = self.para("answer")
                p.add_run(xml_safe(respondent) + ": ").bold = True
                p.add_run(xml_safe(text))

    def matrices(self, part: Part) -> None:
        self.para("heading2", document("Matrices"))
        self.para("intro", document("The matrices of this subject's respondents only."))
        for matrix in part.matrices:
            self.para("heading3", matrix.rule.label)
            if not matrix.rows:
                self.para("intro", document("No answers for this matrix."))
                continue
            rest = len(matrix.heads) - 1  # figures 2.6 cm each, the names the rest
            self.table(matrix.heads, [("row", [_cell(c, matrix.percent) for c in cells])
                                      for cells in matrix.rows],
                       (TEXT_WIDTH_CM - FIGURE_CM * rest, *(FIGURE_CM for _ in range(rest))))
            if matrix.scatter is not None and matrix.points:
                self.scatter(part, matrix)

    def scatter(self, part: Part, matrix: Matrix) -> None:
        rollup = matrix.scatter
        item = definition(part.inst, matrix.rule).item
        assert item is not None and rollup is not None
        x, y = item.field_by_id(rollup.x), item.field_by_id(rollup.y)
        assert x is not None and y is not None
        points = matrix.points
        scales = [f.scale for f in (x, y) if f.scale is not None]
        low = min((s.minimum for s in scales), default=min(p[1] for p in points))
        high = max((s.maximum for s in scales), default=max(p[1] for p in points))
        corners = [(key.startswith("x_high"), key.endswith("y_high"), name)
                   for key, name in rollup.quadrants.items()]
        self.picture(charts.matrix(points, x.label, y.label, rollup.split, low, high, corners),
                     PICTURE_CM * 0.75)

    # --- primitives -----------------------------------------------------------------------

    def picture(self, png: bytes, width: float = PICTURE_CM) -> None:
        p = self.doc.add_paragraph()
        p.add_run().add_picture(io.BytesIO(png), width=Cm(width))

    def table(self, heads: list[str], rows: list[tuple[str, list[str]]],
              widths: tuple[float, ...]) -> Table:
        """A table of fixed column widths, its header row repeated on every page; a
        ("section", [title]) row spans the table, shaded, a ("question", [text]) row spans it
        in bold."""
        table = self.doc.add_table(rows=1 + len(rows), cols=len(heads))
        table.style = self.doc.styles[STYLES["table"]]
        table.autofit = False
        table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
        for grid_col, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
            grid_col.w = Cm(width)
        for row in table.rows:
            cant = OxmlElement("w:cantSplit")
            row._tr.get_or_add_trPr().insert(0, cant)
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = Cm(width)
        for cell, text in zip(table.rows[0].cells, heads, strict=True):
            _text(cell, text, bold=True)
            _shade(cell, HEAD_FILL)
        for row, (kind, cells) in zip(table.rows[1:], rows, strict=True):
            if kind in ("section", "question"):
                merged = row.cells[0].merge(row.cells[-1])
                _text(merged, cells[0], bold=True)
                if kind == "section":
                    _shade(merged, SECTION_FILL)
                continue
            for cell, text in zip(row.cells, cells, strict=True):
                _text(cell, text)
        self.doc.add_paragraph()
        return table


def _text(cell: Any, text: str, bold: bool = False) -> None:
    p = cell.paragraphs[0]
    p.paragraph_format.space_after = Pt(0)
    if text:
        run = p.add_run(xml_safe(text))
        run.bold = bold or None
        run.font.size = Pt(9)


def _shade(cell: Any, fill: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _figure(score: Score, value: float | None) -> str:
    if value is None:
        return ""
    if score.look is Look.PERCENT:
        return f"{value * 100:.0f}%"
    if score.look is Look.WHOLE and float(value).is_integer():
        return f"{value:.0f}"
    return number(value)


def _mean(slot: Slot, value: float | None) -> str:
    """A closed question's mean: a tick's as the share ticked, a scale's as a number."""
    if value is None:
        return ""
    return f"{value * 100:.0f}%" if slot.field.kind is FieldKind.CHECK else number(value)


def _cell(value: Any, percent: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and percent:
        return f"{value * 100:.0f}%"
    if isinstance(value, float):
        return f"{value:.0f}" if value.is_integer() else number(value)
    return str(value)


def _score_charts(scores: list[Score]) -> list[bytes]:
    """A chart of the means (one axis per instrument: its scales' range), and one of the
    scores with a maximum as shares of it; counts without a maximum stay in the table."""
    out = []
    means = [s for s in scores if s.look is Look.DECIMAL and s.subject.mean is not None]
    if means:
        out.append(charts.scores(
            [(s.rule.label, s.subject.mean, s.group.mean, s.group.low, s.group.high)
             for s in means], document("Score")))
    shares = [s for s in scores if s.subject.mean is not None
              and (s.look is Look.PERCENT or s.maximum)]
    if shares:
        def share(s: Score, v: float | None) -> float | None:
            if v is None:
                return None
            return v * 100 if s.look is Look.PERCENT else v / (s.maximum or 1) * 100

        out.append(charts.scores(
            [(s.rule.label, share(s, s.subject.mean), share(s, s.group.mean),
              share(s, s.group.low), share(s, s.group.high)) for s in shares],
            document("Percentage of the maximum"), 100, decimals=0))
    return out

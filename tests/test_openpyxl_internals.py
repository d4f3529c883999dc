"""office.openpyxl_internals against the installed openpyxl: each function's effect on a
workbook saved and read back, so an openpyxl upgrade that moves an internal fails here, not
in a user's comparison. Also: no other module of src/ touches openpyxl's internals, and
openpyxl stays pinned below its next minor version while this module exists."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill

from templategen.office import openpyxl_internals as internals

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "templategen"


def _saved(wb: Workbook, tmp_path: Path) -> Workbook:
    path = tmp_path / "book.xlsx"
    wb.save(path)
    return load_workbook(path)


def test_set_text_writes_text_that_looks_like_a_formula_as_text(tmp_path: Path) -> None:
    wb = Workbook()
    internals.set_text(wb.active["A1"], "=SUM(B1:B2)")
    wb.save(tmp_path / "book.xlsx")
    with zipfile.ZipFile(tmp_path / "book.xlsx") as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<t>=SUM(B1:B2)</t>" in sheet  # text, not a formula
    cell = load_workbook(tmp_path / "book.xlsx").active["A1"]
    assert (cell.value, cell.data_type) == ("=SUM(B1:B2)", "s")


def test_style_of_and_set_style_copy_a_cells_look(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws["A1"].font = Font(bold=True, color="FF0000")
    ws["A1"].fill = PatternFill("solid", fgColor="DCE6F1")
    ws["A1"].number_format = "0.00"
    internals.set_style(ws["B2"], internals.style_of(ws["A1"]))
    internals.set_style(ws["C3"], internals.style_of(ws["Z9"]))  # a cell without a style
    ws["B2"] = 1.5
    copied = _saved(wb, tmp_path).active
    assert copied["B2"].font.b and copied["B2"].font.color.rgb == "00FF0000"
    assert copied["B2"].fill.fgColor.rgb == "00DCE6F1"
    assert copied["B2"].number_format == "0.00"
    assert not copied["C3"].font.b
    style = internals.style_of(ws["A1"])
    style.fontId = 0  # a copy: the source keeps its own
    assert ws["A1"].font.b


def test_add_alignment_and_set_alignment(tmp_path: Path) -> None:
    wb = Workbook()
    wrap = Alignment(wrap_text=True, vertical="top")
    index = internals.add_alignment(wb, wrap)
    assert internals.add_alignment(wb, wrap) == index  # looked up, not added twice
    assert internals.alignments(wb)[index] == wrap
    internals.set_alignment(wb.active["A1"], index)
    wb.active["A1"] = "tekst"
    cell = _saved(wb, tmp_path).active["A1"]
    assert (cell.alignment.wrap_text, cell.alignment.vertical) == (True, "top")


def test_fills_and_styled_texts_give_the_style_ids_of_text_cells(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "kop"
    ws["A1"].fill = PatternFill("solid", fgColor="DCE6F1")
    ws["B1"] = 3  # styled, but no text
    ws["B1"].fill = PatternFill("solid", fgColor="DCE6F1")
    ws["C1"] = "zonder stijl"
    ws["D1"] = "gedraaid"
    ws["D1"].alignment = Alignment(wrap_text=True)
    found = internals.styled_texts([ws["A1"], ws["B1"], ws["C1"], ws["D1"]])
    assert [(cell.coordinate, text) for cell, text, _, _ in found] == [("A1", "kop"),
                                                                      ("D1", "gedraaid")]
    (_, _, fill, _), (_, _, _, alignment) = found
    assert internals.fills(wb)[fill].fgColor.rgb == "00DCE6F1"
    assert internals.alignments(wb)[alignment].wrap_text
    read = _saved(wb, tmp_path).active
    assert read["A1"].fill.fgColor.rgb == "00DCE6F1" and read["D1"].alignment.wrap_text


def test_top_align_unaligned_leaves_own_alignments(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws["A1"], ws["B1"], ws["C1"] = "a", 2, "c"
    ws["C1"].alignment = Alignment(horizontal="right")
    ws["B1"].font = Font(italic=True)
    internals.top_align_unaligned([ws["A1"], ws["B1"], ws["C1"]],
                                  internals.add_alignment(wb, Alignment(vertical="top")))
    read = _saved(wb, tmp_path).active
    assert read["A1"].alignment.vertical == "top"
    assert read["B1"].alignment.vertical == "top" and read["B1"].font.i
    assert (read["C1"].alignment.horizontal, read["C1"].alignment.vertical) == ("right", None)


def test_named_styles_are_the_style_objects(tmp_path: Path) -> None:
    wb = Workbook()
    wb.add_named_style(NamedStyle(name="tg Kop", font=Font(name="Georgia", size=13)))
    found = {style.name: style for style in internals.named_styles(_saved(wb, tmp_path))}
    assert isinstance(found["tg Kop"], NamedStyle)
    assert (found["tg Kop"].font.name, found["tg Kop"].font.sz) == ("Georgia", 13)


def test_append_placed_cells_writes_rows_of_cells_with_gaps(tmp_path: Path) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Rijen")
    internals.append_placed_cells(ws)
    first = Cell(ws, row=1, column=1, value="=kop")
    internals.set_text(first, "=kop")
    first.font = Font(bold=True)
    third = Cell(ws, row=1, column=3, value=7)
    ws.append([first, None, third])
    ws.append([])
    ws.append([None, Cell(ws, row=3, column=2, value=2.5)])
    ws.append([Cell(ws, row=4, column=3, value="C4")])  # placed: not moved to column A
    read = _saved(wb, tmp_path)["Rijen"]
    assert [[c.value for c in row] for row in read.iter_rows(max_col=3)] == [
        ["=kop", None, 7], [None, None, None], [None, 2.5, None], [None, None, "C4"]]
    assert read["A1"].data_type == "s" and read["A1"].font.b


def _rows_of_every_kind(ws: object) -> list[list[Cell | None]]:
    """Rows of the cells the comparison writes, and a few it never does (rich text, an
    array formula, a comment, a link), with the characters XML escapes."""
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont
    from openpyxl.comments import Comment
    from openpyxl.worksheet.formula import ArrayFormula

    texts = ["gewoon", " spaties ", "a & b < c > d \" ' \r\n\tz", "é – ✓ 😀 ﬁ", "=SOM(A1)", ""]
    values = [*texts, 0, 7, -3, 2.5, 1 / 3, 1e20, 12345678901234567890, True, False,
              dt.datetime(2026, 11, 30, 9, 15), dt.date(2026, 1, 2), dt.time(8, 30), None]
    rows: list[list[Cell | None]] = []
    for r, value in enumerate(values, start=1):
        plain = Cell(ws, row=r, column=1)
        if isinstance(value, str):
            internals.set_text(plain, value)
        else:
            plain.value = value
        styled = Cell(ws, row=r, column=2, value=value)
        styled.font = Font(bold=r % 2 == 0)
        styled.fill = PatternFill("solid", fgColor="DCE6F1")
        styled.alignment = Alignment(wrap_text=True, vertical="top")
        if isinstance(value, dt.date):
            styled.number_format = "dd-mm-yyyy"
        rows.append([plain, styled, None, Cell(ws, row=r, column=4, value="=SUM(A1:A3)")])
    odd = [Cell(ws, row=len(rows) + 1, column=c) for c in range(1, 5)]
    odd[0].value = CellRichText(["vet ", TextBlock(InlineFont(b=True), "tekst")])
    odd[1].value = ArrayFormula("B20:B21", "=A1:A2*2")
    odd[2].value = "met opmerking"
    odd[2].comment = Comment("een opmerking", "templategen")
    odd[3].value = "link"
    odd[3].hyperlink = "https://example.org/a?b=1&c=2"
    return [*rows, odd, []]


def test_append_placed_cells_writes_the_bytes_openpyxl_writes(tmp_path: Path) -> None:
    written = []
    for ours in (False, True):
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Rijen")
        if ours:
            internals.append_placed_cells(ws)
        ws.row_dimensions[2].height = 30
        for row in _rows_of_every_kind(ws):
            ws.append(row)
        wb.save(tmp_path / f"book{ours}.xlsx")
        with zipfile.ZipFile(tmp_path / f"book{ours}.xlsx") as z:
            written.append({name: z.read(name) for name in z.namelist()
                            if not name.startswith("docProps/")})
    assert written[0].keys() == written[1].keys()
    for name in written[0]:
        assert written[0][name] == written[1][name], name
    sheet = written[1]["xl/worksheets/sheet1.xml"].decode()
    assert '<row r="2" ht="30" customHeight="1">' in sheet
    assert "&#233; &#8211; &#10003; &#128512;" in sheet and "&amp; b &lt; c &gt; d" in sheet


def _book_parts(path: Path, fill: Any, plain: bool) -> dict[str, bytes]:
    """A write-only book of one sheet of append_placed_cells, filled by ``fill(ws, look,
    plain)`` (look: style ids with a number format of their own) and saved at ``path``: its
    parts but docProps (save times)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Rijen")
    internals.append_placed_cells(ws)
    probe = Cell(ws, row=1, column=1)
    probe.number_format = "0.0"
    fill(ws, internals.style_of(probe), plain)
    wb.save(path)
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist() if not name.startswith("docProps/")}


def test_plain_cells_are_written_as_the_cells_that_hold_their_values(tmp_path: Path) -> None:
    values = ["gewoon", " spaties ", "a & b < c > d \r\n\tz", "é – ✓ 😀", "=SOM(A1)", "", 0, 7,
              -3, 2.5, 1 / 3, 1e20, 12345678901234567890, 2e308 / 2e308, 1e309, None,
              dt.datetime(2026, 11, 30, 9, 15), dt.date(2026, 1, 2)]

    def fill(ws: Any, look: Any, plain: bool) -> None:
        for r, value in enumerate(values, start=1):
            if plain:
                kind, dated = "s" if isinstance(value, str) else "n", look
                if isinstance(value, dt.date):  # a date's style ids: a cell's that holds it
                    kind, probe = "d", Cell(ws, row=r, column=3, style_array=look)
                    probe.value = value
                    dated = internals.style_of(probe)
                ws.append([internals.PlainCell(r, 1, value, kind, None if kind != "d" else
                                               internals.style_of(Cell(ws, r, 1, value))),
                           None, internals.PlainCell(r, 3, value, kind, dated)])
                continue
            cells = [Cell(ws, row=r, column=1), None, Cell(ws, row=r, column=3, style_array=look)]
            for cell in (cells[0], cells[2]):
                if isinstance(value, str):
                    internals.set_text(cell, value)
                else:
                    cell.value = value
            ws.append(cells)

    written = [_book_parts(tmp_path / f"book{plain}.xlsx", fill, plain) for plain in (False, True)]
    assert written[0] == written[1]
    sheet = written[1]["xl/worksheets/sheet1.xml"].decode()
    assert '<c r="C10" s="1" t="n"><v>2.5</v></c>' in sheet and "&#128512;" in sheet


def test_plain_rows_are_written_as_their_plain_cells(tmp_path: Path) -> None:
    """append_plain_row makes a row's bytes from its values: those PlainCells' (gaps between
    columns, styles or none, a number that is not finite), between rows appended as cells."""
    values = ["gewoon", " spaties ", "a & b < c > d \r\n\tz", "é – ✓ 😀", "=SOM(A1)", "", 0, 7,
              -3, 2.5, 1 / 3, 1e20, 12345678901234567890, 2e308 / 2e308, 1e309]

    def fill(ws: Any, look: Any, plain: bool) -> None:
        ws.append([Cell(ws, row=1, column=1, value="kop")])
        for r, value in enumerate(values, start=2):
            kind = "s" if isinstance(value, str) else "n"
            cells = [(1, value, kind, None), (3, value, kind, look), (4, r, "n", None)]
            if plain:
                internals.append_plain_row(ws, r, cells)
            else:
                ws.append([internals.PlainCell(r, *cell) for cell in cells])
        ws.append([Cell(ws, row=len(values) + 2, column=2, value="staart")])

    written = [_book_parts(tmp_path / f"book{plain}.xlsx", fill, plain) for plain in (False, True)]
    assert written[0] == written[1]
    sheet = written[1]["xl/worksheets/sheet1.xml"].decode()
    assert '<row r="11"><c r="A11" t="n"><v>2.5</v></c><c r="C11" s="1" t="n"><v>2.5</v>' \
        in sheet and '<c r="B17" t="inlineStr"><is><t>staart</t>' in sheet


PRIVATE = re.compile(r"(?<!self)(?<!cls)\.\_[a-z]\w*")


def test_no_other_module_touches_openpyxl_internals() -> None:
    offenders = []
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if path.name == "openpyxl_internals.py" or "openpyxl" not in text:
            continue
        offenders += [f"{path.relative_to(ROOT)}: {line.strip()}"
                      for line in text.splitlines()
                      if re.search(r"openpyxl[\w.]*\._", line) or PRIVATE.search(line)
                      or "StyleArray(" in line]
    assert offenders == []


def test_openpyxl_is_pinned_below_its_next_minor_version() -> None:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    (spec,) = [d for d in deps if d.startswith("openpyxl")]
    match = re.fullmatch(r"openpyxl>=(\d+)\.(\d+)(?:\.\d+)?,<(\d+)\.(\d+)", spec.split()[0])
    assert match, spec
    major, minor, below_major, below_minor = map(int, match.groups())
    assert (below_major, below_minor) == (major, minor + 1)
    installed = tuple(int(n) for n in openpyxl.__version__.split(".")[:2])
    assert installed == (major, minor), openpyxl.__version__


def _streamed(path: Path, early: bool) -> None:
    """A streamed workbook of three sheets, the large middle one (several MB of XML: more
    than one of the deflater's reads) deflated early when ``early``."""
    from templategen.office.streamed import streamed_workbook

    with streamed_workbook(path) as wb:
        for title, rows in (("Eerst", 10), ("Herkomst", 40000), ("Laatst", 10)):
            ws = wb.create_sheet(title)
            internals.append_placed_cells(ws)
            ws.append([Cell(ws, row=1, column=1, value=title)])
            for r in range(2, rows + 2):
                internals.append_plain_row(ws, r, [(1, f"bestand {r} · é", "s", None),
                                                   (2, r * 1.5, "n", None)])
            if early and title == "Herkomst":
                internals.deflate_early(ws)


def _entries(path: Path) -> list[tuple[Any, ...]]:
    """Each zip entry as stored: its name, method, CRC, sizes and deflated bytes."""
    out = []
    with zipfile.ZipFile(path) as z, path.open("rb") as raw:
        for info in z.infolist():
            raw.seek(info.header_offset + 26)
            name_len, extra_len = int.from_bytes(raw.read(2), "little"), int.from_bytes(
                raw.read(2), "little")
            raw.seek(info.header_offset + 30 + name_len + extra_len)
            data = raw.read(info.compress_size)
            out.append((info.filename,) if info.filename == "docProps/core.xml"  # save time
                       else (info.filename, info.compress_type, info.CRC, info.file_size,
                             info.compress_size, data))
    return out


def test_a_sheet_deflated_early_is_saved_byte_for_byte_as_one_deflated_at_the_save(
        tmp_path: Path) -> None:
    _streamed(tmp_path / "plain.xlsx", early=False)
    _streamed(tmp_path / "early.xlsx", early=True)
    plain, early = _entries(tmp_path / "plain.xlsx"), _entries(tmp_path / "early.xlsx")
    assert [e[0] for e in early] == [e[0] for e in plain]
    assert early == plain
    (sheet,) = [e for e in early if e[0] == "xl/worksheets/sheet2.xml"]
    assert sheet[3] > 2 * (1 << 20) and sheet[4] < sheet[3] / 4  # several reads, deflated
    with zipfile.ZipFile(tmp_path / "early.xlsx") as z:
        assert z.testzip() is None
    wb = load_workbook(tmp_path / "early.xlsx", read_only=True)
    assert wb.sheetnames == ["Eerst", "Herkomst", "Laatst"]
    rows = list(wb["Herkomst"].values)
    assert len(rows) == 40001 and rows[-1] == ("bestand 40001 · é", 60001.5)


def test_a_workbook_discarded_after_a_sheet_was_deflated_early_leaves_no_file(
        tmp_path: Path, monkeypatch: Any) -> None:
    import tempfile

    from templategen.office.streamed import streamed_workbook

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # openpyxl's and ours
    out = tmp_path / "out" / "book.xlsx"
    try:
        with streamed_workbook(out) as wb:
            ws = wb.create_sheet("Herkomst")
            ws.append(["bestand"])
            internals.deflate_early(ws)
            raise RuntimeError("stopped")
    except RuntimeError:
        pass
    assert not out.exists() and [p for p in tmp_path.rglob("*") if p.is_file()] == []

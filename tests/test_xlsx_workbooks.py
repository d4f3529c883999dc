"""Excel workbooks end to end: build real files, fill them as a person would, read them back,
and let LibreOffice recalculate every formula against scoring.evaluate()."""

from __future__ import annotations

import datetime as dt
import random
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from templategen.content.catalog import BUNDLED_CONTENT, load_catalog
from templategen.content.model import (
    PROP_INSTANCE,
    PROP_INSTRUMENT,
    PROP_KIND,
    PROP_RECIPIENT,
    PROP_VERSION,
    FieldKind,
    Instrument,
    Slot,
)
from templategen.content.recipients import Recipient
from templategen.content.scoring import evaluate
from templategen.office import libreoffice
from templategen.office.custom_props import CUSTOM_PART, read_custom
from templategen.returned.safezip import open_archive
from templategen.returned.xlsx import parse_ref, read_workbook
from templategen.workbooks.plan import plan_layout
from templategen.workbooks.render import render_workbooks

FIXTURES = Path(__file__).parent / "fixtures" / "content"
ERRORS = ("#DIV/0!", "#VALUE!", "#N/A", "#NAME?", "#REF!", "#NUM!", "#NULL!", "Err:")


def instruments() -> list[Instrument]:
    found = list(load_catalog(FIXTURES).instruments.values())
    found += list(load_catalog(BUNDLED_CONTENT).instruments.values())
    return found


INSTRUMENTS = instruments()
IDS = [i.id for i in INSTRUMENTS]


def custom_props(path: Path) -> dict[str, str]:
    return read_custom(open_archive(path).xml(CUSTOM_PART))


def cell(wb: Workbook, ref: str):  # noqa: ANN201 - an openpyxl cell
    sheet, coord = parse_ref(ref)  # type: ignore[misc]
    return wb[sheet][coord]


# --- filling a workbook as a person would, and the typed answers that means ---------------

def fill_values(inst: Instrument, seed: int) -> dict[str, tuple[object, object]]:
    """slot key -> (what a person types/picks in the cell, the typed answer for scoring)."""
    rnd = random.Random(f"{inst.id}-{seed}")
    out: dict[str, tuple[object, object]] = {}
    for slot in inst.slots():
        if rnd.random() < 0.2:
            continue  # left blank
        out[slot.key] = typed_pair(slot, rnd)
    return out


def typed_pair(slot: Slot, rnd: random.Random) -> tuple[object, object]:
    f = slot.field
    if f.kind is FieldKind.CHECK:
        ticked = rnd.random() < 0.6
        return ("Ja" if ticked else "Nee"), ticked
    if f.kind is FieldKind.SCALE:
        assert f.scale is not None
        point = rnd.choice(f.scale.points)
        return point.label, float(point.value)
    if f.kind is FieldKind.NUMBER:
        lo = int(f.constraint.minimum) if f.constraint.minimum is not None else 0
        hi = int(f.constraint.maximum) if f.constraint.maximum is not None else 200
        n = rnd.randint(lo, min(hi, lo + 200))
        return n, float(n)
    if f.kind is FieldKind.DATE:
        day = dt.date(2026, 1, 1) + dt.timedelta(days=rnd.randint(0, 400))
        return day, day.isoformat()
    if f.kind is FieldKind.CHOICE:
        option = rnd.choice(f.options)
        return option, option
    text = rnd.choice(["Wij werken samen met de regio.", "  spaties blijven staan ",
                       "Regel één\nRegel twee", "100% zeker; €5 & <tags>"])
    return text, text


def fill(path: Path, inst: Instrument, values: dict[str, tuple[object, object]]) -> None:
    wb = load_workbook(path)
    for slot in inst.slots():
        target = cell(wb, wb.defined_names[slot.anchor].attr_text)
        target.value = values[slot.key][0] if slot.key in values else None
    wb.save(path)


def typed(values: dict[str, tuple[object, object]]) -> dict[str, object]:
    return {k: v[1] for k, v in values.items()}


def raw_expected(value: object) -> object:
    return value


# --- structure: no LibreOffice needed ------------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("xlsx")
    return {i.id: render_workbooks(i, None, out, None)[0] for i in INSTRUMENTS}


@pytest.mark.parametrize("inst", INSTRUMENTS, ids=IDS)
def test_structure(inst: Instrument, built: dict[str, Path]) -> None:
    wb = load_workbook(built[inst.id])
    assert wb.sheetnames[0] == "Toelichting"
    intro = "\n".join(str(c.value) for row in wb["Toelichting"].iter_rows() for c in row if c.value)
    assert inst.source.document in intro and inst.source.licence in intro
    props = custom_props(built[inst.id])
    assert props[PROP_INSTRUMENT] == inst.id and props[PROP_VERSION] == inst.version
    assert props[PROP_RECIPIENT] == "" and props[PROP_KIND] == "workbook"
    assert re.fullmatch(r"uuid:[0-9a-f-]{36}", props[PROP_INSTANCE]), props[PROP_INSTANCE]
    inputs: dict[str, set[str]] = {}
    for slot in inst.slots():
        sheet, coord = parse_ref(wb.defined_names[slot.anchor].attr_text)  # type: ignore[misc]
        inputs.setdefault(sheet, set()).add(coord)
        assert wb[sheet][coord].protection.locked is False, slot.key
    for sheet, coords in inputs.items():
        ws = wb[sheet]
        assert ws.sheet_state == "visible" and ws.protection.sheet, sheet
        assert ws.freeze_panes and ws.print_title_rows, sheet
        # fitted to the width; the orientation that prints fewer pages (workbooks.pages)
        assert ws.page_setup.orientation in ("landscape", "portrait")
        assert ws.page_setup.fitToWidth == 1
        validated = {c for dv in ws.data_validations.dataValidation
                     for rng in dv.sqref.ranges for c in _coords(rng.coord)
                     if dv.prompt and dv.error}
        assert coords <= validated, f"{sheet}: {sorted(coords - validated)[:5]} not validated"
    charts = {r.params.get("chart") for r in inst.rules} - {None}
    kinds = {type(c).__name__ for ws in wb.worksheets for c in ws._charts}
    expected = {"bar": "BarChart", "radar": "RadarChart", "scatter": "ScatterChart"}
    assert {expected[c] for c in charts} <= kinds


def _coords(rng: str) -> Iterator[str]:
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.cell import range_boundaries

    c1, r1, c2, r2 = range_boundaries(rng)
    for r in range(r1, r2 + 1):
        for c in range(c1, c2 + 1):
            yield f"{get_column_letter(c)}{r}"


def test_personalised_copies(tmp_path: Path) -> None:
    inst = load_catalog(FIXTURES).get("alles")
    assert inst is not None
    people = [Recipient("r1", "Anna de Vries", {"id": "r1", "naam": "Anna de Vries",
                                                 "organisatie": "De Linde", "rol": "directeur"}),
              Recipient("r/2", "Émile Ünal", {"id": "r/2", "naam": "Émile Ünal"})]
    paths = render_workbooks(inst, people, tmp_path, None)
    assert [p.name for p in paths] == ["alles_r1_anna-de-vries.xlsx", "alles_r-2_emile-unal.xlsx"]
    first = read_workbook(open_archive(paths[0]), inst)
    assert first.values["respondent.naam"] == "Anna de Vries"
    assert first.values["respondent.organisatie"] == "De Linde"
    assert first.values["respondent.datum"] is None
    wb = load_workbook(paths[0])
    texts = [c.value for c in wb["Toelichting"]["B"] if c.value]
    assert "Dit is een proefinstrument voor Anna de Vries van De Linde." in texts
    instances = set()
    for path, person in zip(paths, people, strict=True):
        props = custom_props(path)
        assert props[PROP_RECIPIENT] == person.id
        instances.add(props[PROP_INSTANCE])
    assert len(instances) == 2


@pytest.mark.parametrize("inst", INSTRUMENTS, ids=IDS)
def test_read_back_openpyxl_fill(inst: Instrument, built: dict[str, Path],
                                 tmp_path: Path) -> None:
    path = tmp_path / built[inst.id].name
    path.write_bytes(built[inst.id].read_bytes())
    values = fill_values(inst, 1)
    fill(path, inst, values)
    got = read_workbook(open_archive(path), inst)
    assert not got.unknown and not got.warnings
    for slot in inst.slots():
        assert got.values[slot.key] == values.get(slot.key, (None,))[0], slot.key


def test_reader_reports_formulas_stray_text_and_unknown_names(built: dict[str, Path],
                                                             tmp_path: Path) -> None:
    inst = load_catalog(FIXTURES).get("alles")
    assert inst is not None
    path = tmp_path / "alles.xlsx"
    path.write_bytes(built["alles"].read_bytes())
    wb = load_workbook(path)
    names = wb.defined_names
    cell(wb, names["tg_visie"].attr_text).value = '=HYPERLINK("http://x","y")'
    text_cell = cell(wb, names["tg_sector"].attr_text)
    text_cell.value = "=geen formule"
    text_cell.data_type = "s"
    sheet, coord = parse_ref(names["tg_partijen__4__naam"].attr_text)  # type: ignore[misc]
    below = f"{coord[0]}{int(coord[1:]) + 1}"
    wb[sheet][below] = "Extra stakeholder"
    from openpyxl.workbook.defined_name import DefinedName
    wb.defined_names["tg_oud_item"] = DefinedName(
        "tg_oud_item", attr_text=f"'{sheet}'!${coord[0]}${coord[1:]}")
    wb.save(path)
    got = read_workbook(open_archive(path), inst)
    assert got.values["visie"] == '=HYPERLINK("http://x","y")'
    assert got.values["sector"] == "=geen formule"
    assert got.unknown == {"oud_item": None}
    assert any("formula" in w and "visie" not in w and "HYPERLINK" in w for w in got.warnings)
    assert any(f"{sheet}!{below}" in w and "Extra stakeholder" in w for w in got.warnings)


# --- LibreOffice recalculates: every rule equals scoring.evaluate --------------------------

def _number(value: object) -> float | None:
    if value is None or value == "":
        return None
    assert isinstance(value, (int, float)), value
    return float(value)


def _text(value: object) -> str | None:
    return None if value in (None, "") else str(value)


def check_results(inst: Instrument, wb: Workbook, answers: dict[str, object]) -> int:
    """Compare every rule's cells with scoring.evaluate; return the number of values checked."""
    layout = plan_layout(inst)
    expected = evaluate(inst, answers)  # type: ignore[arg-type]
    checked = 0
    for rule in inst.rules:
        want, cells = expected[rule.id], layout.results[rule.id]
        where = f"{inst.id}:{rule.id}"
        if cells.value:
            got = cell(wb, cells.value).value
            if isinstance(want.value, str) or want.value is None and rule.kind == "quadrant":
                assert _text(got) == want.value, where
            else:
                assert _number(got) == pytest.approx(want.value), where
            checked += 1
        if cells.maximum:
            assert _number(cell(wb, cells.maximum).value) == pytest.approx(want.maximum), where
        if cells.band:
            want_band = want.message if rule.kind == "coverage" else want.band
            assert _text(cell(wb, cells.band).value) == want_band, where
        assert set(cells.rows) == set(want.rows), where
        for key, ref in cells.rows.items():
            got = cell(wb, ref).value
            if isinstance(want.rows[key], str) or rule.kind == "quadrant":
                assert _text(got) == want.rows[key], f"{where} row {key}"
            else:
                assert _number(got) == pytest.approx(want.rows[key]), f"{where} row {key}"
            checked += 1
        for key, ref in cells.row_bands.items():
            assert _text(cell(wb, ref).value) == want.row_bands[key], f"{where} band {key}"
    return checked


def prefilled(inst: Instrument) -> dict[str, tuple[object, object]]:
    """The entries a blank workbook already suggests (prefill)."""
    out: dict[str, tuple[object, object]] = {}
    for item in inst.walk_items():
        for n, entry in enumerate(item.prefill, start=1):
            for fid, text in entry.items():
                out[f"{item.id}.{n}.{fid}"] = (text, text)
    return out


@pytest.mark.libreoffice
@pytest.mark.skipif(libreoffice.soffice() is None, reason="LibreOffice is not installed")
def test_libreoffice_recalculates_every_workbook(built: dict[str, Path], tmp_path: Path) -> None:
    cases: dict[str, tuple[Instrument, dict[str, tuple[object, object]]]] = {}
    sources = []
    for inst in INSTRUMENTS:
        for variant, values in (("blank", prefilled(inst)), ("filled", fill_values(inst, 7)),
                                ("full", fill_values(inst, 8) | {
                                    s.key: typed_pair(s, random.Random(s.key))
                                    for s in inst.slots()})):
            path = tmp_path / "in" / f"{inst.id}__{variant}.xlsx"
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(built[inst.id].read_bytes())
            if variant != "blank":
                fill(path, inst, values)
            cases[path.stem] = (inst, values)
            sources.append(path)
    # a personalised copy (patched from the built master) opens and recalculates as well
    inst = next(i for i in INSTRUMENTS if i.id == "alles")
    person = Recipient("p1", "Anna & <de> Vries", {"id": "p1", "naam": "Anna & <de> Vries",
                                                    "organisatie": "OBS ’t Kompas"})
    path = render_workbooks(inst, [person], tmp_path / "in", None)[0]
    cases[path.stem] = (inst, prefilled(inst) | {
        "respondent.naam": (person.naam, person.naam),
        "respondent.organisatie": ("OBS ’t Kompas", "OBS ’t Kompas")})
    sources.append(path)
    results = libreoffice.convert_many(sources, "xlsx", tmp_path / "out")
    checked = 0
    for result in results:
        inst, values = cases[result.stem]
        wb = load_workbook(result, data_only=True)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    assert not (isinstance(c.value, str) and c.value.startswith(ERRORS)), (
                        f"{result.stem}: {ws.title}!{c.coordinate} = {c.value}")
        checked += check_results(inst, wb, typed(values))
        got = read_workbook(open_archive(result), inst)
        for key, (raw, _) in values.items():
            assert got.values[key] == raw, f"{result.stem}: {key}"
        assert not got.unknown
    assert checked > 100


def test_reader_lays_out_each_instrument_once(built: dict[str, Path], tmp_path: Path) -> None:
    import dataclasses

    from templategen.returned.xlsx import template_cells

    inst = load_catalog(FIXTURES).get("alles")
    assert inst is not None
    cells = template_cells(inst)
    assert template_cells(inst) is cells
    # an equal-looking instrument (same id and version) is laid out for itself, not served
    # the cached cells of another object
    shorter = dataclasses.replace(inst, sections=inst.sections[:1])
    assert template_cells(shorter) is not cells
    # (short sections share a sheet, so the shorter one's sheet is named for its one section)
    assert sum(map(len, template_cells(shorter).values())) < sum(map(len, cells.values()))
    # stray typing is still found with the cached layout, file after file
    for n in range(2):
        path = tmp_path / f"stray{n}.xlsx"
        path.write_bytes(built["alles"].read_bytes())
        wb = load_workbook(path)
        sheet = next(t for t in cells if t != "Gegevens")
        wb[sheet]["Z99"] = f"los getypt {n}"
        wb.save(path)
        got = read_workbook(open_archive(path), inst)
        assert [w for w in got.warnings if "Z99" in w] == [
            f"{sheet}!Z99 holds 'los getypt {n}', typed outside the answer cells; "
            "it was not read as an answer."]


# OOXML escapes in strings (ST_Xstring), as Excel writes them: what the respondent typed
ESCAPED = {
    "visie": ("Regel 1_x000D_\nRegel 2", "Regel 1\r\nRegel 2"),
    "tabel.beleid.actie": ("bel _x0007_ en tab_x0009_!", "bel \x07 en tab\t!"),
    "tabel.dialoog.actie": ("letterlijk _x005F_x0041_ getypt", "letterlijk _x0041_ getypt"),
    "tabel.regio.actie": ("geen escape: _x00G1_ en _x41_", "geen escape: _x00G1_ en _x41_"),
}


def _write_escaped(built: dict[str, Path], path: Path) -> Instrument:
    inst = load_catalog(FIXTURES).get("alles")
    assert inst is not None
    path.write_bytes(built["alles"].read_bytes())
    wb = load_workbook(path)
    for key, (stored, _) in ESCAPED.items():
        # openpyxl writes the text as given: these are the escaped forms in the XML
        cell(wb, wb.defined_names[f"tg_{key.replace('.', '__')}"].attr_text).value = stored
    wb.save(path)
    return inst


def test_reader_decodes_string_escapes(built: dict[str, Path], tmp_path: Path) -> None:
    path = tmp_path / "escaped.xlsx"
    inst = _write_escaped(built, path)
    got = read_workbook(open_archive(path), inst)
    for key, (_, typed_text) in ESCAPED.items():
        assert got.values[key] == typed_text, key


@pytest.mark.libreoffice
@pytest.mark.skipif(libreoffice.soffice() is None, reason="LibreOffice is not installed")
def test_reader_decodes_escapes_libreoffice_writes(built: dict[str, Path],
                                                  tmp_path: Path) -> None:
    source = tmp_path / "escaped.xlsx"
    inst = _write_escaped(built, source)
    saved = libreoffice.convert_many([source], "xlsx", tmp_path / "out")[0]
    with zipfile.ZipFile(saved) as z:  # LibreOffice moved the texts to shared strings
        shared = z.read("xl/sharedStrings.xml").decode()
    assert "_x005F_x0041_" in shared and "_x0007_" in shared
    got = read_workbook(open_archive(saved), inst)
    # LibreOffice keeps a carriage return only as a line feed
    want = {k: t for k, (_, t) in ESCAPED.items()} | {"visie": "Regel 1\nRegel 2"}
    assert {k: got.values[k] for k in ESCAPED} == want


@pytest.mark.parametrize("inst", INSTRUMENTS, ids=IDS)
def test_long_headers_and_hints_get_tall_rows(inst: Instrument, built: dict[str, Path]) -> None:
    wb = load_workbook(built[inst.id])
    checked = 0
    titles = set()
    for ws in wb.worksheets:
        if ws.sheet_state != "visible" or not ws.print_title_rows:
            continue
        h = int(ws.print_title_rows.split(":")[-1].strip("$"))  # the repeated header row
        if ws[f"A{h}"].value not in ("Nr.", "Onderwerp"):
            continue  # not a table or question sheet
        for c in ws[h]:
            width = ws.column_dimensions[c.column_letter].width
            lines = -(-len(str(c.value or "")) // (int(width) - 2))
            assert (ws.row_dimensions[h].height or 15) >= 15 * lines, f"{ws.title}!{c.coordinate}"
        hint = ws["A2"].value if h == 3 else None
        if hint:
            span = sum(ws.column_dimensions[c.column_letter].width for c in ws[3])
            assert (ws.row_dimensions[2].height or 15) >= 15 * (len(hint) // span), ws.title
        titles |= {str(c.value) for row in ws.iter_rows(max_col=1) for c in row}
        checked += 1
    tables = [it for it in inst.walk_items() if it.kind in ("grid", "indicators", "entries")]
    # every table is on a checked sheet (tables alike share one: #19)
    assert all(f"{it.number} {it.text}".strip() in titles for it in tables)
    assert checked or not tables

"""Personalised copies carry the recipient's name and subject in their custom properties, so
ingest still knows who answered when the respondent cleared the prefilled block."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from templategen.cli import main
from templategen.content.catalog import BUNDLED_CONTENT, load_catalog
from templategen.content.model import (
    PROP_INSTANCE,
    PROP_RECIPIENT,
    PROP_RECIPIENT_NAME,
    PROP_SUBJECT,
    PROP_TOKEN,
    RESPONDENT,
    Instrument,
)
from templategen.content.recipients import Recipient
from templategen.office.custom_props import CUSTOM_PART, read_custom
from templategen.returned.docx import control_key
from templategen.returned.safezip import SafeArchive, open_archive
from templategen.returned.xlsx import parse_ref, read_workbook
from templategen.workbooks.copies import build_master
from templategen.workbooks.plan import plan_layout
from templategen.workbooks.write import write_workbook
from tests.support.filling import fill_in_place

FIXTURES = Path(__file__).parent / "fixtures" / "content"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DOC = "word/document.xml"
PEOPLE = {"b1": ("Sanne Öztürk", "OBS De Linde", "Bureau Één"),
          "b2": ("Piet de Vries", "KC Het Anker", "")}


def build(tmp_path: Path) -> tuple[list[Path], Path]:
    recipients = tmp_path / "ontvangers.csv"
    recipients.write_text("id;naam;organisatie;onderwerp\n" + "".join(
        f"{rid};{naam};{org};{subject}\n" for rid, (naam, org, subject) in PEOPLE.items()),
        encoding="utf-8")
    runner = CliRunner()
    for out, extra in (("uit", ["--recipients", str(recipients)]), ("blanco", [])):
        result = runner.invoke(main, ["build", "--content", str(FIXTURES), "--only", "alles",
                                      "--out", str(tmp_path / out), *extra])
        assert result.exit_code == 0, result.output
    return sorted((tmp_path / "uit").iterdir()), tmp_path / "blanco"


def respondent_controls(root: etree._Element) -> dict[str, etree._Element]:
    return {key: sdt for sdt in root.iter(f"{W}sdt")
            if (key := control_key(sdt)) and key.startswith(f"{RESPONDENT}.")}


def clear_form(path: Path, blank: Path) -> None:
    """As in Word: the respondent deletes the prefilled text and the controls show their
    placeholder again (taken from the unpersonalised form, which never had a value)."""
    with zipfile.ZipFile(blank) as z:
        empty = respondent_controls(etree.fromstring(z.read(DOC)))
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    root = etree.fromstring(parts[DOC])
    for key, sdt in respondent_controls(root).items():
        sdt.getparent().replace(sdt, empty[key])
    parts[DOC] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def clear_workbook(path: Path) -> None:
    wb = load_workbook(path)
    for name, dn in wb.defined_names.items():
        if name.startswith(f"tg_{RESPONDENT}__"):
            sheet, coord = parse_ref(dn.attr_text)  # type: ignore[misc]
            wb[sheet][coord].value = None
    wb.save(path)


def test_copies_carry_the_recipients_name_and_subject(tmp_path: Path) -> None:
    copies, _ = build(tmp_path)
    assert len(copies) == 4
    for path in copies:
        props = read_custom(open_archive(path).xml(CUSTOM_PART))
        naam, _, subject = PEOPLE[props[PROP_RECIPIENT]]
        assert props[PROP_RECIPIENT_NAME] == naam, path.name
        assert props.get(PROP_SUBJECT) == (subject or None), path.name


def test_no_subject_for_an_instrument_that_asks_none(tmp_path: Path) -> None:
    from templategen.forms.render import render_forms
    from templategen.workbooks.render import render_workbooks

    inst = load_catalog(BUNDLED_CONTENT).get("ict_gesprek")
    assert inst is not None
    assert "onderwerp" not in {s.field.id for s in inst.slots() if s.item.id == RESPONDENT}
    person = Recipient("b1", "Sanne", {"id": "b1", "naam": "Sanne", "onderwerp": "Bureau Één"})
    for path in [*render_forms(inst, [person], tmp_path, None),
                 *render_workbooks(inst, [person], tmp_path)]:
        props = read_custom(open_archive(path).xml(CUSTOM_PART))
        assert props[PROP_RECIPIENT_NAME] == "Sanne" and PROP_SUBJECT not in props


def test_cleared_respondent_block_still_ingests_with_name_and_subject(tmp_path: Path) -> None:
    copies, blank = build(tmp_path)
    for path in copies:
        if path.suffix == ".docx":
            clear_form(path, blank / "alles.docx")
        else:
            clear_workbook(path)
        fill_in_place(path, {"visie": "Een antwoord."})  # not an empty copy: one answer typed
    runner = CliRunner()
    db, report = tmp_path / "s.db", tmp_path / "r.json"
    result = runner.invoke(main, ["ingest", str(tmp_path / "uit"), "--db", str(db),
                                  "--content", str(FIXTURES), "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert all(r["status"].startswith("accepted") for r in json.loads(report.read_text()))
    result = runner.invoke(main, ["export", "--db", str(db), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    # the respondent block came back empty: the name is not an answer in any file ...
    assert not [r for r in rows if r["item"] == f"{RESPONDENT}.naam" and r["value"]]
    # ... yet every file is stored under the recipient's name and subject
    who = {(r["source"], r["respondent"], r["subject"]) for r in rows}
    assert who == {(p.name, PEOPLE[rid][0], PEOPLE[rid][2])
                   for p in copies for rid in PEOPLE if f"_{rid}_" in p.name}


# --- patched workbook copies equal directly built ones ---------------------------------------

def _instruments() -> list[Instrument]:
    return [*load_catalog(FIXTURES).instruments.values(),
            *load_catalog(BUNDLED_CONTENT).instruments.values()]


TRICKY = [Recipient("r1", "Anna & <Bob> \"de\" Vries", {
              "id": "r1", "naam": "Anna & <Bob> \"de\" Vries", "organisatie": "OBS ’t Kompas",
              "rol": " directeur ", "onderwerp": "Bureau {{ naam }} ~~tg-0~~",
              "email": "a@b.nl"}),
          Recipient("r2", "Émile", {"id": "r2", "naam": "Émile"})]


def _sheet_cells(wb: Workbook) -> dict[str, dict[str, tuple[object, ...]]]:
    return {ws.title: {c.coordinate: (c.value, c.data_type, c.style_id, c.number_format,
                                      c.protection.locked, c.hyperlink.location
                                      if c.hyperlink else None)
                       for row in ws.iter_rows() for c in row if c.value is not None
                       or c.has_style}
            for ws in wb.worksheets}


def _sheet_shape(wb: Workbook) -> dict[str, tuple[object, ...]]:
    return {ws.title: (ws.sheet_state, ws.freeze_panes, ws.print_title_rows,
                       sorted(str(r) for r in ws.merged_cells.ranges),
                       sorted((str(dv.sqref), dv.formula1, dv.prompt)
                              for dv in ws.data_validations.dataValidation),
                       len(ws.conditional_formatting), ws.protection.sheet)
            for ws in wb.worksheets}


@pytest.mark.parametrize("inst", _instruments(), ids=lambda i: i.id)
def test_patched_copies_equal_directly_built_ones(inst: Instrument, tmp_path: Path) -> None:
    layout = plan_layout(inst)
    master = build_master(layout)
    assert master.patchable
    for recipient in [*TRICKY, None]:
        patched, direct = tmp_path / "patched.xlsx", tmp_path / "direct.xlsx"
        patched.write_bytes(master.copy(recipient))
        write_workbook(layout, recipient).save(direct)
        a, b = load_workbook(patched), load_workbook(direct)
        assert a.sheetnames == b.sheetnames
        assert _sheet_cells(a) == _sheet_cells(b)
        assert _sheet_shape(a) == _sheet_shape(b)
        assert {n: d.attr_text for n, d in a.defined_names.items()} == {
            n: d.attr_text for n, d in b.defined_names.items()}
        assert a.properties.title == b.properties.title
        props_a = read_custom(open_archive(patched).xml(CUSTOM_PART))
        props_b = read_custom(open_archive(direct).xml(CUSTOM_PART))
        assert props_a.pop(PROP_INSTANCE) != props_b.pop(PROP_INSTANCE)
        # each copy is signed for its own instance id (see test_identity.py)
        assert (PROP_TOKEN in props_a) == (PROP_TOKEN in props_b) == (recipient is not None)
        props_a.pop(PROP_TOKEN, None), props_b.pop(PROP_TOKEN, None)
        assert props_a == props_b
        with zipfile.ZipFile(patched) as za, zipfile.ZipFile(direct) as zb:
            assert za.namelist() == zb.namelist()
    # the recipient's texts really are in the copy, not the master's markers
    data = master.copy(TRICKY[0])
    wb = load_workbook(io.BytesIO(data))
    respondent = read_workbook(SafeArchive("copy.xlsx", data), inst)
    assert respondent.values[f"{RESPONDENT}.naam"] == TRICKY[0].naam
    if f"{RESPONDENT}.onderwerp" in respondent.values:  # typed text, never rendered
        assert respondent.values[f"{RESPONDENT}.onderwerp"] == "Bureau {{ naam }} ~~tg-0~~"
    texts = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [t for t in texts if t.startswith("~~tg-")]
    assert TRICKY[0].naam in texts


# --- a control character pasted into the recipients file --------------------------------------

def test_a_control_character_in_the_recipients_file_is_removed_with_a_warning(
        tmp_path: Path) -> None:
    recipients = tmp_path / "ontvangers.csv"
    recipients.write_text("id;naam;organisatie;onderwerp\n"
                          "b1;Anouk\x0b de Vries;OBS\x01 De Linde;Bureau Één\n"
                          "b2;Piet de Vries;KC Het Anker;\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--content", str(FIXTURES), "--only", "alles",
                                       "--out", str(tmp_path / "uit"),
                                       "--recipients", str(recipients)])
    assert result.exit_code == 0, result.output
    assert ("warning: ontvangers.csv, row 2, column 'naam': removed 1 control character(s) "
            "(U+000B)") in result.output
    assert "row 2, column 'organisatie': removed 1 control character(s) (U+0001)" in result.output
    assert "row 3" not in result.output
    copies = sorted((tmp_path / "uit").glob("alles_b1_*"))
    assert {p.suffix for p in copies} == {".docx", ".xlsx"}
    for path in copies:
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():  # every part is well-formed XML again
                if name.endswith((".xml", ".rels")):
                    etree.fromstring(z.read(name))
        props = read_custom(open_archive(path).xml(CUSTOM_PART))
        assert props[PROP_RECIPIENT_NAME] == "Anouk de Vries"
    form = next(p for p in copies if p.suffix == ".docx")
    with zipfile.ZipFile(form) as z:
        controls = respondent_controls(etree.fromstring(z.read(DOC)))
    shown = {k: "".join(sdt.itertext()) for k, sdt in controls.items()}
    assert shown[f"{RESPONDENT}.naam"] == "Anouk de Vries"
    assert shown[f"{RESPONDENT}.organisatie"] == "OBS De Linde"

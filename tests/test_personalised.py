"""Personalised copies carry the recipient's name and subject in their custom properties, so
ingest still knows who answered when the respondent cleared the prefilled block."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from click.testing import CliRunner
from lxml import etree
from openpyxl import load_workbook

from templategen.cli import main
from templategen.custom_props import CUSTOM_PART, read_custom
from templategen.model import PROP_RECIPIENT, PROP_RECIPIENT_NAME, PROP_SUBJECT, RESPONDENT
from templategen.read_docx import control_key
from templategen.read_xlsx import parse_ref
from templategen.safezip import open_archive

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


def test_cleared_respondent_block_still_ingests_with_name_and_subject(tmp_path: Path) -> None:
    copies, blank = build(tmp_path)
    for path in copies:
        if path.suffix == ".docx":
            clear_form(path, blank / "alles.docx")
        else:
            clear_workbook(path)
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

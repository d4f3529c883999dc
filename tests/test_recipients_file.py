"""Recipients files as people make them (#18): a corpus written by LibreOffice's own CSV
export (comma, semicolon, tab; UTF-8, UTF-8 with BOM, Windows-1252) with doubled quotes,
separators and line breaks inside quoted fields is read back exactly, as are the .xlsx and
the .ods of the same rows; headers are read by the names people use; an unknown header is a
warning with a did-you-mean; a placeholder the content prints that no column fills stops
the build; ``templategen recipients`` shows the table as the tool reads it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from templategen.cli import main
from templategen.content.recipients import read_recipients
from templategen.errors import RecipientsError
from templategen.office import libreoffice

FIXTURES = Path(__file__).parent / "fixtures" / "content"
HEADER = ["Nummer", "Naam", "E-mailadres", "School", "Functie", "Onderwerp", "Adres"]
# every character is in Windows-1252, so the cp1252 export holds the same text
ROWS = [
    ["1", 'Jansen, Piet "PJ"', "piet@school.example", "OBS De Linde; locatie Zuid",
     "Directeur", 'Bureau "Noord", regio 3', "Dorpsstraat 1\nDorp"],
    ["2", 'Jan",evil@example.org,"x', "jan@school.example", "Het Anker", "IB'er", "",
     "Kerkweg\t2"],
    ["3", "Zoë Ä'Çelik", "zoe@school.example", "École «Öz»", "Leerkracht €", "Thema; ICT",
     '"Tussen aanhalingstekens" eerst'],
]
# LibreOffice's CSV filter: separator, text delimiter, character set (76 UTF-8, 1 Windows-1252)
EXPORTS = {
    "komma-utf8": ("44,34,76", "CSV, UTF-8, separated by commas"),
    "puntkomma-utf8": ("59,34,76", "CSV, UTF-8, separated by semicolons"),
    "tab-utf8": ("9,34,76", "CSV, UTF-8, separated by tabs"),
    "puntkomma-cp1252": ("59,34,1", "CSV, Windows-1252, separated by semicolons"),
}
needs_lo = pytest.mark.skipif(libreoffice.soffice() is None,
                              reason="LibreOffice is not installed")


def _workbook(path: Path, rows: list[list[str]]) -> Path:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The rows saved by LibreOffice: as CSV per filter, as .ods, and the .xlsx they came
    from; plus the UTF-8 export with a BOM in front (as Excel's 'CSV UTF-8' writes it:
    LibreOffice 7.4 has no BOM option)."""
    root = tmp_path_factory.mktemp("corpus")
    source = _workbook(root / "ontvangers.xlsx", [HEADER, *ROWS])
    files = {"xlsx": source}
    for name, (options, _) in EXPORTS.items():
        out = libreoffice.convert(source, f"csv:Text - txt - csv (StarCalc):{options}",
                                  root / name)
        files[name] = out.rename(out.with_name(f"{name}.csv"))
    files["ods"] = libreoffice.convert(source, "ods", root / "ods")
    bom = root / "bom-utf8.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + files["komma-utf8"].read_bytes())
    files["bom-utf8"] = bom
    return files


def _as_read(path: Path) -> list[list[str]]:
    table = read_recipients(path)
    return [[r.id, r.naam, r.address, r.columns["organisatie"], r.columns["rol"],
             r.columns["onderwerp"], r.columns["adres"]] for r in table.recipients]


@needs_lo
@pytest.mark.parametrize("name", [*EXPORTS, "bom-utf8", "xlsx", "ods"])
def test_libreoffice_exports_are_read_back_exactly(corpus: dict[str, Path], name: str) -> None:
    raw = corpus[name].read_bytes()
    if name.endswith("cp1252"):
        raw.decode("cp1252")  # LibreOffice wrote Windows-1252 indeed: not valid UTF-8
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
    if name in EXPORTS:
        assert b'"Jansen, Piet ""PJ"""' in raw  # quoted as the standard says, quote doubled
    assert _as_read(corpus[name]) == ROWS
    how = read_recipients(corpus[name]).how
    expected = {**{k: v for k, (_, v) in EXPORTS.items()},
                "bom-utf8": "CSV, UTF-8 with BOM, separated by commas",
                "xlsx": "Excel workbook (.xlsx)", "ods": "OpenDocument spreadsheet (.ods)"}
    assert how == expected[name]


@needs_lo
def test_the_recipients_command_shows_the_table_as_read(corpus: dict[str, Path]) -> None:
    result = CliRunner().invoke(main, ["recipients", str(corpus["puntkomma-cp1252"])])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "3 recipients; CSV, Windows-1252, separated by semicolons" in lines[0]
    assert lines[1].split() == ["id", "naam", "email", "organisatie", "onderwerp"]
    assert lines[2].startswith("1   Jansen, Piet \"PJ\"")
    assert 'Jan",evil@example.org,"x  jan@school.example' in lines[3]
    assert "Zoë Ä'Çelik" in lines[4] and "École «Öz»" in lines[4]
    # the column nobody reads is named, the placeholder it becomes too
    assert "column 'Adres' is not a column templategen reads" in result.output
    assert "{{ adres }}" in result.output


def test_headers_people_use(tmp_path: Path) -> None:
    path = tmp_path / "lijst.csv"
    path.write_text("VOORNAAM;Tussenvoegsel;Achternaam;E-Mail;Instelling;Rol;Subject;Nr\n"
                    "Anna;de;Vries;anna@school.example;OBS De Linde;Directeur;Bureau A;7\n"
                    "Bram;;Jansen;;KC Het Anker;IB;;8\n", encoding="utf-8")
    (anna, bram) = read_recipients(path).recipients
    assert (anna.id, anna.naam, anna.address) == ("7", "Anna de Vries", "anna@school.example")
    assert anna.columns["organisatie"] == "OBS De Linde" and anna.columns["rol"] == "Directeur"
    assert anna.columns["onderwerp"] == "Bureau A"
    assert (bram.id, bram.naam, bram.address) == ("8", "Bram Jansen", "")
    # accents and capitals do not matter; no id column numbers the rows r1, r2, … in order
    other = tmp_path / "andere.csv"
    other.write_text("Naam,Mail,Organisation,Functie,Organisatie\n"
                     "Zoë,zoe@school.example,École,IB,dubbel\nPiet,,Linde,,\n",
                     encoding="utf-8")
    table = read_recipients(other)
    assert [(r.id, r.naam, r.columns["organisatie"]) for r in table.recipients] == [
        ("r1", "Zoë", "École"), ("r2", "Piet", "Linde")]
    assert any("no id column, so the rows are numbered r1, r2" in w for w in table.warnings)
    assert any("column 'Organisatie' means organisatie, as column 'Organisation' before it "
               "does" in w for w in table.warnings)


def test_unknown_header_is_a_warning_with_a_did_you_mean(tmp_path: Path) -> None:
    path = tmp_path / "ontvangers.csv"
    path.write_text("id,naam,Emial,Schol\nr1,Anna,anna@school.example,De Linde\n",
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["recipients", str(path)])
    assert result.exit_code == 0, result.output
    assert ("ontvangers.csv: column 'Emial' is not a column templategen reads (did you mean "
            "'email'?)") in result.output
    assert "column 'Schol' is not a column templategen reads (did you mean 'school'?)" \
        in result.output
    # the address was in the misspelt column: the table shows none
    assert result.output.splitlines()[2].split() == ["r1", "Anna"]


def test_a_placeholder_without_its_column_stops_the_build(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    text = (FIXTURES / "alles.yaml").read_text(encoding="utf-8")
    (content / "alles.yaml").write_text(
        text.replace('{{ organisatie | default("") }}', "{{ organisatie }} ({{ team }})")
        .replace("instructions: Vul alles in.",
                 "instructions: Vul alles in.\nplaceholders:\n  team: uw team"),
        encoding="utf-8")
    people = tmp_path / "ontvangers.csv"
    people.write_text("id,naam,Locatie\nr1,Anna,De Linde\n", encoding="utf-8")
    runner = CliRunner()
    built = runner.invoke(main, ["build", "--content", str(content), "--recipients",
                                 str(people), "--out", str(tmp_path / "uit")])
    assert built.exit_code == 1
    assert (f"The placeholder {{{{ organisatie }}}} of instrument 'alles' "
            f"({content / 'alles.yaml'}) is filled by no column of {people}") in built.output
    assert "team" not in built.output  # declared with a fallback: no column needed
    assert not (tmp_path / "uit").exists()
    shown = runner.invoke(main, ["recipients", str(people), "--content", str(content)])
    assert shown.exit_code == 1 and "{{ organisatie }} of instrument 'alles'" in shown.output
    # the header people write for it is read as organisatie: the build goes through
    people.write_text("id,naam,School\nr1,Anna,De Linde\n", encoding="utf-8")
    built = runner.invoke(main, ["build", "--content", str(content), "--recipients",
                                 str(people), "--out", str(tmp_path / "uit")])
    assert built.exit_code == 0, built.output


@pytest.mark.parametrize(("cell", "says"), [
    ("a@school.example, b@school.example", "holds 2 addresses; a row gets one"),
    ("a@school.example; b@school.example", "is not one e-mail address"),
    ("geen adres", "is not one e-mail address"),
    ("a@", "is not one e-mail address"),
])
def test_an_address_cell_holds_exactly_one_address(tmp_path: Path, cell: str,
                                                   says: str) -> None:
    path = tmp_path / "ontvangers.csv"
    path.write_text(f'id,naam,email\nr1,Anna,anna@school.example\nr2,Bram,"{cell}"\n',
                    encoding="utf-8")
    with pytest.raises(RecipientsError) as caught:
        read_recipients(path)
    assert str(caught.value).startswith(f"ontvangers.csv, row 3: '{cell}'"
                                        if "not one" in says else
                                        f"ontvangers.csv, row 3: the address cell '{cell}'")
    assert says in str(caught.value)
    # a display name in the cell is fine: its address is kept
    path.write_text('id,naam,email\nr1,Anna,"Anna de Vries <anna@school.example>"\n',
                    encoding="utf-8")
    assert read_recipients(path).recipients[0].address == "anna@school.example"


def test_ods_with_repeated_cells_and_rows(tmp_path: Path) -> None:
    """LibreOffice writes runs of equal cells as one repeated cell and the unused rest of a
    sheet as one repeated row: read as the grid they stand for."""
    import zipfile

    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body>'
        '<office:spreadsheet><table:table table:name="Blad1">'
        "<table:table-row><table:table-cell><text:p>id</text:p></table:table-cell>"
        "<table:table-cell><text:p>naam</text:p></table:table-cell>"
        '<table:table-cell table:number-columns-repeated="2"/>'
        "<table:table-cell><text:p>rol</text:p></table:table-cell></table:table-row>"
        '<table:table-row table:number-rows-repeated="3"><table:table-cell/></table:table-row>'
        "<table:table-row><table:table-cell><text:p>r1</text:p></table:table-cell>"
        "<table:table-cell><text:p>Anna<text:s text:c=\"2\"/>de<text:line-break/>Vries"
        "</text:p></table:table-cell>"
        '<table:table-cell table:number-columns-repeated="2"/>'
        "<table:table-cell><text:p>IB</text:p></table:table-cell></table:table-row>"
        '<table:table-row table:number-rows-repeated="1048570">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
        "</table:table></office:spreadsheet></office:body></office:document-content>")
    path = tmp_path / "ontvangers.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
    table = read_recipients(path)
    (anna,) = table.recipients
    assert (anna.id, anna.naam, anna.columns["rol"]) == ("r1", "Anna de Vries", "IB")
    assert any("row 5, column 'naam': replaced a line break" in w for w in table.warnings)


def test_encodings_that_are_no_text_and_utf16(tmp_path: Path) -> None:
    """Excel's 'Unicode text' (UTF-16 with BOM, tabs) is read; bytes that are neither UTF-8
    nor Windows-1252 are one sentence, not a guess."""
    unicode_text = tmp_path / "ontvangers.txt"
    unicode_text.write_bytes("id\tnaam\r\nr1\tZoë Öztürk\r\n".encode("utf-16"))
    table = read_recipients(unicode_text)
    assert table.how == "CSV, UTF-16, separated by tabs"
    assert table.recipients[0].naam == "Zoë Öztürk"
    garbled = tmp_path / "kapot.csv"
    garbled.write_bytes(b"id,naam\nr1,Jan\x81\n")  # 0x81: no character in Windows-1252
    with pytest.raises(RecipientsError, match="neither UTF-8 nor Windows-1252"):
        read_recipients(garbled)
    missing = CliRunner().invoke(main, ["recipients"])
    assert missing.exit_code == 2 and "templategen recipients FILE" in missing.output

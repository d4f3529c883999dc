"""Hostile and malformed returned files, built here, ingested in one batch with valid ones.

Each bad file gets its status and a one-sentence reason naming the file and what the
sender can do; the valid files' answers are all kept; every file takes seconds at most and
the whole run stays within bounded memory.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from templategen.content.catalog import load_catalog
from templategen.content.model import FieldKind
from templategen.rendering import build_all
from templategen.returned import safezip
from templategen.sample.fill import rewrite_zip
from templategen.store.database import Store
from tests.support import hostile_content, hostile_zip
from tests.support.answers import typed_answers
from tests.support.filling import fill_in_place, filled_copy
from tests.support.treememory import run_measured

CONTENT = Path(__file__).parent / "fixtures" / "content"
CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
      'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="'
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
      '</Types>')


def _add_parts(source: Path, target: Path, parts: dict[str, bytes]) -> None:
    shutil.copy(source, target)
    with zipfile.ZipFile(target, "a") as z:
        for name, data in parts.items():
            z.writestr(name, data)


def _replace_part(source: Path, target: Path, name: str, change) -> None:
    shutil.copy(source, target)
    with zipfile.ZipFile(target) as z:
        data = z.read(name)
    rewrite_zip(target, {name: change(data)})


def build_corpus(tmp: Path) -> tuple[Path, dict[str, tuple[str, str]], dict[str, dict]]:
    """(folder, file -> (expected status, reason fragment), valid file -> expected answers)."""
    recipients = tmp / "r.csv"
    recipients.write_text("id,naam\nr1,Anna\nr2,Bram\nr3,Carla\n", encoding="utf-8")
    built = build_all(content_dir=CONTENT, templates_dir=None, out_dir=tmp / "built",
                      recipients_path=recipients).files
    instrument = load_catalog(CONTENT).get("alles")
    folder = tmp / "inbox"
    folder.mkdir()
    valid: dict[str, dict] = {}
    for seed, path in enumerate(built):
        target = folder / f"valid_{path.name}"
        valid[target.name] = filled_copy(path, target, instrument, seed)
    docx = next(folder / n for n in valid if n.endswith(".docx"))
    xlsx = next(folder / n for n in valid if n.endswith(".xlsx"))
    custom = zipfile.ZipFile(docx).read("docProps/custom.xml")
    bad: dict[str, tuple[str, str]] = {}

    def case(name: str, status: str, fragment: str) -> Path:
        bad[name] = (status, fragment)
        return folder / name

    # zip bomb: 80 MB of spaces in the main part (compresses ~1000:1)
    with zipfile.ZipFile(case("bomb.docx", "rejected", "zipbom"), "w",
                         zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CT)
        z.writestr("docProps/custom.xml", custom)
        z.writestr("word/document.xml", b"<w:document " + b" " * 80_000_000 + b"/>")
    laughs = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
              + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1)) * 10 if i else
                                                      b"&lol;" * 10) for i in range(10))
              + b']><lolz>&lol9;</lolz>')
    _replace_part(docx, case("entities.docx", "rejected", "DTD"), "word/document.xml",
                  lambda _: laughs)
    xxe = (b'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           + custom.split(b"?>", 1)[1].replace(b"<vt:lpwstr>alles", b"<vt:lpwstr>&x;alles"))
    _replace_part(docx, case("external_entity.docx", "rejected", "DTD"),
                  "docProps/custom.xml", lambda _: xxe)
    case("encrypted.docx", "rejected", "wachtwoord").write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le")
        + b"\0" * 3000)
    case("legacy.xls", "rejected", "Excel 97-2003").write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "Workbook".encode("utf-16-le")
        + b"\0" * 3000)
    case("scan.docx", "rejected", "pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\n" * 50)
    case("notes.xlsx", "rejected", "platte tekst").write_text("naam;score\nAnna;4\n")
    case("truncated.docx", "rejected", "beschadigd").write_bytes(
        docx.read_bytes()[: docx.stat().st_size // 2])
    with zipfile.ZipFile(case("slides.docx", "rejected", "PowerPoint"), "w") as z:
        z.writestr("[Content_Types].xml", CT.replace(
            "wordprocessingml.document.main", "presentationml.presentation.main"))
    _add_parts(docx, case("traversal.docx", "rejected", "onveilige naam"),
               {"../../etc/evil.txt": b"x"})
    with zipfile.ZipFile(case("opendocument.odt", "rejected", "content.xml"), "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
    _replace_part(docx, case("control_ref.docx", "rejected", "beschadigd"), "word/document.xml",
                  lambda d: d.replace(b"</w:body>", b"<w:p><w:r><w:t>&#x1;</w:t></w:r></w:p>"
                                      b"</w:body>"))
    # zip as Office reads it
    hostile_zip.with_method(docx, case("bzip2.docx", "rejected", "compressiemethode"),
                            "word/document.xml", zipfile.ZIP_BZIP2)
    hostile_zip.with_method(xlsx, case("lzma.xlsx", "rejected", "compressiemethode"),
                            "xl/workbook.xml", zipfile.ZIP_LZMA)
    main = hostile_zip.Entry(b"word\\document.xml", zipfile.ZipFile(docx).read(
        "word/document.xml"))
    hostile_zip.repack(docx, case("backslash.docx", "rejected", "onveilige naam"),
                       {"word/document.xml": main})
    nul = hostile_zip.Entry(b"word/settings.xml\x00.txt", b"<x/>")
    hostile_zip.repack(docx, case("nul_name.docx", "rejected", "onveilige naam"),
                       {"word/settings.xml": nul})
    hostile_zip.overlapping(docx, case("overlapping.docx", "rejected", "overlappen"))
    hostile_zip.lying_size(docx, case("lying_size.docx", "rejected", "zipbom"),
                           "word/document.xml")
    # accepted, with warnings, answers kept
    _add_parts(docx, case("macro.docm", "accepted_with_warnings", "macros"),
               {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"Attribute VB_Name" * 100})
    valid["macro.docm"] = valid[docx.name]
    # bounded output: an answer over its question's max_length (5000) is refused whole;
    # one exactly at it is kept
    for name, length, status in (("long_answer.docx", 40_000, "rejected"),
                                 ("long_ok.docx", 5000, "accepted")):
        long_form = case(name, status, "40000 tekens" if status == "rejected" else "")
        shutil.copy(built[0] if built[0].suffix == ".docx" else docx, long_form)
        fill, want = typed_answers(instrument, 99)
        fill["visie"] = want["visie"] = "=" + ("lang antwoord " * 2857 + "x")[: length - 1]
        fill_in_place(long_form, fill)
        if status == "accepted":
            valid[long_form.name] = want
    hostile_content.shared_string_everywhere(xlsx, case("shared_string.xlsx", "rejected",
                                                        "1000000 tekens"))
    hostile_content.extra_names(xlsx, case("extra_names.xlsx", "rejected", "antwoordvelden"))
    foreign = build_all(content_dir=None, templates_dir=None, out_dir=tmp / "foreign",
                        recipients_path=None, only=["ict_gesprek"]).files
    hostile_content.foreign_content(docx, next(f for f in foreign if f.suffix == ".docx"),
                                    case("foreign.docx", "rejected", "ander formulier"))
    # read what the client shows
    numbers = [s.key for s in instrument.slots() if s.field.kind is FieldKind.NUMBER]
    cells = hostile_content.answer_cells(hostile_content._parts(xlsx))
    odd = dict(zip(numbers, ("NaN", "INF", "1e999"), strict=False))
    hostile_content.set_cells(xlsx, case("nonfinite.xlsx", "accepted_with_warnings",
                                         "not a finite number"),
                              {}, raw={cells[f"tg_{k.replace('.', '__')}"]: (None, v)
                                       for k, v in odd.items()})
    valid["nonfinite.xlsx"] = {**valid[xlsx.name], **odd}
    hostile_content.repoint_name(xlsx, case("repointed.xlsx", "accepted_with_warnings",
                                            "re-pointed"), "tg_visie", "H40", "gestolen")
    valid["repointed.xlsx"] = valid[xlsx.name]
    hostile_content.comment_inside_text(docx, case("comment_in_text.docx", "accepted", ""),
                                        "visie", "voor de opmerking, ", "en erna")
    valid["comment_in_text.docx"] = {**valid[docx.name],
                                     "visie": "voor de opmerking, en erna"}
    hostile_content.hidden_run(docx, case("hidden_text.docx", "accepted_with_warnings",
                                          "hidden text"), "visie")
    valid["hidden_text.docx"] = valid[docx.name]
    hostile_content.dde_field(docx, case("dde.docx", "accepted_with_warnings", "DDEAUTO"))
    valid["dde.docx"] = valid[docx.name]
    hostile_content.outside_parts(docx, case("outside.docx", "accepted_with_warnings",
                                             "OLE object"))
    valid["outside.docx"] = valid[docx.name]
    hostile_content.external_link(xlsx, case("external_link.xlsx", "accepted_with_warnings",
                                             "external link"))
    valid["external_link.xlsx"] = valid[xlsx.name]
    huge = case("huge_dimension.xlsx", "accepted", "")
    shutil.copy(xlsx, huge)
    with zipfile.ZipFile(huge) as z:
        sheets = {n: z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/sheet")}
    huge_sheets = {n: re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>',
                             d) for n, d in sheets.items()}
    assert huge_sheets != sheets
    rewrite_zip(huge, huge_sheets)
    valid["huge_dimension.xlsx"] = valid[xlsx.name]
    shutil.copy(docx, case("zz_duplicate.docx", "duplicate", ""))
    return folder, bad, valid


def test_hostile_files_in_one_batch_with_valid_ones(tmp_path):
    folder, bad, valid = build_corpus(tmp_path)
    db, report_path = tmp_path / "store.db", tmp_path / "report.json"
    proc = run_measured(
        [sys.executable, "-c", "from templategen.cli import main; main()", "ingest", str(folder),
         "--db", str(db), "--report", str(report_path), "--content", str(CONTENT)], tmp_path)
    print(f"peak memory of the ingest's process tree: {proc.sampled_mb:.0f} MB sampled, "
          f"at most {proc.bound_mb:.0f} MB")
    assert proc.returncode == 1, proc.stderr  # some were rejected
    report = {Path(r["file"]).name: r for r in json.loads(report_path.read_text("utf-8"))}
    *lines, summary = proc.stdout.strip().splitlines()  # a line per file, warnings under it
    assert len([line for line in lines if not line.startswith(" ")]) == len(report)
    assert summary.startswith(f"{len(report)} file(s): ")  # the summary line (#18)
    for name, (status, fragment) in bad.items():
        got = report[name]
        assert got["status"] == status, (name, got)
        assert fragment in (got["reason"] + " ".join(got["warnings"])), (name, got)
        if status == "rejected":
            reason = got["reason"]
            assert reason.startswith(name) and reason.endswith(".") and "\n" not in reason
            assert any(w in reason for w in ("stuur", "sla", "Opslaan", "verwijder")), reason
    assert all(r["seconds"] < 5 for r in report.values()), report
    assert 0 < proc.sampled_mb <= proc.bound_mb < 600, (proc.sampled_mb, proc.bound_mb)
    with Store(db) as store:
        # copies of one personalised file supersede each other; all stay in the history
        stored = {s.file_name: store.answers(s.id)
                  for s in store.submissions(current_only=False)}
    for name, want in valid.items():
        if name == "zz_duplicate.docx":
            continue
        got = {k: a.value for k, a in stored[name].items()}
        assert {k: got.get(k, "<missing>") for k in want} == want, name
    assert "zz_duplicate.docx" not in stored


def _export_json(db: Path) -> list[dict]:
    export = subprocess.run(
        [sys.executable, "-c", "from templategen.cli import main; main()", "export", "--db",
         str(db), "--format", "json"], capture_output=True, text=True, timeout=120, check=True)
    return json.loads(export.stdout, parse_constant=_no_constant)


def _no_constant(name: str) -> None:
    raise AssertionError(f"the export holds {name}, which is not JSON")


def test_non_finite_numbers_are_kept_as_text_and_the_export_stays_json(tmp_path):
    import sqlite3

    from templategen.inbox import ingest

    folder, _, valid = build_corpus(tmp_path)
    db = tmp_path / "n.db"
    [outcome] = ingest([folder / "nonfinite.xlsx"], db=db, content_dir=CONTENT)
    assert outcome.status == "accepted_with_warnings"
    assert sum("not a finite number" in w for w in outcome.warnings) >= 3, outcome.warnings
    values = {r["item"]: r["value"] for r in _export_json(db)}
    assert {k: values[k] for k in valid["nonfinite.xlsx"]} == valid["nonfinite.xlsx"]
    # a store written before #11 may hold NaN/Infinity: exported as text, still JSON
    with sqlite3.connect(db) as raw:
        raw.execute("UPDATE answers SET value = 'NaN' WHERE key = 'visie'")
        raw.execute("UPDATE answers SET value = '-Infinity' WHERE key = 'leerlingen'")
    values = {r["item"]: r["value"] for r in _export_json(db)}
    assert (values["visie"], values["leerlingen"]) == ("nan", "-inf")


def test_a_file_that_overruns_its_time_budget_is_rejected_alone(tmp_path, monkeypatch):
    """A reader that hangs costs one file, not the batch (the worker is killed)."""
    import time

    from templategen import inbox
    from templategen.returned import submission as returned
    from templategen.returned import worker

    folder, _, valid = build_corpus(tmp_path)
    real = returned.read_returned

    def slow_on_one(name, data, catalog, limits):
        if name == "huge_dimension.xlsx":
            time.sleep(60)
        return real(name, data, catalog, limits)

    monkeypatch.setattr(worker, "read_returned", slow_on_one)
    names = ["huge_dimension.xlsx", next(n for n in valid if n.startswith("valid_"))]
    start = time.perf_counter()
    outcomes = inbox.ingest([folder / n for n in names], db=tmp_path / "t.db",
                            content_dir=CONTENT, budget=2)
    assert time.perf_counter() - start < 30
    assert outcomes[0].status == "rejected" and "meer dan 2 seconden" in outcomes[0].reason
    assert outcomes[1].status.startswith("accepted")


@pytest.mark.parametrize("in_process", [True, False])
def test_rerunning_the_same_folder_is_safe(tmp_path, in_process):
    folder, bad, valid = build_corpus(tmp_path)
    from templategen.inbox import ingest

    first = ingest([folder], db=tmp_path / "s.db", content_dir=CONTENT,
                         in_process=in_process)
    second = ingest([folder], db=tmp_path / "s.db", content_dir=CONTENT,
                          in_process=in_process)
    assert [o.status for o in first if o.status != "rejected"]
    for a, b in zip(first, second, strict=True):
        assert b.status == ("rejected" if a.status == "rejected" else "duplicate"), (a, b)
    with Store(tmp_path / "s.db") as store:
        assert len(store.submissions(current_only=False)) == sum(
            o.status.startswith("accepted") for o in first)


def test_caps_on_total_answer_bytes_and_on_warnings(tmp_path):
    """Over the total-bytes cap: rejected whole, nothing stored; warnings are bounded."""
    from templategen.inbox import ingest
    from templategen.returned.safezip import Limits

    folder, _, valid = build_corpus(tmp_path)
    docx = folder / next(n for n in valid if n.startswith("valid_") and n.endswith(".docx"))
    db = tmp_path / "c.db"
    [over] = ingest([docx], db=db, content_dir=CONTENT, in_process=True,
                          limits=Limits(max_stored_bytes=500))
    assert over.status == "rejected" and "meer dan 1 kB aan antwoorden" in over.reason
    with Store(db) as store:
        assert store.submissions(current_only=False) == []
    [few] = ingest([folder / "nonfinite.xlsx"], db=db, content_dir=CONTENT,
                         in_process=True, limits=Limits(max_warnings=1, max_warning_chars=30))
    assert few.status == "accepted_with_warnings"
    assert len(few.warnings) == 2 and len(few.warnings[0]) == 30
    assert few.warnings[1].endswith("were left out."), few.warnings


def test_the_issues_gigabyte_workbook_is_refused_in_bounded_memory(tmp_path):
    """The issue's case on the real instrument: shrm_ict's 569 answer cells all pointing at
    one 1 MB shared string (a 1.1 GB store before), and 4,000 extra tg_ names (a MemoryError
    in the parent before): both refused whole, the valid workbook after them still stored,
    the whole process tree far below 600 MB."""
    built = build_all(content_dir=None, templates_dir=None, out_dir=tmp_path / "built",
                      recipients_path=None, only=["shrm_ict"]).files
    book = next(f for f in built if f.suffix == ".xlsx")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    hostile_content.shared_string_everywhere(book, inbox / "a_shared_string.xlsx")
    hostile_content.extra_names(book, inbox / "b_extra_names.xlsx")
    shutil.copy(book, inbox / "c_valid.xlsx")
    fill, _ = typed_answers(load_catalog(None).get("shrm_ict"), 1, workbook=True)
    fill_in_place(inbox / "c_valid.xlsx", fill)
    cells = hostile_content.answer_cells(hostile_content._parts(book))
    assert len(cells) >= 569
    db, report = tmp_path / "s.db", tmp_path / "r.json"
    proc = run_measured([sys.executable, "-m", "templategen", "ingest", str(inbox), "--db",
                         str(db), "--report", str(report)], tmp_path)
    got = {Path(r["file"]).name: r for r in json.loads(report.read_text("utf-8"))}
    assert got["a_shared_string.xlsx"]["status"] == "rejected"
    assert "1000000 tekens" in got["a_shared_string.xlsx"]["reason"]
    assert got["b_extra_names.xlsx"]["status"] == "rejected"
    assert "antwoordvelden" in got["b_extra_names.xlsx"]["reason"]
    assert got["c_valid.xlsx"]["status"].startswith("accepted"), got["c_valid.xlsx"]
    assert db.stat().st_size < 5 * 1024 * 1024
    assert proc.bound_mb < 600, (proc.sampled_mb, proc.bound_mb)


@pytest.mark.parametrize(("data", "declares"), [
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>', True),
    (b"<w:t>Hallo!</w:t><!ENTITY a 'b'>", True),
    (b"!<!ENTITY", True),
    (b"<w:t>Ja!! Nee!</w:t><!-- c --><![CDATA[!]]>", False),
    (b"x" * 65527 + b"<!DOCTYPE", True),  # ends at the last byte looked at
    (b"x" * 65528 + b"<!DOCTYPE", False),  # runs past it: the parser refuses it later
])
def test_a_declaration_is_found_from_its_exclamation_marks(data: bytes, declares: bool) -> None:
    """The look for a DTD or an entity (safezip._declares) finds what searching the first
    64 KiB for the declarations finds."""
    assert safezip._declares(data) is declares
    assert (data.find(b"<!DOCTYPE", 0, 65536) >= 0 or
            data.find(b"<!ENTITY", 0, 65536) >= 0) is declares


@pytest.mark.parametrize("name", ["gewoon.docx", "é ✓ \udcff.xlsx", "a"])
def test_the_worker_gets_a_files_name_and_bytes_exactly(name):
    """A file reaches the reader worker as raw bytes beside its name (returned/worker.job):
    any name, also one with a byte escaped from a name that is not UTF-8, and any bytes come
    back in the worker's one-sentence reason as they were sent, and the worker goes on."""
    from templategen.errors import RejectedFile
    from templategen.returned.worker import make_reader

    reader = make_reader(load_catalog(CONTENT))
    try:
        for data, reason in ((b"", "is leeg (0 bytes)"),
                             (b"PK\x03\x04 not a zip \x00\xff" * 100, "is beschadigd")):
            with pytest.raises(RejectedFile) as rejected:
                reader.read(name, data)
            assert str(rejected.value).startswith(f"{name} {reason}")
    finally:
        reader.close()


@pytest.mark.parametrize(("local", "central", "flags", "same"), [
    (b"word/document.xml", b"word/document.xml", 0, True),
    (b"word/documenx.xml", b"word/document.xml", 0, False),
    (b"word/r\x82sum\x82.xml", b"word/r\x82sum\x82.xml", 0, True),  # cp437: résumé
    (b"word/r\x82sum\x83.xml", b"word/r\x82sum\x82.xml", 0, False),
    (b"word/resume.xml", b"word/r\x82sum\x82.xml", 0, False),
    ("word/résumé.xml".encode(), "word/résumé.xml".encode(), 0x800, True),  # UTF-8 flag
    (b"word/resume.xml", "word/résumé.xml".encode(), 0x800, False),
])
def test_a_part_named_otherwise_in_its_local_header_is_refused(local, central, flags, same):
    """Office reads a part's name from the central directory and its local header alike: a
    name that differs between them (ASCII or not, cp437 or UTF-8) is refused, the same name
    is read (safezip._data_span)."""
    from templategen.errors import RejectedFile

    data = b"<x/>"
    record = hostile_zip.local_record(hostile_zip.Entry(local, data))
    packed = hostile_zip.pack([hostile_zip.Entry(central, data)], [record], [0])
    if flags:  # the general purpose flags of both headers: bit 11, names in UTF-8
        packed = packed.replace(b"PK\x03\x04\x14\x00\x00\x00", b"PK\x03\x04\x14\x00\x00\x08") \
            .replace(b"PK\x01\x02\x14\x00\x14\x00\x00\x00", b"PK\x01\x02\x14\x00\x14\x00\x00\x08")
    if same:
        archive = safezip.SafeArchive("f.docx", packed)
        assert archive.read(archive.names()[0]) == data
    else:
        with pytest.raises(RejectedFile, match="f.docx"):
            safezip.SafeArchive("f.docx", packed)

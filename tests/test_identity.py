"""Nobody answers for somebody else: personalised copies are signed with the organiser's key
and a file whose claimed identity does not verify changes nothing for the person it claims.

Everything through the CLI on real built and filled files: build with --key, fill as the
respondents would, ingest, then look at what `export` and `compare` show for the victim.
"""

from __future__ import annotations

import json
import re
import shutil
import stat
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from templategen.cli import main
from templategen.content.catalog import load_catalog
from templategen.content.model import PROP_INSTANCE, PROP_KEY, PROP_RECIPIENT, PROP_TOKEN
from templategen.content.signing import KEY_ENV
from templategen.sample.fill import rewrite_zip
from templategen.store.database import Store
from tests.support.answers import typed_answers
from tests.support.filling import fill_in_place
from tests.support.signedcopies import props_of, with_props

CONTENT = Path(__file__).parent / "fixtures" / "content"
PROVENANCE = "Herkomst"


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> dict[str, Path]:
    """The organiser builds copies for Anna (r1, the victim) and Bram (r2) with its own key."""
    tmp = tmp_path_factory.mktemp("identity")
    recipients = tmp / "ontvangers.csv"
    recipients.write_text("id,naam\nr1,Anna\nr2,Bram\n", encoding="utf-8")
    key = tmp / "organisatie.key"
    code, output = run("build", "--content", CONTENT, "--recipients", recipients,
                       "--out", tmp / "built", "--key", key)
    assert code == 0, output
    files = {p.name: p for p in (tmp / "built").iterdir()}
    return {"key": key, "tmp": tmp,
            "r1.docx": files["alles_r1_anna.docx"], "r1.xlsx": files["alles_r1_anna.xlsx"],
            "r2.docx": files["alles_r2_bram.docx"]}


def filled(source: Path, target: Path, seed: int) -> Path:
    shutil.copy(source, target)
    fill, _ = typed_answers(load_catalog(CONTENT).get("alles"), seed,
                            workbook=source.suffix == ".xlsx")
    fill_in_place(target, fill)
    return target


def dated(path: Path, stamp: bytes) -> Path:
    core = zipfile.ZipFile(path).read("docProps/core.xml")
    old = re.search(rb"<dcterms:modified[^>]*>([^<]*)<", core).group(1)
    rewrite_zip(path, {"docProps/core.xml": core.replace(old, stamp)})
    return path


def shown(db: Path, tmp: Path, name: str) -> tuple[list[dict], dict[str, list[tuple]]]:
    """What the organiser sees: every exported answer, and every cell of the comparison
    except its provenance sheet (which lists every file received)."""
    out = tmp / f"{name}.json"
    code, output = run("export", "--db", db, "--format", "json", "--out", out)
    assert code == 0, output
    book = tmp / f"{name}.xlsx"
    code, output = run("compare", "--db", db, "--out", book, "--content", CONTENT)
    assert code == 0, output
    wb = load_workbook(book)
    sheets = {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)]
              for ws in wb.worksheets if ws.title != PROVENANCE}
    return json.loads(out.read_text("utf-8")), sheets


def test_claimed_identities_change_nothing_for_the_victim(kit, tmp_path):
    key, db = kit["key"], tmp_path / "s.db"
    inbox = tmp_path / "anna"
    inbox.mkdir()
    filled(kit["r1.docx"], inbox / "anna.docx", seed=1)
    filled(kit["r1.xlsx"], inbox / "anna.xlsx", seed=2)
    code, output = run("ingest", inbox, "--db", db, "--key", key, "--content", CONTENT)
    assert code == 0, output
    export_before, compare_before = shown(db, tmp_path, "before")
    assert any(row["recipient"] == "r1" for row in export_before)

    # Bram fills his own copy, then makes it claim to be Anna's in three ways
    attacks = tmp_path / "bram"
    attacks.mkdir()
    bram = filled(kit["r2.docx"], tmp_path / "bram.docx", seed=3)
    anna_copy = props_of(kit["r1.docx"])[PROP_INSTANCE]  # e.g. seen on Anna's screen
    with_props(bram, attacks / "1_claims_id.docx", **{PROP_RECIPIENT: "r1"})
    with_props(bram, attacks / "2_claims_id_and_copy.docx",
               **{PROP_RECIPIENT: "r1", PROP_INSTANCE: anna_copy})
    forged = with_props(bram, attacks / "3_forged_2099.docx",
                        **{PROP_RECIPIENT: "r1", PROP_INSTANCE: anna_copy, PROP_TOKEN: None})
    dated(forged, b"2099-12-31T23:59:59Z")
    report = tmp_path / "report.json"
    code, output = run("ingest", attacks, "--db", db, "--key", key, "--content", CONTENT,
                       "--report", report)
    assert code == 1, output  # the organiser has to look at them
    outcomes = json.loads(report.read_text("utf-8"))
    assert [o["status"] for o in outcomes] == ["unverified"] * 3
    for outcome in outcomes:
        assert "niet het exemplaar dat voor 'r1' is gemaakt" in outcome["reason"]
        assert outcome["reason"].startswith(Path(outcome["file"]).name)
        assert any("claims to be the copy of recipient 'r1'" in w for w in outcome["warnings"])

    export_after, compare_after = shown(db, tmp_path, "after")
    assert export_after == export_before
    assert compare_after == compare_before

    # they are kept and listed on the provenance sheet, as counting for nobody
    with Store(db) as store:
        history = store.submissions(current_only=False)
    unverified = [s for s in history if s.status == "unverified"]
    assert len(unverified) == 3
    assert all(s.recipient == "" and s.instance == "" for s in unverified)
    assert all(s.superseded_by is None for s in history)
    rows = list(load_workbook(tmp_path / "after.xlsx")[PROVENANCE].iter_rows(values_only=True))
    listed = {r[0]: r for r in rows if r[0] and str(r[0]).startswith(("1_", "2_", "3_"))}
    assert len(listed) == 3
    for row in listed.values():
        assert "Nee" in row  # not in the comparison
        assert any(str(v).startswith("Niet geverifieerd") for v in row), row

    # the 2099 file did not take Anna's copy for good: her own next file still counts
    again = tmp_path / "again"
    again.mkdir()
    filled(kit["r1.docx"], again / "anna_corrected.docx", seed=4)
    code, output = run("ingest", again, "--db", db, "--key", key, "--content", CONTENT)
    assert code == 0, output
    export_last, _ = shown(db, tmp_path, "last")
    sources = {row["source"] for row in export_last if row["recipient"] == "r1"}
    assert sources == {"anna_corrected.docx", "anna.xlsx"}


def test_the_key_is_made_at_build_kept_private_and_never_put_in_a_file(kit):
    key = kit["key"]
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    secret = key.read_text("ascii").strip()
    assert len(bytes.fromhex(secret)) == 32
    for path in (kit["r1.docx"], kit["r1.xlsx"], kit["r2.docx"]):
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                data = z.read(name)
                assert secret.encode() not in data and bytes.fromhex(secret) not in data
        assert props_of(path)[PROP_TOKEN].startswith("tg1:")


def test_another_installations_key_verifies_nothing(kit, tmp_path):
    """(#18) A copy names the fingerprint of the key that signed it: ingested with another
    key it is not read and not stored (the organiser's mistake, not the sender's), so that
    the right key counts it. A copy built before fingerprints names none: unverified."""
    anna = filled(kit["r1.docx"], tmp_path / "anna.docx", seed=1)
    other = tmp_path / "other.key"
    run("build", "--content", CONTENT, "--out", tmp_path / "b", "--key", other,
        "--recipients", _one_recipient(tmp_path))
    report = tmp_path / "report.json"
    code, output = run("ingest", anna, "--db", tmp_path / "s.db", "--key", other,
                       "--content", CONTENT, "--report", report)
    assert code == 1, output
    assert json.loads(report.read_text("utf-8"))[0]["status"] == "not_read"
    assert "signed with another key, fingerprint" in output
    old = with_props(anna, tmp_path / "old.docx", **{PROP_KEY: None})
    code, output = run("ingest", old, "--db", tmp_path / "s.db", "--key", other,
                       "--content", CONTENT, "--report", report)
    assert code == 1, output
    assert json.loads(report.read_text("utf-8"))[0]["status"] == "unverified"


def test_without_a_key_a_personal_copy_stops_ingest_and_is_not_stored(kit, tmp_path):
    anna = filled(kit["r1.docx"], tmp_path / "anna.docx", seed=1)
    missing = tmp_path / "nowhere.key"
    code, output = run("ingest", anna, "--db", tmp_path / "s.db", "--key", missing,
                       "--content", CONTENT)
    assert code == 1
    assert f"no key at {missing}" in output and "--key" in output and "Traceback" not in output
    with Store(tmp_path / "s.db") as store:
        assert store.submissions(current_only=False) == []
    # with the right key the same run stores it
    code, output = run("ingest", anna, "--db", tmp_path / "s.db", "--key", kit["key"],
                       "--content", CONTENT)
    assert code == 0, output


def test_the_key_comes_from_the_environment_for_a_team(kit, tmp_path, monkeypatch):
    monkeypatch.setenv(KEY_ENV, str(kit["key"]))
    anna = filled(kit["r1.docx"], tmp_path / "anna.docx", seed=1)
    code, output = run("ingest", anna, "--db", tmp_path / "s.db", "--content", CONTENT)
    assert code == 0, output
    with Store(tmp_path / "s.db") as store:
        assert [s.recipient for s in store.submissions()] == ["r1"]


def test_unpersonalised_forms_claim_nobody_and_need_no_token(tmp_path):
    code, output = run("build", "--content", CONTENT, "--out", tmp_path / "b")
    assert code == 0, output
    form = filled(tmp_path / "b" / "alles.docx", tmp_path / "open.docx", seed=1)
    assert PROP_TOKEN not in props_of(form)
    code, output = run("ingest", form, "--db", tmp_path / "s.db", "--content", CONTENT,
                       "--key", tmp_path / "no-key-needed")
    assert code == 0, output


def test_a_forged_copy_attached_to_a_mail_is_unverified_too(kit, tmp_path):
    from email.message import EmailMessage

    bram = filled(kit["r2.docx"], tmp_path / "bram.docx", seed=3)
    forged = with_props(bram, tmp_path / "anna.docx", **{PROP_RECIPIENT: "r1"})
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "bram@school.example", "org@example", "RE: vragen"
    msg.set_content("Hierbij het formulier van Anna.")
    msg.add_attachment(forged.read_bytes(), maintype="application", subtype="octet-stream",
                       filename="anna.docx")
    mail = tmp_path / "antwoord.eml"
    mail.write_bytes(msg.as_bytes())
    report = tmp_path / "report.json"
    code, output = run("ingest", mail, "--db", tmp_path / "s.db", "--key", kit["key"],
                       "--content", CONTENT, "--report", report)
    assert code == 1, output
    assert [o["status"] for o in json.loads(report.read_text("utf-8"))] == ["unverified"]
    with Store(tmp_path / "s.db") as store:
        assert store.submissions() == []
        assert [s.recipient for s in store.submissions(current_only=False)] == [""]


def _one_recipient(tmp: Path) -> Path:
    path = tmp / "een.csv"
    path.write_text("id,naam\nx1,Xander\n", encoding="utf-8")
    return path


def test_a_damaged_key_file_is_one_clear_error(tmp_path):
    bad = tmp_path / "bad.key"
    bad.write_text("not hex at all\n", encoding="ascii")
    code, output = run("build", "--content", CONTENT, "--out", tmp_path / "b", "--key", bad,
                       "--recipients", _one_recipient(tmp_path))
    assert code == 1
    assert output.startswith("Error: the key at") and "Traceback" not in output
    assert not (tmp_path / "b").exists() or not any((tmp_path / "b").iterdir())


def test_the_key_is_made_once_and_kept(tmp_path):
    """Written aside and linked into place: it appears whole or not at all, never twice."""
    from templategen.content.signing import issuing_key

    path = tmp_path / "k" / "signing-key"
    first, second = issuing_key(path), issuing_key(path)
    assert first.secret == second.secret
    assert [p.name for p in path.parent.iterdir()] == ["signing-key"]
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700

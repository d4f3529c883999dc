"""No silent wrong turns (#18): a forgotten option or the wrong key is refused with one
sentence naming the fix, never a plausible wrong result; re-running with the fix counts
the same files.

Through the CLI on real files: a kit of the custom instrument 'alles' (tests/fixtures
content, not bundled) for twelve school leaders (one without an address), copies filled
with tests/support helpers, ingested into a real store.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from templategen.cli import main
from templategen.content.catalog import load_catalog
from templategen.content.model import PROP_KEY
from templategen.content.signing import verifying_key
from templategen.mail.kit import load_kit
from templategen.store.database import Store
from tests.support.filling import filled_copy
from tests.support.mailkit import LEADERS, NO_ADDRESS, address
from tests.support.signedcopies import with_props

CONTENT = Path(__file__).parent / "fixtures" / "content"
INSTRUMENT = "alles"


def run(*args: str | Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Twelve copies of the custom instrument, signed with the organiser's key."""
    tmp = tmp_path_factory.mktemp("refusals")
    recipients = tmp / "ontvangers.csv"
    recipients.write_text("id;naam;email;organisatie\n" + "".join(
        f"{rid};{naam};{address(rid)};{org}\n" for rid, naam, org in LEADERS), encoding="utf-8")
    key = tmp / "ronde.key"
    code, out = run("build", "--content", CONTENT, "--recipients", recipients, "--out",
                    tmp / "kit", "--key", key, "--only", INSTRUMENT)
    assert code == 0, out
    return {"tmp": tmp, "recipients": recipients, "kit": tmp / "kit", "key": key}


def forms(kit: dict[str, Path], folder: Path, rids: tuple[str, ...]) -> list[Path]:
    """The forms of ``rids`` from the kit, filled in, in ``folder``."""
    folder.mkdir(exist_ok=True)
    inst = load_catalog(CONTENT).get(INSTRUMENT)
    assert inst is not None
    copies = load_kit(kit["kit"])
    out = []
    for seed, rid in enumerate(rids):
        form = next(c.path for c in copies[rid] if c.kind == "form")
        filled_copy(form, folder / form.name, inst, seed)
        out.append(folder / form.name)
    return out


def stored(db: Path) -> tuple[list[str], int]:
    with Store(db) as store:
        return ([s.status for s in store.submissions(current_only=False)],
                len(store.rejections()))


def test_mail_without_content_sends_nothing_and_names_the_option(kit, tmp_path):
    drafts, db = tmp_path / "concepten", tmp_path / "s.sqlite"
    mail = ("--recipients", kit["recipients"], "--kit", kit["kit"], "--db", db,
            "--drafts", drafts, "--from", "advies@bestuur.example")
    code, out = run("mail", *mail)
    assert code == 1, out
    assert out.startswith(f"Error: the kit {kit['kit']} holds copies of '{INSTRUMENT}', "
                          "which neither the content nor the store defines"), out
    assert "nothing was sent: pass --content" in out and "0 formulieren" not in out
    assert not drafts.exists() or not list(drafts.iterdir())
    with Store(db) as store:
        assert store.mail_log() == []
    code, out = run("remind", *mail)
    assert code == 1 and "pass --content" in out, out

    # with the option: everyone with an address is drafted; the one without is named, exit 1
    code, out = run("mail", *mail, "--content", CONTENT)
    assert code == 1, out
    assert len(list(drafts.glob("*.eml"))) == 11
    assert f"no email address (1): {NO_ADDRESS} (Gerda Hoekstra); not mailed: add a usable " \
        "address in the recipients file" in out
    assert out.rstrip().endswith("11 messages delivered, 0 failed, 1 without address, "
                                 "0 up to date.")
    key = verifying_key(kit["key"])
    assert key is not None
    with Store(db) as store:  # the round's key: recorded from the copies mailed
        assert store.signing_key() == key.fingerprint
        assert len(store.mail_log()) == 11


def test_ingest_without_content_stores_nothing_and_the_option_counts_them(kit, tmp_path):
    files = forms(kit, tmp_path / "inbox", ("s01", "s02"))
    db, report = tmp_path / "s.sqlite", tmp_path / "rapport.json"
    code, out = run("ingest", tmp_path / "inbox", "--db", db, "--key", kit["key"],
                    "--report", report)
    assert code == 1, out
    outcomes = json.loads(report.read_text("utf-8"))
    assert [o["status"] for o in outcomes] == ["not_read", "not_read"]
    for outcome in outcomes:
        name = Path(outcome["file"]).name
        assert outcome["reason"] == (
            f"{name} is a file of the instrument '{INSTRUMENT}', which neither the content nor "
            "the store defines; nothing of it was stored: pass --content with the folder that "
            "holds that instrument (or set content in the round file) and ingest again.")
    assert "stuur het formulier" not in out  # never blames the school
    assert "2 file(s): 2 not_read. 2 not read (the organiser's option or key" in out
    assert stored(db) == ([], 0)  # no rejection kept on the provenance sheet either

    code, out = run("ingest", tmp_path / "inbox", "--db", db, "--key", kit["key"],
                    "--content", CONTENT)
    assert code == 0, out
    assert out.count("accepted") >= 2 and "duplicate" not in out
    statuses, _ = stored(db)
    assert len(statuses) == 2 and all(s.startswith("accepted") for s in statuses)

    # the store keeps the definition: the next file needs no --content
    (third,) = forms(kit, tmp_path / "more", ("s03",))
    code, out = run("ingest", third, "--db", db, "--key", kit["key"])
    assert code == 0, out
    assert len(stored(db)[0]) == len(files) + 1


def test_wrong_key_then_right_key_the_same_files_count(kit, tmp_path):
    forms(kit, tmp_path / "inbox", ("s01", "s02"))
    other = tmp_path / "andere.key"
    other.write_text("ab" * 32 + "\n", encoding="ascii")
    right, wrong = verifying_key(kit["key"]), verifying_key(other)
    assert right is not None and wrong is not None
    db = tmp_path / "s.sqlite"
    code, out = run("ingest", tmp_path / "inbox", "--db", db, "--key", other,
                    "--content", CONTENT)
    assert code == 1, out
    assert f"was signed with another key, fingerprint {right.fingerprint}, not with the key at " \
        f"{other} (fingerprint {wrong.fingerprint}); use --key FILE or the round's key" in out
    assert stored(db) == ([], 0)

    code, out = run("ingest", tmp_path / "inbox", "--db", db, "--key", kit["key"],
                    "--content", CONTENT)
    assert code == 0, out
    assert "duplicate" not in out and out.count("accepted") >= 2
    code, out = run("status", "--db", db, "--recipients", kit["recipients"])
    assert code == 0, out
    assert "response: 2 of 12 (17%), over the whole recipients list" in out
    code, out = run("status", "--db", db)
    assert "response: 2 of 2 (100%), over those mailed or who returned a file only; pass " \
        "--recipients FILE to count the whole list" in out
    code, out = run("status", "--db", db, "--recipients", kit["recipients"], "--format", "json")
    report = json.loads(out)
    assert (report["returned"], report["expected"], report["over"]) == (2, 12, "recipients")

    # the store now knows the round's key: another key stops the run before anything is read
    (late,) = forms(kit, tmp_path / "late", ("s04",))
    code, out = run("ingest", late, "--db", db, "--key", other, "--content", CONTENT)
    assert code == 1, out
    assert out.startswith("Error: the copies of this store were signed with another key, "
                          f"fingerprint {right.fingerprint}"), out
    assert len(stored(db)[0]) == 2


def test_an_unverified_copy_is_never_a_duplicate(kit, tmp_path):
    """Copies built before fingerprints existed name no key: with the wrong key they are
    unverified (as before); ingested again with the right key they count."""
    (form,) = forms(kit, tmp_path / "inbox", ("s05",))
    old = with_props(form, tmp_path / "old" / form.name, **{PROP_KEY: None})
    other = tmp_path / "andere.key"
    other.write_text("cd" * 32 + "\n", encoding="ascii")
    db = tmp_path / "s.sqlite"
    code, out = run("ingest", old, "--db", db, "--key", other, "--content", CONTENT)
    assert code == 1 and "unverified" in out, out
    code, out = run("ingest", old, "--db", db, "--key", other, "--content", CONTENT)
    assert code == 1 and "unverified" in out and "duplicate" not in out, out
    assert stored(db)[0] == ["unverified"]  # kept once
    code, out = run("ingest", old, "--db", db, "--key", kit["key"], "--content", CONTENT)
    assert code == 0 and "duplicate" not in out, out
    assert stored(db)[0] in (["accepted"], ["accepted_with_warnings"])
    code, out = run("status", "--db", db, "--recipients", kit["recipients"])
    assert "response: 1 of 12" in out, out


def test_in_a_round_the_fix_is_the_round_setting_and_status_counts_its_whole_list(
        kit, tmp_path, monkeypatch):
    """Inside a round (templategen.toml) the same refusals hold, and status counts against
    the round's recipients file without --recipients."""
    folder = tmp_path / "ronde"
    code, out = run("init", folder, "--recipients", kit["recipients"])  # content forgotten
    assert code == 0, out
    monkeypatch.chdir(folder)
    forms(kit, folder / "inbox", ("s01", "s02"))
    code, out = run("ingest", "--key", kit["key"])
    assert code == 1 and "or set content in the round file" in out, out
    other = tmp_path / "andere.key"
    other.write_text("ef" * 32 + "\n", encoding="ascii")
    code, out = run("ingest", "--key", other, "--content", CONTENT)
    assert code == 1 and "signed with another key" in out, out
    code, out = run("ingest", "--key", kit["key"], "--content", CONTENT)
    assert code == 0 and "duplicate" not in out, out
    code, out = run("status")
    assert code == 0, out
    assert "response: 2 of 12 (17%), over the whole recipients list" in out

"""Mail stores and folders of returned files walked as untrusted (#22): a FIFO, a link (to
/dev/zero, dangling, or to a file inside), a folder where a mail should be and an entry that
cannot be read each get their own rejected line naming them, nothing blocks, and the valid
mail and files beside them are all stored, with the answers they hold. Each batch runs as a
real ``templategen ingest`` process with its process tree's memory sampled and a 60-second
limit on the whole run."""

from __future__ import annotations

import json
import mailbox
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from templategen.inbox import ingest
from templategen.store.database import Store
from tests.support.mailkit import filled_forms, reply
from tests.support.treememory import run_measured

RESPONDENTS = ("s01", "s02", "s03")
LIMIT_S = 60  # nothing may wait longer than this
LIMIT_MB = 600


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """A filled form per respondent, as they mail it back."""
    return filled_forms(tmp_path_factory.mktemp("forms"), RESPONDENTS)


@pytest.fixture(scope="module")
def answers(forms: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory) -> dict:
    """sha256 -> the answers each form gives when it is ingested alone."""
    folder = tmp_path_factory.mktemp("alone")
    for rid, data in forms.items():
        (folder / f"{rid}.docx").write_bytes(data)
    db = folder / "alone.sqlite"
    outcomes = ingest([folder], db=db, in_process=True)
    assert [o.status for o in outcomes] == ["accepted"] * len(forms), outcomes
    return _stored(db)


def _stored(db: Path) -> dict[str, dict[str, object]]:
    with Store(db) as store:
        return {s.sha256: {k: a.value for k, a in store.answers(s.id).items()}
                for s in store.submissions(current_only=False)}


def _maildir(root: Path, forms: dict[str, bytes]) -> Path:
    """A Maildir with s01's reply in new/ and s02's in cur/ (as a mail client leaves them)."""
    box = mailbox.Maildir(str(root / "Maildir"))
    box.add(reply("s01", "", [("s01.docx", forms["s01"])]).as_bytes())
    key = box.add(reply("s02", "", [("s02.docx", forms["s02"])]).as_bytes())
    box.close()
    seen = root / "Maildir" / "new" / key
    seen.rename(root / "Maildir" / "cur" / f"{key}:2,S")
    return root / "Maildir"


def _run(args: list[str], work: Path, prefix: tuple[str, ...] = ()) -> tuple[object, list]:
    """``templategen ingest ARGS --report``, measured; the process and the report."""
    report = work / "rapport.json"
    proc = run_measured([*prefix, sys.executable, "-m", "templategen", "ingest", *args,
                         "--report", str(report)], work, timeout=LIMIT_S)
    print(f"peak memory of the ingest's process tree: {proc.sampled_mb:.0f} MB sampled, "
          f"at most {proc.bound_mb:.0f} MB")
    assert proc.bound_mb < LIMIT_MB, (proc.sampled_mb, proc.bound_mb)
    assert report.exists(), (proc.returncode, proc.stdout, proc.stderr)
    return proc, json.loads(report.read_text("utf-8"))


def _check(proc, report: list, db: Path, answers: dict, valid: list[str],
           refused: dict[str, str]) -> None:
    """The valid items accepted with all their answers; each refused one its own line."""
    assert proc.returncode == 1, proc.stderr  # rejected lines, and the run went to the end
    assert "Traceback" not in proc.stderr, proc.stderr
    *lines, summary = [ln for ln in proc.stdout.splitlines() if not ln.startswith(" ")]
    assert summary.startswith(f"{len(report)} file(s): ")  # the summary line (#18)
    assert len(lines) == len(report) == len(valid) + len(refused), proc.stdout
    accepted = [r["file"] for r in report if r["status"] == "accepted"]
    assert sorted(accepted) == sorted(valid), report
    rejected = [r for r in report if r["status"] == "rejected"]
    assert len(rejected) == len(refused), report
    for entry, fragment in refused.items():
        [got] = [r for r in rejected if r["reason"].startswith(entry + " ")]
        assert fragment in got["reason"], got
        assert "\n" not in got["reason"] and got["reason"].endswith("."), got
    stored = _stored(db)
    assert len(stored) == len(valid)
    for sha, values in stored.items():
        assert values == answers[sha]


MAILDIR_CASES: dict[str, tuple[Callable[[Path], str], str]] = {
    # case: (make the entry in the Maildir, returning its path inside; what the reason says)
    "fifo-in-new": (lambda box: _fifo(box / "new" / "zz-pijp"), "is een named pipe (FIFO)"),
    "fifo-in-cur": (lambda box: _fifo(box / "cur" / "zz-pijp:2,S"), "is een named pipe (FIFO)"),
    "link-to-dev-zero": (lambda box: _link("/dev/zero", box / "new" / "zz-nul"),
                         "is een symbolische koppeling naar iets anders"),
    "dangling-link": (lambda box: _link(box.parent / "weg", box / "cur" / "zz-weg:2,S"),
                      "is een symbolische koppeling die nergens heen wijst"),
    "link-inside": (lambda box: _link(next((box / "cur").iterdir()), box / "new" / "zz-kopie"),
                    "koppelingen worden niet gevolgd"),
    "folder-for-a-mail": (lambda box: _mkdir(box / "new" / "zz-map"), "is een map, geen bestand"),
}


def _fifo(path: Path) -> str:
    os.mkfifo(path)
    return path


def _link(target: Path | str, path: Path) -> Path:
    path.symlink_to(target)
    return path


def _mkdir(path: Path) -> Path:
    path.mkdir()
    return path


@pytest.mark.parametrize("case", sorted(MAILDIR_CASES))
def test_a_maildir_entry_that_is_not_a_mail_gets_its_own_line(
        case: str, forms: dict[str, bytes], answers: dict, tmp_path: Path) -> None:
    make, fragment = MAILDIR_CASES[case]
    box = _maildir(tmp_path, forms)
    entry = make(box)
    db = tmp_path / "store.sqlite"
    proc, report = _run([str(box), "--db", str(db)], tmp_path)
    shown = f"Maildir/{entry.parent.name}/{entry.name}"
    _check(proc, report, db, answers, valid=["Maildir #1: s01.docx", "Maildir #3: s02.docx"]
           if entry.parent.name == "new" else ["Maildir #1: s01.docx", "Maildir #2: s02.docx"],
           refused={shown: fragment})


_DROP_READ_ALL = """
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH: out of the bounding set
    if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
        raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")
os.execv(sys.argv[1], sys.argv[1:])
"""


def test_an_unreadable_mail_gets_its_own_line(forms: dict[str, bytes], answers: dict,
                                              tmp_path: Path) -> None:
    """A mail without read permission. Root reads every file, so as root the ingest runs
    without the two capabilities that let it (permission checks then hold for it too)."""
    box = _maildir(tmp_path, forms)
    secret = box / "new" / "zz-geheim"
    secret.write_bytes(reply("s03", "", [("s03.docx", forms["s03"])]).as_bytes())
    secret.chmod(0)
    prefix = (sys.executable, "-c", _DROP_READ_ALL) if os.geteuid() == 0 else ()
    db = tmp_path / "store.sqlite"
    proc, report = _run([str(box), "--db", str(db)], tmp_path, prefix)
    _check(proc, report, db, answers, valid=["Maildir #1: s01.docx", "Maildir #3: s02.docx"],
           refused={"Maildir/new/zz-geheim": "kan hier niet worden gelezen (geen leesrecht)"})


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_folder_of_returned_files_is_walked_as_untrusted(
        forms: dict[str, bytes], answers: dict, tmp_path: Path, jobs: str) -> None:
    """Also with ``--jobs 2``: the loop takes files and mail files alike, the report keeps
    the order of the sources."""
    folder = tmp_path / "terug"
    folder.mkdir()
    (folder / "s01.docx").write_bytes(forms["s01"])
    (tmp_path / "buiten.docx").write_bytes(forms["s03"])
    mails = folder / "mail"
    mails.mkdir()
    (mails / "s02.eml").write_bytes(reply("s02", "", [("s02.docx", forms["s02"])]).as_bytes())
    os.mkfifo(folder / "pijp.docx")
    os.mkfifo(mails / "pijp.mbox")
    os.mkfifo(mails / "pijp.eml")
    (folder / "nul.xlsx").symlink_to("/dev/zero")
    (folder / "weg.docx").symlink_to(tmp_path / "bestaat-niet.docx")
    (folder / "buiten.docx").symlink_to(tmp_path / "buiten.docx")
    named = tmp_path / "los.docx"
    os.mkfifo(named)  # named on the command line: links are followed there, FIFOs are not read
    db = tmp_path / "store.sqlite"
    proc, report = _run([str(folder), str(named), "--db", str(db), "--jobs", jobs], tmp_path)
    assert [r["file"] for r in report] == [
        *(f"{folder}/{name}" for name in ("buiten.docx", "nul.xlsx", "pijp.docx", "s01.docx",
                                          "weg.docx")),
        "pijp.eml", "pijp.mbox", "s02.eml: s02.docx", str(named)]
    _check(proc, report, db, answers, valid=[f"{folder}/s01.docx", "s02.eml: s02.docx"],
           refused={"pijp.docx": "is een named pipe (FIFO)",
                    "pijp.mbox": "is een named pipe (FIFO)",
                    "pijp.eml": "is een named pipe (FIFO)",
                    "nul.xlsx": "is een symbolische koppeling naar iets anders",
                    "weg.docx": "is een symbolische koppeling die nergens heen wijst",
                    "buiten.docx": "koppelingen worden niet gevolgd",
                    "los.docx": "is een named pipe (FIFO)"})
    assert stat.S_ISFIFO(os.lstat(named).st_mode)

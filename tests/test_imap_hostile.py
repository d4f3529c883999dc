"""IMAP as an untrusted server (#22): a real, scripted, misbehaving IMAP server on 127.0.0.1
(fakeimap) in one batch with a valid returned file and valid messages. Each misdeed gets one
report line naming the folder and the UID, the file and the messages around it are stored,
the ingest's process tree stays under 600 MB and nothing waits a minute."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from templategen.cli import main
from templategen.inbox.imap import Mailbox
from templategen.store.database import Store
from tests.support.fakeimap import FakeImap, Message, running
from tests.support.mailkit import filled_forms, reply
from tests.support.mailservers import PASSWORD
from tests.support.treememory import run_measured

GIB = 1024**3
HUGE_UID = b"100000000000000000000000"  # 10^23


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return filled_forms(tmp_path_factory.mktemp("imap-hostile"), ("s01", "s02", "s03", "s04"))


@pytest.fixture(autouse=True)
def password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEMPLATEGEN_IMAP_PASSWORD", PASSWORD)


def good(forms: dict[str, bytes], rid: str, uid: bytes) -> Message:
    return Message(uid, reply(rid, "", [(f"{rid}.docx", forms[rid])]).as_bytes())


def ingest(tmp_path: Path, imap: FakeImap, forms: dict[str, bytes],
           *options: str) -> tuple[Any, dict[str, dict[str, Any]]]:
    """`templategen ingest` of a folder with s04's filled form and the IMAP folder, measured;
    the run and its report by file. Each batch here has a line that is not accepted: exit 1."""
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    (inbox / "s04.docx").write_bytes(forms["s04"])
    report = tmp_path / "report.json"
    started = time.monotonic()
    proc = run_measured([sys.executable, "-m", "templategen", "ingest", str(inbox), "--imap",
                         imap.url(), "--db", str(tmp_path / "store.sqlite"), "--report",
                         str(report), *options], tmp_path, timeout=120)
    proc.seconds = time.monotonic() - started
    print(f"{proc.seconds:.1f} s, peak memory of the process tree {proc.sampled_mb:.0f} MB "
          f"sampled, at most {proc.bound_mb:.0f} MB\n{proc.stdout}{proc.stderr}")
    assert "Traceback" not in proc.stderr and proc.returncode == 1, proc.stderr
    assert proc.seconds < 60 and proc.bound_mb < 600, (proc.seconds, proc.bound_mb)
    return proc, {r["file"]: r for r in json.loads(report.read_text("utf-8"))}


def batch(tmp_path: Path, imap: FakeImap, forms: dict[str, bytes],
          *options: str) -> tuple[Any, dict[str, dict[str, Any]]]:
    """:func:`ingest` while the server runs."""
    with running(imap):
        return ingest(tmp_path, imap, forms, *options)


def stored(tmp_path: Path, imap: FakeImap, uidvalidity: int = 7) -> tuple[set[str], set[int]]:
    """The recipients whose forms are in the store, and the UIDs it marks as read."""
    with Store(tmp_path / "store.sqlite") as store:
        return ({s.recipient for s in store.submissions()},
                store.imap_seen(imap.key, uidvalidity))


def failed(report: dict[str, dict[str, Any]], label: str) -> str:
    """The reason of the report's ``failed`` line for ``label``."""
    assert report[label]["status"] == "failed", report[label]
    return str(report[label]["reason"])


def one_line(proc: Any, label: str) -> str:
    """The report line of ``label``: one line, no more."""
    lines = [ln for ln in proc.stdout.splitlines() if f" {label}:" in ln]
    assert len(lines) == 1, proc.stdout
    return lines[0]


def test_a_message_announced_small_and_sent_as_2_gb_is_refused_before_it_is_read(
        forms: dict[str, bytes], tmp_path: Path) -> None:
    """The issue's case: RFC822.SIZE 5 KB, then a 2 GB literal (streamed by the server as
    it is sent). The literal is refused from its announced size; the message after it is
    read over a new connection."""
    liar = Message(b"2", b"From: x@scholen.example\r\n\r\n", announced=5 * 1024,
                   literal=2 * GIB)
    messages = [good(forms, "s01", b"1"), liar, good(forms, "s02", b"3")]
    proc, report = batch(tmp_path, imap := FakeImap(messages), forms)
    assert report["INBOX uid 1: s01.docx"]["status"] == "accepted"
    assert report["INBOX uid 3: s02.docx"]["status"] == "accepted"
    assert report[str(tmp_path / "inbox" / "s04.docx")]["status"] == "accepted"
    refused = report["INBOX uid 2"]
    assert refused["status"] == "rejected"
    assert refused["reason"] == ("het bericht is 2048 MB, groter dan 40 MB; stuur de "
                                 "formulieren in een kleiner bericht, zo nodig in meerdere "
                                 "berichten.")
    one_line(proc, "INBOX uid 2")
    assert imap.sent[b"2"] < 64 * 1024 * 1024, imap.sent  # what the socket buffers took
    assert stored(tmp_path, imap) == ({"s01", "s02", "s04"}, {1, 2, 3})


def test_a_connection_dropped_in_the_middle_of_a_message(
        forms: dict[str, bytes], tmp_path: Path) -> None:
    """An `imaplib.abort` traceback before. Now one line for the message; the one before it
    is stored; the next ingest reads the rest."""
    cut = good(forms, "s02", b"2")
    cut.cut_after = len(cut.raw) // 2
    messages = [good(forms, "s01", b"1"), cut, good(forms, "s03", b"3")]
    with running(FakeImap(messages)) as imap:
        proc, report = ingest(tmp_path, imap, forms)
        assert failed(report, "INBOX uid 2") == (
            f"the IMAP server 127.0.0.1:{imap.port} closed the connection while sending this "
            "message, so nothing more was read from 'INBOX'; run ingest again later (if it "
            "keeps failing at this message, move it out of the folder in your mail program, "
            "or ask the server's administrator). The 1 message read before it is stored.")
        assert one_line(proc, "INBOX uid 2").startswith("failed")
        assert report["INBOX uid 1: s01.docx"]["status"] == "accepted"
        assert report[str(tmp_path / "inbox" / "s04.docx")]["status"] == "accepted"
        assert len(report) == 3, report
        assert stored(tmp_path, imap) == ({"s01", "s04"}, {1})

        cut.cut_after = None  # the server mends: the next ingest reads what was left
        result = CliRunner().invoke(main, ["ingest", "--imap", imap.url(), "--db",
                                           str(tmp_path / "store.sqlite")])
    assert result.exit_code == 0, result.output
    assert stored(tmp_path, imap) == ({"s01", "s02", "s03", "s04"}, {1, 2, 3})


def test_an_absurd_uidvalidity_reads_nothing_from_the_folder_and_says_so(
        forms: dict[str, bytes], tmp_path: Path) -> None:
    """UIDVALIDITY 10^23: an OverflowError before, and nothing from IMAP stored. Now one line
    saying the folder cannot be tracked; the plain file still arrives."""
    imap = FakeImap([good(forms, "s01", b"1")], uidvalidity=HUGE_UID)
    proc, report = batch(tmp_path, imap, forms)
    assert report[str(tmp_path / "inbox" / "s04.docx")]["status"] == "accepted"
    assert failed(report, "INBOX") == (
        "127.0.0.1 gives the folder 'INBOX' the UIDVALIDITY 100000000000000000000000, not a "
        "number from 1 to 4294967295 as IMAP requires: without it the messages read cannot be "
        "told from new ones, so none were read (the other files of this ingest were); ask the "
        "server's administrator.")
    assert len(report) == 2 and imap.fetched == {}, report
    one_line(proc, "INBOX")
    assert stored(tmp_path, imap)[0] == {"s04"}


def test_an_absurd_uid_skips_that_message_only(forms: dict[str, bytes], tmp_path: Path) -> None:
    """A UID of 10^23 (an OverflowError before) and one that is no number: each skipped with
    its own line, the messages around them read."""
    messages = [good(forms, "s01", b"1"), good(forms, "s02", HUGE_UID),
                good(forms, "s02", b"x7"), good(forms, "s03", b"4294967295")]
    proc, report = batch(tmp_path, imap := FakeImap(messages), forms)
    assert failed(report, "INBOX uid 100000000000000000000000") == (
        f"the IMAP server 127.0.0.1:{imap.port} gives a message in 'INBOX' the UID "
        "100000000000000000000000, not a number from 1 to 4294967295 as IMAP requires; that "
        "message was skipped and the others were read (ask the server's administrator to "
        "repair the folder).")
    assert report["INBOX uid x7"]["status"] == "failed"
    assert report["INBOX uid 1: s01.docx"]["status"] == "accepted"
    assert report["INBOX uid 4294967295: s03.docx"]["status"] == "accepted"
    assert report[str(tmp_path / "inbox" / "s04.docx")]["status"] == "accepted"
    assert len(report) == 5, report
    one_line(proc, "INBOX uid 100000000000000000000000")
    assert imap.fetched == {b"1": 1, b"4294967295": 1}
    assert stored(tmp_path, imap) == ({"s01", "s03", "s04"}, {1, 4294967295})


def test_a_server_that_falls_silent_is_given_up_after_the_timeout(
        forms: dict[str, bytes], tmp_path: Path) -> None:
    """Silent in the middle of a message, silent from the start, silent in the TLS
    handshake: each costs one --imap-timeout, one line, and the rest of the batch stays."""
    stalled = good(forms, "s02", b"2")
    stalled.stall_after = 100
    imap = FakeImap([good(forms, "s01", b"1"), stalled])
    proc, report = batch(tmp_path, imap, forms, "--imap-timeout", "2")
    assert proc.seconds < 20
    assert failed(report, "INBOX uid 2").startswith(
        f"the IMAP server 127.0.0.1:{imap.port} sent nothing for 2 s while sending this "
        "message, so nothing more was read from 'INBOX'; run ingest again later")
    assert report["INBOX uid 1: s01.docx"]["status"] == "accepted"
    for scheme in ("imap", "imaps"):
        with running(FakeImap([], silent=True)) as imap:
            started = time.monotonic()
            result = CliRunner().invoke(main, ["ingest", "--imap", imap.url(scheme),
                                               "--imap-timeout", "2", "--db",
                                               str(tmp_path / "store.sqlite")])
            assert time.monotonic() - started < 20
        assert result.exit_code == 1, result.output
        assert result.output == (
            f"failed                 INBOX: the IMAP server 127.0.0.1:{imap.port} sent nothing "
            "for 2 s while connecting, so nothing was read from 'INBOX'; check the address "
            "and run ingest again later (if it keeps failing, ask the server's "
            "administrator).\n"
            "1 file(s): 1 failed. 1 not counted (rejected, unverified or failed, see above).\n"
        ), scheme  # the summary line (#18)
    assert stored(tmp_path, imap)[0] == {"s01", "s04"}


def test_a_server_that_sends_a_byte_at_a_time_is_given_up_after_ten_timeouts(
        forms: dict[str, bytes], tmp_path: Path) -> None:
    """Each read gets a byte within the timeout, so only the limit on a whole answer (ten
    timeouts) ends it: in a message's literal, and in a line that never ends."""
    literal = good(forms, "s02", b"2")
    literal.stall_after, literal.drip = 100, 0.2
    line = Message(b"2", instead=b"* 1 FETCH (UID 2 BODY[] ", drip=0.2)
    for n, drip in enumerate((literal, line)):
        with running(FakeImap([good(forms, "s01", b"1"), drip])) as imap:
            started = time.monotonic()  # in a process of its own: a regression hangs
            result = subprocess.run([sys.executable, "-m", "templategen", "ingest", "--imap",
                                     imap.url(), "--imap-timeout", "1", "--db",
                                     str(tmp_path / f"{n}.sqlite")], capture_output=True,
                                    text=True, timeout=60)
            assert 10 <= time.monotonic() - started < 30
        assert result.returncode == 1, result.stdout + result.stderr
        assert result.stdout.splitlines()[-2].startswith(  # [-1]: the summary (#18)
            f"failed                 INBOX uid 2: the IMAP server 127.0.0.1:{imap.port} was "
            "too slow while sending this message (one answer took longer than 10 s), so "
            "nothing more was read from 'INBOX'"), result.stdout + result.stderr


def test_answers_that_are_no_imap_or_never_end(forms: dict[str, bytes], tmp_path: Path) -> None:
    """A line that is no IMAP, and an endless flood of untagged lines (each would have been
    kept in memory): one line each, the message before them stored."""
    for n, (instead, flood, what) in enumerate([
            (b"HTTP/1.1 400 Bad Request", False, "answered with something that is not IMAP"),
            (b"* 1 EXISTS", True, "sent far too much")]):
        with running(FakeImap([good(forms, "s01", b"1"), Message(b"2", instead=instead,
                                                                  flood=flood)])) as imap:
            started = time.monotonic()
            result = CliRunner().invoke(main, ["ingest", "--imap", imap.url(), "--db",
                                               str(tmp_path / f"{n}.sqlite")])
            assert time.monotonic() - started < 60
        assert result.exit_code == 1, result.output
        lines = result.output.splitlines()
        assert len(lines) == 3 and lines[0].startswith("accepted "), result.output
        assert lines[2].startswith("2 file(s): 1 accepted, 1 failed."), result.output  # (#18)
        assert lines[1].startswith(f"failed                 INBOX uid 2: the IMAP server "
                                   f"127.0.0.1:{imap.port} {what} while sending this message ("
                                   ), result.output
        assert lines[1].endswith("The 1 message read before it is stored."), result.output


def test_a_refused_message_reconnects_without_asking_the_password_again(
        tmp_path: Path) -> None:
    asked: list[int] = []
    plain = b"From: s01@scholen.example\r\nSubject: bedankt\r\n\r\nDank!\r\n"
    with running(FakeImap([Message(b"1", literal=GIB), Message(b"2", plain)])) as imap, \
            Store(tmp_path / "store.sqlite") as store:
        box = Mailbox(imap.url(), password=lambda: asked.append(1) or PASSWORD)
        letters = list(box.letters(store))
    assert [(x.label, x.problem[:19], x.sender) for x in letters] == [
        ("INBOX uid 1", "het bericht is 1024", ""), ("INBOX uid 2", "", "s01@scholen.example")]
    assert asked == [1]

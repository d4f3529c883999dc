"""The mail loop end to end: drafts go out, replies with filled copies come back as .eml,
Outlook .msg, mbox, Maildir and from a real IMAP server (dovecot); `status` says exactly who
returned what; `remind` mails only those still missing, once a day."""

from __future__ import annotations

import json
import mailbox
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from templategen.cli import main
from templategen.mail.kit import load_kit
from templategen.office import libreoffice
from templategen.store.database import Store
from templategen.store.response import STATES
from tests.support.mailkit import LEADERS, address, filled, make_kit, outlook_bytes, parse, reply
from tests.support.mailservers import ImapServer, SmtpServer

EMPTY = "s09"  # sends back the copy without filling it in
CORRECTED = "s02"  # sends the workbook, then a corrected one
MISSING = ["s11", "s12"]
NO_IN_REPLY_TO = "s08"  # a client that drops In-Reply-To: linked by the copy's recipient


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.fixture
def loop(tmp_path: Path) -> dict[str, object]:
    """Drafts for the twelve leaders, and their replies in every kind of mail source."""
    recipients, kit = make_kit(tmp_path)
    db = tmp_path / "store.sqlite"
    code, out = run("mail", "--recipients", str(recipients), "--kit", str(kit), "--db", str(db),
                    "--drafts", str(tmp_path / "concepten"))
    assert code == 1, out
    with Store(db) as store:
        sent = {e.recipient: e.message_id for e in store.mail_log()}
    copies = {rid: {c.kind: c.path for c in found} for rid, found in load_kit(kit).items()}

    def answer(rid: str, kinds: tuple[str, ...], seed: int, day: int = 1) -> object:
        files = []
        for kind in kinds:
            src = copies[rid][kind]
            data = (src.read_bytes() if rid == EMPTY else
                    filled(src, tmp_path / "ingevuld" / f"{seed}_{src.name}", seed).read_bytes())
            files.append((src.name, data))
        return reply(rid, "" if rid == NO_IN_REPLY_TO else sent[rid], files, day)

    inbox = tmp_path / "post"
    inbox.mkdir()
    (inbox / "s01.eml").write_bytes(answer("s01", ("form",), 1).as_bytes())
    (inbox / "s02.eml").write_bytes(answer("s02", ("workbook",), 2).as_bytes())
    (inbox / "s02-correctie.eml").write_bytes(answer("s02", ("workbook",), 22, 3).as_bytes())
    (inbox / "s03.msg").write_bytes(outlook_bytes(answer("s03", ("form",), 3)))
    (inbox / "s04.msg").write_bytes(outlook_bytes(answer("s04", ("workbook",), 4)))
    box = mailbox.mbox(str(inbox / "antwoorden.mbox"))
    for rid, kinds, seed in (("s05", ("form",), 5), ("s06", ("form", "workbook"), 6)):
        box.add(answer(rid, kinds, seed).as_bytes())
    box.close()
    maildir = mailbox.Maildir(str(tmp_path / "Maildir"))
    for rid, seed in (("s08", 8), (EMPTY, 9)):
        maildir.add(answer(rid, ("form",), seed).as_bytes())
    maildir.close()
    return {"recipients": recipients, "kit": kit, "db": db, "inbox": inbox, "sent": sent,
            "maildir": tmp_path / "Maildir", "imap_reply": answer("s10", ("form",), 10)}


def test_replies_from_every_source_then_status_and_remind(
        loop: dict, imap_server: ImapServer, smtp_server: SmtpServer) -> None:
    imap_server.append(loop["imap_reply"].as_bytes())
    imap_server.append(reply("s01", "", []).as_bytes())  # a "thank you" without attachment
    inbox: Path = loop["inbox"]
    db = str(loop["db"])
    files = [inbox / n for n in ("s01.eml", "s02.eml", "s02-correctie.eml", "s03.msg",
                                 "s04.msg", "antwoorden.mbox")]
    code, out = run("ingest", *map(str, files), str(loop["maildir"]), "--imap", imap_server.url,
                    "--db", db, "--report", str(inbox.parent / "rapport.json"))
    assert code == 0, out
    accepted = [ln for ln in out.splitlines() if ln.startswith("accepted")]
    assert len(accepted) == 10, out  # 9 replies with 10 files (s06 sent both), s02 twice
    assert "empty                  Maildir #" in out  # s09 sent the copy back unfilled
    for source in ("s01.eml: ", "s03.msg: ", "s04.msg: ", "antwoorden.mbox #1: ",
                   "antwoorden.mbox #2: ", "INBOX uid 1: "):
        assert any(source in ln for ln in accepted), (source, out)
    assert sum("Maildir #" in ln for ln in accepted) == 1
    assert "no_form" in out and "INBOX uid 2: geen formulier als bijlage" in out
    report = json.loads((inbox.parent / "rapport.json").read_text(encoding="utf-8"))
    assert len(report) == 12

    with Store(db) as store:
        subs = store.submissions(current_only=False)
        log = {e.id: e for e in store.mail_log()}
        for sub in subs:
            found = store.mail_source(sub.id)
            assert found is not None, sub.file_name
            source, replied_to = found
            assert source.sender.endswith(f"<{address(sub.recipient)}>")
            assert source.date.startswith("2026-12-0") and source.message_id.endswith(
                "@scholen.example>")
            assert source.in_reply_to == ("" if sub.recipient == NO_IN_REPLY_TO
                                          else loop["sent"][sub.recipient])
            assert replied_to is not None and log[replied_to].recipient == sub.recipient

    code, out = run("status", "--db", db, "--recipients", str(loop["recipients"]),
                    "--format", "json")
    assert code == 0, out
    status = json.loads(out)
    states = {r["recipient"]: r["state"] for r in status["rows"]}
    assert states == {"s01": "returned", "s02": "corrected", "s03": "returned",
                      "s04": "returned", "s05": "returned", "s06": "returned",
                      "s07": "not_sent", "s08": "returned", "s09": "empty", "s10": "returned",
                      "s11": "missing", "s12": "missing"}
    assert (status["returned"], status["expected"]) == (8, 12)  # the whole list (#18)
    s06 = next(r for r in status["rows"] if r["recipient"] == "s06")
    assert s06["files"] == "ict_gesprek_s06_farid-el-amrani.docx, " \
        "ict_gesprek_s06_farid-el-amrani.xlsx"
    assert all(r["sent"] for r in status["rows"] if r["recipient"] != "s07")
    check_respons_sheet(db, inbox.parent / "vergelijking.xlsx", states)
    code, table = run("status", "--db", db)
    assert "response: 8 of 11 (73%)" in table and "missing" in table
    code, csv_out = run("status", "--db", db, "--format", "csv")
    assert csv_out.splitlines()[0].startswith("recipient,naam,instrument,state")

    remind = ("remind", "--recipients", str(loop["recipients"]), "--kit", str(loop["kit"]),
              "--db", db, "--smtp", smtp_server.url, "--from", "advies@bestuur.example")
    code, out = run(*remind)
    assert code == 1, out
    assert sorted(e.rcpt_tos[0] for e in smtp_server.received) == [address(r) for r in MISSING]
    for envelope in smtp_server.received:
        msg = parse(envelope.original_content)
        assert msg["Subject"].startswith("Herinnering:")
        assert "nog niet van u terugontvangen" in msg.get_body(("plain",)).get_content()
        assert len(list(msg.iter_attachments())) == 2
    code, out = run(*remind)
    assert code == 1 and len(smtp_server.received) == 2
    assert "0 messages delivered, 0 failed, 1 without address, 2 up to date, 9 returned" in out
    code, out = run(*remind, "--resend")
    assert code == 1 and len(smtp_server.received) == 4
    code, out = run("status", "--db", db, "--format", "json")
    reminded = {r["recipient"] for r in json.loads(out)["rows"] if r["reminded"]}
    assert reminded == set(MISSING)

    # a second collect reads nothing new from IMAP and has changed nothing there
    code, out = run("ingest", "--imap", imap_server.url, "--db", db)
    assert code == 0 and "accepted" not in out, out
    assert imap_server.count("INBOX") == 2
    assert not any(b"\\Seen" in flags for flags in imap_server.flags("INBOX"))


def test_imap_move_to_moves_what_was_read(loop: dict, imap_server: ImapServer) -> None:
    conn = imap_server.client()
    assert conn.create("Verwerkt")[0] == "OK"
    conn.logout()
    imap_server.append(loop["imap_reply"].as_bytes())
    db = str(loop["db"])
    code, out = run("ingest", "--imap", imap_server.url, "--imap-move-to", "Bestaat-niet",
                    "--db", db)
    assert code == 1 and "'Bestaat-niet' does not exist" in out
    code, out = run("ingest", "--imap", imap_server.url, "--imap-move-to", "Verwerkt",
                    "--db", db)
    assert code == 0 and out.startswith("accepted"), out
    assert (imap_server.count("INBOX"), imap_server.count("Verwerkt")) == (0, 1)


def test_leaders_are_twelve() -> None:
    assert len(LEADERS) == 12


def check_respons_sheet(db: str, out: Path, states: dict[str, str]) -> None:
    """The comparison workbook's Respons sheet says the same as status; LibreOffice computes
    its response rate formula to 8 of 11."""
    code, text = run("compare", "--db", db, "--out", str(out))
    assert code == 0, text
    ws = load_workbook(out)["Respons"]
    rows = {ws.cell(r, 1).value: ws.cell(r, 4).value for r in range(5, ws.max_row + 1)}
    assert rows == {rid: STATES[state] for rid, state in states.items() if state != "not_sent"}
    assert str(ws["B2"].value).startswith("=IF(")
    if libreoffice.soffice() is None:
        return
    resaved = libreoffice.convert_many([out], "xlsx", out.parent / "lo")[0]
    value = load_workbook(resaved, data_only=True)["Respons"]["B2"].value
    assert value == pytest.approx(8 / 11)


def test_imaps_reads_over_tls(loop: dict, imaps_server: ImapServer) -> None:
    imaps_server.append(loop["imap_reply"].as_bytes())
    code, out = run("ingest", "--imap", imaps_server.url, "--db", str(loop["db"]))
    assert code == 0 and out.startswith("accepted") and "INBOX uid 1: " in out, out
    assert imaps_server.count("INBOX") == 1

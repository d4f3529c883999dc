"""`templategen mail --smtp` against a real SMTP server (aiosmtpd on 127.0.0.1, STARTTLS and
AUTH required): twelve school leaders, one without an address, get eleven messages, each with
their own copies; a second run sends nothing; a refused address does not stop the rest."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from templategen.cli import main
from templategen.store.database import Store
from tests.support.mailkit import (
    INSTRUMENT,
    LEADERS,
    NO_ADDRESS,
    address,
    attached_copies,
    body_text,
    parse,
)
from tests.support.mailservers import SmtpServer

SENDER = "Team Advies <advies@bestuur.example>"


def mail(mail_kit: tuple[Path, Path], db: Path, url: str, *extra: str) -> tuple[int, str]:
    recipients, folder = mail_kit
    result = CliRunner().invoke(main, ["mail", "--recipients", str(recipients), "--kit",
                                       str(folder), "--db", str(db), "--smtp", url, "--from",
                                       SENDER, *extra])
    return result.exit_code, result.output


def test_eleven_messages_each_to_the_right_person(mail_kit: tuple[Path, Path], tmp_path: Path,
                                                  smtp_server: SmtpServer) -> None:
    db = tmp_path / "store.sqlite"
    code, out = mail(mail_kit, db, smtp_server.url)
    assert code == 1, out
    assert f"no email address (1): {NO_ADDRESS}" in out
    assert len(smtp_server.received) == 11
    names = {rid: naam for rid, naam, _ in LEADERS}
    seen = set()
    for envelope in smtp_server.received:
        assert envelope.mail_from == "advies@bestuur.example"
        (to,) = envelope.rcpt_tos
        rid = to.split("@")[0]
        seen.add(rid)
        assert to == address(rid)
        msg = parse(envelope.original_content)
        assert msg["To"].addresses[0].addr_spec == to
        assert "X-Unsent" not in msg
        assert attached_copies(msg) == [(rid, INSTRUMENT, "form"), (rid, INSTRUMENT, "workbook")]
        body = body_text(msg)
        assert body.startswith(f"Beste {names[rid]},\n\nHierbij ontvangt u het formulier")
    assert seen == {rid for rid, _, _ in LEADERS} - {NO_ADDRESS}
    with Store(db) as store:
        log = store.mail_log()
    assert [(e.status, e.via) for e in log] == [("sent", "smtp")] * 11
    ids = {parse(e.original_content)["Message-ID"].strip() for e in smtp_server.received}
    assert {e.message_id for e in log} == ids

    code, out = mail(mail_kit, db, smtp_server.url)
    assert code == 1, out
    assert len(smtp_server.received) == 11
    assert "0 messages delivered" in out


def test_a_refused_address_is_reported_and_the_rest_go_out(
        mail_kit: tuple[Path, Path], tmp_path: Path, smtp_server: SmtpServer) -> None:
    smtp_server.refuse = {address("s03")}
    db = tmp_path / "store.sqlite"
    code, out = mail(mail_kit, db, smtp_server.url)
    assert code == 1
    assert "failed     s03: the server refused s03@scholen.example: 550 5.1.1" in out
    assert len(smtp_server.received) == 10
    with Store(db) as store:
        failed = [e for e in store.mail_log() if e.status == "failed"]
    assert [e.recipient for e in failed] == ["s03"]
    smtp_server.refuse = set()
    code, out = mail(mail_kit, db, smtp_server.url)  # the failed one is not "sent": it goes now
    assert code == 1, out
    assert len(smtp_server.received) == 11
    assert smtp_server.received[-1].rcpt_tos == [address("s03")]


def test_smtps_and_login_errors(mail_kit: tuple[Path, Path], tmp_path: Path,
                                smtps_server: SmtpServer,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = mail(mail_kit, tmp_path / "a.sqlite", smtps_server.url, "--only", INSTRUMENT)
    assert code == 1, out
    assert len(smtps_server.received) == 11
    monkeypatch.setenv("TEMPLATEGEN_SMTP_PASSWORD", "fout")
    code, out = mail(mail_kit, tmp_path / "b.sqlite", smtps_server.url)
    assert code == 1 and "refused the login of 'advies@bestuur.example'" in out
    with Store(tmp_path / "b.sqlite") as store:
        assert store.mail_log() == []
    code, out = mail(mail_kit, tmp_path / "b.sqlite", "smtps://advies:geheim@127.0.0.1:1")
    assert code == 1 and "holds a password" in out
    monkeypatch.delenv("TEMPLATEGEN_SMTP_PASSWORD")
    result = CliRunner().invoke(main, [
        "mail", "--recipients", str(mail_kit[0]), "--kit", str(mail_kit[1]), "--db",
        str(tmp_path / "c.sqlite"), "--smtp", smtps_server.url, "--from", SENDER],
        input="geheim-wachtwoord\n")
    assert result.exit_code == 1, result.output
    assert "SMTP password" in result.output and "geheim-wachtwoord" not in result.output
    assert len(smtps_server.received) == 22

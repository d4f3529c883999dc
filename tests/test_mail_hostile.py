"""Hostile mail in one batch with good mail: every mail gets its own report line, none stops
the run, and the good replies around them are stored."""

from __future__ import annotations

import mailbox
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner

from templategen.cli import main
from templategen.store.database import Store
from tests.support.mailkit import filled_forms, reply


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return filled_forms(tmp_path_factory.mktemp("hostile"), ("s01", "s02", "s03", "s04"))


def forwarded(inner: EmailMessage, depth: int) -> EmailMessage:
    msg = inner
    for _ in range(depth):
        outer = reply("s02", "", [])
        outer.replace_header("Subject", "FW: " + str(msg["Subject"]))
        outer.add_attachment(msg)  # message/rfc822
        msg = outer
    return msg


def nested_multiparts(depth: int) -> bytes:
    """A mail of multiparts inside multiparts, far deeper than any mail client writes."""
    body = b"Content-Type: text/plain\r\n\r\nhallo\r\n"
    for n in range(depth):
        body = (f'Content-Type: multipart/mixed; boundary="b{n}"\r\n\r\n--b{n}\r\n'.encode()
                + body + f"\r\n--b{n}--\r\n".encode())
    return b"From: a@scholen.example\r\nSubject: diep\r\n" + body


def test_hostile_mail_each_gets_its_line_and_the_good_mail_is_stored(
        forms: dict[str, bytes], tmp_path: Path) -> None:
    many = reply("s03", "", [(f"bijlage{n}.docx", b"x") for n in range(1000)])
    names = reply("s03", "", [])
    names.add_attachment(forms["s03"], maintype="application", subtype="octet-stream")
    part = list(names.iter_attachments())[0]
    part.set_param("filename", "../../../etc/Vragenlijst Één.docx", header="Content-Disposition",
                   charset="utf-8")  # RFC 2231: filename*=utf-8''..%2F..%2F
    assert "filename*=utf-8''" in names.as_string()
    huge = reply("s04", "", [("groot.docx", b"\0" * (38 * 1024 * 1024))])
    assert len(huge.as_bytes()) > 50 * 1024 * 1024
    deep = forwarded(reply("s04", "", [("diep.docx", forms["s04"])]), 5)
    box = mailbox.mbox(str(tmp_path / "post.mbox"))
    for msg in (forwarded(reply("s02", "", [("s02.docx", forms["s02"])]), 1), many, names,
                huge, reply("s01", "", []), deep, reply("s01", "", [("s01.docx", forms["s01"])])):
        box.add(msg.as_bytes())
    box.add(nested_multiparts(3000))
    box.close()
    (tmp_path / "kapot.msg").write_bytes(b"Dit is geen Outlook-bericht maar platte tekst.\n" * 50)
    (tmp_path / "leeg.msg").write_bytes(b"")
    db = tmp_path / "store.sqlite"
    result = CliRunner().invoke(main, ["ingest", str(tmp_path / "kapot.msg"),
                                       str(tmp_path / "leeg.msg"), str(tmp_path / "post.mbox"),
                                       "--db", str(db)])
    out = result.output
    assert result.exit_code == 1, out  # rejections, and the run went to the end
    *lines, summary = [ln for ln in out.splitlines() if not ln.startswith("  ")]
    assert summary.startswith("10 file(s): 3 accepted, 2 no_form, 5 rejected.")  # (#18)
    assert len(lines) == 10, out
    assert lines[0].startswith("rejected") and "kapot.msg: het is geen leesbaar Outlook-bericht" \
        in lines[0]
    assert lines[1].startswith("rejected") and "leeg.msg: " in lines[1]
    assert lines[2].startswith("accepted") and "post.mbox #1: s02.docx" in lines[2]
    assert "bijlagen uit een doorgestuurd bericht gelezen" in out
    assert lines[3].startswith("rejected") and "#2: het bericht heeft 1000 bijlagen" in lines[3]
    assert lines[4].startswith("accepted") and "#3: Vragenlijst Één.docx" in lines[4]
    assert lines[5].startswith("rejected") and "#4: het bericht is 51 MB, groter dan 40 MB" \
        in lines[5]
    assert lines[6].startswith("no_form") and "#5: geen formulier als bijlage" in lines[6]
    assert lines[7].startswith("no_form") and "#6: " in lines[7]
    assert "dieper dan 3 niveaus" in out
    assert lines[8].startswith("accepted") and "#7: s01.docx" in lines[8]
    assert lines[9].startswith("rejected") and "#8: het bericht is dieper genest" in lines[9]
    with Store(db) as store:
        stored = sorted((s.recipient, s.file_name) for s in store.submissions())
    assert stored == [("s01", "s01.docx"), ("s02", "s02.docx"), ("s03", "Vragenlijst Één.docx")]
    assert not list(tmp_path.parent.glob("**/etc/Vragenlijst*"))

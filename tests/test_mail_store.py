"""The store's mail tables on SQLite and on a real PostgreSQL alike: the mail log, the mail
a submission came in linked to the message it answers, and the IMAP messages already read."""

from __future__ import annotations

from templategen.store.database import MailSource, NewSubmission, Store
from templategen.store.response import response, response_rate

AT = "2026-11-30T08:00:00+00:00"


def submission(sha: str, recipient: str, mail: MailSource) -> NewSubmission:
    return NewSubmission(file_name=f"{sha}.docx", sha256=sha, received=AT, instrument="alles",
                         version="1", status="accepted", kind="form", recipient=recipient,
                         instance=f"uuid:{recipient}", mail=mail)


def test_mail_log_links_and_imap_seen(store_db) -> None:
    with Store(store_db) as store:
        first = store.log_mail("r1", "r1@x.example", ["alles"], "invitation", "smtp", "sent",
                               "<a@bestuur.example>", AT)
        store.log_mail("r2", "r2@x.example", ["alles"], "invitation", "smtp", "failed",
                       "<b@bestuur.example>", AT, "550 mailbox unavailable")
        second = store.log_mail("r2", "r2@x.example", ["alles"], "invitation", "smtp", "sent",
                                "<c@bestuur.example>", AT)
        log = store.mail_log()
        assert [(e.recipient, e.status, e.instruments) for e in log] == [
            ("r1", "sent", ("alles",)), ("r2", "failed", ("alles",)), ("r2", "sent", ("alles",))]
        assert log[1].detail == "550 mailbox unavailable"
        by_reply = store.add(submission("1" * 64, "r1", MailSource(
            "post.mbox #1", "Anna <r1@x.example>", AT, "<z@x.example>", "<a@bestuur.example>")))
        by_copy = store.add(submission("2" * 64, "r2", MailSource("post.mbox #2")))
        source, replied = store.mail_source(by_reply) or (None, None)
        assert source == MailSource("post.mbox #1", "Anna <r1@x.example>", AT, "<z@x.example>",
                                    "<a@bestuur.example>")
        assert replied == first
        assert store.mail_source(by_copy) == (MailSource("post.mbox #2"), second)
        assert store.imap_seen("u@h:993/INBOX", 7) == set()
        store.mark_imap_seen("u@h:993/INBOX", 7, 3, AT)
        store.mark_imap_seen("u@h:993/INBOX", 7, 3, AT)  # twice: no error
        store.mark_imap_seen("u@h:993/INBOX", 8, 4, AT)
        assert store.imap_seen("u@h:993/INBOX", 7) == {3}
        rows = response(store)
    assert [(r.recipient, r.state) for r in rows] == [("r1", "empty"), ("r2", "empty")]
    assert response_rate(rows) == (0, 2)

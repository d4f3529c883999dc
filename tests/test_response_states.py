"""Respons's state of a returned copy from what its file holds, on SQLite and on a real
PostgreSQL alike: only the respondent block filled in is returned empty."""

from __future__ import annotations

from templategen.store.database import NewSubmission, Store
from templategen.store.response import response

AT = "2026-11-30T08:00:00+00:00"


def _returned(store: Store, recipient: str, answers: list[tuple[str, str]]) -> None:
    rows = tuple(v for n, (key, value) in enumerate(answers) for v in (key, value, None, 0, n, 0))
    store.log_mail(recipient, f"{recipient}@x.example", ["alles"], "invitation", "smtp", "sent",
                   f"<{recipient}@bestuur.example>", AT)
    store.add(NewSubmission(file_name=f"{recipient}.docx", sha256=recipient * 32, received=AT,
                            instrument="alles", version="1", status="accepted", kind="form",
                            recipient=recipient, instance=f"uuid:{recipient}", rows=rows))


def test_only_the_respondent_block_filled_in_is_returned_empty(store_db) -> None:
    with Store(store_db) as store:
        _returned(store, "r1", [("respondent.naam", '"Anna"'), ("visie", '""'),
                                ("leerlingen", "0"), ("digitaal", "false")])
        _returned(store, "r2", [("respondent.naam", '"Bram"'), ("visie", '"Goed."')])
        _returned(store, "r3", [("respondenten", "12")])  # (not the block: no dot)
        states = {row.recipient: row.state for row in response(store)}
    assert states == {"r1": "empty", "r2": "returned", "r3": "returned"}

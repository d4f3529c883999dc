"""Stored submissions without files, for the comparison tests: answers checked as ingest
checks them, one made-up file per respondent, subjects in turn."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from templategen.returned.answers import check
from templategen.store.database import Answer, NewSubmission

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "content"
SUBJECTS = ("Bureau Noord", "Bureau Oost", "Bureau Zuid")


def submission(inst: Any, n: int, raw: dict[str, Any], **extra: Any) -> NewSubmission:
    """Respondent ``n``'s submission of ``raw`` answers (``extra``: other fields)."""
    slots = {s.key: s for s in inst.slots()}
    answers = {k: Answer(check(slots[k], v).value, None if v is None else str(v))
               for k, v in raw.items()}
    fields: dict[str, Any] = dict(
        file_name=f"antwoord_{n}.xlsx", sha256=hashlib.sha256(f"{n}{extra}".encode()).hexdigest(),
        received=f"2025-03-0{1 + n % 9}T10:00:00", instrument=inst.id, version=inst.version,
        status="accepted", kind="workbook", respondent=f"Beoordelaar {n}",
        subject=SUBJECTS[n % 3], answers=answers)
    fields.update(extra)
    return NewSubmission(**fields)

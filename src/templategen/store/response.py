"""Who was sent what, and who returned it: the response per recipient and instrument.

Read from the store only: the mail log (invitations and reminders) and the submissions. A
pair (recipient, instrument) is expected when an invitation was sent or drafted for it, or
a file came back for it. Its state is one of STATES; the response rate counts the pairs
returned (or corrected) among those expected. Recipients from the recipients file that were
never mailed (no address) are listed as ``not_sent``. Unverified files (a copy the tool did
not issue) do not count as returned.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from templategen.content.model import RESPONDENT
from templategen.content.recipients import Recipient
from templategen.store.database import EMPTY, UNVERIFIED, Store, Submission

# state -> Dutch label (the Respons sheet); the English state is what the CLI prints
STATES = {
    "returned": "teruggestuurd",
    "corrected": "gecorrigeerd (nieuwere versie teruggestuurd)",
    "empty": "leeg teruggestuurd",
    "missing": "ontbreekt",
    "not_sent": "niet verstuurd (geen e-mailadres)",
}
RESPONDED = ("returned", "corrected")


@dataclass(frozen=True)
class ResponseRow:
    recipient: str
    naam: str
    instrument: str
    state: str
    sent: str = ""  # when the first invitation went out (or was drafted)
    reminded: str = ""  # the last reminder
    returned: str = ""  # when the current file arrived
    files: str = ""  # the current file(s)
    superseded: int = 0  # older files of the same copy replaced by a newer one


def response(store: Store, recipients: Iterable[Recipient] = ()) -> list[ResponseRow]:
    """One row per expected (recipient, instrument), sorted by recipient then instrument."""
    names = {r.id: r.naam for r in recipients}
    order = list(names)
    sent: dict[tuple[str, str], str] = {}
    reminded: dict[tuple[str, str], str] = {}
    for entry in store.mail_log():
        if entry.status not in ("sent", "drafted"):
            continue
        target = sent if entry.purpose == "invitation" else reminded
        for inst in entry.instruments:
            key = (entry.recipient, inst)
            if entry.purpose == "invitation":
                target.setdefault(key, entry.at)
            else:
                target[key] = entry.at
    files: dict[tuple[str, str], list[Submission]] = defaultdict(list)
    for sub in store.submissions(current_only=False):
        if sub.recipient and sub.status != UNVERIFIED:  # a copy the tool did not issue
            files[(sub.recipient, sub.instrument)].append(sub)
            names.setdefault(sub.recipient, sub.respondent)
    rows = []
    for key in set(sent) | set(files):
        rid, inst = key
        current = [s for s in files.get(key, []) if s.superseded_by is None]
        older = len(files.get(key, [])) - len(current)
        state = "missing"
        if current:
            answered = any(_answered(store, s) for s in current)
            state = ("corrected" if older else "returned") if answered else "empty"
        rows.append(ResponseRow(
            recipient=rid, naam=names.get(rid, ""), instrument=inst, state=state,
            sent=sent.get(key, ""), reminded=reminded.get(key, ""),
            returned=max((s.received for s in current), default=""),
            files=", ".join(s.file_name for s in current), superseded=older))
    expected = {r.recipient for r in rows}
    rows += [ResponseRow(recipient=rid, naam=names[rid], instrument="", state="not_sent")
             for rid in order if rid not in expected]
    rank = {rid: n for n, rid in enumerate(order)}
    return sorted(rows, key=lambda r: (rank.get(r.recipient, len(rank)), r.recipient,
                                       r.instrument))


def response_rate(rows: list[ResponseRow]) -> tuple[int, int]:
    """(pairs returned or corrected, pairs expected)."""
    expected = [r for r in rows if r.state != "not_sent"]
    return sum(r.state in RESPONDED for r in expected), len(expected)


def _answered(store: Store, sub: Submission) -> bool:
    """Anything typed or ticked beyond the respondent block (an unticked box is not)."""
    if sub.status == EMPTY:
        return False
    return any(a.value not in (None, False, "") and not key.startswith(f"{RESPONDENT}.")
               for key, a in store.answers(sub.id).items())

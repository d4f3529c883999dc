"""Who was sent what, and who returned it: the response per recipient and instrument.

Read from the store only: the mail log (invitations and reminders) and the submissions. A
pair (recipient, instrument) is expected when an invitation was sent or drafted for it, or
a file came back for it; with the recipients file, every recipient on it is expected for
every instrument of the round (those mailed or returned), so the rate is over the whole list
(2 of 12), never only over those who answered. Its state is one of STATES; the response
rate counts the pairs returned (or corrected) among those expected. A listed recipient never
mailed an instrument (no address) is ``not_sent`` for it, and counts as expected. Unverified
files (a copy the tool did not issue) do not count as returned.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from templategen.content.model import RESPONDENT
from templategen.content.recipients import Recipient
from templategen.store.database import EMPTY, UNVERIFIED, Store
from templategen.store.migrations import answers_of

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
    return list(iter_response(store, recipients))


def iter_response(store: Store, recipients: Iterable[Recipient] = ()) -> Iterator[ResponseRow]:
    """:func:`response` row by row: without ``recipients`` streamed from one query over the
    submissions (memory does not grow with them); with them sorted as the file lists them."""
    names = {r.id: r.naam for r in recipients}
    sent, reminded = _mail(store)
    rows = _pairs(store, names, sent, reminded)
    if not names:
        yield from rows
        return
    order = list(names)
    listed = sorted(rows, key=lambda r: r.recipient)  # every pair: the file's order below
    pairs = {(r.recipient, r.instrument) for r in listed}
    instruments = sorted({inst for _, inst in pairs}) or [""]  # nothing yet: one row each
    listed += [ResponseRow(recipient=rid, naam=names[rid], instrument=inst, state="not_sent")
               for rid in order for inst in instruments if (rid, inst) not in pairs]
    rank = {rid: n for n, rid in enumerate(order)}
    yield from sorted(listed, key=lambda r: (rank.get(r.recipient, len(rank)), r.recipient,
                                             r.instrument))


def _mail(store: Store) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], str]]:
    """When each (recipient, instrument) was first invited and last reminded."""
    sent: dict[tuple[str, str], str] = {}
    reminded: dict[tuple[str, str], str] = {}
    for entry in store.mail_log():
        if entry.status not in ("sent", "drafted"):
            continue
        for inst in entry.instruments:
            key = (entry.recipient, inst)
            if entry.purpose == "invitation":
                sent.setdefault(key, entry.at)
            else:
                reminded[key] = entry.at
    return sent, reminded


# whether a current file has anything typed or ticked beyond the respondent block (an
# unticked box, a 0 or an empty text is not): one EXISTS per submission, in the same query
_FILES = (
    "SELECT s.recipient, s.instrument, s.id, s.respondent, s.file_name, s.received, "
    "s.superseded_by, CASE WHEN s.superseded_by IS NULL AND s.status <> ? THEN "
    "(SELECT COUNT(*) FROM ({answered} LIMIT 1) t) ELSE 0 END "
    "FROM submissions s WHERE s.recipient IS NOT NULL AND s.recipient <> '' "
    "AND s.status <> ? ORDER BY s.recipient{c}, s.instrument{c}, s.id")
_PREFIX = f"{RESPONDENT}."  # the respondent block's keys (a name of the code's: no quote)
_ANSWERED = (f"substr(a.key, 1, {len(_PREFIX)}) <> '{_PREFIX}' AND a.value NOT IN "
             "('null', 'false', '\"\"', '0', '0.0', '-0.0')")


def _files(store: Store) -> Iterator[tuple[str, list[tuple[Any, ...]]]]:
    """(recipient, its files), recipients in code point order (as Python sorts them)."""
    collate = ' COLLATE "C"' if store.dialect == "postgresql" else ""
    # (a file's answers as the merge reads them: on PostgreSQL from the index alone)
    answered = answers_of(store.dialect, "s.id", "1", _ANSWERED)
    rows = store.stream(_FILES.format(c=collate, answered=answered), (EMPTY, UNVERIFIED))
    for rid, group in groupby(rows, key=lambda r: r[0]):
        yield rid, list(group)


def _pairs(store: Store, names: dict[str, str], sent: dict[tuple[str, str], str],
           reminded: dict[tuple[str, str], str]) -> Iterator[ResponseRow]:
    """The rows of every expected pair, sorted by recipient then instrument."""
    invited: dict[str, set[str]] = defaultdict(set)
    for rid, inst in sent:
        invited[rid].add(inst)
    files = _files(store)
    only_mailed = iter(sorted(invited))
    next_file = next(files, None)
    next_mailed = next(only_mailed, None)
    while next_file is not None or next_mailed is not None:
        if next_file is not None and (next_mailed is None or next_file[0] <= next_mailed):
            rid, subs = next_file
            next_file = next(files, None)
            if next_mailed == rid:
                next_mailed = next(only_mailed, None)
        else:
            assert next_mailed is not None
            rid, subs = next_mailed, []
            next_mailed = next(only_mailed, None)
        naam = names[rid] if rid in names else (min(subs, key=lambda s: s[2])[3] if subs
                                                else "")
        # (.get: indexing the defaultdict would keep an empty set for every recipient)
        by_instrument: dict[str, list[tuple[Any, ...]]] = {
            inst: [] for inst in invited.get(rid, ())}
        for sub in subs:
            by_instrument.setdefault(sub[1], []).append(sub)
        for inst in sorted(by_instrument):
            yield _row(rid, naam, inst, by_instrument[inst], sent, reminded)


def _row(rid: str, naam: str, inst: str, subs: list[tuple[Any, ...]],
         sent: dict[tuple[str, str], str], reminded: dict[tuple[str, str], str]) -> ResponseRow:
    current = [s for s in subs if s[6] is None]
    older = len(subs) - len(current)
    state = "missing"
    if current:
        answered = any(s[7] for s in current)
        state = ("corrected" if older else "returned") if answered else "empty"
    key = (rid, inst)
    return ResponseRow(
        recipient=rid, naam=naam, instrument=inst, state=state, sent=sent.get(key, ""),
        reminded=reminded.get(key, ""), returned=max((s[5] for s in current), default=""),
        files=", ".join(s[4] for s in current), superseded=older)


def response_rate(rows: list[ResponseRow]) -> tuple[int, int]:
    """(pairs returned or corrected, pairs expected: every row)."""
    return sum(r.state in RESPONDED for r in rows), len(rows)

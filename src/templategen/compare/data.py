"""What the comparison workbook compares: one column per respondent copy, grouped by subject.

A *column* is one respondent's answers to one instrument. When a recipient returned both
the Word form and the Excel workbook of an instrument (same instrument and recipient; the
two files carry different instance ids), the two are merged into one column, key by key,
and never silently:

* a value that only repeats what the tool pre-filled (the respondent block from the
  recipients file, marked ``prefilled`` at ingest) is no answer: a typed value in the other
  file wins without a word, and it is used only where neither file has a typed one;
* where the files say different things, ``conflicts`` keeps what each file says (value, file,
  form or workbook), which the Items sheet marks and the sheet 'Verschillen' lists; the
  scores use the workbook's value where it has a valid one (it is where scores are entered),
  else the form's;
* a key only one file answers takes that file's value.

Both files stay listed on the provenance sheet. Files without a recipient are never merged:
every such file is its own column.

A value that does not fit its question (a number out of range, text where a tick or a
scale point belongs: what ingest warned about; content.answerchecks decides both) goes to
``invalid``, not ``values``: it is shown, marked, and never counts in a score.

The subject of a column is the submission's subject (the respondent block's onderwerp or
the recipient's), else the organisation the respondent filled in, else the respondent.

By default only submissions of each instrument's current version are compared;
``all_versions`` adds older versions, whose answers are read by key (keys the current
version no longer has are kept aside as ``extra``).

The workbook never holds every column: :func:`roster` merges each copy once and keeps only
what orders the columns and what the sheets' heads must know (subject, older versions'
keys, whether anything is invalid or disputed); :func:`stream_columns` then merges the
copies again, one at a time, in column order. :func:`gather` holds them all (for tests and
small tools).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from templategen.content.answerchecks import invalid, reason
from templategen.content.model import Instrument, Slot
from templategen.store.database import Store, Submission, subject_name

NO_SUBJECT = "(geen onderwerp)"
ORGANISATION = "respondent.organisatie"


@dataclass(frozen=True)
class Said:
    """What one file of a copy holds for one key."""

    value: Any
    file_name: str
    kind: str  # form | workbook


@dataclass
class Column:
    """One respondent's (merged) answers to one instrument."""

    respondent: str
    subject: str
    submissions: list[Submission]
    values: dict[str, Any] = field(default_factory=dict)  # slot key -> typed value (not None)
    extra: dict[str, Any] = field(default_factory=dict)  # keys not in the current version
    # values that do not fit their question (flagged at ingest): shown marked, never scored
    invalid: dict[str, tuple[Any, str]] = field(default_factory=dict)  # key -> (value, why)
    # where the files of one copy disagree: key -> what each file says, form first
    conflicts: dict[str, list[Said]] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return ", ".join(sorted({s.version for s in self.submissions}))

    @property
    def header(self) -> str:
        return self.respondent


@dataclass
class Comparison:
    """Everything the workbook shows, read once from the store."""

    columns: dict[str, list[Column]]  # instrument id -> columns sorted by subject, respondent
    history: list[Submission]  # every stored submission, superseded ones too
    rejections: list[tuple[str, str, str]]
    included: set[int]  # ids of submissions that are compared


def _copy_key(sub: Submission) -> tuple[str, ...]:
    if sub.recipient:
        return (sub.instrument, sub.recipient)
    return (sub.instrument, f"#{sub.id}")


@dataclass
class Entry:
    """One respondent (copy) without its answers: where its column goes, what it holds."""

    respondent: str
    subject: str
    submissions: list[Submission]
    extra: frozenset[str] = frozenset()
    invalid: bool = False
    conflicts: int = 0  # the most files that disagree on one key (0: none)

    def order(self) -> tuple[str, str, str, int]:
        return (self.subject.casefold(), self.subject, self.respondent.casefold(),
                self.submissions[0].id)


@dataclass
class Roster:
    """The respondents of one instrument in column order, and what the sheets must know of
    all of them before the first row is written."""

    entries: list[Entry] = field(default_factory=list)

    @property
    def extra(self) -> list[str]:
        """Keys not in the current version (older versions' columns), sorted."""
        return sorted({k for e in self.entries for k in e.extra})

    @property
    def invalid(self) -> bool:
        return any(e.invalid for e in self.entries)

    @property
    def most_conflicts(self) -> int:
        return max((e.conflicts for e in self.entries), default=0)


def roster(store: Store, instruments: list[Instrument],
           all_versions: bool) -> dict[str, Roster]:
    """Every compared respondent per instrument, sorted, without keeping their answers:
    each copy is merged once (to learn its subject and what it holds) and let go;
    :func:`stream_columns` merges them again, one at a time, when the sheets are written."""
    wanted = {inst.id: inst for inst in instruments}
    copies: dict[tuple[str, ...], list[Submission]] = {}
    for sub in store.submissions(current_only=True):
        inst = wanted.get(sub.instrument)
        if inst is None or (sub.version != inst.version and not all_versions):
            continue
        copies.setdefault(_copy_key(sub), []).append(sub)
    out: dict[str, Roster] = {inst.id: Roster() for inst in instruments}
    slots = {inst.id: slots_of(inst) for inst in instruments}
    for subs in copies.values():
        inst = wanted[subs[0].instrument]
        # the workbook last, so its answers overwrite the form's
        subs.sort(key=lambda s: (s.kind == "workbook", s.id))
        column = _column(slots[inst.id], subs, store)
        out[inst.id].entries.append(Entry(
            column.respondent, column.subject, subs, frozenset(column.extra),
            bool(column.invalid), max((len(s) for s in column.conflicts.values()), default=0)))
    for listed in out.values():
        # one subject's columns are neighbours (its ranges stay one range each)
        listed.entries.sort(key=Entry.order)
    return out


def stream_columns(store: Store, inst: Instrument, listed: Roster) -> Iterator[Column]:
    """The respondents' columns in roster order, merged from the store one at a time."""
    slots = slots_of(inst)
    for entry in listed.entries:
        yield _column(slots, entry.submissions, store)


def gather(store: Store, instruments: list[Instrument], all_versions: bool) -> Comparison:
    """Read the current submissions of the chosen instruments into columns (all held)."""
    rosters = roster(store, instruments, all_versions)
    cols = {inst.id: list(stream_columns(store, inst, rosters[inst.id])) for inst in instruments}
    included = {s.id for listed in rosters.values() for e in listed.entries
                for s in e.submissions}
    return Comparison(columns=cols, history=store.submissions(current_only=False),
                      rejections=store.rejections(), included=included)


def slots_of(inst: Instrument) -> dict[str, Slot]:
    """The instrument's answer slots by key (what :func:`merge` takes)."""
    return {slot.key: slot for slot in inst.slots()}


def _column(slots: dict[str, Slot], subs: list[Submission], store: Store) -> Column:
    first = subs[-1]
    column = Column(respondent=first.respondent or first.file_name, subject="",
                    submissions=subs)
    merge(column, slots, ((sub.file_name, sub.kind,
                           [(k, a.value, a.prefilled) for k, a in store.answers(sub.id).items()])
                          for sub in subs))
    column.subject = subject_of(column.values, first.subject, first.respondent)
    return column


# one file of a copy: its name, kind (form | workbook) and its answers (key, value, prefilled)
FileAnswers = tuple[str, str, Iterable[tuple[str, Any, bool]]]


def merge(column: Column, slots: dict[str, Slot], files: Iterable[FileAnswers]) -> None:
    """Merge the answers of one copy's files (in order: the winning file last) into
    ``column``: its values, extra keys, invalid values and conflicts (the module's rules).
    The full workbook merges here (via gather); the summary of a large round applies the same
    rules in SQL (store.merged), and tests/test_answerchecks.py holds the two to agree."""
    said: dict[str, list[Said]] = {}
    prefilled: dict[str, Any] = {}
    for file_name, kind, answers in files:
        for key, value, is_prefilled in answers:
            if value is None or value == "":
                continue
            if key not in slots:
                column.extra[key] = value
            elif is_prefilled:
                prefilled.setdefault(key, value)
            elif key in said:
                said[key].append(Said(value, file_name, kind))
            else:
                said[key] = [Said(value, file_name, kind)]
    for key, found in said.items():
        slot = slots[key]
        if len(found) > 1 and len({_same(f.value) for f in found}) > 1:
            column.conflicts[key] = found
        for f in reversed(found):  # the last valid value
            if invalid(slot.field, f.value) is None:
                column.values[key] = f.value
                break
        else:
            wrong = invalid(slot.field, found[-1].value)
            assert wrong is not None
            column.invalid[key] = (found[-1].value, reason(wrong))
    for key, value in prefilled.items():
        if key not in said and invalid(slots[key].field, value) is None:
            column.values[key] = value


def subject_of(values: dict[str, Any], subject: str, respondent: str) -> str:
    """The subject of a column: the winning file's subject, else the organisation the
    respondent filled in, else the respondent, else NO_SUBJECT."""
    organisation = values.get(ORGANISATION)
    return next((name for s in (subject, organisation, respondent) if (name := subject_name(s))),
                NO_SUBJECT)


def _same(value: Any) -> tuple[str, Any]:
    """What two files must share to say the same thing (spacing in text aside)."""
    if isinstance(value, str):
        return ("text", " ".join(value.split()))
    if isinstance(value, bool):
        return ("tick", value)
    if isinstance(value, int | float):
        return ("number", float(value))
    return ("other", repr(value))

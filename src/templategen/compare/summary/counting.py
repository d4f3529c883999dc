"""What the database gives the summary of each instrument: its answers merged and counted.

:func:`figures_of` has the database merge one instrument's compared copies and add them up
(store.merged) and receives the aggregates: how many respondents gave each value per
question (overall and per subject), each score per subject (``scores``), each table rule's
figure (``matrices``) and per open question how many answered it.

:func:`counted` gives them for each instrument in turn. On PostgreSQL, when some
instrument's kept merge is not current (the first compare after a large ingest, new
content), it counts :data:`CONNECTIONS` instruments at once, each on a connection of its
own, the largest first, while the workbook's sheets are written in their order: such a
compare is the server merging and counting every answer, an instrument at a time, and one
connection keeps one of the server's cores busy. Each connection holds the same
compared files as the command's own (store.aggregates.share), so every instrument is
counted over the same files whichever connection counts it (sent to all of them at once,
each indexing them on its own thread). SQLite has one writer at a time (the merge and the
counts are kept in the store): it counts on the command's own connection, in order.
"""

from __future__ import annotations

import functools
import queue
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from templategen.compare.data import slots_of
from templategen.compare.labels import shown
from templategen.compare.open_answers import open_slots
from templategen.compare.summary.matrices import MatrixSums
from templategen.compare.summary.scores import Stats, SubjectScores, rule_keys
from templategen.content.model import FieldKind, Instrument, Slot
from templategen.store import aggregates, merged, tallies
from templategen.store.database import Store

__all__ = ["COUNTED", "CONNECTIONS", "Figures", "Tally", "Values", "counted", "figures_of"]

COUNTED = frozenset({FieldKind.CHECK, FieldKind.SCALE, FieldKind.NUMBER, FieldKind.CHOICE})
NUMBERS = (bool, int, float)  # the merged values that are numbers (a tick 1 or 0)
# instruments counted at once on PostgreSQL: one more than PostgreSQL's own default of
# parallel workers per query (2), so that the smaller instruments are counted beside the two
# largest, the server's cores shared between them, instead of one after them on a core
# while the other is idle (at 1,000,000 submissions on 2 cores the last instrument was
# counted alone for 28 s; with 3 the compare took 328 s instead of 346 s)
CONNECTIONS = 3


@dataclass
class Tally:
    """The answers to one item (of one subject): value -> number of respondents."""

    counts: dict[Any, int] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return sum(self.counts.values())

    def numbers(self) -> Stats:
        """The numeric answers (a tick 1 or 0) and how many gave each."""
        numbers: dict[float, int] = {}  # (Stats.add inlined: 40,000 values at 2,000 files)
        for v, c in self.counts.items():
            if isinstance(v, NUMBERS):
                number = float(v)
                numbers[number] = numbers.get(number, 0) + c
        return Stats(numbers)

    def stats(self, values: Values) -> list[Any]:
        """n, mean, min, max, spread, standard deviation (sample), distribution; ``values``
        knows each value's number and text (5,000 tallies at 2,000 files, 130 values)."""
        n = 0
        numbers: dict[float, int] = {}
        shown_as: list[tuple[int, str]] = []  # (-count, text): the most given first
        for v, c in self.counts.items():
            number, text = values[v.__class__, v]
            n += c
            if number is not None:
                numbers[number] = numbers.get(number, 0) + c
            shown_as.append((-c, text))
        shown_as.sort()
        return [n, *Stats(numbers).figures()[1:],
                " · ".join(f"{text}: {-c}" for c, text in shown_as)]


class Values(dict[tuple[type, Any], tuple[float | None, str]]):
    """(type, value) -> the value as a number (a tick 1 or 0; None for text) and as the
    sheet shows it, each worked out the first time it is asked for (the type in the key:
    True, 1 and 1.0 are one key to a dict, and shown differently)."""

    def __missing__(self, key: tuple[type, Any]) -> tuple[float | None, str]:
        value = key[1]
        got = self[key] = (float(value) if isinstance(value, NUMBERS) else None, shown(value))
        return got


@dataclass
class Figures:
    """One instrument's aggregates, as the database counted them."""

    slots: dict[str, Slot]
    counted: dict[str, Slot]  # the slots whose answers are counted per value
    scores: SubjectScores
    matrices: MatrixSums
    overall: dict[str, Tally]  # per counted key
    per_subject: dict[tuple[str, str], Tally]  # per counted key and subject
    open: dict[str, int]  # per open question's key: how many answered it


def _merged(inst: Instrument) -> tuple[dict[str, Slot], dict[str, Slot], list[Slot], set[str]]:
    """``inst``'s slots, the counted ones, the ones merged (what a count or a rule reads,
    and the open questions) and of those the open questions whose texts are only counted."""
    slots = slots_of(inst)
    counted = {k: s for k, s in slots.items() if s.field.kind in COUNTED}
    read = set(counted) | rule_keys(inst)
    only_texts = [s for s in open_slots(inst) if s.key not in read]
    return slots, counted, [s for k, s in slots.items() if k in read] + only_texts, {
        s.key for s in only_texts}


def _current(store: Store, inst: Instrument) -> bool:
    """Whether the kept merge of ``inst`` is current (store.merged.is_current)."""
    _, counted, slots, _ = _merged(inst)
    return merged.is_current(store, inst.id, slots, set(counted))


def figures_of(store: Store, inst: Instrument, respondents: int) -> Figures:
    """Merge ``inst``'s answers in the database (store.merged) and receive its aggregates
    (``respondents``: how many it compares)."""
    slots, counted, merged_slots, texts = _merged(inst)
    opened = open_slots(inst)
    merged.merge(store, inst.id, merged_slots, set(counted), texts=texts)
    tallies.read_current(store, inst.id)  # the counts kept current: read at once
    scores, matrices = SubjectScores(inst), MatrixSums(inst)
    # every figure set first: the database computes them with the answers' counts, in one
    # pass over the merged answers
    scores.figures(store)
    matrices.figures(store)
    overall: dict[str, Tally] = {}
    per_subject: dict[tuple[str, str], Tally] = {}
    for key, subject, value, count in merged.value_counts(store, inst.id):
        # (added up in place, no call per row: 35,000 rows at 2,000 files)
        if (tally := overall.get(key)) is None:
            tally = overall[key] = Tally()
        tally.counts[value] = tally.counts.get(value, 0) + count
        if (tally := per_subject.get((key, subject))) is None:
            tally = per_subject[key, subject] = Tally()
        tally.counts[value] = tally.counts.get(value, 0) + count
    scores.count(store)
    matrices.count(store, {k: t.numbers() for k, t in overall.items()}, respondents)
    return Figures(slots, counted, scores, matrices, overall, per_subject,
                   merged.open_counts(store, inst.id, [s.key for s in opened]))


@contextmanager
def counted(store: Store, wanted: list[Instrument],
            respondents: dict[str, int]) -> Iterator[Iterator[Figures]]:
    """:func:`figures_of` each of ``wanted`` (``respondents``: how many each compares), given
    in that order by the iterator this yields; on PostgreSQL counted on :data:`CONNECTIONS`
    connections at once from the start of the block (module docstring), so that the
    command's own connection is free for other work meanwhile. Leaving the block before
    every instrument is given (an error while writing, Ctrl-C) cancels what the other
    connections are counting."""
    if store.dialect != "postgresql" or len(wanted) < 2 or all(map(
            functools.partial(_current, store), wanted)):
        # (a compare that finds every kept merge current reads kept counts: no other
        # connection would pay for itself)
        yield (figures_of(store, inst, respondents[inst.id]) for inst in wanted)
        return
    with ExitStack() as stack:
        idle: queue.SimpleQueue[Store] = queue.SimpleQueue()
        connections = [stack.enter_context(Store(store.location))
                       for _ in range(min(CONNECTIONS, len(wanted)))]
        aggregates.share(store, connections)
        for other in connections:
            idle.put(other)
        indexed: set[int] = set()  # the connections whose shared files are indexed

        def count(inst: Instrument) -> Figures:
            own = idle.get()
            try:
                if id(own) not in indexed:  # (each on its own thread: at once)
                    aggregates.shared(own)
                    indexed.add(id(own))
                return figures_of(own, inst, respondents[inst.id])
            finally:
                idle.put(own)

        pool = ThreadPoolExecutor(len(connections), thread_name_prefix="tg-count")
        # the largest first (its answers: respondents times slots), so that the last to
        # finish is a small one
        order = sorted(wanted, key=lambda i: -respondents[i.id] * len(slots_of(i)))
        futures: dict[str, Future[Figures]] = {i.id: pool.submit(count, i) for i in order}
        try:
            yield (futures[inst.id].result() for inst in wanted)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
            # a statement still running stops at once (again until each has stopped: a
            # cancel that comes between two statements stops none)
            while wait(futures.values(), timeout=0.2).not_done:
                for other in connections:
                    with suppress(Exception):
                        other.connection.cancel()
            pool.shutdown(wait=True)

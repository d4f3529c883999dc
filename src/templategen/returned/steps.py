"""The steps of ingesting one source, shared by one reader and by ``ingest --jobs N``.

Ingesting one source (returned/ingest.py) is a generator. It does this process's work
itself -- asking the source for its next item, the size and duplicate checks, the
verification, the transaction -- and yields where it needs something from outside:

* :class:`Read`: a file to read. The driver sends back the reader's ReadFile, or throws in
  what the reader raised (a RejectedFile), at the ``yield``.
* :data:`TURN`: about to store. Resumed when it is this source's turn: with ``--jobs N``
  when every source before it is done (returned/parallel.py), so that the store's order
  of arrival (which file of one personalised copy is the newer) is the sources' order.
* anything else is an outcome: one item done. Resumed -- and the source asked for its next
  item -- only after the driver has handled it (IMAP marks a message read then, so an
  interrupted run reads it again).

:func:`drive` runs one source with one reader, reading each file as it is asked for;
returned/parallel.py runs several sources at a time with N readers in one loop.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from templategen.returned.worker import Reader

T = TypeVar("T")


@dataclass(frozen=True)
class Read:
    """A step: read the file ``name`` with the bytes ``data``."""

    name: str
    data: bytes


class Turn:
    """The step before storing (:data:`TURN`)."""

    def __repr__(self) -> str:
        return "TURN"


TURN = Turn()

Steps = Generator[Read | Turn | T, Any, None]  # a source's steps, its outcomes of type T


def drive(steps: Steps[T], reader: Reader) -> Iterator[T]:
    """The outcomes of ``steps``, each file read by ``reader`` when asked for, each store at
    once (one source at a time is always its own turn)."""
    reply: Any = None
    error: Exception | None = None
    while True:
        try:
            step = steps.send(reply) if error is None else steps.throw(error)
        except StopIteration:
            return
        reply = error = None
        if isinstance(step, Read):
            try:
                reply = reader.read(step.name, step.data)
            except Exception as exc:  # noqa: BLE001 (raised where the steps asked for it)
                error = exc
        elif not isinstance(step, Turn):
            yield step

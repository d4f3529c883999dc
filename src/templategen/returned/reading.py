"""What the format readers (returned.docx, returned.xlsx) give to ingest.

A reader gets an :class:`Archive` (a returned file opened by the safe-zip layer, which
bounds sizes and refuses DTDs) and the instrument the file claims to be, and returns an
:class:`Extraction`: the raw value of every slot it could find, by slot key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from lxml import etree

from templategen.content.model import Instrument
from templategen.errors import RejectedFile
from templategen.i18n import _

_T = TypeVar("_T")
_CACHE_SIZE = 32

# A raw answer as the file holds it, before checking against the item:
#   str      text as typed (or a dropdown label), never trimmed or evaluated
#   bool     a tick box (True ticked, False unticked)
#   float/int/datetime  a number or date cell of a workbook
#   None     the slot is there but empty ("not answered")
RawValue = str | bool | int | float | dt.datetime | dt.date | None


def utc_stamp(text: str) -> str:
    """An ISO date-time as a file's properties write it (``Z`` or an offset; none is UTC),
    as UTC ISO text to the second, or '' when it is not one."""
    try:
        stamp = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return ""
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp.astimezone(dt.UTC).isoformat(timespec="seconds")


def per_instrument(make: Callable[[Instrument], _T]) -> Callable[[Instrument], _T]:
    """``make`` worked out once per instrument (the last 32 are kept). Instruments are
    immutable but unhashable (they hold dicts): entries are keyed by id and hold the
    instrument, which keeps its id unique."""
    cache: dict[int, tuple[Instrument, _T]] = {}

    def cached(instrument: Instrument) -> _T:
        hit = cache.get(id(instrument))
        if hit is not None and hit[0] is instrument:
            return hit[1]
        value = make(instrument)
        if len(cache) >= _CACHE_SIZE:
            del cache[next(iter(cache))]
        cache[id(instrument)] = (instrument, value)
        return value

    return cached


_KEPT_PARTS = 16  # parts' bytes kept per kind of part (the versions of a round's copies)
_KEPT_PART_BYTES = 256 * 1024  # a larger part is worked out every time, never kept


def from_part(archive: Archive, part: str, make: Callable[[etree._Element], _T],
              kept: dict[bytes, _T]) -> _T:
    """``make`` of the parsed ``part``, kept in ``kept`` by the part's bytes (#23).

    The parts that describe a copy's build (a workbook's sheets and names, its styles, the
    package's content types) are the same bytes in every copy of an instrument version:
    their bytes are read, with every limit checked, for each file, but parsed and worked
    out once. Equal bytes parse alike, so the result is the same; ``make`` must not depend
    on anything else, and its result is shared: never change it."""
    data = archive.read(part)
    found = kept.get(data)
    if found is None:
        found = make(archive.parse(part, data))
        if len(data) <= _KEPT_PART_BYTES:
            if len(kept) >= _KEPT_PARTS:
                del kept[next(iter(kept))]
            kept[data] = found
    return found


def thousands(n: int) -> str:
    """A count as Dutch readers write it: 400.000."""
    return f"{n:,}".replace(",", ".")


def metadata_text(archive: Archive, part: str, path: str) -> str:
    """The stripped text of the element at ``path`` in the metadata ``part`` (when a file
    was saved, …), or '' when the part, the element or its text is missing or unreadable."""
    if not archive.has(part):
        return ""
    try:
        node = archive.xml(part).find(path)
    except RejectedFile:
        return ""
    return (node.text or "").strip() if node is not None else ""


class Archive(Protocol):
    """A returned Office file, opened safely. Names are zip entry names."""

    name: str  # the file's name, for messages

    def names(self) -> list[str]: ...

    def has(self, name: str) -> bool: ...

    def read(self, name: str) -> bytes: ...

    def xml(self, name: str) -> etree._Element: ...

    def parse(self, name: str, data: bytes) -> etree._Element: ...


@dataclass
class Extraction:
    """What a reader found in one returned file."""

    values: dict[str, RawValue] = field(default_factory=dict)  # slot key -> raw value
    # anchors found in the file whose key is not a slot of this instrument version
    # (an older version's items, or entries a respondent added); kept, never dropped
    unknown: dict[str, RawValue] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # Dutch-free, English sentences

    @classmethod
    def lacking(cls, archive: Archive, part: str, what: str) -> Extraction:
        """The extraction of a file without ``part``: no values, a warning that it is not
        ``what`` (such as "a form")."""
        return cls(warnings=[_("{name} has no {part}; it is not {what}.").format(
            name=archive.name, part=part, what=_(what))])

    def target(self, key: str, slots: Collection[str]) -> dict[str, RawValue] | None:
        """Where the answer ``key`` goes: ``values`` for a slot of this version, else
        ``unknown``; None, with a warning, when the key was read already (the first counts)."""
        found = self.values if key in slots else self.unknown
        if key in found:
            self.warnings.append(
                _("the answer '{key}' appears more than once (a copied field?); the "
                  "first counts.").format(key=key))
            return None
        return found

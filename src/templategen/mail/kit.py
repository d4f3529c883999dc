"""The kit: the folder of built copies, grouped by the recipient each copy was made for.

A copy is recognised by its custom document properties (instrument, recipient, kind), never
by its file name, so renamed or re-sorted copies are still found.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from templategen.content.model import (
    PROP_INSTANCE,
    PROP_INSTRUMENT,
    PROP_KEY,
    PROP_KIND,
    PROP_LANGUAGE,
    PROP_RECIPIENT,
)
from templategen.errors import MailError, RejectedFile
from templategen.i18n import _
from templategen.office.custom_props import CUSTOM_PART, read_custom
from templategen.returned.safezip import SafeArchive
from templategen.store.backend import is_url
from templategen.store.database import Store

KIT_SUFFIXES = frozenset({".docx", ".xlsx"})


@dataclass(frozen=True)
class KitCopy:
    path: Path
    instrument: str
    kind: str  # form | workbook
    recipient: str
    instance: str
    key: str = ""  # the fingerprint of the key that signed it (copies built before: '')
    language: str = ""  # the language it was built in (build --lang); '' when it names none


def load_kit(folder: Path) -> dict[str, list[KitCopy]]:
    """Recipient id -> that recipient's copies (sorted by instrument, then kind)."""
    if not folder.is_dir():
        raise MailError(_("{folder} is not a folder; pass --kit with the folder 'build "
                          "--recipients' wrote.").format(folder=folder))
    found: dict[str, list[KitCopy]] = defaultdict(list)
    for copy in _copies(folder):
        found[copy.recipient].append(copy)
    if not found:
        raise MailError(_("{folder} holds no personalised copies; build them with "
                          "'templategen build --recipients FILE --out {folder}'.").format(
            folder=folder))
    return {r: sorted(c, key=lambda c: (c.instrument, c.kind)) for r, c in found.items()}


def mailed_copies(folder: Path, db: Path | str, recipients: set[str],
                  instruments: set[str]) -> list[KitCopy]:
    """The copies in the kit ``folder`` of these recipients and instruments that the store
    ``db`` logged as drafted or sent: what rebuilding the kit would change under them."""
    if not folder.is_dir() or not (is_url(db) or Path(db).is_file()):
        return []
    with Store(db) as store:
        mailed = {(e.recipient, inst) for e in store.mail_log()
                  if e.status in ("drafted", "sent") for inst in e.instruments}
    if not mailed:
        return []
    return [c for c in _copies(folder) if c.recipient in recipients
            and c.instrument in instruments and (c.recipient, c.instrument) in mailed]


def _copies(folder: Path) -> Iterator[KitCopy]:
    """The personalised copies in ``folder`` and below, in name order."""
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() not in KIT_SUFFIXES or path.name.startswith(("~$", ".")):
            continue
        copy = read_copy(path)
        if copy is not None and copy.recipient:
            yield copy


def properties(path: Path) -> dict[str, str]:
    """The custom document properties of a file the tool wrote (a built copy, a report),
    read through the safe archive; empty when it has none or cannot be read."""
    try:
        archive = SafeArchive(path.name, path.read_bytes())
        if not archive.has(CUSTOM_PART):
            return {}
        return read_custom(archive.xml(CUSTOM_PART))
    except (RejectedFile, OSError):
        return {}


def read_copy(path: Path) -> KitCopy | None:
    """The identity of one built copy, or None when the file is not one of ours."""
    props = properties(path)
    if not props.get(PROP_INSTRUMENT):
        return None
    return KitCopy(path=path, instrument=props[PROP_INSTRUMENT], kind=props.get(PROP_KIND, ""),
                   recipient=props.get(PROP_RECIPIENT, ""),
                   instance=props.get(PROP_INSTANCE, ""), key=props.get(PROP_KEY, ""),
                   language=props.get(PROP_LANGUAGE, ""))

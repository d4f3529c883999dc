"""The instruments a store is compared with: the store keeps its own definitions.

Ingest keeps the YAML text of every instrument version it read files with, once per
(instrument, version) (``Store.definitions``; after ODK Central, which keeps every form
version's definition). From them :func:`comparison_catalog` rebuilds the model, so
``compare`` needs no content folder, for custom instruments and old versions alike:

* the current definition of an instrument is the stored version that no other stored
  version lists under ``previous_versions``; of several such, the one stored last;
* ``--content DIR`` still wins for the instruments it holds (the operator's choice);
  without it the stored definitions win over the bundled content, which only fills in
  instruments the store has no definition of (stores made before definitions were kept);
* compared are the instruments the store holds files of (or those named by ``--only``);
* :func:`uncomparable` names the submissions no definition covers: compare refuses to
  write a workbook that would silently leave them out.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from templategen.content.catalog import Catalog, load_catalog, parse_instrument
from templategen.content.model import Instrument
from templategen.errors import ContentError
from templategen.i18n import _, ngettext
from templategen.store.aggregates import CURRENT
from templategen.store.database import NOT_CURRENT, Definition, Store, Submission


def stored_instruments(store: Store) -> tuple[dict[str, Instrument], dict[str, str]]:
    """(the current stored definition of each instrument, why an instrument has none usable)."""
    versions: dict[str, list[tuple[Definition, Instrument]]] = defaultdict(list)
    broken: dict[str, str] = {}
    for definition in store.definitions():
        where = Path(f"{store.name}#{definition.instrument}@{definition.version}")
        try:
            inst = parse_instrument(definition.source, where)
        except ContentError as exc:
            broken[definition.instrument] = str(exc.problems[0]) if exc.problems else str(exc)
            continue
        versions[inst.id].append((definition, inst))
    current: dict[str, Instrument] = {}
    for inst_id, kept in versions.items():
        older = {v for _, inst in kept for v in inst.previous_versions}
        newest = [inst for d, inst in kept if d.version not in older] or [kept[-1][1]]
        current[inst_id] = newest[-1]
        broken.pop(inst_id, None)
    return current, broken


def with_stored(content: Catalog, store: Store) -> Catalog:
    """The content's instruments, and those only the store defines: what mail, remind and
    ingest work with (an instrument the store keeps needs no --content again)."""
    stored, _ = stored_instruments(store)
    extra = {i: inst for i, inst in stored.items() if i not in content.instruments}
    return Catalog({**content.instruments, **extra}, content.sources) if extra else content


def comparison_catalog(store: Store, content_dir: Path | None) -> Catalog:
    """The instruments to compare the store with (see the module docstring)."""
    stored, _ = stored_instruments(store)
    if content_dir is not None:
        content = load_catalog(content_dir).instruments
        return Catalog({**stored, **content})
    bundled = load_catalog(None).instruments
    return Catalog({**bundled, **stored})


def chosen(store: Store, catalog: Catalog, only: tuple[str, ...] | list[str] = ()
           ) -> list[Instrument]:
    """The instruments to compare: those named with --only, else every instrument the store
    holds files or a definition of (else, for an empty store, all of the catalog's)."""
    if only:
        return catalog.select(only)
    held = {d.instrument for d in store.definitions()}
    held |= {i for (i,) in store.rows("SELECT DISTINCT instrument FROM submissions")}
    return [i for i in catalog.instruments.values() if i.id in held] or catalog.select()


def uncomparable(store: Store, catalog: Catalog, only: tuple[str, ...] | list[str] = ()
                 ) -> list[Submission]:
    """Current submissions whose instrument neither the store nor the content defines (the
    instruments asked of the database: a large round's files are not read for this)."""
    unknown = {i for (i,) in store.rows(
        f"SELECT DISTINCT instrument FROM submissions WHERE {CURRENT}", NOT_CURRENT)
        if catalog.get(i) is None and (not only or i in only)}
    if not unknown:
        return []
    return [sub for sub in store.submissions(current_only=True) if sub.instrument in unknown]


def why_uncomparable(store: Store, subs: list[Submission]) -> str:
    """One sentence naming the files and what to do."""
    _known, broken = stored_instruments(store)
    by_instrument: dict[str, list[str]] = defaultdict(list)
    for sub in subs:
        by_instrument[sub.instrument].append(sub.file_name)
    parts = []
    for inst_id, files in by_instrument.items():
        shown = ", ".join(files[:5]) + (" " + _("and {n} more").format(n=len(files) - 5)
                                        if len(files) > 5 else "")
        reason = " " + _("(its stored definition no longer loads: {error})").format(
            error=broken[inst_id]) if inst_id in broken else ""
        parts.append(f"'{inst_id}'{reason}: {shown}")
    return ngettext(
        "{n} stored file cannot be compared: the store holds no definition of its instrument "
        "and the content has none either ({files}); pass --content with the folder holding "
        "those instruments, or --only for the others.",
        "{n} stored files cannot be compared: the store holds no definition of their "
        "instrument and the content has none either ({files}); pass --content with the folder "
        "holding those instruments, or --only for the others.", len(subs)).format(
        n=len(subs), files="; ".join(parts))

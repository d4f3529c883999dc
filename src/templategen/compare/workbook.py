"""The comparison workbook: everything in the store side by side, as live formulas.

Per instrument with submissions: an overview (compare.full.overview), the distribution of the
answers per question (compare.full.distribution), the item sheet that holds
every answer and that all formulas read (compare.full.items), the open answers collated per
question (compare.open_answers) and, when the content has matrices, the merged matrices
(compare.full.matrices). One provenance sheet lists every stored file (compare.provenance);
a "Respons" sheet says per recipient and instrument what was sent and returned
(compare.response). It is written row by row, one respondent at a time (compare.full); a
large round gets the summary instead (compare.summary).

The tool computes every rule itself too (scoring.evaluate per respondent); the summary it
returns names the best-scoring subject by that computation (highest or lowest, as the
rule's direction says), which the workbook's own
formulas reproduce.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from templategen import i18n
from templategen.compare.held import Held
from templategen.compare.summary.writer import DETAIL_LIMIT, compare_large, compared_files
from templategen.content.languages import missing_warning
from templategen.content.recipients import Recipient
from templategen.errors import StoreError
from templategen.i18n import _, ngettext
from templategen.store.backend import require_existing
from templategen.store.database import Store
from templategen.store.definitions import (
    chosen,
    comparison_catalog,
    uncomparable,
    why_uncomparable,
)

LAYOUTS = ("auto", "full", "summary")


@dataclass(frozen=True)
class Comparison:
    """A comparison workbook written: its layout, what it holds and the summary line."""

    out: Path
    layout: str  # full | summary
    held: Held
    older: int  # current files of older versions left out (full layout, without all_versions)
    summary: str


def _ignore(line: str) -> None:
    """Where a warning goes when nobody listens."""


def compare_store(db: Path | str, out: Path, only: tuple[str, ...] | list[str] = (),
                  all_versions: bool = False, content_dir: Path | None = None,
                  detail_limit: int = DETAIL_LIMIT, layout: str = "auto",
                  warn: Callable[[str], None] | None = None,
                  recipients: Sequence[Recipient] = ()) -> str:
    """Write the comparison workbook for the store ``db`` to ``out``; return a summary line
    (:func:`compare_workbook` says the same in figures)."""
    return compare_workbook(db, out, only, all_versions, content_dir, detail_limit, layout,
                            warn, recipients).summary


def compare_workbook(db: Path | str, out: Path, only: tuple[str, ...] | list[str] = (),
                     all_versions: bool = False, content_dir: Path | None = None,
                     detail_limit: int = DETAIL_LIMIT, layout: str = "auto",
                     warn: Callable[[str], None] | None = None,
                     recipients: Sequence[Recipient] = ()) -> Comparison:
    """Write the comparison workbook for the store ``db`` to ``out``.

    ``layout`` (one of LAYOUTS): ``auto`` writes the full workbook up to ``detail_limit``
    compared files and the summary of a large round (compare.summary) above it; ``full`` and
    ``summary`` write that one at any size (``warn`` is told when ``full`` is asked above
    the limit, before the long work starts). ``recipients`` (the recipients file) name the
    subjects of those still missing on the full workbook's first sheet."""
    if layout not in LAYOUTS:
        raise ValueError(f"layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")
    require_existing(db)
    with Store(db) as store:
        catalog = comparison_catalog(store, content_dir)
        instruments = chosen(store, catalog, only)
        language = i18n.chosen_document_language()
        if language:  # compare --lang, the round's: the instruments' texts in it
            for line in missing_warning(instruments, language):
                (warn or _ignore)(_("warning: {warning}").format(warning=line))
            instruments = [i.in_language(language, stored_choices=True) for i in instruments]
        missing = uncomparable(store, catalog, only)
        if missing:
            raise StoreError(why_uncomparable(store, missing))
        files = compared_files(store, instruments, all_versions)
        if layout == "summary" or (layout == "auto" and files > detail_limit):
            held = compare_large(store, instruments, out, all_versions, detail_limit)
            return Comparison(out, "summary", held, 0, _(
                "wrote {out}: {held}; a large round (more than {limit} files compared): "
                "figures per question, subject and rule, answers per respondent in "
                "'templategen export'").format(out=out, held=held, limit=detail_limit))
        if files > detail_limit and warn is not None:
            warn(_("warning: the full workbook of {files} compared files (more than {limit}) "
                   "can take a long time and makes a large file; --layout summary writes the "
                   "summary of a large round").format(files=files, limit=detail_limit))
        # current files of older versions (counted by SQL, not read)
        older = 0 if all_versions else compared_files(store, instruments, True) - files
        from templategen.compare.full.writer import write_full  # (the summary does without)

        held = write_full(store, instruments, all_versions, out, recipients=recipients)
    return Comparison(out, "full", held, older, _("wrote {out}: {held}").format(
        out=out, held=held) + ("; " + ngettext(
            "{n} file of older versions left out (--all-versions compares them)",
            "{n} files of older versions left out (--all-versions compares them)",
            older).format(n=older) if older else ""))

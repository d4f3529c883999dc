"""``templategen build``: render every (or the chosen) instrument with every renderer
(templategen.build, in api.py, calls it)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from templategen import i18n
from templategen.content.catalog import load_catalog
from templategen.content.languages import missing_warning
from templategen.content.model import Instrument
from templategen.content.placeholders import unfilled
from templategen.content.recipients import Recipient, RecipientTable, read_recipients
from templategen.content.signing import CopyKey, issuing_key
from templategen.errors import RecipientsError
from templategen.forms.render import render_forms
from templategen.i18n import N_, _
from templategen.office import libreoffice
from templategen.workbooks.render import house_style_warnings, render_workbooks


class Renderer(Protocol):
    """Writes one instrument's files: (instrument, recipients, out, templates, signing key),
    and with ``print_dir`` each file's print copy there (a name of its own per renderer)."""

    def __call__(self, instrument: Instrument, recipients: list[Recipient] | None,
                 out_dir: Path, templates_dir: Path | None,
                 signing_key: CopyKey | None = None,
                 print_dir: Path | None = None) -> list[Path]: ...


# Each renderer writes its files for one instrument: the Word form(s) and the workbook(s).
RENDERERS: tuple[Renderer, ...] = (render_forms, render_workbooks)

# What a renderer has to say about the templates folder (a style it lacks, ...), said once per
# build rather than once per instrument. A renderer that cannot use its template raises instead.
TEMPLATE_WARNINGS: dict[Renderer, Callable[[Path | None], list[str]]] = {
    render_workbooks: house_style_warnings,
}


# Print copies converted to PDF per LibreOffice start: one start is much faster than one per
# file, and a batch this size stays well within its time limit.
PDF_BATCH = 40
PDF_SECONDS_PER_FILE = 30

NO_LIBREOFFICE = N_(
    "build --pdf prints through LibreOffice, which is not installed (no soffice on PATH): "
    "install it (apt-get install libreoffice-writer-nogui libreoffice-calc-nogui) or build "
    "without --pdf."
)


@dataclass
class BuildResult:
    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def build_all(content_dir: Path | None, templates_dir: Path | None, out_dir: Path,
              recipients_path: Path | None, only: Iterable[str] = (),
              renderers: tuple[Renderer, ...] = RENDERERS,
              key_path: Path | None = None, pdf: bool = False,
              language: str | None = None, deadline: str = "") -> BuildResult:
    """Load content (and recipients), render each instrument with each renderer.

    Personalised copies are signed with the key at ``key_path`` (default: see
    content.signing.key_path), which is created when it does not exist yet. With ``pdf``
    every form and workbook is also printed to PDF beside it, from its print copy (dropdowns
    shown as their choices), by headless LibreOffice; without LibreOffice that is an error
    before anything is written. A ``deadline`` (the round's) stands for each instrument's own.

    With ``language`` (``build --lang``; default: the round's language, see
    i18n.chosen_document_language) every instrument is rendered in that language: its own
    texts in it (else its default language's, listed in one warning) and the fixed texts
    through the files' catalogue; each copy records the language (PROP_LANGUAGE)."""
    if pdf and libreoffice.soffice() is None:
        raise libreoffice.LibreOfficeError(_(NO_LIBREOFFICE))
    with i18n.documents_in(language):
        return _build(content_dir, templates_dir, out_dir, recipients_path, only, renderers,
                      key_path, pdf, i18n.chosen_document_language(), deadline)


def _build(content_dir: Path | None, templates_dir: Path | None, out_dir: Path,
           recipients_path: Path | None, only: Iterable[str],
           renderers: tuple[Renderer, ...], key_path: Path | None, pdf: bool,
           language: str | None, deadline: str = "") -> BuildResult:
    catalog = load_catalog(content_dir)
    instruments = catalog.select(only)
    result = BuildResult(warnings=list(catalog.warnings))
    if language:
        result.warnings.extend(missing_warning(instruments, language))
        instruments = [inst.in_language(language) for inst in instruments]
    if deadline:  # the round's date stands for each instrument's own
        instruments = [replace(i, mail=replace(i.mail, deadline=deadline)) for i in instruments]
    recipients = (_recipients(recipients_path, instruments, result.warnings)
                  if recipients_path else None)
    signing_key = issuing_key(key_path) if recipients else None
    for render in renderers:
        if render in TEMPLATE_WARNINGS:
            result.warnings.extend(TEMPLATE_WARNINGS[render](templates_dir))
    with tempfile.TemporaryDirectory(prefix="tg-print-") as staging:
        print_dir = Path(staging) if pdf else None
        for instrument in instruments:
            for render in renderers:
                result.files.extend(render(instrument, recipients, out_dir, templates_dir,
                                           signing_key, print_dir))
        if print_dir is not None:
            result.files.extend(print_pdfs(sorted(print_dir.iterdir()), out_dir))
    return result


def _recipients(path: Path, instruments: list[Instrument],
                warnings: list[str]) -> list[Recipient]:
    """The recipients, after checking that every placeholder the instruments print bare
    has a column (else a RecipientsError naming placeholder, instrument and file)."""
    table, missing = check_recipients(path, instruments)
    warnings.extend(table.warnings)
    if missing:
        raise RecipientsError(" ".join(missing))
    return list(table.recipients)


def check_recipients(path: Path,
                     instruments: Iterable[Instrument]) -> tuple[RecipientTable, list[str]]:
    """The recipients file as read, and one sentence per placeholder the instruments print
    bare that no column of it fills (an error at build)."""
    instruments = list(instruments)
    table = read_recipients(path, {n for inst in instruments for n in inst.placeholders})
    missing = [_("The placeholder {placeholder} of instrument '{id}' ({where}) is filled by "
                 "no column of {path}: add a column '{name}' to it, or give the placeholder "
                 "a fallback under 'placeholders:' in the instrument.").format(
                     placeholder=f"{{{{ {name} }}}}", id=inst.id, where=inst.path, path=path,
                     name=name)
               for inst in instruments for name in unfilled(inst, table.columns)]
    return table, missing


def print_pdfs(sources: list[Path], out_dir: Path) -> list[Path]:
    """Each print copy as ``<its stem>.pdf`` in out_dir, LibreOffice printing a batch at a
    time."""
    pdfs: list[Path] = []
    for start in range(0, len(sources), PDF_BATCH):
        batch = sources[start:start + PDF_BATCH]
        pdfs.extend(libreoffice.convert_many(batch, "pdf", out_dir,
                                             timeout=60 + PDF_SECONDS_PER_FILE * len(batch)))
    return pdfs

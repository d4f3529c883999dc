"""``templategen build``: render every (or the chosen) instrument with every renderer."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from templategen.content.catalog import load_catalog
from templategen.content.model import Instrument
from templategen.content.recipients import Recipient, load_recipients
from templategen.content.signing import CopyKey, issuing_key
from templategen.forms.render import render_forms
from templategen.workbooks.render import house_style_warnings, render_workbooks


class Renderer(Protocol):
    """Writes one instrument's files: (instrument, recipients, out, templates, signing key)."""

    def __call__(self, instrument: Instrument, recipients: list[Recipient] | None,
                 out_dir: Path, templates_dir: Path | None,
                 signing_key: CopyKey | None = None) -> list[Path]: ...


# Each renderer writes its files for one instrument: the Word form(s) and the workbook(s).
RENDERERS: tuple[Renderer, ...] = (render_forms, render_workbooks)

# What a renderer has to say about the templates folder (a style it lacks, ...), said once per
# build rather than once per instrument. A renderer that cannot use its template raises instead.
TEMPLATE_WARNINGS: dict[Renderer, Callable[[Path | None], list[str]]] = {
    render_workbooks: house_style_warnings,
}


@dataclass
class BuildResult:
    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def build_all(content_dir: Path | None, templates_dir: Path | None, out_dir: Path,
              recipients_path: Path | None, only: Iterable[str] = (),
              renderers: tuple[Renderer, ...] = RENDERERS,
              key_path: Path | None = None) -> BuildResult:
    """Load content (and recipients), render each instrument with each renderer.

    Personalised copies are signed with the key at ``key_path`` (default: see
    content.signing.key_path), which is created when it does not exist yet."""
    instruments = load_catalog(content_dir).select(only)
    result = BuildResult()
    recipients = (load_recipients(recipients_path, result.warnings) if recipients_path
                  else None)
    signing_key = issuing_key(key_path) if recipients else None
    for render in renderers:
        if render in TEMPLATE_WARNINGS:
            result.warnings.extend(TEMPLATE_WARNINGS[render](templates_dir))
    for instrument in instruments:
        for render in renderers:
            result.files.extend(render(instrument, recipients, out_dir, templates_dir,
                                       signing_key))
    return result

"""``templategen report``: one Word document per subject, optionally printed to PDF.

The store's compared columns (compare.data.gather, the instruments compare would compare:
store.definitions) are turned into each subject's figures (report.figures) and written
on the house style (report.document) as ``rapport-<subject>.docx``. Each report carries its
subject, its instruments and the recipients whose copies it is made of as custom document
properties, so ``templategen mail --reports DIR`` finds whom to send it to whatever the file
is called. ``pdf``: LibreOffice prints every report beside it (office.libreoffice).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part

from templategen.compare.data import gather
from templategen.content.model import (
    PROP_INSTRUMENTS,
    PROP_KIND,
    PROP_RECIPIENTS,
    PROP_SUBJECT,
    REPORT_KIND,
)
from templategen.content.recipients import safe_filename_part
from templategen.errors import StoreError
from templategen.i18n import _
from templategen.office import custom_props, libreoffice
from templategen.report.document import report_bytes
from templategen.report.figures import Subject, subjects
from templategen.store.backend import require_existing
from templategen.store.database import Store
from templategen.store.definitions import (
    chosen,
    comparison_catalog,
    uncomparable,
    why_uncomparable,
)

PREFIX = "rapport-"
PDF_SECONDS_PER_FILE = 30


@dataclass(frozen=True)
class Written:
    """One report written: its subject, its file (and PDF) and its figures."""

    subject: str
    path: Path
    pdf: Path | None
    instruments: tuple[str, ...]
    respondents: int


def write_reports(db: Path | str, out: Path, only: Iterable[str] = (),
                  subject_names: Iterable[str] = (), pdf: bool = False,
                  content_dir: Path | None = None,
                  templates_dir: Path | None = None) -> list[Written]:
    """One report per subject of the store ``db`` in ``out`` (``only``: these instruments;
    ``subject_names``: these subjects, without regard to case); ``pdf``: a PDF beside each."""
    if pdf and libreoffice.soffice() is None:
        raise libreoffice.LibreOfficeError(_(
            "report --pdf prints through LibreOffice, which is not installed (no soffice on "
            "PATH): install it, or run report without --pdf."))
    require_existing(db)
    with Store(db) as store:
        catalog = comparison_catalog(store, content_dir)
        instruments = chosen(store, catalog, tuple(only))
        missing = uncomparable(store, catalog, tuple(only))
        if missing:
            raise StoreError(why_uncomparable(store, missing))
        columns = gather(store, instruments, False).columns
    found = subjects(instruments, columns)
    wanted = {" ".join(s.split()).casefold() for s in subject_names}
    if wanted:
        unknown = wanted - {s.name.casefold() for s in found}
        if unknown:
            raise StoreError(_("no answers about {names} in the store; the subjects are: "
                               "{subjects}.").format(
                names=", ".join(sorted(unknown)),
                subjects=", ".join(s.name for s in found) or "-"))
        found = [s for s in found if s.name.casefold() in wanted]
    out.mkdir(parents=True, exist_ok=True)
    written: list[tuple[Subject, Path]] = []
    taken: set[str] = set()
    for subject in found:
        path = out / _file_name(subject.name, taken)
        path.write_bytes(_with_properties(report_bytes(subject, templates_dir), subject))
        written.append((subject, path))
    pdfs: dict[Path, Path] = {}
    if pdf and written:
        paths = [p for _s, p in written]
        done = libreoffice.convert_many(paths, "pdf", out,
                                        timeout=60 + PDF_SECONDS_PER_FILE * len(paths))
        pdfs = dict(zip(paths, done, strict=True))
    return [Written(s.name, p, pdfs.get(p), tuple(part.inst.id for part in s.parts),
                    len(s.respondents)) for s, p in written]


def _file_name(subject: str, taken: set[str]) -> str:
    stem = PREFIX + safe_filename_part(subject, 60)
    name, k = stem, 2
    while name in taken:
        name, k = f"{stem}-{k}", k + 1
    taken.add(name)
    return name + ".docx"


def _with_properties(data: bytes, subject: Subject) -> bytes:
    """The report with its custom properties: kind, subject, instruments, recipients."""
    doc = Document(io.BytesIO(data))
    props = {PROP_KIND: REPORT_KIND, PROP_SUBJECT: subject.name,
             PROP_INSTRUMENTS: " ".join(p.inst.id for p in subject.parts),
             PROP_RECIPIENTS: json.dumps(subject.recipients, ensure_ascii=False)}
    package = doc.part.package
    part = Part(PackURI("/" + custom_props.CUSTOM_PART), custom_props.CUSTOM_CT,
                custom_props.custom_xml(props), package)
    package.relate_to(part, RT.CUSTOM_PROPERTIES)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()

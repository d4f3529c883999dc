"""A write-only (streamed) workbook that is saved whole or not at all.

The comparison, its summary and the export stream their sheets row by row through openpyxl's
write-only workbook. :func:`streamed_workbook` saves it to a temporary file beside ``out`` and
moves that into place, so ``out`` is never left half written (and an older ``out`` stays as it
was). When the run stops with an error (a refusal, a content error, a full sheet), the
half-written sheets are discarded cleanly (office.openpyxl_internals.discard_streamed).
A sheet finished early may be deflated meanwhile (office.openpyxl_internals.deflate_early).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from openpyxl import Workbook

from templategen.office.openpyxl_internals import discard_streamed, save_streamed


@contextlib.contextmanager
def streamed_workbook(out: Path) -> Iterator[Workbook]:
    """A write-only workbook to fill inside the block, saved to ``out`` when the block ends
    without an error; on an error nothing is written and the sheets are discarded."""
    book = Workbook(write_only=True)
    try:
        yield book
        out.parent.mkdir(parents=True, exist_ok=True)
        name = out.with_name(f".{out.name}.{os.getpid()}.part")
        try:
            save_streamed(book, name)
            os.replace(name, out)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)
    except BaseException:
        discard_streamed(book)
        raise

"""A streamed (write-only) workbook that stops with an error: no half-written file, no temporary
files left, and nothing for the garbage collector to complain about later (office.streamed)."""

from __future__ import annotations

import gc
import glob
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from templategen.office.streamed import streamed_workbook


@contextmanager
def unraisable() -> Iterator[list[str]]:
    """What the interpreter reports as 'Exception ignored in' while the block runs."""
    seen: list[str] = []
    before = sys.unraisablehook
    sys.unraisablehook = lambda u: seen.append(f"{u.object!r}: {u.exc_value!r}")
    try:
        yield seen
    finally:
        sys.unraisablehook = before


def _temp_files() -> set[str]:
    return set(glob.glob(os.path.join(tempfile.gettempdir(), "openpyxl.*")))


def _fill_and_fail(book: Workbook) -> None:
    for title in ("Inhoud", "Items"):
        ws = book.create_sheet(title)
        for n in range(50):
            ws.append([title, n, "tekst"])
    raise RuntimeError("a refusal halfway through the comparison")


def _stop(fill: Callable[[], None]) -> list[str]:
    with unraisable() as seen:
        with pytest.raises(RuntimeError, match="refusal") as raised:
            fill()
        del raised  # its traceback holds the workbook
        gc.collect()
    return seen


def test_the_bare_write_only_workbook_leaves_a_broken_stream_behind() -> None:
    """The defect the context manager prevents (the test below would see it otherwise)."""
    def bare() -> None:
        _fill_and_fail(Workbook(write_only=True))
    assert any("inconsistent exit action" in line or "not in an element" in line
               for line in _stop(bare))


def test_an_error_discards_the_sheets_and_leaves_no_file(tmp_path: Path) -> None:
    out = tmp_path / "vergelijking.xlsx"
    files = _temp_files()

    def streamed() -> None:
        with streamed_workbook(out) as book:
            _fill_and_fail(book)
    assert _stop(streamed) == []
    assert not out.exists() and list(tmp_path.iterdir()) == []
    assert _temp_files() <= files


def test_an_error_keeps_the_previous_file_and_a_success_replaces_it(tmp_path: Path) -> None:
    out = tmp_path / "vergelijking.xlsx"
    with streamed_workbook(out) as book:
        book.create_sheet("Oud").append(["eerste run"])
    with pytest.raises(RuntimeError), streamed_workbook(out) as book:
        _fill_and_fail(book)
    assert load_workbook(out).sheetnames == ["Oud"]
    with streamed_workbook(out) as book:
        book.create_sheet("Nieuw").append(["tweede run"])
    assert load_workbook(out)["Nieuw"]["A1"].value == "tweede run"
    assert [p.name for p in tmp_path.iterdir()] == ["vergelijking.xlsx"]

"""Filling built copies in the tests: the product's fillers (templategen.sample.fill) with
every answer required to find its place, and for the tests that ingest returned files a
copy of a built form or workbook with deterministic answers typed into it, and the answers
ingest must give back."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from templategen.content.model import Instrument
from templategen.sample.answers import Raw
from templategen.sample.fill import FILLERS
from tests.support.answers import typed_answers


def fill_in_place(path: Path, answers: Mapping[str, Raw]) -> int:
    """Fill a built form or workbook in place by its suffix; every answer must find its place
    (KeyError otherwise)."""
    return FILLERS[path.suffix](path, answers, strict=True)


def filled_copy(path: Path, target: Path, instrument: Instrument, seed: int) -> dict[str, Any]:
    """Copy ``path`` to ``target``, fill it with ``typed_answers(instrument, seed)`` and
    return what export must give back for it."""
    shutil.copy(path, target)
    fill, want = typed_answers(instrument, seed, workbook=path.suffix == ".xlsx")
    fill_in_place(target, fill)
    return want


def filled_copies(built: list[Path], folder: Path, instrument: Instrument) -> list[Path]:
    """A filled copy of each built file in the new ``folder``, same names, seeds 0, 1, ... in
    name order."""
    folder.mkdir()
    files = []
    for seed, path in enumerate(sorted(built)):
        filled_copy(path, folder / path.name, instrument, seed)
        files.append(folder / path.name)
    return files

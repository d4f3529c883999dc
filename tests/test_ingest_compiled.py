"""What ingest works out once per instrument version (returned/compiled.py, #23): the same
slots as the instrument's, kept answer checks that give what a fresh check gives, and parts
kept by their bytes (reading.from_part) that read as a fresh reader reads them."""

from __future__ import annotations

import dataclasses
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from templategen.content.catalog import Catalog, load_catalog
from templategen.content.model import FieldKind
from templategen.rendering import build_all
from templategen.returned import answers, safezip, xlsx
from templategen.returned.compiled import compiled
from templategen.returned.submission import read_returned
from tests.support.filling import filled_copy

CONTENT = Path(__file__).parent / "fixtures" / "content"


def test_the_plan_of_a_version_is_worked_out_once_and_matches_the_instrument() -> None:
    instrument = load_catalog(CONTENT).get("alles")
    assert instrument is not None
    plan = compiled(instrument)
    assert compiled(instrument) is plan
    assert plan.slots == instrument.slots()
    assert plan.keys == {s.key for s in instrument.slots()}
    assert sum(plan.sizes.values()) == len(plan.slots)
    # another load of the same YAML is another model: its own plan
    again = load_catalog(CONTENT).get("alles")
    assert again is not None and compiled(again) is not plan and compiled(again).keys == plan.keys


def _kept_after(slots: list) -> answers.Kept:  # type: ignore[type-arg]
    kept: answers.Kept = {}
    for raw in (1, 2.5, "3"):
        list(answers.check_all(slots, {s.key: raw for s in slots}, kept))
    return kept


def test_kept_checks_give_what_a_fresh_check_gives_and_keep_no_warning() -> None:
    instrument = load_catalog(CONTENT).get("alles")
    assert instrument is not None
    slots = [s for s in instrument.slots() if s.field.kind in
             (FieldKind.SCALE, FieldKind.NUMBER, FieldKind.CHECK, FieldKind.CHOICE)]
    assert {s.field.kind for s in slots} >= {FieldKind.SCALE, FieldKind.NUMBER}
    assert not any(k[0] == s.key for s in slots if s.field.kind is FieldKind.NUMBER
                   for k in _kept_after(slots))
    kept: answers.Kept = {}
    for raw in (1, 1.0, True, "1", "ja", "geen getal", 3, "3", 2.5, "x" * 3):
        values = {s.key: raw for s in slots}
        for _round in range(2):  # the second round reads what the first kept
            got = list(answers.check_all(slots, values, kept))
            assert [checked for _slot, checked, _answer in got] == [
                answers.check(slot, raw) for slot in slots], raw
            assert all(a is not None and c is not None and (a.value, a.raw) == (c.value, c.raw)
                       for _slot, c, a in got)
    assert kept and all(not c.findings for c, _answer in kept.values())
    # 1, 1.0 and True are equal dict keys: kept apart by their class
    assert {cls for key, cls, raw in kept if raw == 1 and key == slots[0].key} >= {int, float}
    # a value with a finding is checked (and its warning written) every time
    assert any(answers.check(s, "geen getal").findings for s in slots)
    assert not [k for k in kept if k[2] == "geen getal" and answers.check(
        next(s for s in slots if s.key == k[0]), "geen getal").findings]


def _with_part(source: Path, target: Path, part: str, change: Callable[[bytes], bytes]) -> Path:
    """A copy of ``source`` with the zip entry ``part`` changed by ``change``."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) \
            as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            zout.writestr(info, change(data) if info.filename == part else data)
    return target


def _fresh(name: str, data: bytes, catalog: Catalog) -> dict[str, Any]:
    """What a reader that has kept no part gives for one file."""
    for kept in (xlsx._KEPT_BOOKS, xlsx._KEPT_RELS, xlsx._KEPT_STYLES,
                 safezip._KEPT_OVERRIDES):
        kept.clear()
    return dataclasses.asdict(read_returned(name, data, catalog))


def test_parts_kept_by_their_bytes_read_as_a_fresh_reader_reads_them(tmp_path: Path) -> None:
    """A workbook's parts that every copy of a version shares (the workbook part, its
    relationships, the styles, the content types) are worked out once per their bytes: a
    copy whose workbook part differs (a re-pointed name, 1904 dates) is read from its own."""
    catalog = load_catalog(CONTENT)
    instrument = catalog.get("alles")
    assert instrument is not None
    built = build_all(content_dir=CONTENT, templates_dir=None, out_dir=tmp_path / "built",
                      recipients_path=None).files
    book = next(p for p in built if p.suffix == ".xlsx")
    filled = tmp_path / "filled.xlsx"
    filled_copy(book, filled, instrument, seed=3)
    date_cell = re.compile(rb'<definedName name="tg_respondent__datum"[^>]*>[^<]*</definedName>')
    assert date_cell.search(zipfile.ZipFile(filled).read("xl/workbook.xml"))
    variants = {
        "same.xlsx": filled,
        "dates1904.xlsx": _with_part(filled, tmp_path / "dates1904.xlsx", "xl/workbook.xml",
                                     lambda d: d.replace(b"<workbookPr", b'<workbookPr '
                                                         b'date1904="1"', 1)),
        "nodate.xlsx": _with_part(filled, tmp_path / "nodate.xlsx", "xl/workbook.xml",
                                  lambda d: date_cell.sub(b"", d)),
    }
    fresh = {name: _fresh(name, path.read_bytes(), catalog) for name, path in variants.items()}
    assert fresh["same.xlsx"] != fresh["dates1904.xlsx"] != fresh["nodate.xlsx"]
    assert "respondent.datum" not in fresh["nodate.xlsx"]["answers"]
    for _round in range(2):  # the second round finds every part kept
        for name, path in variants.items():
            assert dataclasses.asdict(read_returned(name, path.read_bytes(), catalog)) \
                == fresh[name], name
    assert len(xlsx._KEPT_BOOKS) == 3 and len(xlsx._KEPT_STYLES) == 1

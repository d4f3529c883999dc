"""What ingest works out once per instrument version (returned/compiled.py, #23): the same
slots as the instrument's, and kept answer checks that give what a fresh check gives."""

from __future__ import annotations

from pathlib import Path

from templategen.content.catalog import load_catalog
from templategen.content.model import FieldKind
from templategen.returned import answers
from templategen.returned.compiled import compiled

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
            got = [checked for _slot, checked in answers.check_all(slots, values, kept)]
            assert got == [answers.check(slot, raw) for slot in slots], raw
    assert kept and all(not c.findings for c in kept.values())
    # 1, 1.0 and True are equal dict keys: kept apart by their class
    assert {cls for key, cls, raw in kept if raw == 1 and key == slots[0].key} >= {int, float}
    # a value with a finding is checked (and its warning written) every time
    assert any(answers.check(s, "geen getal").findings for s in slots)
    assert not [k for k in kept if k[2] == "geen getal" and answers.check(
        next(s for s in slots if s.key == k[0]), "geen getal").findings]

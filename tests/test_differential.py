"""The differential test (#20): for generated answers — invalid values, empty answers and
pre-filled values included — across every bundled instrument (together they use every rule
kind), the Python evaluation equals the respondent's workbook and the full comparison after
LibreOffice recalculates them, and the summary layout's figures (tests/support/
differential_round.py plays a round, tests/support/differential_check.py compares the
targets).

One example is one round (one to three respondents per instrument) and costs one LibreOffice
start. Profiles: ``ci`` (the default: few examples, derandomised, so CI is reproducible and
stays near a minute and a half) and ``long`` (``HYPOTHESIS_PROFILE=long``: many random
examples). A last test breaks one target's formula for one rule kind on purpose and shows
the check finds it.
"""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from openpyxl import load_workbook

from templategen.content.model import RESPONDENT, FieldKind, RuleKind, Slot
from templategen.office.libreoffice import convert_many, soffice
from templategen.returned.answers import check
from tests.support.differential_check import break_one_target, differences, same
from tests.support.differential_round import (
    BLANK,
    INSTRUMENTS,
    Built,
    Person,
    Typed,
    answers,
    build,
    lenient,
    play,
    rounds,
)
from tests.support.filling import fill_in_place

SLOW = dict(deadline=None, database=None, print_blob=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                   HealthCheck.function_scoped_fixture])
# ci: the same three rounds every run, reported as found (shrinking one takes many minutes)
settings.register_profile("ci", max_examples=3, derandomize=True,
                          phases=[Phase.explicit, Phase.generate], **SLOW)
# long: new random rounds every run, a failing one shrunk to few respondents and answers
settings.register_profile("long", max_examples=40, **SLOW)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

pytestmark = [
    pytest.mark.libreoffice, pytest.mark.slow,
    pytest.mark.skipif(soffice() is None, reason="LibreOffice is not installed"),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build(tmp_path_factory.mktemp("built"))


def test_every_rule_kind_is_exercised() -> None:
    """The bundled instruments together use every rule kind, so every round covers them."""
    used = {rule.kind for inst in INSTRUMENTS.values() for rule in inst.rules}
    assert used == set(RuleKind)


@settings(PROFILE)
@given(people=rounds())
def test_every_target_agrees_with_the_python_evaluation(
        people: list[Person], built: Built,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    played = play(people, built, tmp_path_factory.mktemp("round"))
    found = differences(people, played)
    assert not found, "\n".join([*found[:40], *[p.recipe for p in people]])


def test_the_check_fails_when_one_target_is_broken(
        built: Built, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """One target's formula for one rule kind changed on purpose: the check reports it, and
    only for that kind (two respondents of the smallest instrument using it, drawn without
    hypothesis)."""
    target, kind = break_one_target(monkeypatch)
    inst = min((i for i in INSTRUMENTS.values() if any(r.kind is kind for r in i.rules)),
               key=lambda i: len(i.slots()))
    rng = random.Random(3)
    people = [Person(inst.id, n, "blank", "fixed",
                     answers(inst, n, rng.randint(0, 999), 0.1, 0.1, "School A", "blank"))
              for n in range(2)]
    found = differences(people, play(people, built, tmp_path))
    assert found
    assert all(line.startswith(target) and f" {kind.value} " in line
               for line in found), found


# --- answers ingest reads leniently: the workbook counts them too ------------------------

@pytest.fixture(scope="module")
def lenient_round(built: Built, tmp_path_factory: pytest.TempPathFactory
                  ) -> tuple[list[Person], list[str]]:
    """One respondent of each instrument with ticks, scale points or numbers (together they
    have all three) typed the way ingest accepts but the workbook's dropdowns do not offer
    (x, TRUE, 1; 4; "4 - Hoog"; "12,5"), every other answer as the dropdown offers it."""
    people = []
    for inst in (INSTRUMENTS["digitale_school"], INSTRUMENTS["externe_ondersteuning"]):
        typed = answers(inst, 0, 5, 0.1, 0.0, None, "blank")
        for n, slot in enumerate(inst.slots()):
            if slot.key in typed and (odd := lenient(slot, n)) is not None:
                typed[slot.key] = odd
        people.append(Person(inst.id, 0, "blank", "lenient", typed))
    return people, differences(people, play(people, built, tmp_path_factory.mktemp("odd")))


def _not_workbooks(found: list[str]) -> list[str]:
    return [line for line in found if not line.startswith("respondent workbook")]


def test_the_comparison_counts_answers_ingest_reads_leniently(
        lenient_round: tuple[list[Person], list[str]]) -> None:
    _, found = lenient_round
    assert _not_workbooks(found) == []


def test_the_respondent_workbook_counts_answers_ingest_reads_leniently(
        lenient_round: tuple[list[Person], list[str]]) -> None:
    _, found = lenient_round
    assert found == []


# --- numbers outside their range: left out everywhere ------------------------------------

BOUNDS = Path(__file__).parent / "fixtures" / "content_bounds"


@pytest.fixture(scope="module")
def bounded_round(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """No bundled rule reads a number with a range, so a small instrument of its own
    (tests/fixtures/content_bounds): numbers outside their range or not whole where they
    must be, typed into the workbook as numbers (past its data validation, as a paste
    goes), beside numbers that fit."""
    built = build(tmp_path_factory.mktemp("bounds"), BOUNDS)
    name = f"{RESPONDENT}.naam"
    people = [Person("grenzen", n, "blank", "bounds", {
        name: Typed(f"Respondent {n}", f"Respondent {n}"), "lessen": lessen, "uren": uren},
        BOUNDS) for n, (lessen, uren) in enumerate((
            (Typed(12.0, None), Typed(2.5, 2.5)),  # 12 > 10
            (Typed(3.5, None), Typed(-1.0, None)),  # not whole; < 0
            (Typed(4.0, 4.0), Typed(4.0, 4.0))))]
    return differences(people, play(people, built, tmp_path_factory.mktemp("bounded")))


def test_the_comparison_leaves_out_numbers_outside_their_range(
        bounded_round: list[str]) -> None:
    assert _not_workbooks(bounded_round) == []


def test_the_respondent_workbook_leaves_out_numbers_outside_their_range(
        bounded_round: list[str]) -> None:
    assert bounded_round == []


# --- every spelling: the workbook reads what ingest reads ---------------------------------

TICKS = ["x", "X", " ja ", "JA", "j", "Yes", "y", "true", "WAAR", "1", "1.0", "☒", "✓",
         "nee", "N", "no", "False", "onwaar", "0", "0.0", "☐", True, False, 1.0, 0.0, 2.0,
         "Misschien", "ja nee", "*", "?", "~", "j*", "", "  "]
NUMBER_TEXTS = ["12,5", "12.5", "1.250", "1.234,5", "1,234.5", "1,234,567", "1.234.567",
                "-3,25", "0.500", "0,5", " 7 ", "veel", "12,5,0", "1 250", "+4", "5%", "1e3",
                "$5", "5-1", 12.0, -1.5, True, "1234567890123456789012345678901234567890,5"]


def _scale_texts(slot: Slot) -> list[Any]:
    """A scale's points typed every way ingest reads them (and some it does not)."""
    assert slot.field.scale is not None
    points = slot.field.scale.points
    out: list[Any] = []
    for p in points:
        out += [p.label, p.label.upper(), f" {p.label.lower()} ", float(p.value),
                f"{p.value:g}", f"{p.value:g} - {p.label}", f"{p.value:g}. {p.label}",
                f"{p.value:g}:{p.label.upper()}", f"{p.value:g}) {p.label}",
                f"{p.value:g} – {p.label}"]
    return out + ["9 - Onbekend", "Veel - " + points[0].label, f"{points[-1].value + 7:g}",
                  "Onbekend", "*", points[0].label[:2] + "*", "1 - *"]


def test_the_respondent_workbook_reads_every_spelling_as_ingest_does(
        built: Built, tmp_path: Path) -> None:
    """Ticks, scale points and numbers typed in many spellings (Dutch and English number
    notation, a scale point as its number or after it, other capitals, words that mean
    nothing): after LibreOffice recalculates the respondent's workbook, each answer's
    Rekenblad value is what ingest (returned/answers.check) reads and counts."""
    inst = INSTRUMENTS["digitale_school"]
    by_kind: dict[FieldKind, list[Slot]] = {}
    slot_of = {s.key: s for s in inst.slots()}
    for slot in inst.slots():
        by_kind.setdefault(slot.field.kind, []).append(slot)
    spellings = {FieldKind.CHECK: TICKS, FieldKind.NUMBER: NUMBER_TEXTS}
    scales = by_kind[FieldKind.SCALE]
    spellings[FieldKind.SCALE] = _scale_texts(scales[0])
    rounds = max(-(-len(v) // len(by_kind[k])) for k, v in spellings.items())
    typed: list[dict[str, Any]] = [{} for _ in range(rounds)]
    for kind, words in spellings.items():
        slots = by_kind[kind] if kind is not FieldKind.SCALE else [
            s for s in scales if s.field.scale == scales[0].field.scale]
        for n, word in enumerate(words):
            typed[n // len(slots)][slots[n % len(slots)].key] = word
    files = []
    for n, fill in enumerate(typed):
        path = tmp_path / f"spellings_{n}.xlsx"
        shutil.copy(built[inst.id][BLANK], path)
        fill_in_place(path, fill)
        files.append(path)
    wrong = []
    for fill, done in zip(typed, convert_many(files, "xlsx", tmp_path / "herberekend"),
                          strict=True):
        calc = load_workbook(done, data_only=True)["Rekenblad"]
        got = {row[0]: row[1] for row in calc.iter_rows(min_row=2, max_col=2, values_only=True)}
        for key, raw in fill.items():
            checked = check(slot_of[key], raw)
            counts = checked.value is not None and all(f.counts for f in checked.findings)
            want = float(checked.value) if counts else None
            if not same(got[key], want):
                wrong.append(f"{key} typed {raw!r}: workbook {got[key]!r}, ingest {want!r}")
    assert not wrong, "\n".join(wrong)

"""The checking table: raw value -> typed value and a warning naming the question."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from templategen.content.catalog import load_catalog
from templategen.content.model import FieldKind
from templategen.returned.answers import COERCERS, check

INSTRUMENT = load_catalog(Path(__file__).parent / "fixtures" / "content").get("alles")
SLOTS = {s.key: s for s in INSTRUMENT.slots()}


def test_every_field_kind_has_a_coercer():
    assert set(COERCERS) == set(FieldKind)


@pytest.mark.parametrize(("key", "raw", "value"), [
    ("crit_1", True, True), ("crit_1", False, False), ("crit_1", "☒", True),
    ("crit_1", "☐", False), ("crit_1", "Ja", True), ("crit_1", "nee", False),
    ("crit_1", None, None), ("crit_1", "", None),
    ("niveau", "Hoog", 4.0), ("niveau", " zeer HOOG ", 5.0), ("niveau", 3, 3.0),
    ("niveau", "2 - Laag", 2.0), ("niveau", "3", 3.0),
    ("sector", "vo", "VO"), ("sector", "MBO", "MBO"),
    ("leerlingen", 1250, 1250.0), ("leerlingen", "1.250", 1250.0),
    ("leerlingen", "1250,5", 1250.5), ("leerlingen", "1,250.5", 1250.5), ("leerlingen", 0, 0.0),
    ("startdatum", "2025-03-01", "2025-03-01"), ("startdatum", "1-3-2025", "2025-03-01"),
    ("startdatum", "01/03/2025", "2025-03-01"), ("startdatum", 45717, "2025-03-01"),
    ("startdatum", dt.datetime(2025, 3, 1), "2025-03-01"),
    ("startdatum", "2025-03-01T00:00:00Z", "2025-03-01"),
    ("startdatum", "1 maart 2025", "2025-03-01"),
    ("visie", "=SOM(A1)", "=SOM(A1)"), ("visie", "@x", "@x"), ("visie", "  a  ", "  a  "),
])
def test_values_are_typed(key, raw, value):
    result = check(SLOTS[key], raw)
    assert result.value == value and type(result.value) is type(value)
    assert not [w for w in result.warnings if "required" not in w]


@pytest.mark.parametrize(("key", "raw", "warning"), [
    ("niveau", "Hoog?", "vraag A.2: 'Hoog?' is not one of the scale's labels ('Zeer laag', "
                        "'Laag', 'Gemiddeld', 'Hoog', 'Zeer hoog'); kept as text."),
    ("niveau", 7, "vraag A.2: '7' is not one of the scale's labels"),
    ("sector", "HBO", "vraag A.3: 'HBO' is not one of the options ('PO', 'VO', 'MBO'); kept"),
    ("leerlingen", "veel", "vraag A.4: 'veel' is not a number; kept as text."),
    ("leerlingen", -3, "vraag A.4: -3 is outside 0 to 100000; kept."),
    ("startdatum", "volgend jaar", "vraag A.5: 'volgend jaar' is not a date"),
    ("crit_1", "misschien", "is not a tick"),
    ("niveau", None, "vraag A.2: required, but left empty; ask the sender to answer it."),
    ("visie", "a\x07b\x00c", "vraag A.1: contained control characters; they were removed"),
])
def test_problems_name_the_question_and_keep_the_value(key, raw, warning):
    result = check(SLOTS[key], raw)
    assert any(warning in w for w in result.warnings), result.warnings
    if raw is not None:
        assert result.value is not None  # kept, never dropped


def test_control_characters_are_removed_from_the_value_but_kept_raw():
    result = check(SLOTS["visie"], "a\x07b")
    assert result.value == "ab" and result.raw == "a\x07b"

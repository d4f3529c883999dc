"""The one definition of the answer checks (content/answerchecks.py) and its messages
(content/messages.py): inline tables of value -> outcome code and message, and ingest and
the comparison agreeing on every value."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import replace
from pathlib import Path

import pytest

from templategen import i18n
from templategen.compare.data import Column, merge
from templategen.content import answerchecks
from templategen.content.answerchecks import KINDS, MESSAGES, Code, finding
from templategen.content.catalog import load_catalog
from templategen.content.messages import Message, text
from templategen.content.model import (
    Constraint,
    Field,
    FieldKind,
    Scale,
    ScalePoint,
    item_slots,
)
from templategen.returned.answers import check as ingest_check

SCALE = Scale("s", "Niveau", tuple(ScalePoint(v, label) for v, label in
                                   ((1.0, "Laag"), (2.0, "Midden"), (3.0, "Hoog"))))
FIELDS = {
    "text": Field("t", "Toelichting", FieldKind.TEXT),
    "short": Field("k", "Kort", FieldKind.TEXT, constraint=Constraint(max_length=5)),
    "tick": Field("v", "Vinkje", FieldKind.CHECK),
    "scale": Field("n", "Niveau", FieldKind.SCALE, scale=SCALE),
    "choice": Field("c", "Sector", FieldKind.CHOICE, options=("PO", "VO")),
    "number": Field("g", "Getal", FieldKind.NUMBER),
    "range": Field("r", "Bereik", FieldKind.NUMBER, constraint=Constraint(minimum=1, maximum=200)),
    "whole": Field("w", "Heel", FieldKind.NUMBER,
                   constraint=Constraint(minimum=0, maximum=10, whole=True)),
    "floor": Field("f", "Vanaf", FieldKind.NUMBER, constraint=Constraint(minimum=0.5)),
    "date": Field("d", "Datum", FieldKind.DATE),
    "required": Field("q", "Verplicht", FieldKind.TEXT, required=True),
}

# field, typed value (as the store keeps it) -> the code of what is wrong (None: it fits)
CHECKS = [
    ("text", "alles mag", None),
    ("text", 3.0, None),  # a number under a text question (an older version's): not judged
    ("short", "vijf!", None),
    ("short", "zes!!!", Code.TOO_LONG),
    ("tick", True, None),
    ("tick", False, None),
    ("tick", "misschien", Code.NOT_A_TICK),
    ("tick", 1.0, Code.NOT_A_TICK),
    ("scale", 2.0, None),
    ("scale", 2, None),
    ("scale", 4.0, Code.NOT_A_SCALE_POINT),
    ("scale", "Midden", Code.NOT_A_SCALE_POINT),  # a label is typed to its value at ingest
    ("scale", True, Code.NOT_A_SCALE_POINT),
    ("choice", "VO", None),
    ("choice", "vo", Code.NOT_A_CHOICE),  # ingest stores the content's spelling
    ("choice", "HBO", Code.NOT_A_CHOICE),
    ("number", -1e9, None),
    ("number", "veel", Code.NOT_A_NUMBER),
    ("number", True, Code.NOT_A_NUMBER),
    ("range", 1.0, None),
    ("range", 200.0, None),
    ("range", 0.5, Code.OUT_OF_RANGE),
    ("range", 500.0, Code.OUT_OF_RANGE),
    ("whole", 3.0, None),
    ("whole", 2.5, Code.NOT_WHOLE),
    ("whole", 12.5, Code.OUT_OF_RANGE),  # the range is said first
    ("floor", 0.5, None),
    ("floor", 0.25, Code.OUT_OF_RANGE),
    ("date", "2026-09-15", None),
    ("date", "2026-02-30", Code.NOT_A_DATE),
    ("date", "15-09-2026", Code.NOT_A_DATE),  # ingest stores ISO
    ("date", "20260915", Code.NOT_A_DATE),
    ("date", 45717.0, Code.NOT_A_DATE),
    ("required", None, Code.REQUIRED),
    ("required", "  ", Code.REQUIRED),
    ("text", None, None),
]


@pytest.mark.parametrize(("name", "value", "code"), CHECKS)
def test_check_table(name, value, code):
    found = answerchecks.check(FIELDS[name], value)
    assert (found.code if found else None) is code


def test_every_field_kind_has_a_check_and_every_code_a_warning():
    assert set(KINDS) == set(FieldKind)
    assert set(MESSAGES) == set(Code)


@pytest.mark.parametrize(("name", "value", "counts"), [
    ("short", "zes!!!", True),  # too long: kept, shown and counted as it is
    ("range", 500.0, False),
    ("tick", "misschien", False),
    ("date", "morgen", False),
])
def test_what_the_comparison_keeps_out(name, value, counts):
    found = answerchecks.check(FIELDS[name], value)
    assert found is not None and found.counts is counts
    assert (answerchecks.invalid(FIELDS[name], value) is None) is counts


# finding -> ingest's warning (organiser) and the comparison's reason (Dutch)
MESSAGE_TABLE = [
    (finding(Code.REQUIRED), "vraag 1: required, but left empty; ask the sender to answer it.",
     None),
    (finding(Code.NOT_A_TICK, value="misschien"),
     "vraag 1: 'misschien' is not a tick (use ☒/☐ or Ja/Nee); kept as text.",
     "is geen vinkje (Ja/Nee)"),
    (finding(Code.NOT_A_SCALE_POINT, value="Hoog?", labels=("Laag", "Hoog")),
     "vraag 1: 'Hoog?' is not one of the scale's labels ('Laag', 'Hoog'); kept as text.",
     "is geen punt van de schaal"),
    (finding(Code.NOT_A_CHOICE, value="HBO", options=("PO", "VO")),
     "vraag 1: 'HBO' is not one of the options ('PO', 'VO'); kept as text.",
     "is geen van de keuzemogelijkheden"),
    (finding(Code.NOT_A_NUMBER, value="x" * 60),
     f"vraag 1: '{'x' * 39}…' is not a number; kept as text.", "is geen getal"),
    (finding(Code.OUT_OF_RANGE, value=2.5, low=0, high=None, note=""),
     "vraag 1: 2.5 is outside 0 to …; kept.", "ligt buiten het bereik 0–…"),
    (finding(Code.OUT_OF_RANGE, value=500.0, low=1.0, high=200.0, note="hoogstens 200"),
     "vraag 1: 500 is outside 1 to 200 (hoogstens 200); kept.", "ligt buiten het bereik 1–200"),
    (finding(Code.OUT_OF_RANGE, value=-0.75, low=0.5, high=1.5, note=""),
     "vraag 1: -0.75 is outside 0.5 to 1.5; kept.", "ligt buiten het bereik 0,5–1,5"),
    (finding(Code.NOT_WHOLE, value=2.5), "vraag 1: 2.5 is not a whole number; kept.",
     "is geen geheel getal"),
    (finding(Code.NOT_A_DATE, value="morgen"),
     "vraag 1: 'morgen' is not a date (write it as dd-mm-jjjj); kept as text.", "is geen datum"),
    (finding(Code.TOO_LONG, length=6, limit=5),
     "vraag 1: is 6 characters, more than the 5 allowed; kept in full.", None),
    (finding(Code.NOT_FINITE, value="inf"), "vraag 1: 'inf' is not a finite number; kept as text.",
     "is geen getal"),
]


@pytest.mark.parametrize(("found", "warning", "reason"), MESSAGE_TABLE)
def test_message_table(found, warning, reason):
    assert answerchecks.warning(found, "vraag 1") == warning
    if reason is None:
        assert found.counts
        with pytest.raises(ValueError):
            answerchecks.reason(found)
    else:
        assert answerchecks.reason(found) == reason


@pytest.mark.parametrize(("value", "mark"), [
    (500.0, "Ongeldig bij het inlezen: 500 ligt buiten; telt niet mee in de scores."),
    (2.5, "Ongeldig bij het inlezen: 2,5 ligt buiten; telt niet mee in de scores."),
    (True, "Ongeldig bij het inlezen: True ligt buiten; telt niet mee in de scores."),
    ("veel", "Ongeldig bij het inlezen: veel ligt buiten; telt niet mee in de scores."),
])
def test_the_comparison_mark(value, mark):
    assert answerchecks.mark(value, "ligt buiten") == mark


# field -> the workbook's input message and error, the form's note (Dutch, for respondents)
TOLD = [
    ("text", "Typ hier het antwoord.", "Het antwoord is langer dan 32767 tekens; kort het in.",
     ""),
    ("short", "Typ hier het antwoord.", "Het antwoord is langer dan 5 tekens; kort het in.",
     "max. 5 tekens"),
    ("tick", "Kies Ja of Nee uit de lijst (leeg = niet beantwoord).",
     "Kies Ja of Nee uit de lijst.", ""),
    ("scale", "Kies een waarde uit de lijst: Laag, Midden, Hoog.",
     "Kies een waarde uit de keuzelijst.", ""),
    ("choice", "Kies één van de mogelijkheden uit de lijst.",
     "Kies een waarde uit de keuzelijst.", ""),
    ("number", "Vul een getal in.", "Vul alleen een getal in.", ""),
    ("range", "Vul een getal in van 1 tot en met 200.",
     "Vul alleen een getal in van 1 tot en met 200.", "1–200"),
    ("whole", "Vul een heel getal in van 0 tot en met 10.",
     "Vul alleen een heel getal in van 0 tot en met 10.", "heel getal, 0–10"),
    ("floor", "Vul een getal in.", "Vul alleen een getal in.", "minimaal 0,5"),
    ("date", "Vul een datum in, bijvoorbeeld 15-09-2026.",
     "Dit is geen datum. Typ een datum als 15-09-2026.", "dd-mm-jjjj"),
]


@pytest.mark.parametrize(("name", "prompt", "error", "hint"), TOLD)
def test_what_the_respondent_is_told(name, prompt, error, hint):
    field = FIELDS[name]
    assert (answerchecks.prompt(field), answerchecks.error(field), answerchecks.hint(field)) \
        == (prompt, error, hint)


def test_the_contents_own_message_is_the_error():
    field = Field("g", "Getal", FieldKind.NUMBER,
                  constraint=Constraint(maximum=9, message="Hoogstens 9, graag."))
    assert answerchecks.error(field) == "Hoogstens 9, graag."
    assert answerchecks.hint(field) == "maximaal 9"


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_every_template_fills_in(lang):
    """Each template formats with the fields it names, in Dutch and English (a typo in a
    field name, in the code or the catalogue, fails here)."""
    i18n.set_language(lang)
    i18n.set_round_language(lang)  # the files' language too
    for message in Message:
        names = set(re.findall(r"{(\w+)", message.value.text))
        filled = text(message, **{n: ("a", "b") if n in ("labels", "options") else 1.5
                                   for n in names})
        assert "{" not in filled and message.value.reader in ("console", "document"), message
        if names - {"labels", "options"}:  # a number as the language writes it
            assert ("1,5" if lang == "nl" else "1.5") in filled, message
    i18n.choose()


# --- ingest and the comparison agree -------------------------------------------------------

INSTRUMENT = load_catalog(Path(__file__).parent / "fixtures" / "content").get("alles")
SLOTS = {s.key: s for s in INSTRUMENT.slots()}

# raw answers as readers return them: good ones, bad ones, odd ones
RAW = [
    ("crit_1", True), ("crit_1", "☒"), ("crit_1", "Nee"), ("crit_1", "misschien"),
    ("crit_1", 2), ("crit_1", 1.0),
    ("niveau", "Hoog"), ("niveau", 3), ("niveau", "2 - Laag"), ("niveau", 7),
    ("niveau", "Hoog?"), ("niveau", "3,0"), ("niveau", 2.5),
    ("sector", "vo"), ("sector", "HBO"), ("sector", 1),
    ("leerlingen", 1250), ("leerlingen", "1.250"), ("leerlingen", -3), ("leerlingen", "veel"),
    ("leerlingen", 100001.5), ("leerlingen", math.inf), ("leerlingen", math.nan),
    ("leerlingen", True), ("leerlingen", dt.date(2025, 3, 1)),
    ("startdatum", "1-3-2025"), ("startdatum", 45717), ("startdatum", "volgend jaar"),
    ("startdatum", "20250301"), ("startdatum", "2025-02-30"), ("startdatum", True),
    ("startdatum", dt.datetime(2025, 3, 1, 12, 0)),
    ("visie", "=SOM(A1)"), ("visie", "a\x07b"), ("visie", "x" * 5001), ("visie", 42.0),
    ("kpi.deelname.nul", "12,5"), ("kpi.deelname.nul", "1e3"),
]


@pytest.mark.parametrize(("key", "raw"), RAW)
def test_ingest_and_the_comparison_agree(key, raw):
    """What ingest stores for a raw answer is invalid in the comparison exactly when ingest
    found it does not fit, and the comparison gives the reason of ingest's finding."""
    slot = SLOTS[key]
    checked = ingest_check(slot, raw)
    not_counting = [f for f in checked.findings if not f.counts]
    assert len(checked.warnings) == len(checked.findings)
    column = Column(respondent="r", subject="s", submissions=[])
    merge(column, SLOTS, [("f.xlsx", "workbook", [(key, checked.value, False)])])
    if not_counting:
        assert key not in column.values
        assert column.invalid[key] == (checked.value, answerchecks.reason(not_counting[0]))
    else:
        assert key not in column.invalid
        assert column.values[key] == checked.value


MIDDELEN = load_catalog(Path(__file__).parent / "fixtures" / "content_new").get("nieuw") \
    .item("middelen")


@pytest.mark.parametrize(("required", "ticked", "code"), [
    (True, {}, Code.NOTHING_TICKED),
    (True, {0: False, 1: None}, Code.NOTHING_TICKED),
    (True, {0: "ja"}, Code.NOTHING_TICKED),  # text under a tick is no tick
    (True, {1: True}, None),
    (False, {}, None),
])
def test_a_required_multi_item_needs_one_tick(required, ticked, code):
    item = replace(MIDDELEN, required=required)
    keys = [s.key for s in item_slots(item)]
    found = answerchecks.check_item(item, {keys[n]: v for n, v in ticked.items()})
    assert (found.code if found else None) is code


# copies of two or three files (kind, [(key, typed value, pre-filled)]) that the merge rules
# tell apart: the workbook's valid value wins, an invalid one gives way to the form's valid
# one, a pre-filled value counts only where no file has a typed one
MERGES = [
    [("form", [("niveau", 2.0, False)]), ("workbook", [("niveau", 3.0, False)])],
    [("form", [("niveau", 2.0, False)]), ("workbook", [("niveau", 7.0, False)])],
    [("form", [("niveau", 9.0, False)]), ("workbook", [("niveau", "Hoog?", False)])],
    [("form", [("leerlingen", 12.0, True)]), ("workbook", [("leerlingen", 40.0, False)])],
    [("form", [("leerlingen", 12.0, True)]), ("workbook", [("leerlingen", -3.0, False)])],
    [("form", [("leerlingen", -1.0, True)]), ("workbook", [("leerlingen", 5.0, True)])],
    [("form", [("leerlingen", 7.0, True)]), ("workbook", [("leerlingen", 5.0, True)])],
    [("form", [("sector", "vo", False)]), ("form", [("sector", "HBO", False)]),
     ("workbook", [("crit_1", True, False)])],
]
# typed values as a store may hold them (kpi.deelname.nul made a whole number from -5 up)
TYPED = [("kpi.deelname.nul", v) for v in (12.5, 12.0, 12, -6.0, -5, 1e300, -0.5, "12")] + [
    ("startdatum", v) for v in ("2024-02-29", "2025-02-29", "2025-04-31", "2025-04-30",
                                "2025-13-01", "0000-01-01", "2025-1-01", "1900-02-29",
                                "2000-02-29", 20250301)] + [
    ("niveau", v) for v in (3, 3.5, "3", True)] + [("crit_1", v) for v in (1.0, "true")] + [
    ("sector", v) for v in ("VO", "vo", 1)]


def test_the_summary_merges_and_checks_in_sql_as_the_comparison_does(store_db):
    """The summary of a large round merges and checks answers in the database
    (store.merged: content.answerchecks.accepts compiled to SQL); it keeps exactly the
    values compare.data.merge keeps, for ingest's typed values of RAW and for copies of
    several files, on SQLite and PostgreSQL."""
    from templategen.store import aggregates, merged
    from templategen.store.database import Answer, NewSubmission, Store

    nul = SLOTS["kpi.deelname.nul"]
    slots = {**SLOTS, nul.key: replace(nul, field=replace(nul.field, constraint=replace(
        nul.field.constraint, whole=True, minimum=-5)))}
    copies = [[("workbook", [(key, ingest_check(SLOTS[key], raw).value, False)])]
              for key, raw in RAW] + MERGES + [[("workbook", [(k, v, False)])] for k, v in TYPED]
    expected = {}
    with Store(store_db) as store:
        n = 0
        for c, files in enumerate(copies):
            for kind, answers in files:
                n += 1
                store.add(NewSubmission(
                    file_name=f"f{n}.xlsx", sha256=f"{n:064x}", received="2026-12-01T09:00:00",
                    instrument=INSTRUMENT.id, version=INSTRUMENT.version, status="accepted",
                    kind=kind, recipient=f"c{c}", respondent=f"R{c}", subject=f"S{c}",
                    answers={k: Answer(v, str(v), prefilled=p) for k, v, p in answers}))
            column = Column(respondent="r", subject="s", submissions=[])
            ordered = sorted(enumerate(files), key=lambda f: (f[1][0] == "workbook", f[0]))
            merge(column, slots, [(f"f{i}", kind, answers) for i, (kind, answers) in ordered])
            expected.update({(f"S{c}", k): v for k, v in column.values.items()})
        aggregates.compared(store, {INSTRUMENT.id: None})
        merged.merge(store, INSTRUMENT.id, list(slots.values()), set(slots))
        got = {(subject, key): value for key, subject, value, count in merged.value_counts(store)}
    assert got == expected
    assert [type(got[k]) for k in sorted(got)] == [type(expected[k]) for k in sorted(expected)]

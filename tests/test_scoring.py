"""Rule semantics on the fixture instrument with every rule kind (hand-computed values)."""

from __future__ import annotations

from pathlib import Path

import pytest

from templategen.content.catalog import load_catalog
from templategen.content.model import Instrument
from templategen.content.scoring import evaluate

FIXTURES = Path(__file__).parent / "fixtures" / "content"


@pytest.fixture(scope="module")
def alles() -> Instrument:
    inst = load_catalog(FIXTURES).get("alles")
    assert inst is not None
    return inst


FILLED = {
    "crit_1": True, "crit_2": False, "crit_4": True,
    "tabel.beleid.huidig": 2.0, "tabel.beleid.gewenst": 5.0,
    "tabel.dialoog.huidig": 4.0,
    "tabel.regio.huidig": 3.0, "tabel.regio.gewenst": 1.0,
    "partijen.1.naam": "Leraren", "partijen.1.belang": 5.0, "partijen.1.invloed": 2.0,
    "partijen.2.belang": 4.0, "partijen.2.invloed": 4.0,
    "partijen.3.belang": 1.0,
    "hefbomen.a_scholing.impact": 4.0, "hefbomen.a_scholing.kans": 4.0,
    "hefbomen.m_erkenning.impact": 3.0, "hefbomen.m_erkenning.kans": 3.0,
    "hefbomen.o_tijd.impact": 2.0,
    "balans.visie.score": 5.0, "balans.toepassing.score": 2.0, "balans.deskundigheid.score": 3.0,
    "kpi.deelname.nul": 10.0, "kpi.deelname.doel": 30.0, "kpi.deelname.r2025": 20.0,
    "kpi.tevreden.nul": 7.0, "kpi.tevreden.doel": 7.0, "kpi.tevreden.r2026": 8.0,
}


def test_blank_answers(alles: Instrument) -> None:
    r = evaluate(alles, {})
    assert (r["score_b"].value, r["score_b"].maximum) == (0.0, 4.0)
    # nothing filled in: no percentage and no verdict (a blank workbook shows none either)
    assert r["pct_b"].value is None and r["pct_b"].band is None
    assert r["gem_huidig"].value is None and r["onbalans"].value is None
    assert r["hoog_belang"].value == 0.0
    assert set(r["verschil"].rows.values()) == {None}
    assert set(r["kwadrant"].rows) == {"1", "2", "3", "4"}
    assert r["amo"].value == 0.0 and r["amo"].message is None
    assert set(r["prioriteit"].row_bands.values()) == {None}


def test_filled_answers(alles: Instrument) -> None:
    r = evaluate(alles, FILLED)
    assert r["score_b"].value == 2.0
    assert r["pct_b"].value == 0.5 and r["pct_b"].band == "Past matig"
    assert r["hoog_belang"].value == 2.0  # belang 5 and 4
    assert r["gem_huidig"].value == pytest.approx(3.0)  # (2 + 4 + 3) / 3
    assert r["onbalans"].value == 3.0  # 5 - 2, the empty row ignored
    assert r["verschil"].rows == {"beleid": 3.0, "dialoog": None, "regio": -2.0}
    assert r["prioriteit"].rows == {"a_scholing": 16.0, "m_erkenning": 9.0, "o_tijd": None}
    assert r["prioriteit"].row_bands == {"a_scholing": "Hoog", "m_erkenning": "Middel",
                                         "o_tijd": None}
    assert r["kwadrant"].rows == {"1": "Informeren", "2": "Nauw betrekken", "3": None, "4": None}
    assert r["realisatie"].rows == {"deelname": 0.5, "tevreden": None}  # target == baseline
    assert r["realisatie"].row_bands["deelname"] == "Op koers"
    # Ability: no 'kiezen' ticked; Motivation: crit_1 ticked; Opportunity: crit_2 unticked
    assert r["amo"].rows == {"Ability": 0.0, "Motivation": 1.0, "Opportunity": 0.0}
    assert r["amo"].value == 1.0 and r["amo"].message


def test_latest_actual_and_full_coverage(alles: Instrument) -> None:
    answers = {"kpi.deelname.nul": 0.0, "kpi.deelname.doel": 10.0,
               "kpi.deelname.r2025": 2.0, "kpi.deelname.r2026": 12.0,
               "hefbomen.o_tijd.kiezen": True, "crit_1": True, "crit_3": True}
    r = evaluate(alles, answers)
    assert r["realisatie"].rows["deelname"] == pytest.approx(1.2)
    assert r["realisatie"].row_bands["deelname"] == "Behaald"
    assert r["amo"].value == 3.0 and r["amo"].message is None
    assert r["pct_b"].value == 0.5


def test_percent_none_without_maximum(alles: Instrument) -> None:
    from dataclasses import replace

    from templategen.content.model import Rule, RuleKind

    rules = (Rule("s", RuleKind.SUM, "S", {"of": ("visie",)}),
             Rule("p", RuleKind.PERCENT, "P", {"of": "s"}))
    r = evaluate(replace(alles, rules=rules), {"visie": "tekst"})
    assert r["s"].value == 0.0 and r["s"].maximum == 0.0
    assert r["p"].value is None


def test_a_value_below_every_band_gets_the_lowest_band(alles: Instrument) -> None:
    # a KPI that fell below its baseline: achievement -0.5, under the lowest minimum (0)
    answers = {"kpi.deelname.nul": 10.0, "kpi.deelname.doel": 20.0, "kpi.deelname.r2025": 5.0}
    r = evaluate(alles, answers)
    assert r["realisatie"].rows["deelname"] == pytest.approx(-0.5)
    assert r["realisatie"].row_bands["deelname"] == "Achter"

"""One instrument in several languages (#21): texts per language in YAML, the model's
translatable text, rendering in one language with fallback, reading a label in any language."""

from __future__ import annotations

import pickle
from dataclasses import replace
from pathlib import Path

import pytest

from templategen.content.catalog import load_catalog, load_instrument, parse_instrument
from templategen.content.languages import Text, language_code, localise
from templategen.errors import ContentError
from templategen.returned.answers import check

CONTENT = Path(__file__).parent / "fixtures" / "content_lang"
INSTRUMENT = load_instrument(CONTENT / "tweetalig.yaml")


def test_a_text_is_its_default_language_and_carries_its_translations() -> None:
    label = Text("Helemaal eens", {"en": "Strongly agree", "nl-BE": "Volledig akkoord"})
    assert label == "Helemaal eens" and hash(label) == hash("Helemaal eens")
    assert label.get("en") == "Strongly agree" and label.get("en-GB") == "Strongly agree"
    assert label.get("fr") is None
    assert label.resolve("nl-BE") == ("Volledig akkoord", True)
    assert label.resolve("fr") == ("Helemaal eens", False)
    assert label.resolve("nl") == ("Helemaal eens", True)
    assert set(label.variants) == {"Helemaal eens", "Strongly agree", "Volledig akkoord"}
    with pytest.raises(AttributeError):
        label._translations = {}  # type: ignore[misc]
    again = pickle.loads(pickle.dumps(label))
    assert isinstance(again, Text) and again.translations == label.translations


def test_language_codes_are_spelled_by_convention() -> None:
    assert [language_code(c) for c in ("nl", "NL", "nl_be", "nl-BE", "en-gb")] == [
        "nl", "nl", "nl-BE", "nl-BE", "en-GB"]
    assert language_code("Nederlands (nl)") is None and language_code("") is None


def test_yaml_texts_per_language_become_the_model_in_each_language() -> None:
    en = INSTRUMENT.in_language("en")
    assert INSTRUMENT.title == "Korte scan digitale geletterdheid" and INSTRUMENT.language == "nl"
    assert en.title == "Short digital literacy scan" and en.language == "en"
    assert en.scales["eens"].labels == ("Disagree", "Neutral", "Agree")
    slots = {s.key: s.field for s in en.slots()}
    assert slots["sector"].choices == ("Primary", "Secondary")
    assert slots["middelen.bord"].label == "Interactive whiteboard"
    assert slots["middelen.anders"].label == "Other, namely"
    assert slots["respondent.naam"].label == "Name"
    assert slots["visie"].scale is not None and slots["visie"].scale.labels[2] == "Agree"
    flemish = INSTRUMENT.in_language("nl-BE")
    assert flemish.sections[0].title == "De bevraging"
    assert flemish.scales["eens"].labels == ("Oneens", "Neutraal", "Eens")  # nl-BE -> nl
    assert flemish.introduction.endswith("Alvast bedankt!")


def test_slot_keys_do_not_depend_on_the_language() -> None:
    keys = [s.key for s in INSTRUMENT.slots()]
    assert [s.key for s in INSTRUMENT.in_language("en").slots()] == keys
    assert [s.key for s in INSTRUMENT.in_language("nl-BE").slots()] == keys
    assert [s.anchor for s in INSTRUMENT.in_language("fr").slots()] == [
        s.anchor for s in INSTRUMENT.slots()]


def test_missing_translations_are_listed_by_place_and_fall_back_to_the_default() -> None:
    missing = INSTRUMENT.missing_texts("en")
    assert missing == ["tweetalig › scan › uitleg › bullets ('Wees eerlijk.')",
                       "tweetalig › scan › toelichting › text ('Wil je nog iets toelichten?')"]
    assert INSTRUMENT.missing_texts("nl-BE") == [] and INSTRUMENT.missing_texts("nl") == []
    en = INSTRUMENT.in_language("en")
    assert en.item("toelichting").text == "Wil je nog iets toelichten?"  # type: ignore[union-attr]
    assert len(INSTRUMENT.missing_texts("fr")) > 10


def test_single_language_content_is_unchanged_in_its_own_language() -> None:
    for inst in load_catalog().instruments.values():
        assert inst.language == "nl"
        assert inst.in_language("nl") == replace(inst, localised=True)
        assert inst.missing_texts("nl") == []


def test_a_label_returned_in_any_language_is_stored_in_the_default_language() -> None:
    slots = {s.key: s for s in INSTRUMENT.slots()}
    assert check(slots["sector"], "Secondary").value == "Voortgezet onderwijs"
    assert check(slots["sector"], "Secundair onderwijs").value == "Voortgezet onderwijs"
    assert type(check(slots["sector"], "primary").value) is str
    assert check(slots["visie"], "Agree").value == 3.0
    assert check(slots["visie"], "Neutraal").value == 2.0


def _problems(text: str) -> list[str]:
    with pytest.raises(ContentError) as caught:
        parse_instrument(text, Path("x.yaml"))
    return [p.what for p in caught.value.problems]


BASE = """id: x
version: "1"
title: {title}
role: R
introduction: I
source: {{document: D, publisher: P, licence: CC0}}
sections:
  - id: s
    title: S
    items:
      - {{id: q, kind: text, text: Q}}
"""


def test_a_text_per_language_is_checked() -> None:
    assert any("'xx-' is not a language code" in w or "not a language code" in w
               for w in _problems(BASE.format(title="{xx-: A, nl: B}")))
    assert any("none in the instrument's language (nl)" in w
               for w in _problems(BASE.format(title="{en: Title}")))
    assert any("must be text" in w for w in _problems(BASE.format(title="{nl: [a, b]}")))
    english = parse_instrument("language: en\n" + BASE.format(title="{en: Title, nl: Titel}"),
                               Path("x.yaml"))
    assert english.language == "en" and english.title == "Title"
    assert english.in_language("nl").title == "Titel"


def test_localise_leaves_plain_models_alone() -> None:
    assert localise(("a", 1), "en") == ("a", 1)

"""The content model and its validation, through the CLI and the library."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from templategen.cli import main
from templategen.content.catalog import load_catalog
from templategen.content.model import (
    FieldKind,
    GuidanceStyle,
    ItemKind,
    RuleKind,
    anchor,
    key_from_anchor,
)
from templategen.errors import ContentError

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "content"
ALLES = FIXTURES / "alles.yaml"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_bundled_content_validates_through_the_cli():
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert "instruments valid." in result.output
    catalog = load_catalog()
    assert "externe_ondersteuning" in catalog.instruments
    for inst in catalog.instruments.values():
        assert inst.id in result.output


def test_list_shows_every_instrument_with_its_counts():
    result = run("list", "--content", str(FIXTURES))
    assert result.exit_code == 0, result.output
    assert re.search(r"alles\s+v2\s+\d+ items\s+64 answers", result.output), result.output


def test_fixture_covers_every_item_kind_field_kind_and_rule_kind():
    inst = load_catalog(FIXTURES).get("alles")
    assert inst is not None
    new = load_catalog(FIXTURES.parent / "content_new").get("nieuw")  # the kinds of #14
    assert new is not None
    assert {i.kind for i in (*inst.walk_items(), *new.walk_items())} == set(ItemKind)
    assert {r.kind for r in inst.rules} == set(RuleKind)
    assert {s.field.kind for s in inst.slots()} == set(FieldKind)
    styles = {i.style for i in inst.walk_items() if i.kind is ItemKind.GUIDANCE}
    assert styles == {GuidanceStyle.BACKGROUND, GuidanceStyle.TIPS}


def test_slot_keys_follow_the_contract_and_anchors_round_trip():
    inst = load_catalog(FIXTURES).get("alles")
    assert inst is not None
    keys = [s.key for s in inst.slots()]
    assert len(keys) == len(set(keys))
    assert keys[:5] == [
        "respondent.naam", "respondent.organisatie", "respondent.rol", "respondent.datum",
        "respondent.onderwerp",
    ]
    assert "visie" in keys  # a simple question: the item id
    assert "tabel.beleid.gewenst" in keys  # a grid cell: item.row.column
    assert "kpi.tevreden.r2026" in keys  # an indicator cell
    assert "partijen.4.start" in keys and "partijen.5.start" not in keys  # entries: 1..n
    for key in keys:
        assert key_from_anchor(anchor(key)) == key
        assert re.fullmatch(r"tg_[a-z0-9_]+", anchor(key)) and len(anchor(key)) <= 40
    assert key_from_anchor("_GoBack") is None


def test_model_details_scale_lookup_and_labels():
    inst = load_catalog(FIXTURES).get("alles")
    assert inst is not None
    scale = inst.scales["vijf"]
    assert (scale.minimum, scale.maximum) == (1, 5)
    assert scale.value_of("  hoog ") == 4 and scale.value_of("Hoog?") is None
    assert scale.label_of(2) == "Laag"
    slot = next(s for s in inst.slots() if s.key == "tabel.beleid.gewenst")
    assert slot.label == "'Verkenning van de situatie', rij 'Hoe wordt beleid ingezet?', " \
        "kolom 'Gewenste situatie'"
    assert [s.key for s in inst.slots_under("deel_b")] == ["crit_1", "crit_2", "crit_3", "crit_4"]
    assert inst.accepts_version("1") and inst.accepts_version("2")
    assert not inst.accepts_version("3")
    kpi = inst.item("kpi")
    assert kpi is not None and kpi.rows[0].attributes == {"niveau": "Output", "bron": "Monitor"}
    partijen = inst.item("partijen")
    assert partijen is not None and partijen.prefill[1] == {"naam": "Ouders"}


# Each case: (what to replace in alles.yaml, by what, the expected message fragment).
# The expected line is the line where the replacement lands.
BREAKAGES = [
    ("    intro: Algemene vragen.", "    intor: Algemene vragen.",
     "unknown key 'intor' in section. Fix: did you mean 'intro'?"),
    ("        kind: text\n        number: \"A.1\"", "        kind: txt\n        number: \"A.1\"",
     "unknown item kind 'txt'. Fix: did you mean 'text'?"),
    ("      - id: crit_2\n", "      - id: crit_1\n", "duplicate id 'crit_1' (first used on line"),
    ("        scale: vijf\n        required: true", "        scale: vyf\n        required: true",
     "scale 'vyf' is not defined. Fix: did you mean 'vijf'?"),
    ("    of: [deel_b]", "    of: [deel_x]", "rule refers to unknown item or section 'deel_x'"),
    ("introduction: Dit is een proefinstrument voor {{ naam }}",
     "introduction: Dit is een proefinstrument voor {{ naam }",
     "bad Jinja2 placeholder"),
    ("    factors: [impact, kans]", "    factors: [impact, kansen]",
     "'hefbomen' has no column 'kansen'"),
    ("      - id: sector\n", "      - id: Sector\n", "id 'Sector' is not a valid id."),
    ("    of: score_b\n", "    of: gem_huidig\n", "'of' must name a sum rule defined above"),
    ("        options: [PO, VO, MBO]", "        options: [PO]", "a choice needs at least two"),
    ("        min: 0\n        max: 100000", "        min: 10\n        max: 1",
     "min is larger than max."),
    ("    split: 3\n", "    split: drie\n", "'split' must be a number."),
    ("    x: invloed\n", "    x: naam\n", "column 'naam' is text, not a number or scale."),
    ("      - id: crit_4\n", "      - id: crit_4_with_a_very_long_identifier_that_breaks\n",
     "exceeds Word's 40-character bookmark limit"),
    ("    when: {min: 4}", "    when: {minimum: 4}", "'when' takes exactly one of"),
]


@pytest.mark.parametrize(("old", "new", "expected"), BREAKAGES, ids=[b[2][:30] for b in BREAKAGES])
def test_each_breakage_is_reported_with_file_line_and_fix(tmp_path, old, new, expected):
    text = ALLES.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"fixture changed: {old!r}"
    broken = text.replace(old, new)
    line = text[: text.index(old)].count("\n") + 1 + _first_changed_line(old, new)
    (tmp_path / "alles.yaml").write_text(broken, encoding="utf-8")
    result = run("validate", "--content", str(tmp_path))
    assert result.exit_code == 1
    where = f"{tmp_path / 'alles.yaml'}:"
    matching = [ln for ln in result.output.splitlines() if expected in ln]
    assert matching, result.output
    found = (re.search(re.escape(where) + r"(\d+)", ln) for ln in matching)
    lines = {int(m.group(1)) for m in found if m}
    assert lines, matching
    # The message points at the changed line (or, for a whole-item problem, the item's
    # first line, which is at most a few lines above).
    assert any(line - 4 <= n <= line for n in lines), (line, matching)


def _first_changed_line(old: str, new: str) -> int:
    for n, (a, b) in enumerate(zip(old.splitlines(), new.splitlines(), strict=False)):
        if a != b:
            return n
    return 0


def test_all_problems_of_a_file_are_reported_at_once(tmp_path):
    text = ALLES.read_text(encoding="utf-8")
    for old, new, _ in BREAKAGES[:5]:
        text = text.replace(old, new)
    (tmp_path / "alles.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as info:
        load_catalog(tmp_path)
    messages = "\n".join(str(p) for p in info.value.problems)
    for _, _, expected in BREAKAGES[:5]:
        assert expected.split(" Fix:")[0] in messages


def test_missing_required_keys_and_yaml_syntax_errors(tmp_path):
    (tmp_path / "a.yaml").write_text("id: a\nversion: '1'\ntitle: A\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("id: b\n  version: [\n", encoding="utf-8")
    result = run("validate", "--content", str(tmp_path))
    assert result.exit_code == 1
    assert f"{tmp_path / 'a.yaml'}:1: instrument lacks the required key 'sections'" in result.output
    assert f"{tmp_path / 'b.yaml'}:2: is not valid YAML" in result.output


def test_a_users_own_instrument_is_picked_up(tmp_path):
    shutil.copy(REPO / "content" / "externe_ondersteuning.yaml", tmp_path)
    (tmp_path / "mijn_vragen.yaml").write_text(README_EXAMPLE, encoding="utf-8")
    result = run("validate", "--content", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "mijn_vragen" in result.output and "externe_ondersteuning" in result.output


def _readme_example() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"## Write your own instrument.*?```yaml\n(.*?)```", readme, re.S)
    assert match, "README lacks the 'Write your own instrument' example"
    return match.group(1)


README_EXAMPLE = _readme_example()

"""Seed 000 (Kennisnet interview guide): every question and criterion is in the content."""

from __future__ import annotations

import re

from templategen.content.catalog import load_catalog
from templategen.content.model import ItemKind
from tests.support.seedtext import instrument_text, normalise, seed_text


def _sections(seed: str) -> list[tuple[str, list[str], list[str]]]:
    """(title, questions, criteria) of each numbered part of the guide."""
    parts = re.split(r"^\d\. (.+)$", seed, flags=re.M)
    out = []
    for title, body in zip(parts[1::2], parts[2::2], strict=True):
        questions, _, criteria = body.partition("Selectiecriteria")
        bullets = re.compile(r"^- (.+)$", re.M)
        out.append((title.strip(), bullets.findall(questions), bullets.findall(criteria)))
    return out


def test_every_question_and_criterion_of_seed_000_is_in_the_content():
    seed = seed_text("000_9ff8ffc4fe89ea4a.txt")
    inst = load_catalog().get("externe_ondersteuning")
    assert inst is not None
    sections = _sections(seed)
    assert len(sections) == 6
    questions = [normalise(i.text) for i in inst.walk_items() if i.kind is ItemKind.TEXT]
    criteria = [normalise(i.text) for i in inst.walk_items() if i.kind is ItemKind.CHECK]
    text = instrument_text(inst)
    for title, qs, cs in sections:
        assert normalise(title) in text
        assert qs and cs
        for q in qs:
            assert normalise(q) in questions, q
        for c in cs:
            assert normalise(c) in criteria, c
    assert len(criteria) == sum(len(cs) for _, _, cs in sections)


def test_seed_000_is_attributed_under_its_licence():
    inst = load_catalog().get("externe_ondersteuning")
    assert inst is not None
    assert inst.source.publisher == "Kennisnet"
    assert inst.source.licence == "CC BY 4.0 NL"
    assert "Creative Commons Naamsvermelding 4.0" in inst.source.attribution

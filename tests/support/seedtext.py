"""Helpers for the completeness tests: find the seeds and normalise their text."""

from __future__ import annotations

from pathlib import Path

import pytest

from templategen.content.model import Instrument, ItemKind

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO.parent / "shared" / "seeds"


def seed_text(name: str) -> str:
    path = SEEDS / name
    if not path.is_file():
        pytest.skip(f"seed {name} not found beside the repository ({SEEDS})")
    return path.read_text(encoding="utf-8")


def normalise(text: str) -> str:
    """Fold white space, quotes and dashes so wording, not layout, is compared."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
    text = text.replace("\u201d", '"').replace("\u2013", "-").replace("\u00a0", " ")
    return " ".join(text.split())


def instrument_text(inst: Instrument) -> str:
    """Every text of an instrument a respondent can read, normalised and joined."""
    parts = [inst.title, inst.introduction, inst.instructions]
    for sec in inst.walk_sections():
        parts += [sec.number, sec.title, sec.intro]
    for item in inst.walk_items():
        parts += [item.number, item.text, item.hint, *item.bullets]
        for row in item.rows:
            parts += [row.text, row.group, *row.attributes.values()]
        for f in item.columns + item.fields:
            parts.append(f.label)
        if item.kind is ItemKind.ENTRIES:
            parts += [v for entry in item.prefill for v in entry.values()]
    return normalise("\n".join(p for p in parts if p))

"""What a workbook shares and shows: which tables can share a sheet and its name, runs of
questions on one scale (their labels shown once, above them) and the choices a scale or
short choice question shows beside its dropdown (#19)."""

from __future__ import annotations

from typing import Any

from templategen.content.model import (
    SIMPLE_KINDS,
    Field,
    FieldKind,
    Item,
    ItemKind,
    Section,
    item_slots,
)
from templategen.i18n import N_, document
from templategen.office.formulas import cut_words


def table_columns(item: Item) -> tuple[Any, ...]:
    """What a table's header row holds: tables alike in this can share a sheet."""
    fields = item.fields if item.kind is ItemKind.ENTRIES else item.columns
    return (item.kind is ItemKind.ENTRIES, tuple(a.label for a in item.attributes),
            tuple((f.label, f.kind) for f in fields))


def shared_title(texts: list[str]) -> str:
    """A sheet's name for these tables: one's own text; for several their common first
    words ("Doelstellingen"), else the first's text with "e.v." (and following)."""
    if len(texts) == 1:
        return texts[0]
    words = [t.split() for t in texts]
    common = []
    for column in zip(*words, strict=False):
        if len(set(column)) > 1:
            break
        common.append(column[0])
    if common:
        return " ".join(common)
    return f"{cut_words(texts[0], 26)} e.v."


SCALE_LEGEND = N_("Answer scale")  # above questions on one scale, in the files' language
CHOICES_SHOWN = 7  # a choice with at most this many options shows them beside its question


def _scale_of(child: Item | Section) -> tuple[str, ...] | None:
    """The labels of a question answered on a scale."""
    if isinstance(child, Section) or child.kind not in SIMPLE_KINDS:
        return None
    f = next(item_slots(child)).field
    return f.scale.labels if f.kind is FieldKind.SCALE and f.scale else None


def scale_runs(children: tuple[Item | Section, ...] | list[Item | Section]
               ) -> dict[str, tuple[int, tuple[str, ...]]]:
    """Runs of two or more questions in a row on one scale: the first's id -> (how many, the
    scale's labels)."""
    runs: dict[str, tuple[int, tuple[str, ...]]] = {}
    i = 0
    while i < len(children):
        labels, j = _scale_of(children[i]), i
        while labels and j + 1 < len(children) and _scale_of(children[j + 1]) == labels:
            j += 1
        if labels and j > i:
            runs[children[i].id] = (j - i + 1, labels)
        i = j + 1
    return runs


def shown_choices(field: Field, lead: bool = True) -> str:
    """What a scale question or a short choice shows beside its dropdown: every choice
    ("Kies uit: …", or without ``lead`` just the choices)."""
    if field.kind is FieldKind.SCALE or (field.kind is FieldKind.CHOICE
                                         and len(field.choices) <= CHOICES_SHOWN):
        choices = " · ".join(field.choices)
        return document("Choose from:") + " " + choices if lead else choices
    return ""

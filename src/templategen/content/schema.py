"""The content schema as tables: which keys each part of an instrument file may have."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from templategen.content.model import ItemKind, RuleKind
from templategen.content.rulekinds import KINDS
from templategen.i18n import _

# --- schema tables: allowed keys per kind of mapping ------------------------------------

INSTRUMENT_KEYS = {
    "required": {"id", "version", "title", "role", "introduction", "source", "sections"},
    "optional": {
        "instructions", "scales", "rules", "subject", "previous_versions", "register",
        "placeholders", "mail", "language",
    },
}
# the instrument's own mail texts (templategen mail / remind) and its deadline
MAIL_KEYS = {"required": set(),
             "optional": {"deadline", "uitnodiging", "herinnering", "bijlagen"}}
SOURCE_KEYS = {
    "required": {"document", "publisher", "licence"},
    "optional": {"seed", "location", "attribution", "url"},
}
SCALE_KEYS = {"required": {"id", "label", "points"}, "optional": {"description"}}
POINT_KEYS = {"required": {"value", "label"}, "optional": set()}
SECTION_KEYS = {"required": {"id", "title", "items"}, "optional": {"number", "intro", "kind"}}
FIELD_KEYS = {
    "required": {"id", "label", "kind"},
    "optional": {
        "scale", "options", "required", "min", "max", "max_length", "multiline", "hint",
        "message",
    },
}
ROW_KEYS = {"required": {"id", "text"}, "optional": {"group"}}
ATTRIBUTE_KEYS = {"required": {"id", "label"}, "optional": set()}
OPTION_KEYS = {"required": {"id", "label"}, "optional": set()}
RULE_KEYS_COMMON = {"id", "kind", "label"}

_ANSWER_KEYS = {"scale", "options", "required", "min", "max", "max_length", "multiline", "message"}
ITEM_KEYS: dict[ItemKind, dict[str, set[str]]] = {
    ItemKind.TEXT: {"required": {"id", "kind", "text"}, "optional": _ANSWER_KEYS | {"default"}},
    ItemKind.CHECK: {"required": {"id", "kind", "text"}, "optional": {"required"}},
    ItemKind.SCALE: {"required": {"id", "kind", "text", "scale"},
                     "optional": {"required", "default"}},
    ItemKind.CHOICE: {
        "required": {"id", "kind", "text", "options"},
        "optional": {"required", "other", "default"},
    },
    ItemKind.MULTI: {
        "required": {"id", "kind", "text", "options"}, "optional": {"other", "required"},
    },
    ItemKind.NUMBER: {
        "required": {"id", "kind", "text"},
        "optional": {"required", "min", "max", "message", "default"},
    },
    ItemKind.INTEGER: {
        "required": {"id", "kind", "text"},
        "optional": {"required", "min", "max", "message", "default"},
    },
    ItemKind.DATE: {"required": {"id", "kind", "text"}, "optional": {"required", "default"}},
    ItemKind.GRID: {"required": {"id", "kind", "text", "rows", "columns"}, "optional": set()},
    ItemKind.INDICATORS: {
        "required": {"id", "kind", "text", "rows", "columns", "attributes"},
        "optional": set(),
    },
    ItemKind.ENTRIES: {
        "required": {"id", "kind", "text", "fields"},
        "optional": {"entries", "prefill"},
    },
    ItemKind.GUIDANCE: {"required": {"id", "kind", "style"}, "optional": {"text", "bullets"}},
}
for _spec in ITEM_KEYS.values():
    _spec["optional"] = _spec["optional"] | {"number", "hint"}

# Rule parameters per kind: name -> (required?, type tag), from each kind's definition.
RULE_PARAMS: dict[RuleKind, dict[str, tuple[bool, str]]] = {
    kind: dict(k.params) for kind, k in KINDS.items()}
QUADRANT_KEYS = ("x_high_y_high", "x_high_y_low", "x_low_y_high", "x_low_y_low")
WHEN_KEYS = {"min", "max", "equals", "checked"}
CHARTS = {"bar", "radar", "scatter"}


def did_you_mean(word: object, options: Iterable[str], otherwise: str) -> str:
    """A 'did you mean' fix for a misspelling, else the given advice."""
    guess = difflib.get_close_matches(str(word), list(options), n=1, cutoff=0.5)
    return _("did you mean '{guess}'?").format(guess=guess[0]) if guess else otherwise

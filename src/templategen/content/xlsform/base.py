"""What the XLSForm mapping shares: the tables (question type -> item kind, limits), the
mapper's state (where each line came from, the ids taken, the warnings) and its texts: a
label in one language or one per language code (``label::English (en)`` -> ``en``)."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from templategen.content.languages import DEFAULT_LANGUAGE, language_code
from templategen.content.model import ANCHOR_MAX, ANCHOR_PREFIX
from templategen.content.yamlsource import LineDict, LineList
from templategen.i18n import _

# XLSForm question type (as pyxform's dict names it) -> the YAML item kind it becomes
QUESTION_KINDS: dict[str, str] = {
    "text": "text", "string": "text", "integer": "integer", "int": "integer",
    "decimal": "number", "date": "date", "datetime": "date", "acknowledge": "check",
    "trigger": "check", "select one": "choice", "select all that apply": "multi",
    "note": "guidance", "group": "section", "repeat": "entries",
}
RULE_SHEETS = ("rules", "matrices")  # our extension: scoring rules, per-row rules (matrices)
TEXT_PARAMS = ("field", "sum_rule", "col", "table", "chart", "text")  # rule params kept as text
DEFAULT_ENTRIES = 8  # rows of a repeat without a fixed repeat_count (settings: repeat_rows)
OTHER_CHOICE = "other"
CONDITION_HINT = "Alleen invullen als {condition}."
DEFAULT_HINT = "Standaard: {value}."
DEFAULT_KINDS = ("text", "integer", "number", "date", "choice", "scale")  # default filled in
DYNAMIC = re.compile(r"\$\{|\(")  # a default that is an expression (today(), ${other})
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
SECTION_ID, SECTION_TITLE = "vragen", "Vragen"  # questions outside any group
KEY_MAX = ANCHOR_MAX - len(ANCHOR_PREFIX)  # a slot key's anchor is a Word bookmark
COMPOUND_MAX = 20  # the id of a multi, table or repeat: its options' or fields' keys follow
BOUND = re.compile(r"^\.\s*(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)$")
LENGTH = re.compile(r"^string-length\(\s*\.\s*\)\s*<=\s*(\d+)$")
CODE_IN_NAME = re.compile(r"\(([^()]+)\)\s*$")  # "Nederlands (nl)" -> nl
LANGUAGE_CODES = {"nederlands": "nl", "dutch": "nl", "vlaams": "nl-BE", "english": "en",
                  "engels": "en", "deutsch": "de", "german": "de", "français": "fr",
                  "french": "fr", "español": "es", "spanish": "es", "portuguese": "pt",
                  "chinese": "zh", "arabic": "ar", "swahili": "sw", "hindi": "hi"}
TRUE = {"yes", "true", "true()", "1", "ja"}
FALSE = {"", "no", "false", "false()", "0", "nee"}


@dataclass(frozen=True)
class Reading:
    """One XLSForm read: the instrument data (YAML-shaped), what was said, where each line is."""

    data: LineDict
    warnings: tuple[str, ...]
    places: dict[int, str]


def as_id(name: str) -> str:
    """An XLSForm name as one of our ids: lowercase ASCII words joined by single '_'."""
    from anyascii import anyascii  # (here: its import takes 1.6 ms of every command)

    words = re.findall(r"[a-z0-9]+", anyascii(str(name)).casefold())
    out = "_".join(words)
    return f"v_{out}" if out and not out[0].isalpha() else out


def as_number(text: str) -> int | float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return int(value) if value.is_integer() else value


class Base:
    """The mapper's state, lines, ids, warnings and texts."""

    def __init__(self, path: Path, definition: Any):
        self.path = path
        self.definition = definition
        self.settings: dict[str, Any] = dict(definition.settings[0]) if definition.settings else {}
        self.warnings: list[str] = []
        self.unknown_languages: set[str] = set()
        self.languages: dict[str, None] = {}  # the codes of the texts read, in order
        self.language = self.form_language()
        self.places: dict[int, str] = {}
        self.rows: dict[str, deque[int]] = {}
        for n, raw in enumerate(definition.survey or [], start=2):
            name = next((v for k, v in raw.items() if str(k).strip().lower() == "name"), None)
            if name:
                self.rows.setdefault(str(name).strip(), deque()).append(n)
        self.ids: set[str] = set()
        self.scales: dict[str, LineDict] = {}
        self.counts: dict[str, str] = {}  # generated <repeat>_count calculates -> their value
        self.current = ""  # the id of the item being read (its options' keys follow it)

    # -- lines and places ---------------------------------------------------------------

    def _line(self, sheet: str, row: int) -> int:
        line = len(self.places) + 1
        self.places[line] = _("(sheet {sheet}, row {row})").format(sheet=sheet, row=row)
        return line

    def _dict(self, line: int, **items: Any) -> LineDict:
        d = LineDict({k: v for k, v in items.items() if v is not None and v != ""})
        d.line, d.key_lines, d.text_lines = line, {}, {}
        return d

    def _row(self, el: dict[str, Any]) -> int:
        rows = self.rows.get(str(el.get("name")))
        return rows.popleft() if rows else 0

    def warn(self, sheet: str, row: int, name: str, kind: str, what: str) -> None:
        self.warnings.append(_("{file} (sheet {sheet}, row {row}): '{name}' ({type}): "
                               "{what}").format(file=self.path.name, sheet=sheet, row=row,
                                                name=name, type=kind, what=what))

    def form_language(self) -> str:
        """The instrument's language: the settings' default_language, else that of the
        columns without a language (nl), else the first language of the labels."""
        named = self.settings.get("default_language")
        if named:
            return self.code_of(str(named)) or DEFAULT_LANGUAGE
        headers = list(dict.fromkeys(str(k) for row in (self.definition.survey or [])
                                     for k in row))
        for header in headers:
            if header in ("label", "hint"):
                return DEFAULT_LANGUAGE
        for header in headers:
            if header.startswith("label::"):
                return self.code_of(header.split("::", 1)[1]) or DEFAULT_LANGUAGE
        return DEFAULT_LANGUAGE

    def code_of(self, name: str) -> str | None:
        """The language code of an XLSForm language name: ``Nederlands (nl)`` -> nl."""
        if name == "default":
            return getattr(self, "language", DEFAULT_LANGUAGE)
        match = CODE_IN_NAME.search(name)
        code = language_code(match.group(1)) if match else (
            LANGUAGE_CODES.get(name.strip().casefold()) or language_code(name))
        if code is None and name not in self.unknown_languages:
            self.unknown_languages.add(name)
            self.warnings.append(_("{file}: the language '{name}' has no code (write e.g. "
                                   "'English (en)'); its texts are left out.").format(
                file=self.path.name, name=name))
        return code

    def text(self, value: Any) -> Any:
        """A label or hint: plain text, or one text per language code when translated
        (the form's language always among them)."""
        if not isinstance(value, dict):
            return "" if value is None else str(value).strip()
        texts: dict[str, str] = {}
        for name, text in value.items():
            code = self.code_of(str(name))
            if code is not None and text is not None and str(text).strip():
                texts.setdefault(code, str(text).strip())
                self.languages.setdefault(code)
        if not texts:
            return ""
        if self.language not in texts:
            texts = {self.language: next(iter(texts.values())), **texts}
        return texts[self.language] if len(texts) == 1 else texts

    def name_text(self, name: str) -> Any:
        """A name standing in for a text (a list's name as its scale's label): the same in
        every language of the form, so no translation is missing."""
        codes = [self.language, *(c for c in self.languages if c != self.language)]
        return {code: name for code in codes} if len(codes) > 1 else name

    def cell_text(self, cells: dict[str, Any], key: str) -> Any:
        """A cell that may have a column per language: ``key::English (en)`` (pyxform's),
        ``key@en`` (our extension columns, which pyxform must not translate)."""
        value = {re.split("::|@", k, maxsplit=1)[1]: v for k, v in cells.items()
                 if str(k).startswith((f"{key}::", f"{key}@"))}
        if cells.get(key) not in (None, ""):
            value["default"] = cells[key]
        return self.text(value) if value else ""

    def bullets(self, el: dict[str, Any]) -> LineList:
        """The bullets cell: one bullet a line (per language when translated)."""
        value = self.cell_text(el, "bullets")
        per = value if isinstance(value, dict) else {self.language: value}
        lines = {code: [b.strip() for b in str(t).splitlines() if b.strip()]
                 for code, t in per.items()}
        out = LineList()
        for n, text in enumerate(lines[self.language]):
            texts = {code: ls[n] for code, ls in lines.items()  # one bullet untranslated:
                     if n < len(ls) and (code == self.language or ls[n] != text)}  # the same
            out.append(texts if len(texts) > 1 else text)
        return out

    @staticmethod
    def join(parts: list[Any]) -> Any:
        """Texts joined by a space, per language when one of them is translated."""
        parts = [p for p in parts if p]
        codes = [c for p in parts if isinstance(p, dict) for c in p]
        if not codes:
            return " ".join(parts)
        first = next(p for p in parts if isinstance(p, dict))
        default = next(iter(first))
        return {code: " ".join(str(p.get(code, p[default])) if isinstance(p, dict) else p
                               for p in parts) for code in dict.fromkeys(codes)}

    def unique(self, name: str, scope: set[str], row: int, kind: str,
               limit: int = KEY_MAX) -> str:
        """``name`` as an id unused in ``scope`` and at most ``limit`` characters long (a
        slot key must fit a Word bookmark)."""
        whole = as_id(name) or "vraag"
        base = whole[:max(limit, 4)].rstrip("_")
        out, n = base, 2
        while out in scope:
            out, n = f"{base[:max(limit, 4) - len(str(n)) - 1].rstrip('_')}_{n}", n + 1
        if out != whole:
            self.warn("survey", row, name, kind,
                      _("the name is used before or too long for a Word bookmark; its answers "
                        "are kept as '{id}'.").format(id=out))
        scope.add(out)
        return out


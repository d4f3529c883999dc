"""Content: YAML instrument files -> checked model objects.

One pass per file reads the YAML (keeping line numbers), checks it against the
schema tables below and builds the model. Every problem of a file is collected and
reported at once, each naming file:line, what is wrong and the fix.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import jinja2
import yaml

from . import yamlsource
from .errors import ContentError, Problem
from .model import (
    ANCHOR_MAX,
    ID_PATTERN,
    RESPONDENT,
    SIMPLE_KINDS,
    TABLE_KINDS,
    Attribute,
    Band,
    Constraint,
    Field,
    FieldKind,
    GuidanceStyle,
    Instrument,
    Item,
    ItemKind,
    Row,
    Rule,
    RuleKind,
    Scale,
    ScalePoint,
    Section,
    Source,
)
from .yamlsource import LineDict, LineList

BUNDLED_CONTENT = Path(__file__).resolve().parents[2] / "content"

# --- schema tables: allowed keys per kind of mapping ------------------------------------

INSTRUMENT_KEYS = {
    "required": {"id", "version", "title", "role", "introduction", "source", "sections"},
    "optional": {"instructions", "scales", "rules", "subject", "previous_versions"},
}
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
RULE_KEYS_COMMON = {"id", "kind", "label"}

_ANSWER_KEYS = {"scale", "options", "required", "min", "max", "max_length", "multiline", "message"}
ITEM_KEYS: dict[ItemKind, dict[str, set[str]]] = {
    ItemKind.TEXT: {"required": {"id", "kind", "text"}, "optional": _ANSWER_KEYS},
    ItemKind.CHECK: {"required": {"id", "kind", "text"}, "optional": {"required"}},
    ItemKind.SCALE: {"required": {"id", "kind", "text", "scale"}, "optional": {"required"}},
    ItemKind.CHOICE: {"required": {"id", "kind", "text", "options"}, "optional": {"required"}},
    ItemKind.NUMBER: {
        "required": {"id", "kind", "text"},
        "optional": {"required", "min", "max", "message"},
    },
    ItemKind.DATE: {"required": {"id", "kind", "text"}, "optional": {"required"}},
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

# Rule parameters: name -> (required?, type tag). Type tags are checked in _rule().
RULE_PARAMS: dict[RuleKind, dict[str, tuple[bool, str]]] = {
    RuleKind.SUM: {"of": (True, "refs"), "field": (False, "field"), "chart": (False, "chart")},
    RuleKind.PERCENT: {"of": (True, "sum_rule"), "bands": (False, "bands")},
    RuleKind.COUNT: {"of": (True, "refs"), "field": (False, "field"), "when": (True, "when")},
    RuleKind.MEAN: {"of": (True, "refs"), "field": (False, "field")},
    RuleKind.SPREAD: {"of": (True, "refs"), "field": (False, "field"), "chart": (False, "chart")},
    RuleKind.DIFFERENCE: {"item": (True, "table"), "a": (True, "col"), "b": (True, "col")},
    RuleKind.PRODUCT: {
        "item": (True, "table"), "factors": (True, "cols"), "bands": (False, "bands"),
    },
    RuleKind.QUADRANT: {
        "item": (True, "table"), "x": (True, "col"), "y": (True, "col"),
        "split": (True, "number"), "quadrants": (True, "quadrants"), "chart": (False, "chart"),
    },
    RuleKind.ACHIEVEMENT: {
        "item": (True, "table"), "baseline": (True, "col"), "target": (True, "col"),
        "actual": (True, "cols"), "bands": (False, "bands"),
    },
    RuleKind.COVERAGE: {"groups": (True, "groups"), "message": (True, "text")},
}
QUADRANT_KEYS = ("x_high_y_high", "x_high_y_low", "x_low_y_high", "x_low_y_low")
WHEN_KEYS = {"min", "max", "equals", "checked"}
CHARTS = {"bar", "radar", "scatter"}

_JINJA = jinja2.Environment(autoescape=False)


@dataclass(frozen=True)
class Catalog:
    """Every instrument found in a content folder, by id."""

    instruments: dict[str, Instrument]

    def get(self, instrument_id: str) -> Instrument | None:
        return self.instruments.get(instrument_id)

    def select(self, only: Iterable[str] = ()) -> list[Instrument]:
        wanted = list(only)
        unknown = [w for w in wanted if w not in self.instruments]
        if unknown:
            known = ", ".join(sorted(self.instruments))
            raise ContentError(
                [Problem("--only", f"unknown instrument '{u}'.", f"use one of: {known}.")
                 for u in unknown]
            )
        if not wanted:
            return list(self.instruments.values())
        return [self.instruments[w] for w in wanted]


def did_you_mean(word: object, options: Iterable[str], otherwise: str) -> str:
    """A 'did you mean' fix for a misspelling, else the given advice."""
    guess = difflib.get_close_matches(str(word), list(options), n=1, cutoff=0.5)
    return f"did you mean '{guess[0]}'?" if guess else otherwise


def content_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml"))


def load_catalog(directory: Path | None = None) -> Catalog:
    """Load and check every instrument in a folder; raise ContentError listing all problems."""
    directory = directory or BUNDLED_CONTENT
    problems: list[Problem] = []
    instruments: dict[str, Instrument] = {}
    if not directory.is_dir():
        raise ContentError([Problem(str(directory), "is not a folder.", "pass --content DIR.")])
    for path in content_files(directory):
        try:
            inst = load_instrument(path)
        except ContentError as exc:
            problems.extend(exc.problems)
            continue
        if inst.id in instruments:
            problems.append(Problem(
                f"{path}:1", f"instrument id '{inst.id}' is also used by "
                f"{instruments[inst.id].path}.", "give each instrument its own id."))
            continue
        instruments[inst.id] = inst
    if problems:
        raise ContentError(problems)
    if not instruments:
        raise ContentError([Problem(str(directory), "holds no .yaml instrument files.",
                                    "add one; see 'Write your own instrument' in README.md.")])
    return Catalog(instruments)


def load_instrument(path: Path) -> Instrument:
    text = path.read_text(encoding="utf-8")
    try:
        data = yamlsource.load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise ContentError([Problem(f"{path}:{line}", f"is not valid YAML ({exc}).",
                                    "check indentation and quoting on that line.")]) from None
    return _Builder(path).instrument(data)


class _Builder:
    """Checks one file's data and builds the model, collecting every problem."""

    def __init__(self, path: Path):
        self.path = path
        self.problems: list[Problem] = []
        self.scales: dict[str, Scale] = {}
        self.ids: dict[str, int] = {}

    # -- reporting ----------------------------------------------------------------------

    def err(self, line: int, what: str, fix: str = "") -> None:
        self.problems.append(Problem(f"{self.path}:{line}", what, fix))

    def keys(self, data: Any, spec: dict[str, set[str]], what: str, line: int) -> bool:
        if not isinstance(data, LineDict):
            self.err(getattr(data, "line", line), f"{what} must be a mapping of keys.",
                     "write it as 'key: value' lines.")
            return False
        for key, dup_line in data.get("__duplicates__", []):
            self.err(dup_line, f"key '{key}' appears twice in this {what}.", "keep one of them.")
        allowed = spec["required"] | spec["optional"]
        for key in data:
            if key.startswith("__"):
                continue
            if key not in allowed:
                hint = did_you_mean(key, allowed, f"allowed keys: {', '.join(sorted(allowed))}.")
                self.err(data.line_of(key), f"unknown key '{key}' in {what}.", hint)
        for key in sorted(spec["required"] - set(data)):
            self.err(data.line, f"{what} lacks the required key '{key}'.", f"add '{key}: …'.")
        return True

    def text(self, data: LineDict, key: str, default: str = "") -> str:
        value = data.get(key, default)
        if value is None:
            return default
        if isinstance(value, (dict, list)):
            self.err(data.line_of(key), f"'{key}' must be text.", "write a plain string.")
            return default
        s = str(value).strip()
        self.check_jinja(s, data.line_of(key))
        return s

    def check_jinja(self, s: str, line: int) -> None:
        if "{{" not in s and "{%" not in s and "{#" not in s:
            return
        try:
            _JINJA.parse(s)
        except jinja2.TemplateSyntaxError as exc:
            self.err(line + (exc.lineno or 1) - 1, f"bad Jinja2 placeholder: {exc.message}.",
                     "write placeholders as {{ naam }}.")

    def new_id(self, data: LineDict, key: str = "id", scope: dict[str, int] | None = None) -> str:
        value = data.get(key)
        line = data.line_of(key)
        if value is None:
            return ""
        s = str(value)
        if not ID_PATTERN.match(s):
            self.err(line, f"id '{s}' is not a valid id.",
                     "use lowercase letters, digits and single underscores, starting with a "
                     "letter (e.g. 'sectie_1').")
        if s == RESPONDENT:
            self.err(line, f"id '{s}' is reserved for the respondent block.", "choose another.")
        scope = self.ids if scope is None else scope
        if s in scope:
            self.err(line, f"duplicate id '{s}' (first used on line {scope[s]}).",
                     "ids must be unique within an instrument; rename one.")
        else:
            scope[s] = line
        return s

    def bool_(self, data: LineDict, key: str) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            self.err(data.line_of(key), f"'{key}' must be true or false.", "write true or false.")
            return False
        return value

    def number(self, data: LineDict, key: str) -> float | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.err(data.line_of(key), f"'{key}' must be a number.", "write e.g. 5.")
            return None
        return value

    def list_(self, data: LineDict, key: str) -> list[Any]:
        value = data.get(key)
        if value is None:
            return LineList()
        if not isinstance(value, list):
            self.err(data.line_of(key), f"'{key}' must be a list.", "write it as '- …' lines.")
            return LineList()
        return value

    # -- building -----------------------------------------------------------------------

    def instrument(self, data: Any) -> Instrument:
        if not self.keys(data, INSTRUMENT_KEYS, "instrument", 1):
            raise ContentError(self.problems)
        for sd in self.list_(data, "scales"):
            self.scale(sd)
        inst_id = self.new_id(data)
        version = str(data.get("version", "")).strip()
        if "version" in data and not version:
            self.err(data.line_of("version"), "version is empty.", "write e.g. version: '1.0'.")
        sections = tuple(
            s for s in (self.section(sd, "section") for sd in self.list_(data, "sections")) if s
        )
        if "sections" in data and not sections:
            self.err(data.line_of("sections"), "an instrument needs at least one section.",
                     "add a section with items.")
        source = self.source(data.get("source"), data.line_of("source"))
        prev = tuple(str(v) for v in self.list_(data, "previous_versions"))
        inst = Instrument(
            id=inst_id, version=version, title=self.text(data, "title"),
            role=self.text(data, "role"), introduction=self.text(data, "introduction"),
            instructions=self.text(data, "instructions"), source=source,
            scales=dict(self.scales), sections=sections, subject_label=self.text(data, "subject"),
            previous_versions=prev, path=str(self.path),
        )
        rules: list[Rule] = []
        for rd in self.list_(data, "rules"):
            rule = self.rule(rd, inst)
            if rule:
                rules.append(rule)
                inst = replace(inst, rules=tuple(rules))
        self.check_anchors(inst)
        if self.problems:
            raise ContentError(self.problems)
        return inst

    def source(self, data: Any, line: int) -> Source:
        if data is None or not self.keys(data, SOURCE_KEYS, "source", line):
            return Source(document="")
        return Source(**{k: self.text(data, k) for k in SOURCE_KEYS["required"] |
                         SOURCE_KEYS["optional"]})

    def scale(self, data: Any) -> None:
        if not self.keys(data, SCALE_KEYS, "scale", getattr(data, "line", 1)):
            return
        sid = self.new_id(data, scope={})
        if sid in self.scales:
            self.err(data.line_of("id"), f"scale '{sid}' is defined twice.", "rename one.")
        points = []
        for pd in self.list_(data, "points"):
            if not self.keys(pd, POINT_KEYS, "scale point", data.line):
                continue
            value = self.number(pd, "value")
            if value is not None:
                points.append(ScalePoint(value=value, label=self.text(pd, "label")))
        if len(points) < 2:
            self.err(data.line_of("points"), f"scale '{sid}' needs at least two points.",
                     "list points as '- {value: 1, label: …}'.")
        labels = [p.label.casefold() for p in points]
        if len(set(labels)) != len(labels):
            self.err(data.line_of("points"), f"scale '{sid}' repeats a label.",
                     "give every point its own label.")
        self.scales[sid] = Scale(id=sid, label=self.text(data, "label"), points=tuple(points),
                                 description=self.text(data, "description"))

    def section(self, data: Any, what: str) -> Section | None:
        if not self.keys(data, SECTION_KEYS, what, getattr(data, "line", 1)):
            return None
        sid = self.new_id(data)
        children: list[Section | Item] = []
        for cd in self.list_(data, "items"):
            if isinstance(cd, LineDict) and cd.get("kind") == "section":
                sub = self.section(cd, "section")
                if sub:
                    children.append(sub)
            else:
                it = self.item(cd)
                if it:
                    children.append(it)
        if "items" in data and not children:
            self.err(data.line_of("items"), f"section '{sid}' has no items.", "add items.")
        return Section(id=sid, title=self.text(data, "title"), number=self.text(data, "number"),
                       intro=self.text(data, "intro"), line=data.line, children=tuple(children))

    def item(self, data: Any) -> Item | None:
        line = getattr(data, "line", 1)
        if not isinstance(data, LineDict):
            self.err(line, "an item must be a mapping.", "write 'id: …', 'kind: …', 'text: …'.")
            return None
        raw_kind = data.get("kind")
        try:
            kind = ItemKind(str(raw_kind))
        except ValueError:
            kinds = [k.value for k in ItemKind] + ["section"]
            hint = did_you_mean(str(raw_kind), kinds, f"use one of: {', '.join(kinds)}.")
            self.err(data.line_of("kind"), f"unknown item kind '{raw_kind}'.", hint)
            return None
        if not self.keys(data, ITEM_KEYS[kind], f"{kind.value} item", line):
            return None
        iid = self.new_id(data)
        common: dict[str, Any] = dict(id=iid, kind=kind, text=self.text(data, "text"),
                      number=self.text(data, "number"), hint=self.text(data, "hint"), line=line)
        if kind in SIMPLE_KINDS:
            answer = self.field(data, FieldKind(kind.value), iid, label=common["text"])
            return Item(**common, answer=answer)
        if kind in TABLE_KINDS:
            attrs = tuple(self.attribute(ad) for ad in self.list_(data, "attributes"))
            columns = self.fields(data, "columns")
            scope: dict[str, int] = {}
            rows = tuple(r for r in (self.row(rd, attrs, scope) for rd in self.list_(data, "rows"))
                         if r)
            if not rows:
                self.err(data.line_of("rows"), f"table '{iid}' has no rows.", "add rows.")
            return Item(**common, rows=rows, columns=columns, attributes=attrs)
        if kind is ItemKind.ENTRIES:
            fields = self.fields(data, "fields")
            entries = data.get("entries", 8)
            if not isinstance(entries, int) or isinstance(entries, bool) or not 1 <= entries <= 200:
                self.err(data.line_of("entries"), "'entries' must be a whole number 1–200.",
                         "write e.g. entries: 10.")
                entries = 8
            prefill = tuple(self.prefill(pd, fields) for pd in self.list_(data, "prefill"))
            if len(prefill) > entries:
                self.err(data.line_of("prefill"), "more prefilled entries than 'entries'.",
                         f"raise entries to at least {len(prefill)}.")
            return Item(**common, fields=fields, entries=entries, prefill=prefill)
        try:
            style = GuidanceStyle(str(data.get("style")))
        except ValueError:
            self.err(data.line_of("style"), f"unknown guidance style '{data.get('style')}'.",
                     f"use one of: {', '.join(s.value for s in GuidanceStyle)}.")
            style = GuidanceStyle.NOTE
        bullets = tuple(self.bullet(b, data) for b in self.list_(data, "bullets"))
        if not common["text"] and not bullets:
            self.err(line, f"guidance '{iid}' has neither text nor bullets.", "add text.")
        return Item(**common, style=style, bullets=bullets)

    def bullet(self, value: Any, data: LineDict) -> str:
        if isinstance(value, (dict, list)):
            self.err(data.line_of("bullets"), "a bullet must be text.", "write '- text'.")
            return ""
        s = str(value).strip()
        self.check_jinja(s, data.line_of("bullets"))
        return s

    def fields(self, data: LineDict, key: str) -> tuple[Field, ...]:
        out = []
        scope: dict[str, int] = {}
        for fd in self.list_(data, key):
            if not self.keys(fd, FIELD_KEYS, "column" if key == "columns" else "field",
                             data.line_of(key)):
                continue
            fid = self.new_id(fd, scope=scope)
            try:
                kind = FieldKind(str(fd.get("kind")))
            except ValueError:
                self.err(fd.line_of("kind"), f"unknown field kind '{fd.get('kind')}'.",
                         f"use one of: {', '.join(k.value for k in FieldKind)}.")
                continue
            out.append(self.field(fd, kind, fid, label=self.text(fd, "label")))
        if not out and key in data:
            self.err(data.line_of(key), f"'{key}' is empty.", "add at least one.")
        return tuple(out)

    def field(self, data: LineDict, kind: FieldKind, fid: str, label: str) -> Field:
        scale = None
        if kind is FieldKind.SCALE:
            ref = data.get("scale")
            scale = self.scales.get(str(ref))
            if scale is None:
                hint = did_you_mean(str(ref), self.scales, "define it under 'scales:' first.")
                self.err(data.line_of("scale"), f"scale '{ref}' is not defined.", hint)
        elif "scale" in data:
            self.err(data.line_of("scale"), f"'scale' only applies to kind scale, not {kind}.",
                     "remove it or set kind: scale.")
        options: tuple[str, ...] = ()
        if kind is FieldKind.CHOICE:
            options = tuple(str(o).strip() for o in self.list_(data, "options"))
            if len(options) < 2:
                self.err(data.line_of("options"), "a choice needs at least two options.",
                         "list them under 'options:'.")
        minimum, maximum = self.number(data, "min"), self.number(data, "max")
        if minimum is not None and maximum is not None and minimum > maximum:
            self.err(data.line_of("min"), "min is larger than max.", "swap them.")
        max_length = data.get("max_length")
        if max_length is not None and (not isinstance(max_length, int) or max_length < 1):
            self.err(data.line_of("max_length"), "max_length must be a positive whole number.",
                     "write e.g. max_length: 500.")
            max_length = None
        return Field(
            id=fid, label=label, kind=kind, scale=scale, options=options,
            required=self.bool_(data, "required"),
            constraint=Constraint(minimum=minimum, maximum=maximum, max_length=max_length,
                                  message=self.text(data, "message")),
            multiline=data.get("multiline", kind is FieldKind.TEXT) is not False,
            hint=self.text(data, "hint"),
        )

    def attribute(self, data: Any) -> Attribute:
        if not self.keys(data, ATTRIBUTE_KEYS, "attribute", getattr(data, "line", 1)):
            return Attribute(id="", label="")
        return Attribute(id=str(data.get("id")), label=self.text(data, "label"))

    def row(self, data: Any, attrs: tuple[Attribute, ...], scope: dict[str, int]) -> Row | None:
        spec = {"required": ROW_KEYS["required"],
                "optional": ROW_KEYS["optional"] | {a.id for a in attrs}}
        if not self.keys(data, spec, "row", getattr(data, "line", 1)):
            return None
        rid = self.new_id(data, scope=scope)
        return Row(id=rid, text=self.text(data, "text"), group=self.text(data, "group"),
                   attributes={a.id: self.text(data, a.id) for a in attrs})

    def prefill(self, data: Any, fields: tuple[Field, ...]) -> dict[str, str]:
        ids = {f.id for f in fields}
        if not self.keys(data, {"required": set(), "optional": ids}, "prefill entry",
                         getattr(data, "line", 1)):
            return {}
        return {k: self.text(data, k) for k in data if k in ids}

    # -- rules --------------------------------------------------------------------------

    def rule(self, data: Any, inst: Instrument) -> Rule | None:
        line = getattr(data, "line", 1)
        if not isinstance(data, LineDict):
            self.err(line, "a rule must be a mapping.", "write 'id:', 'kind:', 'label:'.")
            return None
        try:
            kind = RuleKind(str(data.get("kind")))
        except ValueError:
            kinds = [k.value for k in RuleKind]
            hint = did_you_mean(str(data.get("kind")), kinds, f"use one of: {', '.join(kinds)}.")
            self.err(data.line_of("kind"), f"unknown rule kind '{data.get('kind')}'.", hint)
            return None
        params = RULE_PARAMS[kind]
        spec = {"required": RULE_KEYS_COMMON | {k for k, (req, _) in params.items() if req},
                "optional": {k for k, (req, _) in params.items() if not req}}
        if not self.keys(data, spec, f"{kind.value} rule", line):
            return None
        rid = self.new_id(data)
        values: dict[str, Any] = {}
        table = self._table_of(data, inst) if "item" in params else None
        for name, (_, tag) in params.items():
            if name in data:
                values[name] = self.param(tag, data, name, inst, table)
        return Rule(id=rid, kind=kind, label=self.text(data, "label"), params=values, line=line)

    def _table_of(self, data: LineDict, inst: Instrument) -> Item | None:
        ref = str(data.get("item"))
        it = inst.item(ref)
        if it is None or it.kind not in (TABLE_KINDS | {ItemKind.ENTRIES}):
            self.err(data.line_of("item"), f"rule refers to '{ref}', which is not a grid, "
                     "indicators or entries item of this instrument.",
                     "name the id of such an item.")
            return None
        return it

    def param(self, tag: str, data: LineDict, name: str, inst: Instrument,
              table: Item | None) -> Any:
        value = data[name]
        line = data.line_of(name)
        if tag == "refs":
            refs = [str(v) for v in value] if isinstance(value, list) else [str(value)]
            for ref in refs:
                if inst.item(ref) is None and inst.section(ref) is None:
                    known = [i.id for i in inst.walk_items()] + [s.id for s in inst.walk_sections()]
                    hint = did_you_mean(ref, known, "name an item or section id.")
                    self.err(line, f"rule refers to unknown item or section '{ref}'.", hint)
                elif not inst.slots_under(ref):
                    self.err(line, f"'{ref}' has nothing to answer, so it cannot be scored.",
                             "refer to items with answers.")
            return tuple(refs)
        if tag == "field":
            return str(value)
        if tag == "sum_rule":
            target = inst.rule(str(value))
            if target is None or target.kind is not RuleKind.SUM:
                self.err(line, f"'{name}' must name a sum rule defined above this one.",
                         "define the sum rule first and refer to its id.")
            return str(value)
        if tag in ("col", "cols"):
            cols = [str(v) for v in value] if isinstance(value, list) else [str(value)]
            if tag == "col" and isinstance(value, list):
                self.err(line, f"'{name}' takes one column id, not a list.", "name one column.")
            if table is not None:
                for col in cols:
                    f = table.field_by_id(col)
                    if f is None:
                        known = [c.id for c in table.columns + table.fields]
                        self.err(line, f"'{table.id}' has no column '{col}'.",
                                 f"use one of: {', '.join(known)}.")
                    elif not f.is_numeric:
                        self.err(line, f"column '{col}' is {f.kind.value}, not a number or scale.",
                                 "score only number, scale or check columns.")
            return cols[0] if tag == "col" else tuple(cols)
        if tag == "table":
            return str(value)
        if tag == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self.err(line, f"'{name}' must be a number.", "write e.g. 3.")
                return 0
            return value
        if tag == "chart":
            if value not in CHARTS:
                self.err(line, f"unknown chart '{value}'.", f"use one of: {', '.join(CHARTS)}.")
            return str(value)
        if tag == "text":
            s = str(value)
            self.check_jinja(s, line)
            return s
        if tag == "bands":
            bands = []
            for bd in value if isinstance(value, list) else []:
                if self.keys(bd, {"required": {"min", "label"}, "optional": set()}, "band", line):
                    m = self.number(bd, "min")
                    if m is not None:
                        bands.append(Band(minimum=m, label=self.text(bd, "label")))
            if not bands:
                self.err(line, "'bands' needs at least one '{min: …, label: …}'.", "add bands.")
            return tuple(sorted(bands, key=lambda b: -b.minimum))
        if tag == "quadrants":
            if not isinstance(value, LineDict) or set(value) - {"__duplicates__"} != set(
                    QUADRANT_KEYS):
                self.err(line, "'quadrants' must name exactly the four quadrants.",
                         f"use keys {', '.join(QUADRANT_KEYS)}.")
                return {}
            return {k: str(value[k]) for k in QUADRANT_KEYS}
        if tag == "when":
            if not isinstance(value, LineDict) or len(set(value) & WHEN_KEYS) != 1 or (
                    set(value) - WHEN_KEYS):
                self.err(line, "'when' takes exactly one of min, max, equals, checked.",
                         "write e.g. when: {min: 3}.")
                return {}
            return dict(value)
        if tag == "groups":
            if not isinstance(value, LineDict) or not value:
                self.err(line, "'groups' must map a label to a list of ids.",
                         "write e.g. groups: {Ability: [a1, a2]}.")
                return {}
            groups = {}
            for label in value:
                if label.startswith("__"):
                    continue
                groups[label] = self.param("refs", value, label, inst, table)
            return groups
        raise AssertionError(tag)

    def check_anchors(self, inst: Instrument) -> None:
        for slot in inst.slots():
            if len(slot.anchor) > ANCHOR_MAX:
                self.err(slot.item.line or 1,
                         f"answer key '{slot.key}' is {len(slot.key)} characters; with the "
                         f"'tg_' prefix it exceeds Word's {ANCHOR_MAX}-character bookmark limit.",
                         "shorten the item, row or column ids.")
        for rule in inst.rules:
            field_ref = rule.params.get("field")
            if field_ref:
                items = [s.item for ref in rule.params.get("of", ()) for s in inst.slots_under(ref)]
                if not any(it.field_by_id(field_ref) for it in items):
                    self.err(rule.line, f"rule '{rule.id}' names field '{field_ref}', which none "
                             "of its items has.", "name a column or field of those items.")


def iter_problems(directory: Path) -> Iterator[Problem]:
    """Every problem of every file in a folder (empty when valid)."""
    try:
        load_catalog(directory)
    except ContentError as exc:
        yield from exc.problems

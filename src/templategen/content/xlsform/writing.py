"""XLSForm out: an instrument (the model) as an XLSForm workbook an advisor edits in Excel.

What ``templategen convert --to xlsform`` writes; content.xlsform reads it back into the same
model (same slot keys, items, answers and rules). Kinds XLSForm has no type for use the
columns and sheets ODK ignores (README "Write an instrument in Excel"): a grid or indicators
table is a group with ``kind`` whose sub-groups are its rows, a guidance text a ``note`` with
``style`` and ``bullets``, the rules a sheet ``rules``. Texts in several languages get one
column per language (``label::Nederlands (nl)``) and the settings' ``default_language``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import yaml

from templategen.content.languages import Text
from templategen.content.model import (
    OTHER_LABEL,
    OTHER_OPTION,
    OTHER_TEXT_LABEL,
    TABLE_KINDS,
    Band,
    Field,
    FieldKind,
    Instrument,
    Item,
    ItemKind,
    Rule,
    Section,
)
from templategen.content.schema import RULE_PARAMS
from templategen.content.xlsform.base import OTHER_CHOICE, RULE_SHEETS, TEXT_PARAMS

SURVEY = ("type", "name", "label", "hint", "required", "appearance", "constraint",
          "constraint_message", "relevant", "repeat_count", "number", "style", "bullets", "kind",
          "row_group", "attributes", "prefill", "default")
CHOICES = ("list_name", "name", "label", "list_label", "list_description")
SETTINGS = ("form_title", "form_id", "version", "default_language", "role", "introduction",
            "instructions", "subject", "register", "previous_versions", "placeholders",
            "source_document", "source_publisher", "source_licence", "source_seed",
            "source_location", "source_attribution", "source_url", "mail_deadline",
            "mail_uitnodiging", "mail_herinnering")
TRANSLATED = frozenset({"label", "hint", "constraint_message", "bullets", "row_group",
                        "list_label", "list_description", "form_title", "role", "introduction",
                        "instructions", "subject", "mail_uitnodiging", "mail_herinnering"})
LANGUAGE_NAMES = {"nl": "Nederlands", "nl-BE": "Vlaams", "en": "English", "de": "Deutsch",
                  "fr": "Français", "es": "Español"}
SIMPLE_TYPES = {ItemKind.TEXT: "text", ItemKind.NUMBER: "decimal", ItemKind.INTEGER: "integer",
                ItemKind.DATE: "date", ItemKind.CHECK: "acknowledge"}
FIELD_TYPES = {FieldKind.TEXT: "text", FieldKind.NUMBER: "decimal", FieldKind.DATE: "date",
               FieldKind.CHECK: "acknowledge"}


NATIVE = frozenset({"label", "hint", "constraint_message"})  # translated by pyxform itself


def language_header(code: str) -> str:
    """The XLSForm name of a language: ``Nederlands (nl)``."""
    return f"{LANGUAGE_NAMES.get(code, code)} ({code})"


def write_xlsform(inst: Instrument, out: Path) -> Path:
    """Write ``inst`` as an XLSForm workbook at ``out``."""
    writer = _Writer(inst)
    writer.instrument()
    out.parent.mkdir(parents=True, exist_ok=True)
    wb = openpyxl.Workbook()
    sheets = [("survey", SURVEY, writer.survey), ("choices", CHOICES, writer.choices),
              ("settings", SETTINGS, [writer.settings])]
    sheets += [(name, writer.rule_columns(rows), rows)
               for name, rows in zip(RULE_SHEETS, writer.rule_rows(), strict=True) if rows]
    for n, (name, columns, rows) in enumerate(sheets):
        ws = wb.active if n == 0 else wb.create_sheet()
        assert ws is not None
        ws.title = name
        writer.fill(ws, columns, rows)
    wb.save(out)
    return out


def _flow(value: Any) -> str:
    """Data as one cell in YAML flow style: ``[a, b]``, ``{min: 3}``."""
    return str(yaml.safe_dump(_plain(value), default_flow_style=True, allow_unicode=True,
                              width=10**6)).strip().removesuffix("...").strip()


def _plain(value: Any) -> Any:
    if isinstance(value, Band):
        return {"min": value.minimum, "label": str(value.label)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def _value(number: float) -> str:
    return f"{number:g}" if float(number).is_integer() else repr(number)


class _Writer:
    def __init__(self, inst: Instrument):
        self.inst = inst
        self.codes: list[str] = [inst.language]
        self.survey: list[dict[str, Any]] = []
        self.choices: list[dict[str, Any]] = []
        self.lists: set[str] = set()
        self.settings: dict[str, Any] = {}

    def t(self, text: str) -> dict[str, str] | str:
        """A text as one value per language (a plain text when it has no translations)."""
        if not isinstance(text, Text) or not text.translations:
            return str(text)
        for code in text.translations:
            if code not in self.codes:
                self.codes.append(code)
        return {self.inst.language: str(text), **text.translations}

    def instrument(self) -> None:
        inst, src = self.inst, self.inst.source
        for section in inst.sections:
            self.section(section)
        self.settings = {
            "form_title": self.t(inst.title), "form_id": inst.id, "version": inst.version,
            "role": self.t(inst.role), "introduction": self.t(inst.introduction),
            "instructions": self.t(inst.instructions), "subject": self.t(inst.subject_label),
            "register": inst.register.value, "previous_versions": ", ".join(
                inst.previous_versions),
            "placeholders": _flow(dict(inst.placeholders)) if inst.placeholders else "",
            "mail_deadline": inst.mail.deadline, "mail_uitnodiging": self.t(inst.mail.uitnodiging),
            "mail_herinnering": self.t(inst.mail.herinnering),
            **{f"source_{k}": getattr(src, k) for k in ("document", "publisher", "licence",
                                                        "seed", "location", "attribution",
                                                        "url")},
        }
        if len(self.codes) > 1 or inst.language != "nl":
            self.settings["default_language"] = language_header(inst.language)

    # -- survey rows --------------------------------------------------------------------

    def row(self, **cells: Any) -> None:
        self.survey.append({k: v for k, v in cells.items() if v not in (None, "")})

    def section(self, section: Section) -> None:
        self.row(type="begin_group", name=section.id, label=self.t(section.title),
                 hint=self.t(section.intro), number=section.number)
        for child in section.children:
            if isinstance(child, Section):
                self.section(child)
            else:
                self.item(child)
        self.row(type="end_group", name=section.id)

    def item(self, item: Item) -> None:
        common = {"name": item.id, "label": self.t(item.text), "hint": self.t(item.hint),
                  "number": item.number}
        if item.kind is ItemKind.GUIDANCE:
            bullets = [self.t(b) for b in item.bullets]
            self.row(type="note", style=item.style.value if item.style else "", **common,
                     bullets=self.lines(bullets))
        elif item.kind is ItemKind.MULTI:
            options = [o for o in item.options if not (item.other and o.id == OTHER_OPTION)]
            list_name = self.choice_list(item.id, [(o.id, o.label) for o in options],
                                         other=item.other is not None)
            self.row(type=f"select_multiple {list_name}", **common,
                     required="yes" if item.required else "")
            self.other(item)
        elif item.kind in TABLE_KINDS:
            self.table(item, common)
        elif item.kind is ItemKind.ENTRIES:
            self.row(type="begin_repeat", **common, repeat_count=item.entries,
                     prefill=_flow([dict(p) for p in item.prefill]) if item.prefill else "")
            for f in item.fields:
                self.question(f, f"{item.id}_{f.id}", self.field_cells(f))
            self.row(type="end_repeat", name=item.id)
        else:
            assert item.answer is not None
            self.question(item.answer, item.id, common, SIMPLE_TYPES.get(item.kind),
                          other=item.other is not None)
            self.other(item)

    def lines(self, texts: list[dict[str, str] | str]) -> dict[str, str] | str:
        """Bullets as one cell: a line each (per language when translated)."""
        if all(isinstance(t, str) for t in texts):
            return "\n".join(str(t) for t in texts)
        codes = [c for t in texts if isinstance(t, dict) for c in t]
        return {code: "\n".join(t.get(code, t[self.inst.language]) if isinstance(t, dict)
                                else t for t in texts) for code in dict.fromkeys(codes)}

    def table(self, item: Item, common: dict[str, Any]) -> None:
        attributes = ([{"id": a.id, "label": str(a.label)} for a in item.attributes]
                      if item.kind is ItemKind.INDICATORS else None)
        self.row(type="begin_group", kind=item.kind.value, **common,
                 attributes=_flow(attributes) if attributes is not None else "")
        for row in item.rows:
            self.row(type="begin_group", name=row.id, label=self.t(row.text),
                     row_group=self.t(row.group),
                     attributes=_flow(dict(row.attributes)) if row.attributes else "")
            for col in item.columns:
                self.question(col, f"{item.id}_{col.id}", self.field_cells(col))
            self.row(type="end_group", name=row.id)
        self.row(type="end_group", name=item.id)

    def field_cells(self, f: Field) -> dict[str, Any]:
        return {"name": f.id, "label": self.t(f.label), "hint": self.t(f.hint)}

    def question(self, f: Field, list_id: str, common: dict[str, Any],
                 xtype: str | None = None, other: bool = False) -> None:
        """One answer: its type, required, bounds and appearance."""
        default = "" if f.default is None else str(f.default)  # content.defaults
        if f.kind is FieldKind.SCALE:
            assert f.scale is not None
            xtype = f"select_one {self.scale_list(f)}"
            default = _value(float(f.default)) if f.default is not None else ""
        elif f.kind is FieldKind.CHOICE:
            options = [o for o in f.options if not (other and o == OTHER_LABEL)]
            names = self.names([str(o) for o in options])
            pairs = list(zip(names, options, strict=True))
            xtype = f"select_one {self.choice_list(list_id, pairs, other)}"
            default = next((n for n, o in pairs if o == f.default), "")
        elif xtype is None:
            xtype = "integer" if f.constraint.whole else FIELD_TYPES[f.kind]
        if f.kind is FieldKind.NUMBER and f.default is not None:
            default = _value(float(f.default))
        c = f.constraint
        bounds = [f". >= {_value(c.minimum)}" if c.minimum is not None else "",
                  f". <= {_value(c.maximum)}" if c.maximum is not None else "",
                  f"string-length(.) <= {c.max_length}" if c.max_length else ""]
        constraint = " and ".join(b for b in bounds if b)
        self.row(type=xtype, **common, required="yes" if f.required else "",
                 appearance="multiline" if f.kind is FieldKind.TEXT and f.multiline else "",
                 constraint=constraint, constraint_message=self.t(c.message) if constraint
                 else "", default=default)

    def other(self, item: Item) -> None:
        """The "Anders, namelijk …" text: the follow-up of the choice 'other'."""
        if item.other is not None:
            self.row(type="text", name=f"{item.id}_{OTHER_CHOICE}",
                     label=self.t(OTHER_TEXT_LABEL),
                     relevant=f"selected(${{{item.id}}}, '{OTHER_CHOICE}')")

    def names(self, labels: list[str]) -> list[str]:
        from templategen.content.catalog import option_id

        out: list[str] = []
        for label in labels:
            base = option_id(label)
            name, n = base, 2
            while name in out or name == OTHER_CHOICE:
                name, n = f"{base}_{n}", n + 1
            out.append(name)
        return out

    # -- choices ------------------------------------------------------------------------

    def choice_list(self, base: str, options: list[tuple[str, str]], other: bool) -> str:
        name, n = base, 2
        while name in self.lists or name in self.inst.scales:
            name, n = f"{base}_{n}", n + 1
        self.lists.add(name)
        for choice, label in options:
            self.choices.append({"list_name": name, "name": choice, "label": self.t(label)})
        if other:
            self.choices.append({"list_name": name, "name": OTHER_CHOICE,
                                 "label": self.t(OTHER_LABEL)})
        return name

    def scale_list(self, f: Field) -> str:
        scale = f.scale
        assert scale is not None
        if scale.id not in self.lists:
            self.lists.add(scale.id)
            for n, point in enumerate(scale.points):
                row = {"list_name": scale.id, "name": _value(point.value),
                       "label": self.t(point.label)}
                if n == 0:
                    row.update(list_label=self.t(scale.label),
                               list_description=self.t(scale.description))
                self.choices.append({k: v for k, v in row.items() if v not in (None, "")})
        return scale.id

    # -- rules --------------------------------------------------------------------------

    def rule_rows(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Every rule on the sheet 'rules', in order (the sheet 'matrices' is for authors
        who keep the per-row rules apart; read after 'rules')."""
        return [self.rule(r) for r in self.inst.rules], []

    def rule(self, rule: Rule) -> dict[str, Any]:
        cells: dict[str, Any] = {"id": rule.id, "kind": rule.kind.value,
                                 "label": self.t(rule.label)}
        if rule.direction.value != "higher":
            cells["direction"] = rule.direction.value
        params = RULE_PARAMS[rule.kind]
        for key, value in rule.params.items():
            tag = params[key][1]
            if tag in TEXT_PARAMS or isinstance(value, (int, float)):
                cells[key] = value if isinstance(value, (int, float)) else str(value)
            else:
                cells[key] = _flow(value)
        return cells

    @staticmethod
    def rule_columns(rows: list[dict[str, Any]]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(k for row in rows for k in row))

    # -- cells --------------------------------------------------------------------------

    def fill(self, ws: Any, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
        """A sheet: used columns only, translated ones once per language."""
        used = [c for c in columns if any(row.get(c) not in (None, "") for row in rows)]
        if "type" in columns:
            used = [c for c in columns if c in ("type", "name", "label") or c in used]
        header: list[tuple[str, str | None]] = []
        several = len(self.codes) > 1
        for c in used:
            if c in TRANSLATED and several:
                header += [(c, code) for code in self.codes]
            else:
                header.append((c, None))
        native = ws.title in ("survey", "choices", "rules")
        ws.append([c if not code else f"{c}::{language_header(code)}" if native and c in NATIVE
                   else c if code == self.inst.language else f"{c}@{code}"
                   for c, code in header])
        for row in rows:
            values = []
            for c, code in header:
                v = row.get(c, "")
                if isinstance(v, dict):
                    v = v.get(code or self.inst.language, "") if code else v[self.inst.language]
                elif code and code != self.inst.language:
                    v = ""
                values.append(v)
            ws.append(values)

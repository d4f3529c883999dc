"""pyxform's dict of one form -> the instrument data a YAML file holds: settings, groups as
sections (questions outside a group in one section), items, repeats as entries, groups with
``kind`` as tables, and our sheets ``rules`` and ``matrices``."""

from __future__ import annotations

import re
from typing import Any

from templategen.content.model import ItemKind, RuleKind
from templategen.content.schema import RULE_PARAMS
from templategen.content.xlsform.base import (
    COMPOUND_MAX,
    DEFAULT_ENTRIES,
    KEY_MAX,
    QUESTION_KINDS,
    RULE_SHEETS,
    SECTION_ID,
    SECTION_TITLE,
    TEXT_PARAMS,
    Reading,
    as_id,
    as_number,
)
from templategen.content.xlsform.questions import Questions
from templategen.content.yamlsource import LineDict, LineList
from templategen.errors import ContentError, Problem
from templategen.i18n import _


class Mapper(Questions):
    """Maps pyxform's dict of one form into instrument data, collecting warnings."""

    def read(self, form: dict[str, Any]) -> Reading:
        s = self.settings
        line = self._line("settings", 2)
        sections = LineList(self.sections(form.get("children", [])))
        if not sections:
            raise ContentError([Problem(str(self.path),
                                        _("holds no question a Word or Excel form can hold "
                                          "({n} left out).").format(n=len(self.warnings)),
                                        _("add a text, number, date or select question."))])
        source = self._dict(line, document=s.get("source_document") or self.title(form),
                            publisher=s.get("source_publisher", ""),
                            licence=s.get("source_licence", ""),
                            **{k: s.get(f"source_{k}") for k in
                               ("seed", "location", "attribution", "url")})
        for key in ("publisher", "licence"):
            source.setdefault(key, "")
        data = self._dict(
            line, id=as_id(str(s.get("form_id") or self.path.stem)) or "formulier",
            version=str(s.get("version") or "1"), language=self.language,
            title=self.title(form), role=self.cell_text(s, "role"),
            introduction=self.cell_text(s, "introduction"),
            instructions=self.cell_text(s, "instructions"), subject=self.cell_text(s, "subject"),
            register=s.get("register"), source=source,
            scales=LineList(self.scales.values()) or None, sections=sections)
        data.setdefault("role", "")
        data.setdefault("introduction", "")
        if s.get("previous_versions"):
            data["previous_versions"] = LineList(
                v for v in re.split(r"[,\s]+", str(s["previous_versions"])) if v)
        for key in ("placeholders",):
            if s.get(key):
                data[key] = self.flow(s[key], "settings", 2, key)
        mail = self._dict(line, **{k: self.cell_text(s, f"mail_{k}") for k in
                                   ("deadline", "uitnodiging", "herinnering")})
        if mail:
            data["mail"] = mail
        rules = LineList(r for sheet in RULE_SHEETS for r in self.rule_rows(sheet))
        if rules:
            data["rules"] = rules
        return Reading(data, tuple(self.warnings), self.places)

    def title(self, form: dict[str, Any]) -> Any:
        return self.cell_text(self.settings, "form_title") or str(form.get("title")
                                                                     or self.path.stem)

    def sections(self, children: list[dict[str, Any]]) -> list[LineDict]:
        """Top-level groups become sections; questions outside a group one section."""
        out: list[LineDict] = []
        loose: list[dict[str, Any]] = []
        for el in children:
            if el.get("type") == "group" and not el.get("kind") and not (
                    el.get("control") or {}).get("bodyless"):
                if loose:
                    out.extend(self.loose(loose))
                    loose = []
                section = self.section(el)
                if section is not None:
                    out.append(section)
            elif not (el.get("control") or {}).get("bodyless"):
                loose.append(el)
        if loose:
            out.extend(self.loose(loose))
        return out

    def loose(self, children: list[dict[str, Any]]) -> list[LineDict]:
        items = self.items(children)
        if not items:
            return []
        sid, n = SECTION_ID, 2
        while sid in self.ids:
            sid, n = f"{SECTION_ID}_{n}", n + 1
        self.ids.add(sid)
        return [self._dict(items[0].line, id=sid, title=SECTION_TITLE, items=LineList(items))]

    def section(self, el: dict[str, Any], nested: bool = False) -> LineDict | None:
        row = self._row(el)
        line = self._line("survey", row)
        sid = self.unique(str(el["name"]), self.ids, row, "begin_group")
        items = self.items(el.get("children", []))
        if not items:
            return None
        return self._dict(line, id=sid, title=self.text(el.get("label")) or str(el["name"]),
                          number=el.get("number"), intro=self.text(el.get("hint")),
                          kind="section" if nested else None, items=LineList(items))

    def items(self, children: list[dict[str, Any]]) -> list[LineDict]:
        out: list[LineDict] = []
        counts = {str(c.get("control", {}).get("jr:count", "")).strip("${}")
                  for c in children if c.get("type") == "repeat"}
        skip: set[int] = set()
        for n, el in enumerate(children):
            if n in skip:
                continue
            if el.get("type") == "calculate" and el.get("name") in counts:
                self.counts[str(el["name"])] = str(el.get("bind", {}).get("calculate", ""))
                continue
            follow = children[n + 1] if n + 1 < len(children) else None
            item = self.item(el, follow)
            if item is not None:
                out.append(item)
                if item.get("other") and follow is not None and self.is_other_text(el, follow):
                    skip.add(n + 1)
        return out

    def item(self, el: dict[str, Any], follow: dict[str, Any] | None) -> LineDict | None:
        xtype = str(el.get("type", "")).lower()
        kind = QUESTION_KINDS.get(xtype)
        if xtype == "group" and el.get("kind") in (ItemKind.GRID, ItemKind.INDICATORS):
            return self.table(el)
        if kind == "section":
            return self.section(el, nested=True)
        row = self._row(el)
        name = str(el.get("name", ""))
        if kind is None or (kind in ("choice", "multi") and not el.get("choices")):
            self.warn("survey", row, name, xtype,
                      _("cannot be a Word or Excel form field; left out."))
            return None
        line = self._line("survey", row)
        if kind == "entries":
            return self.entries(el, row, line)
        iid = self.unique(name, self.ids, row, xtype,
                          COMPOUND_MAX if kind in ("choice", "multi") else KEY_MAX)
        self.current = iid
        label = self.text(el.get("label")) or self.text(el.get("hint")) or name
        if kind == "guidance":
            bullets = self.bullets(el)
            return self._dict(line, id=iid, kind="guidance", style=el.get("style") or "note",
                              text=self.text(el.get("label")) or (None if bullets else label),
                              number=el.get("number"), hint=self.text(el.get("hint")),
                              bullets=LineList(bullets) or None)
        item = self._dict(line, id=iid, kind=kind, text=label, number=el.get("number"))
        item.update(self.answer(el, kind, row, follow))
        default = self.default(el, item)
        if default is not None:
            item["default"] = default
        hint = self.hint(el, row, xtype, shown_default=default is not None)
        if hint:
            item["hint"] = hint
        return item

    def entries(self, el: dict[str, Any], row: int, line: int) -> LineDict | None:
        iid = self.unique(str(el["name"]), self.ids, row, "begin_repeat", COMPOUND_MAX)
        count = str((el.get("control") or {}).get("jr:count", "")).strip()
        count = self.counts.get(count.strip("${}"), count)
        entries = as_number(count) if count else as_number(
            str(self.settings.get("repeat_rows", DEFAULT_ENTRIES)))
        if not isinstance(entries, int) or not 1 <= entries <= 200:
            self.warn("survey", row, str(el["name"]), "begin_repeat",
                      _("repeat_count '{count}' is no whole number 1–200; the form offers "
                        "{n} rows.").format(count=count, n=DEFAULT_ENTRIES))
            entries = DEFAULT_ENTRIES
        fields = self.fields(el.get("children", []), KEY_MAX - len(iid) - len(str(entries)) - 4)
        if not fields:
            return None
        item = self._dict(line, id=iid, kind="entries",
                          text=self.text(el.get("label")) or str(el["name"]),
                          number=el.get("number"), hint=self.text(el.get("hint")),
                          fields=fields, entries=entries)
        if el.get("prefill"):
            item["prefill"] = self.flow(el["prefill"], "survey", row, "prefill")
        return item

    def table(self, el: dict[str, Any]) -> LineDict | None:
        """A group with kind grid/indicators: its sub-groups are the rows, the questions of
        the first row its columns."""
        row = self._row(el)
        line = self._line("survey", row)
        iid = self.unique(str(el["name"]), self.ids, row, "begin_group", COMPOUND_MAX)
        groups = [sub for sub in el.get("children", []) if sub.get("type") == "group"]
        widest = max((len(as_id(c.get("name", ""))) for sub in groups[:1]
                      for c in sub.get("children", [])), default=0)
        room = KEY_MAX - len(iid) - 4 - min(widest, 12)  # for the rows' ids, then the columns'
        attrs = self.flow(el.get("attributes") or "[]", "survey", row, "attributes")
        rows, columns, scope = LineList(), LineList(), set[str]()
        for sub in el.get("children", []):
            if sub.get("type") != "group":
                self.warn("survey", self._row(sub), str(sub.get("name")), str(sub.get("type")),
                          _("a table holds rows (groups) only; left out."))
                continue
            srow = self._row(sub)
            values = self.flow(sub.get("attributes") or "{}", "survey", srow, "attributes")
            rows.append(self._dict(self._line("survey", srow),
                                   id=self.unique(str(sub["name"]), scope, srow, "begin_group",
                                                  room),
                                   text=self.text(sub.get("label")) or str(sub["name"]),
                                   group=self.cell_text(sub, "row_group"),
                                   **(values if isinstance(values, dict) else {})))
            if not columns:
                rest = KEY_MAX - len(iid) - 4 - max(len(as_id(g.get("name", ""))[:room])
                                                    for g in groups)
                columns = self.fields(sub.get("children", []), rest)
            else:
                self.fields(sub.get("children", []), KEY_MAX)  # the same columns again
        return self._dict(line, id=iid, kind=str(el["kind"]),
                          text=self.text(el.get("label")) or str(el["name"]),
                          number=el.get("number"), hint=self.text(el.get("hint")),
                          rows=rows, columns=columns,
                          attributes=attrs if el["kind"] == ItemKind.INDICATORS else None)

    # -- our extension: rules ----------------------------------------------------------

    def flow(self, text: Any, sheet: str, row: int, key: str) -> Any:
        """A cell written in YAML flow style ('[a, b]', '{min: 3}') as data."""
        import yaml  # (loaded when a form is read: content.yamlsource)

        try:
            return self._lines(yaml.safe_load(str(text)), self._line(sheet, row))
        except yaml.YAMLError:
            self.warn(sheet, row, key, key, _("'{text}' is not a list or mapping in YAML "
                                              "flow style; left out.").format(text=text))
            return None

    def rule_rows(self, sheet: str) -> list[LineDict]:
        import openpyxl

        wb = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        try:
            if sheet not in wb.sheetnames:
                return []
            rows = list(wb[sheet].iter_rows(values_only=True))
        finally:
            wb.close()
        if not rows:
            return []
        header = [str(h).strip() if h is not None else "" for h in rows[0]]
        out = []
        for n, values in enumerate(rows[1:], start=2):
            cells = {h: v for h, v in zip(header, values, strict=False)
                     if h and v is not None and str(v).strip() != ""}
            if not cells:
                continue
            out.append(self.rule(cells, sheet, n))
        return out

    def rule(self, cells: dict[str, Any], sheet: str, row: int) -> LineDict:
        try:
            params = RULE_PARAMS[RuleKind(str(cells.get("kind")))]
        except ValueError:
            params = {}
        data = self._dict(self._line(sheet, row))
        for key, value in cells.items():
            if key.split("::")[0] == "label":
                data["label"] = self.cell_text(cells, "label")
                continue
            if "::" in key:
                continue
            tag = params.get(key, (False, "text"))[1] if key in params else "text"
            if key in ("id", "kind", "label", "direction") or tag in TEXT_PARAMS or (
                    isinstance(value, (int, float))):
                data[key] = value if isinstance(value, (int, float)) else str(value).strip()
            else:
                data[key] = self.flow(value, sheet, row, key)
        return data

    def _lines(self, value: Any, line: int) -> Any:
        """Plain YAML data with LineDicts (the rule checks expect them), all on ``line``."""
        if isinstance(value, dict):
            return self._dict(line, **{str(k): self._lines(v, line) for k, v in value.items()})
        if isinstance(value, list):
            out = LineList(self._lines(v, line) for v in value)
            out.line = line
            return out
        return value


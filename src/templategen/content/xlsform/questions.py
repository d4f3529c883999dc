"""One XLSForm question as the answer of an item or a table's column: required, bounds
(a simple ``constraint``), choices (a scale when their values are ordered numbers or the
appearance is likert; "Anders, namelijk" for the choice 'other' with its follow-up), and the
hint with what cannot be checked shown as text."""

from __future__ import annotations

import re
from typing import Any

from templategen.content.xlsform.base import (
    BOUND,
    CONDITION_HINT,
    DEFAULT_HINT,
    DEFAULT_KINDS,
    DYNAMIC,
    FALSE,
    ISO_DATE,
    KEY_MAX,
    LENGTH,
    OTHER_CHOICE,
    QUESTION_KINDS,
    TRUE,
    Base,
    as_id,
    as_number,
)
from templategen.content.yamlsource import LineDict, LineList
from templategen.i18n import _


class Questions(Base):
    def hint(self, el: dict[str, Any], row: int, xtype: str, shown_default: bool = False) -> str:
        """The hint, with a condition (relevant) and a default the form does not show filled
        in as plain text."""
        parts = [self.text(el.get("hint"))]
        bind = el.get("bind") or {}
        name = str(el.get("name"))
        if bind.get("relevant"):
            condition = re.sub(r"\$\{([^}]+)\}", r"\1", str(bind["relevant"]))
            self.warn("survey", row, name, xtype,
                      _("the condition (relevant) '{expr}' cannot be checked in a Word or "
                        "Excel form; shown as text.").format(expr=bind["relevant"]))
            parts.append(CONDITION_HINT.format(condition=condition))
        if el.get("choice_filter"):
            self.warn("survey", row, name, xtype,
                      _("the choice_filter '{expr}' cannot be applied; every choice is "
                        "offered.").format(expr=el["choice_filter"]))
        if el.get("default") not in (None, "") and not shown_default:
            parts.append(DEFAULT_HINT.format(value=el["default"]))
        return self.join(parts)

    def default(self, el: dict[str, Any], item: dict[str, Any]) -> Any:
        """The item's ``default`` as the YAML writes it (content.defaults): a text, a number,
        an ISO date, a choice's or scale point's label; None where the forms cannot fill it
        in (another kind, an expression such as ``today()``: the hint says it instead)."""
        raw = str(el.get("default") if el.get("default") is not None else "").strip()
        kind = item.get("kind")
        if not raw or kind not in DEFAULT_KINDS or DYNAMIC.search(raw):
            return None
        if kind in ("integer", "number"):
            return as_number(raw)
        if kind == "date":
            return raw if ISO_DATE.fullmatch(raw) else None
        if kind in ("choice", "scale"):
            choices = list(el.get("choices") or [])
            names = [str(c.get("name")) for c in choices]
            if raw not in names or (raw == OTHER_CHOICE and item.get("other")):
                return None
            label = self.labels(choices)[names.index(raw)]
            return label.get(self.language, next(iter(label.values()))) \
                if isinstance(label, dict) else label
        return raw

    # -- answers ------------------------------------------------------------------------

    def answer(self, el: dict[str, Any], kind: str, row: int,
               follow: dict[str, Any] | None) -> dict[str, Any]:
        """The answer keys of a question (an item's or a field's): required, bounds, …"""
        out: dict[str, Any] = {}
        xtype, name = str(el.get("type")), str(el.get("name"))
        bind = el.get("bind") or {}
        required = str(bind.get("required", "")).strip().lower()
        if required in TRUE:
            out["required"] = True
        elif required not in FALSE:
            self.warn("survey", row, name, xtype,
                      _("'required' is an expression ({expr}); the answer is optional.").format(
                          expr=bind["required"]))
        if kind == "text":
            out["multiline"] = "multiline" in str((el.get("control") or {}).get(
                "appearance", ""))
        out.update(self.constraint(el, kind, row))
        if kind in ("choice", "multi"):
            out.update(self.options(el, kind, row, follow))
        return out

    def constraint(self, el: dict[str, Any], kind: str, row: int) -> dict[str, Any]:
        bind = el.get("bind") or {}
        expr = str(bind.get("constraint") or "").strip()
        if not expr:
            return {}
        out: dict[str, Any] = {}
        for part in re.split(r"\s+and\s+", expr):
            bound, length = BOUND.match(part.strip()), LENGTH.match(part.strip())
            if bound and kind in ("integer", "number"):
                op, value = bound.group(1), as_number(bound.group(2))
                assert value is not None
                if kind == "integer" and op in (">", "<"):
                    value = value + 1 if op == ">" else value - 1
                out["min" if op.startswith(">") else "max"] = value
            elif length and kind == "text":
                out["max_length"] = int(length.group(1))
            else:
                self.warn("survey", row, str(el.get("name")), str(el.get("type")),
                          _("the constraint '{expr}' cannot be checked in a Word or Excel "
                            "form; left out.").format(expr=part))
        message = self.text(bind.get("jr:constraintMsg"))
        if out and message:
            out["message"] = message
        return out

    def options(self, el: dict[str, Any], kind: str, row: int,
                follow: dict[str, Any] | None) -> dict[str, Any]:
        names = [str(c.get("name")) for c in el.get("choices") or []]
        choices = [c for n, c in enumerate(el.get("choices") or [])  # a name twice (for a
                   if str(c.get("name")) not in names[:n]]  # choice_filter): one answer
        out: dict[str, Any] = {}
        if any(str(c.get("name")) == OTHER_CHOICE for c in choices) and follow is not None \
                and self.is_other_text(el, follow):
            choices = [c for c in choices if str(c.get("name")) != OTHER_CHOICE]
            out["other"] = True
        if kind == "choice" and self.is_scale(el, choices):
            out.pop("other", None)
            out["kind"] = "scale"
            out["scale"] = self.scale(el, choices)
            return out
        if kind == "choice":
            out["options"] = LineList(self.labels(choices))
            return out
        scope = {"anders", "anders_tekst"}
        room = KEY_MAX - len(self.current) - 2  # a '.' in a key is '__' in its anchor
        out["options"] = LineList(
            self._dict(0, id=self.unique(str(c.get("name")), scope, row, "choice", room),
                       label=self.text(c.get("label")) or str(c.get("name")))
            for c in choices)
        return out

    def labels(self, choices: list[dict[str, Any]]) -> list[Any]:
        """The choices' labels; a label two choices share gets the choice's name after it
        (a dropdown needs distinct entries: 'King (king_wa)')."""
        labels = [self.text(c.get("label")) or str(c.get("name")) for c in choices]
        seen = [str(lab.get(self.language, "") if isinstance(lab, dict) else lab).casefold()
                for lab in labels]
        out = []
        for lab, key, c in zip(labels, seen, choices, strict=True):
            if seen.count(key) > 1:
                name = str(c.get("name"))
                lab = ({code: f"{t} ({name})" for code, t in lab.items()}
                       if isinstance(lab, dict) else f"{lab} ({name})")
            out.append(lab)
        return out

    def is_other_text(self, el: dict[str, Any], follow: dict[str, Any]) -> bool:
        """Whether ``follow`` is the "please specify" text of ``el``'s choice 'other'."""
        relevant = str((follow.get("bind") or {}).get("relevant", ""))
        name = re.escape(str(el.get("name")))
        return str(follow.get("type")) == "text" and re.search(
            rf"selected\(\s*(\$\{{{name}\}}|(\.\./)+{name}|{name})\s*,\s*'{OTHER_CHOICE}'\s*\)",
            relevant) is not None

    def is_scale(self, el: dict[str, Any], choices: list[dict[str, Any]]) -> bool:
        if "likert" in str((el.get("control") or {}).get("appearance", "")):
            return True
        values = [as_number(str(c.get("name"))) for c in choices]
        if len(values) < 2 or any(v is None for v in values):
            return False
        return values == sorted(values) or values == sorted(values, reverse=True)  # type: ignore

    def scale(self, el: dict[str, Any], choices: list[dict[str, Any]]) -> str:
        list_name = str(el.get("list_name") or el.get("itemset") or el.get("name"))
        sid = as_id(list_name) or "schaal"
        if sid not in self.scales:
            numbers = [as_number(str(c.get("name"))) for c in choices]
            numeric = all(v is not None for v in numbers)
            points = LineList(
                self._dict(0, value=numbers[n] if numeric else n + 1, label=label)
                for n, label in enumerate(self.labels(choices)))
            first = choices[0] if choices else {}
            self.scales[sid] = self._dict(0, id=sid,
                                          label=self.cell_text(first, "list_label")
                                          or self.name_text(list_name),
                                          description=self.cell_text(first, "list_description"),
                                          points=points)
        return sid

    # -- tables and repeats -------------------------------------------------------------

    def field(self, el: dict[str, Any], scope: set[str], room: int) -> LineDict | None:
        """A question inside a repeat or a table row, as a field (column) of that item."""
        xtype = str(el.get("type", "")).lower()
        kind = QUESTION_KINDS.get(xtype)
        row = self._row(el)
        name = str(el.get("name", ""))
        if kind in (None, "multi", "guidance", "section", "entries") or (
                kind == "choice" and not el.get("choices")):
            self.warn("survey", row, name, xtype,
                      _("cannot be a column of a table; left out."))
            return None
        line = self._line("survey", row)
        out = self._dict(line, id=self.unique(name, scope, row, xtype, room),
                         label=self.text(el.get("label")) or name, kind=kind)
        answer = self.answer(el, kind, row, None)
        answer.pop("other", None)
        out.update(answer)
        hint = self.hint(el, row, xtype)
        if hint:
            out["hint"] = hint
        return out

    def fields(self, children: list[dict[str, Any]], room: int) -> LineList:
        scope: set[str] = set()
        out = (self.field(c, scope, room) for c in children)
        return LineList(f for f in out if f is not None)


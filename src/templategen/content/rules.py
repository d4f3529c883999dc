"""Checking the scoring rules of an instrument against its items (RULE_PARAMS)."""

from __future__ import annotations

from typing import Any

from templategen.content.checks import Checks
from templategen.content.model import (
    ANCHOR_MAX,
    TABLE_KINDS,
    Band,
    Direction,
    Instrument,
    Item,
    ItemKind,
    Rule,
    RuleKind,
)
from templategen.content.schema import (
    CHARTS,
    QUADRANT_KEYS,
    RULE_KEYS_COMMON,
    RULE_PARAMS,
    WHEN_KEYS,
    did_you_mean,
)
from templategen.content.yamlsource import LineDict
from templategen.i18n import _


class RuleChecks(Checks):
    """Builds Rule objects, checking every reference against the instrument."""

    # -- rules --------------------------------------------------------------------------

    def rule(self, data: Any, inst: Instrument) -> Rule | None:
        line = getattr(data, "line", 1)
        if not isinstance(data, LineDict):
            self.err(line,
                     _("a rule must be a mapping."),
                     _("write 'id:', 'kind:', 'label:'."))
            return None
        try:
            kind = RuleKind(str(data.get("kind")))
        except ValueError:
            kinds = [k.value for k in RuleKind]
            hint = did_you_mean(str(data.get("kind")), kinds,
                                                       _("use one of: {value}.").format(
                                                           value=', '.join(kinds)))
            self.err(data.line_of("kind"),
                     _("unknown rule kind '{value}'.").format(value=data.get('kind')), hint)
            return None
        params = RULE_PARAMS[kind]
        spec = {"required": RULE_KEYS_COMMON | {k for k, (req, _) in params.items() if req},
                "optional": {"direction"} | {k for k, (req, _) in params.items() if not req}}
        if not self.keys(data, spec, f"{kind.value} rule", line):
            return None
        rid = self.new_id(data)
        values: dict[str, Any] = {}
        table = self._table_of(data, inst) if "item" in params else None
        for name, (_kind, tag) in params.items():
            if name in data:
                values[name] = self.param(tag, data, name, inst, table)
        return Rule(id=rid, kind=kind, label=self.text(data, "label"), params=values, line=line,
                    direction=self.direction(data))

    def direction(self, data: LineDict) -> Direction:
        """The rule's direction: higher (the default), lower or neither is better."""
        value = data.get("direction", Direction.HIGHER.value)
        try:
            return Direction(str(value))
        except ValueError:
            names = [d.value for d in Direction]
            self.err(data.line_of("direction"),
                     _("unknown direction '{value}'.").format(value=value),
                     did_you_mean(value, names,
                                         _("use one of: {value}.").format(
                                             value=', '.join(names))))
            return Direction.HIGHER

    def _table_of(self, data: LineDict, inst: Instrument) -> Item | None:
        ref = str(data.get("item"))
        it = inst.item(ref)
        if it is None or it.kind not in (TABLE_KINDS | {ItemKind.ENTRIES}):
            self.err(data.line_of("item"),
                     _("rule refers to '{ref}', which is not a grid, indicators or "
                       "entries item of this instrument.").format(ref=ref),
                     _("name the id of such an item."))
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
                    hint = did_you_mean(ref, known,
                                             _("name an item or section id."))
                    self.err(line,
                             _("rule refers to unknown item or section '{ref}'.").format(
                                 ref=ref), hint)
                elif not inst.slots_under(ref):
                    self.err(line,
                             _("'{ref}' has nothing to answer, so it cannot be scored.").format(
                                 ref=ref),
                             _("refer to items with answers."))
            return tuple(refs)
        if tag == "field":
            return str(value)
        if tag == "sum_rule":
            target = inst.rule(str(value))
            if target is None or target.kind is not RuleKind.SUM:
                self.err(line,
                         _("'{name}' must name a sum rule defined above this one.").format(
                             name=name),
                         _("define the sum rule first and refer to its id."))
            return str(value)
        if tag in ("col", "cols"):
            cols = [str(v) for v in value] if isinstance(value, list) else [str(value)]
            if tag == "col" and isinstance(value, list):
                self.err(line,
                         _("'{name}' takes one column id, not a list.").format(name=name),
                         _("name one column."))
            if table is not None:
                for col in cols:
                    f = table.field_by_id(col)
                    if f is None:
                        known = [c.id for c in table.columns + table.fields]
                        self.err(line,
                                 _("'{id}' has no column '{col}'.").format(
                                     id=table.id, col=col),
                                 _("use one of: {value}.").format(value=', '.join(known)))
                    elif not f.is_numeric:
                        self.err(line,
                                 _("column '{col}' is {value}, not a number or scale.").format(
                                     col=col, value=f.kind.value),
                                 _("score only number, scale or check columns."))
            return cols[0] if tag == "col" else tuple(cols)
        if tag == "table":
            return str(value)
        if tag == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self.err(line,
                         _("'{name}' must be a number.").format(name=name),
                         _("write e.g. 3."))
                return 0
            return value
        if tag == "chart":
            if value not in CHARTS:
                self.err(line,
                         _("unknown chart '{value}'.").format(value=value),
                         _("use one of: {value}.").format(value=', '.join(CHARTS)))
            return str(value)
        if tag == "text":
            if isinstance(value, dict):
                return self.plain_or_translated(value, line, name)
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
                self.err(line,
                         _("'bands' needs at least one '{min: …, label: …}'."),
                         _("add bands."))
            return tuple(sorted(bands, key=lambda b: -b.minimum))
        if tag == "quadrants":
            if not isinstance(value, LineDict) or set(value) - {"__duplicates__"} != set(
                    QUADRANT_KEYS):
                self.err(line,
                         _("'quadrants' must name exactly the four quadrants."),
                         _("use keys {value}.").format(value=', '.join(QUADRANT_KEYS)))
                return {}
            return {k: self.plain_or_translated(value[k], line, k) for k in QUADRANT_KEYS}
        if tag == "when":
            if not isinstance(value, LineDict) or len(set(value) & WHEN_KEYS) != 1 or (
                    set(value) - WHEN_KEYS):
                self.err(line,
                         _("'when' takes exactly one of min, max, equals, checked."),
                         _("write e.g. when: {min: 3}."))
                return {}
            return dict(value)
        if tag == "groups":
            if not isinstance(value, LineDict) or not value:
                self.err(line,
                         _("'groups' must map a label to a list of ids."),
                         _("write e.g. groups: {Ability: [a1, a2]}."))
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
                         _("answer key '{key}' is {value} characters; with the 'tg_' "
                           "prefix it exceeds Word's {ANCHOR_MAX}-character bookmark "
                           "limit.").format(
                             key=slot.key, value=len(slot.key), ANCHOR_MAX=ANCHOR_MAX),
                         _("shorten the item, row or column ids."))
        for rule in inst.rules:
            field_ref = rule.params.get("field")
            if field_ref:
                items = [s.item for ref in rule.params.get("of", ()) for s in inst.slots_under(ref)]
                if not any(it.field_by_id(field_ref) for it in items):
                    self.err(rule.line,
                             _("rule '{id}' names field '{field_ref}', which none of its "
                               "items has.").format(id=rule.id, field_ref=field_ref),
                             _("name a column or field of those items."))

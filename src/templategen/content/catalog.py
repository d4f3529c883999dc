"""Content: YAML instrument files (and XLSForms) -> checked model objects.

One pass per file reads the YAML (keeping line numbers), checks it against the
schema tables (content/schema.py) and builds the model. Every problem of a file is collected and
reported at once, each naming file:line, what is wrong and the fix. An XLSForm (.xlsx) is read
into the same data by content.xlsform and built the same way; its problems name sheet and row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from templategen.content import answerchecks, modelcache, xlsform, yamlsource
from templategen.content.bundled import BUNDLED_CONTENT
from templategen.content.defaults import typed_default
from templategen.content.languages import DEFAULT_LANGUAGE, language_code, variants
from templategen.content.model import (
    ATTACHMENTS,
    MAIL_PLACEHOLDERS,
    OTHER_LABEL,
    OTHER_OPTION,
    OTHER_TEXT,
    OTHER_TEXT_LABEL,
    SIMPLE_KINDS,
    TABLE_KINDS,
    Attribute,
    Constraint,
    Field,
    FieldKind,
    GuidanceStyle,
    Instrument,
    Item,
    ItemKind,
    MailText,
    Row,
    Rule,
    Scale,
    ScalePoint,
    Section,
    Source,
)
from templategen.content.rules import RuleChecks
from templategen.content.schema import (
    ATTRIBUTE_KEYS,
    FIELD_KEYS,
    INSTRUMENT_KEYS,
    ITEM_KEYS,
    MAIL_KEYS,
    OPTION_KEYS,
    POINT_KEYS,
    ROW_KEYS,
    SCALE_KEYS,
    SECTION_KEYS,
    SOURCE_KEYS,
    did_you_mean,
)
from templategen.content.wording import Register
from templategen.content.yamlsource import LineDict
from templategen.errors import ContentError, Problem
from templategen.i18n import N_, _

# a kind as written in YAML (item or column) -> the field kind of its answer, whole number?
FIELD_OF_KIND: dict[str, tuple[FieldKind, bool]] = {
    **{k.value: (k, False) for k in FieldKind},
    ItemKind.INTEGER.value: (FieldKind.NUMBER, True),
}


def option_id(label: str) -> str:
    """The id of an option written as plain text: its words in lowercase ASCII, '_' between."""
    from anyascii import anyascii  # (here: its import takes 1.6 ms of every command)

    words = re.findall(r"[a-z0-9]+", anyascii(label).casefold())
    oid = "_".join(words)[:24].strip("_") or "optie"
    return oid if oid[0].isalpha() else f"o_{oid}"


@dataclass(frozen=True)
class Catalog:
    """Every instrument found in a content folder, by id, with the YAML text it was read from
    (the definition ingest keeps in the store, see store.definitions)."""

    instruments: dict[str, Instrument]
    sources: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    warnings: tuple[str, ...] = field(default=(), repr=False, compare=False)  # XLSForm's

    def get(self, instrument_id: str) -> Instrument | None:
        return self.instruments.get(instrument_id)

    def select(self, only: Iterable[str] = ()) -> list[Instrument]:
        wanted = list(only)
        unknown = [w for w in wanted if w not in self.instruments]
        if unknown:
            known = ", ".join(sorted(self.instruments))
            raise ContentError(
                [Problem("--only",
                         _("unknown instrument '{u}'.").format(u=u),
                         _("use one of: {known}.").format(known=known))
                 for u in unknown]
            )
        if not wanted:
            return list(self.instruments.values())
        return [self.instruments[w] for w in wanted]


def is_content_file(path: Path) -> bool:
    """An instrument file: YAML, or an XLSForm (.xlsx)."""
    return path.suffix in (".yaml", ".yml") or xlsform.is_xlsform(path)


def content_files(directory: Path) -> list[Path]:
    """The instrument files of a content folder, or the one file named."""
    if directory.is_file() and is_content_file(directory):
        return [directory]
    return sorted(p for p in directory.iterdir() if p.is_file() and is_content_file(p)
                  and (not xlsform.is_xlsform(p) or xlsform.has_survey_sheet(p)))


def load_catalog(directory: Path | None = None) -> Catalog:
    """Load and check every instrument in a folder (or the one YAML file named); raise
    ContentError listing all problems."""
    directory = directory or BUNDLED_CONTENT
    problems: list[Problem] = []
    instruments: dict[str, Instrument] = {}
    sources: dict[str, str] = {}
    warnings: list[str] = []
    if not directory.is_dir() and not (directory.is_file() and is_content_file(directory)):
        raise ContentError([Problem(str(directory),
                                    _("is not a folder, a .yaml file or an XLSForm (.xlsx)."),
                                    _("pass --content DIR (or one instrument's FILE.yaml or "
                                      "FILE.xlsx)."))])
    for path in content_files(directory):
        try:
            if xlsform.is_xlsform(path):
                inst, text, said = parse_xlsform(path)
                warnings.extend(said)
            else:
                text = path.read_text(encoding="utf-8")
                inst = parse_instrument(text, path)
        except ContentError as exc:
            problems.extend(exc.problems)
            continue
        if inst.id in instruments:
            problems.append(Problem(
                f"{path}:1",
                _("instrument id '{id}' is also used by {path}.").format(
                    id=inst.id, path=instruments[inst.id].path),
                _("give each instrument its own id.")))
            continue
        instruments[inst.id] = inst
        sources[inst.id] = text
    if problems:
        raise ContentError(problems)
    if not instruments:
        raise ContentError([Problem(str(directory),
                                    _("holds no instrument files (.yaml or XLSForm .xlsx)."),
                                    _("add one; see 'Write your own instrument' in "
                                      "README.md."))])
    return Catalog(instruments, sources, tuple(warnings))


def parse_xlsform(path: Path) -> tuple[Instrument, str, tuple[str, ...]]:
    """One instrument from an XLSForm: the model, its definition as YAML text (what the store
    keeps) and the warnings about what the forms leave out. A file read before (the same
    bytes at the same path) comes from the cache (content/modelcache.py), without pyxform."""
    return modelcache.cached_xlsform(path, _parse_xlsform)


def _parse_xlsform(path: Path) -> tuple[Instrument, str, tuple[str, ...]]:
    reading = xlsform.read_xlsform(path)
    builder = _Builder(path)
    try:
        inst = builder.instrument(reading.data)
    except ContentError as exc:
        raise ContentError(xlsform.place_problems(exc.problems, path, reading.places)) from None
    return inst, xlsform.yaml_text(reading.data), reading.warnings


def load_instrument(path: Path) -> Instrument:
    return parse_instrument(path.read_text(encoding="utf-8"), path)


def parse_instrument(text: str, path: Path) -> Instrument:
    """One instrument from its YAML text; ``path`` names it in every problem. The model of
    a text parsed before comes from the cache (content/modelcache.py)."""
    return modelcache.cached(text, path, _parse_instrument)


def _parse_instrument(text: str, path: Path) -> Instrument:
    import yaml  # (a text not in the model cache: PyYAML loaded only then, content.yamlsource)

    try:
        data = yamlsource.load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise ContentError([Problem(f"{path}:{line}",
                                    _("is not valid YAML ({exc}).").format(exc=exc),
                                    _("check indentation and quoting on that line."))]) from None
    return _Builder(path).instrument(data)


class _Builder(RuleChecks):
    """Checks one file's data and builds the model, collecting every problem."""

    def instrument(self, data: Any) -> Instrument:
        if not self.keys(data, INSTRUMENT_KEYS, N_("instrument"), 1):
            raise ContentError(self.problems)
        self.language = self.instrument_language(data)
        fallbacks = self.fallbacks(data)
        for sd in self.list_(data, "scales"):
            self.scale(sd)
        inst_id = self.new_id(data)
        version = str(data.get("version", "")).strip()
        if "version" in data and not version:
            self.err(data.line_of("version"),
                     _("version is empty."),
                     _("write e.g. version: '1.0'."))
        sections = tuple(
            s for s in (self.section(sd, N_("section")) for sd in self.list_(data, "sections")) if s
        )
        if "sections" in data and not sections:
            self.err(data.line_of("sections"),
                     _("an instrument needs at least one section."),
                     _("add a section with items."))
        source = self.source(data.get("source"), data.line_of("source"))
        prev = tuple(str(v) for v in self.list_(data, "previous_versions"))
        register = self.register(data)
        inst = Instrument(
            id=inst_id, version=version, title=self.text(data, "title"),
            role=self.text(data, "role"), introduction=self.text(data, "introduction"),
            instructions=self.text(data, "instructions"), source=source,
            scales=dict(self.scales), sections=sections, subject_label=self.text(data, "subject"),
            previous_versions=prev, path=str(self.path), register=register,
            placeholders=fallbacks, mail=self.mail(data), language=self.language,
        )
        rules: list[Rule] = []
        for rd in self.list_(data, "rules"):
            rule = self.rule(rd, inst)
            if rule:
                rules.append(rule)
                inst = replace(inst, rules=tuple(rules))
        self.check_anchors(inst)
        self.probe_work()
        if self.problems:
            raise ContentError(self.problems)
        return inst

    def mail(self, data: LineDict) -> MailText:
        """The ``mail:`` block: deadline, and the invitation and reminder texts."""
        if "mail" not in data or not self.keys(data["mail"], MAIL_KEYS, N_("mail block"),
                                               data.line_of("mail")):
            return MailText()
        block = data["mail"]
        known = self.placeholders
        self.placeholders = known | MAIL_PLACEHOLDERS
        try:
            texts = {key: self.text(block, key) for key in ("uitnodiging", "herinnering")}
        finally:
            self.placeholders = known
        for key, text in texts.items():
            if text and not all(v.lower().startswith(("onderwerp:", "subject:"))
                                for v in variants(text)):
                self.err(block.line_of(key),
                         _("mail text '{key}' does not start with its subject.").format(
                             key=key),
                         _("begin it with a line 'Onderwerp: …', then the body."))
        attach = self.text(block, "bijlagen", "beide")
        if attach not in ATTACHMENTS:
            self.err(block.line_of("bijlagen"),
                     _("mail: bijlagen is '{value}'.").format(value=attach),
                     _("write beide (the Word form and the Excel workbook, to fill one of "
                       "them), formulier or werkboek."))
            attach = "beide"
        return MailText(deadline=self.text(block, "deadline"), bijlagen=attach, **texts)

    def instrument_language(self, data: LineDict) -> str:
        """The ``language:`` of the instrument's plain texts (default nl)."""
        raw = data.get("language")
        if raw is None:
            return DEFAULT_LANGUAGE
        code = language_code(raw)
        if code is None:
            self.err(data.line_of("language"),
                     _("'{value}' is not a language code.").format(value=raw),
                     _("write e.g. language: nl (or en, nl-BE)."))
            return DEFAULT_LANGUAGE
        return code

    def register(self, data: LineDict) -> Register:
        raw = str(data.get("register", Register.U.value)).strip()
        try:
            return Register(raw)
        except ValueError:
            self.err(data.line_of("register"),
                     _("unknown register '{raw}'.").format(raw=raw),
                     _("write register: u (formal) or register: jij (informal)."))
            return Register.U

    def source(self, data: Any, line: int) -> Source:
        if data is None or not self.keys(data, SOURCE_KEYS, N_("source"), line):
            return Source(document="")
        return Source(**{k: self.text(data, k) for k in SOURCE_KEYS["required"] |
                         SOURCE_KEYS["optional"]})

    def scale(self, data: Any) -> None:
        if not self.keys(data, SCALE_KEYS, N_("scale"), getattr(data, "line", 1)):
            return
        sid = self.new_id(data, scope={})
        if sid in self.scales:
            self.err(data.line_of("id"),
                     _("scale '{sid}' is defined twice.").format(sid=sid),
                     _("rename one."))
        points = []
        for pd in self.list_(data, "points"):
            if not self.keys(pd, POINT_KEYS, N_("scale point"), data.line):
                continue
            value = self.number(pd, "value")
            if value is not None:
                points.append(ScalePoint(value=value, label=self.text(pd, "label")))
        if len(points) < 2:
            self.err(data.line_of("points"),
                     _("scale '{sid}' needs at least two points.").format(sid=sid),
                     _("list points as '- {value: 1, label: …}'."))
        labels = [p.label.casefold() for p in points]
        if len(set(labels)) != len(labels):
            self.err(data.line_of("points"),
                     _("scale '{sid}' repeats a label.").format(sid=sid),
                     _("give every point its own label."))
        self.scales[sid] = Scale(id=sid, label=self.text(data, "label"), points=tuple(points),
                                 description=self.text(data, "description"))

    def section(self, data: Any, what: str) -> Section | None:
        if not self.keys(data, SECTION_KEYS, what, getattr(data, "line", 1)):
            return None
        sid = self.new_id(data)
        children: list[Section | Item] = []
        for cd in self.list_(data, "items"):
            if isinstance(cd, LineDict) and cd.get("kind") == "section":
                sub = self.section(cd, N_("section"))
                if sub:
                    children.append(sub)
            else:
                it = self.item(cd)
                if it:
                    children.append(it)
        if "items" in data and not children:
            self.err(data.line_of("items"),
                     _("section '{sid}' has no items.").format(sid=sid),
                     _("add items."))
        return Section(id=sid, title=self.text(data, "title"), number=self.text(data, "number"),
                       intro=self.text(data, "intro"), line=data.line, children=tuple(children))

    def item(self, data: Any) -> Item | None:
        line = getattr(data, "line", 1)
        if not isinstance(data, LineDict):
            self.err(line,
                     _("an item must be a mapping."),
                     _("write 'id: …', 'kind: …', 'text: …'."))
            return None
        raw_kind = data.get("kind")
        try:
            kind = ItemKind(str(raw_kind))
        except ValueError:
            kinds = [k.value for k in ItemKind] + ["section"]
            hint = did_you_mean(str(raw_kind), kinds,
                                               _("use one of: {value}.").format(
                                                   value=', '.join(kinds)))
            self.err(data.line_of("kind"),
                     _("unknown item kind '{raw_kind}'.").format(raw_kind=raw_kind), hint)
            return None
        if not self.keys(data, ITEM_KEYS[kind], _("{kind} item").format(kind=kind.value), line):
            return None
        iid = self.new_id(data)
        common: dict[str, Any] = dict(id=iid, kind=kind, text=self.text(data, "text"),
                      number=self.text(data, "number"), hint=self.text(data, "hint"), line=line)
        if kind in SIMPLE_KINDS:
            field_kind, whole = FIELD_OF_KIND.get(kind.value, (FieldKind.TEXT, False))
            answer = self.field(data, field_kind, iid, label=common["text"], whole=whole)
            other = self.other(data)
            if other is not None:
                answer = replace(answer, options=(*answer.options, OTHER_LABEL))
            if "default" in data:
                answer = replace(answer, default=self.default(data, answer))
            return Item(**common, answer=answer, other=other)
        if kind is ItemKind.MULTI:
            options = self.option_fields(data)
            other = self.other(data)
            if other is not None:
                options += (Field(id=OTHER_OPTION, label=OTHER_LABEL, kind=FieldKind.CHECK),)
            return Item(**common, options=options, other=other,
                        required=self.bool_(data, "required"))
        if kind in TABLE_KINDS:
            attrs = tuple(self.attribute(ad) for ad in self.list_(data, "attributes"))
            columns = self.fields(data, "columns")
            scope: dict[str, int] = {}
            rows = tuple(r for r in (self.row(rd, attrs, scope) for rd in self.list_(data, "rows"))
                         if r)
            if not rows:
                self.err(data.line_of("rows"),
                         _("table '{iid}' has no rows.").format(iid=iid),
                         _("add rows."))
            return Item(**common, rows=rows, columns=columns, attributes=attrs)
        if kind is ItemKind.ENTRIES:
            fields = self.fields(data, "fields")
            entries = data.get("entries", 8)
            if not isinstance(entries, int) or isinstance(entries, bool) or not 1 <= entries <= 200:
                self.err(data.line_of("entries"),
                         _("'entries' must be a whole number 1–200."),
                         _("write e.g. entries: 10."))
                entries = 8
            prefill = tuple(self.prefill(pd, fields) for pd in self.list_(data, "prefill"))
            if len(prefill) > entries:
                self.err(data.line_of("prefill"),
                         _("more prefilled entries than 'entries'."),
                         _("raise entries to at least {value}.").format(value=len(prefill)))
            return Item(**common, fields=fields, entries=entries, prefill=prefill)
        try:
            style = GuidanceStyle(str(data.get("style")))
        except ValueError:
            self.err(data.line_of("style"),
                     _("unknown guidance style '{value}'.").format(value=data.get('style')),
                     _("use one of: {value}.").format(
                         value=', '.join(s.value for s in GuidanceStyle)))
            style = GuidanceStyle.NOTE
        bullets = tuple(self.bullet(b, data) for b in self.list_(data, "bullets"))
        if not common["text"] and not bullets:
            self.err(line,
                     _("guidance '{iid}' has neither text nor bullets.").format(iid=iid),
                     _("add text."))
        return Item(**common, style=style, bullets=bullets)

    def other(self, data: LineDict) -> Field | None:
        """The "Anders, namelijk …" text field of an item with ``other: true``."""
        if not self.bool_(data, "other"):
            return None
        return Field(id=OTHER_TEXT, label=OTHER_TEXT_LABEL, kind=FieldKind.TEXT,
                     multiline=False)

    def option_fields(self, data: LineDict) -> tuple[Field, ...]:
        """A multi item's options, one tick box each: text (id made from it) or {id, label}."""
        out: list[Field] = []
        scope: dict[str, int] = {}
        for raw in self.list_(data, "options"):
            if isinstance(raw, LineDict) and ({"id", "label"} & set(raw)):
                if not self.keys(raw, OPTION_KEYS, N_("option"), data.line_of("options")):
                    continue
                oid, label = self.new_id(raw, scope=scope), self.text(raw, "label")
            else:
                label = self.plain_or_translated(raw, data.line_of("options"), "options")
                oid = option_id(label)
                if oid in scope or oid in (OTHER_OPTION, OTHER_TEXT):
                    self.err(data.line_of("options"),
                             _("option '{label}' gives the id '{oid}' another option (or "
                               "'anders') already has.").format(label=label, oid=oid),
                             _("write it as '- {id: …, label: …}'."))
                    continue
                scope[oid] = data.line_of("options")
            out.append(Field(id=oid, label=label, kind=FieldKind.CHECK))
        if len(out) < 2:
            self.err(data.line_of("options"),
                     _("a multi item needs at least two options."),
                     _("list them under 'options:'."))
        return tuple(out)

    def bullet(self, value: Any, data: LineDict) -> str:
        if isinstance(value, dict):
            return self.plain_or_translated(value, data.line_of("bullets"), "bullets")
        if isinstance(value, list):
            self.err(data.line_of("bullets"),
                     _("a bullet must be text."),
                     _("write '- text'."))
            return ""
        s = str(value).strip()
        self.check_jinja(s, data.line_of("bullets"))
        return s

    def fields(self, data: LineDict, key: str) -> tuple[Field, ...]:
        out = []
        scope: dict[str, int] = {}
        for fd in self.list_(data, key):
            if not self.keys(fd, FIELD_KEYS, N_("column") if key == "columns" else N_("field"),
                             data.line_of(key)):
                continue
            fid = self.new_id(fd, scope=scope)
            if str(fd.get("kind")) not in FIELD_OF_KIND:
                self.err(fd.line_of("kind"),
                         _("unknown field kind '{value}'.").format(value=fd.get('kind')),
                         _("use one of: {value}.").format(value=', '.join(FIELD_OF_KIND)))
                continue
            kind, whole = FIELD_OF_KIND[str(fd.get("kind"))]
            out.append(self.field(fd, kind, fid, label=self.text(fd, "label"), whole=whole))
        if not out and key in data:
            self.err(data.line_of(key),
                     _("'{key}' is empty.").format(key=key),
                     _("add at least one."))
        return tuple(out)

    def field(self, data: LineDict, kind: FieldKind, fid: str, label: str,
              whole: bool = False) -> Field:
        scale = None
        if kind is FieldKind.SCALE:
            ref = data.get("scale")
            scale = self.scales.get(str(ref))
            if scale is None:
                hint = did_you_mean(str(ref), self.scales,
                                              _("define it under 'scales:' first."))
                self.err(data.line_of("scale"),
                         _("scale '{ref}' is not defined.").format(ref=ref), hint)
        elif "scale" in data:
            self.err(data.line_of("scale"),
                     _("'scale' only applies to kind scale, not {kind}.").format(kind=kind),
                     _("remove it or set kind: scale."))
        options: tuple[str, ...] = ()
        if kind is FieldKind.CHOICE:
            options = tuple(self.plain_or_translated(o, data.line_of("options"), "options")
                            for o in self.list_(data, "options"))
            if len(options) < 2:
                self.err(data.line_of("options"),
                         _("a choice needs at least two options."),
                         _("list them under 'options:'."))
        minimum, maximum = self.number(data, "min"), self.number(data, "max")
        if minimum is not None and maximum is not None and minimum > maximum:
            self.err(data.line_of("min"),
                     _("min is larger than max."),
                     _("swap them."))
        max_length = data.get("max_length")
        if max_length is not None and (not isinstance(max_length, int) or max_length < 1):
            self.err(data.line_of("max_length"),
                     _("max_length must be a positive whole number."),
                     _("write e.g. max_length: 500."))
            max_length = None
        return Field(
            id=fid, label=label, kind=kind, scale=scale, options=options,
            required=self.bool_(data, "required"),
            constraint=Constraint(minimum=minimum, maximum=maximum, max_length=max_length,
                                  message=self.text(data, "message"), whole=whole),
            multiline=data.get("multiline", kind is FieldKind.TEXT) is not False,
            hint=self.text(data, "hint"),
        )

    def default(self, data: LineDict, answer: Field) -> str | float | None:
        """The item's default answer (content.defaults), checked as an answer is."""
        raw = self.text(data, "default") if answer.kind is FieldKind.TEXT else data["default"]
        value = typed_default(answer, raw)
        if value is None:
            self.err(data.line_of("default"),
                     _("the default '{value}' is not an answer this question accepts.").format(
                         value=raw),
                     answerchecks.prompt(answer))
        elif answer.kind is FieldKind.CHOICE:  # the option itself, with its translations
            value = next(o for o in answer.options if o == value)
        return value

    def attribute(self, data: Any) -> Attribute:
        if not self.keys(data, ATTRIBUTE_KEYS, N_("attribute"), getattr(data, "line", 1)):
            return Attribute(id="", label="")
        return Attribute(id=str(data.get("id")), label=self.text(data, "label"))

    def row(self, data: Any, attrs: tuple[Attribute, ...], scope: dict[str, int]) -> Row | None:
        spec = {"required": ROW_KEYS["required"],
                "optional": ROW_KEYS["optional"] | {a.id for a in attrs}}
        if not self.keys(data, spec, N_("row"), getattr(data, "line", 1)):
            return None
        rid = self.new_id(data, scope=scope)
        return Row(id=rid, text=self.text(data, "text"), group=self.text(data, "group"),
                   attributes={a.id: self.text(data, a.id) for a in attrs})

    def prefill(self, data: Any, fields: tuple[Field, ...]) -> dict[str, str]:
        ids = {f.id for f in fields}
        if not self.keys(data, {"required": set(), "optional": ids}, N_("prefill entry"),
                         getattr(data, "line", 1)):
            return {}
        return {k: self.text(data, k) for k in data if k in ids}

def iter_problems(directory: Path) -> Iterator[Problem]:
    """Every problem of every file in a folder (empty when valid)."""
    try:
        load_catalog(directory)
    except ContentError as exc:
        yield from exc.problems

"""The internal model: the one shape between the YAML content and everything else.

Renderers and readers never see raw YAML; they see these frozen dataclasses. The
central contract is the *slot*: every place a respondent can type, tick or choose
is one :class:`Slot` with a stable ``key`` built from item ids (never positions).

Slot keys:
    ``<item>``                  a single question (text, check, scale, choice, number, date)
    ``<item>.<row>.<column>``   one cell of a grid or indicator table
    ``<item>.<n>.<field>``      field of the n-th (1-based) entry of an entries list
    ``respondent.<field>``      the respondent block (naam, organisatie, rol, datum, onderwerp)

Any text may carry translations (:class:`~templategen.content.languages.Text`, a ``str`` in
the instrument's default language); :meth:`Instrument.in_language` gives the instrument in
one language for the renderers. Slot keys never depend on the language.

Every slot has an *anchor*: ``tg_`` + the key with ``.`` written as ``__``. The anchor is
the Word bookmark name and the Excel defined name, so it must stay within Word's
40-character bookmark limit; :func:`key_from_anchor` turns it back into the key.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from templategen.content.languages import DEFAULT_LANGUAGE, Text, localise, missing, variants
from templategen.content.wording import Register

ID_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
ANCHOR_PREFIX = "tg_"
ANCHOR_MAX = 40
RESPONDENT = "respondent"

# Custom document properties carried by every rendered .docx and .xlsx.
PROP_INSTRUMENT = "templategen.instrument"
PROP_VERSION = "templategen.version"
PROP_RECIPIENT = "templategen.recipient"
PROP_INSTANCE = "templategen.instance"
PROP_KIND = "templategen.kind"  # "form" or "workbook"
PROP_RECIPIENT_NAME = "templategen.recipient_name"  # personalised copies: the naam column
PROP_SUBJECT = "templategen.subject"  # personalised copies: the onderwerp column, when given
# personalised copies: "key:digest …" of every answer the tool pre-filled (content.copies)
PROP_PREFILLED = "templategen.prefilled"
PROP_TOKEN = "templategen.token"  # personalised copies: the organiser's HMAC (content.signing)
PROP_KEY = "templategen.key"  # personalised copies: the signing key's fingerprint (not the key)
# the language of the copy's texts (nl, en, nl-BE); only on copies built in a chosen language
PROP_LANGUAGE = "templategen.language"
# a subject's report (templategen report): kind "report", its subject (PROP_SUBJECT), its
# instruments (ids, space-separated) and the recipients whose copies it is made of (JSON list)
REPORT_KIND = "report"
PROP_INSTRUMENTS = "templategen.instruments"
PROP_RECIPIENTS = "templategen.recipients"


class FieldKind(StrEnum):
    """What one slot holds."""

    TEXT = "text"
    CHECK = "check"
    SCALE = "scale"
    CHOICE = "choice"
    NUMBER = "number"
    DATE = "date"


class ItemKind(StrEnum):
    """What an item in a section is."""

    TEXT = "text"  # open question, free-text answer
    CHECK = "check"  # tick-box criterion
    SCALE = "scale"  # score on a named scale
    CHOICE = "choice"  # one choice from a list
    NUMBER = "number"
    DATE = "date"
    GRID = "grid"  # given rows x answer columns
    INDICATORS = "indicators"  # grid whose rows carry read-only attributes (KPIs)
    ENTRIES = "entries"  # rows the respondent adds, each with fields
    GUIDANCE = "guidance"  # read-only text: background, tips, goals, reflection
    MULTI = "multi"  # tick all that apply: one tick box per option
    INTEGER = "integer"  # a whole number (a number field that must be whole)


SIMPLE_KINDS = frozenset(
    {ItemKind.TEXT, ItemKind.CHECK, ItemKind.SCALE, ItemKind.CHOICE, ItemKind.NUMBER, ItemKind.DATE,
     ItemKind.INTEGER}
)
# "Anders, namelijk …": the option a choice or multi item adds with ``other: true``, and the
# text field beside it (slot key ``<item>.anders_tekst``).
OTHER_OPTION = "anders"
OTHER_LABEL = Text("Anders, namelijk", {"en": "Other, namely"})
OTHER_TEXT_LABEL = Text("Anders, namelijk …", {"en": "Other, namely …"})
OTHER_TEXT = "anders_tekst"
TABLE_KINDS = frozenset({ItemKind.GRID, ItemKind.INDICATORS})


class GuidanceStyle(StrEnum):
    BACKGROUND = "background"  # achtergrond
    TIPS = "tips"  # leestips / tips voor het gesprek
    GOAL = "goal"  # doel
    REFLECTION = "reflection"  # resultaat en reflectie
    NOTE = "note"  # any other read-only text
    INSTRUCTION = "instruction"


class Direction(StrEnum):
    """Which way a score is better: ranks, colour scales and "best" labels follow it."""

    HIGHER = "higher"  # the default: more ticks, a higher stand
    LOWER = "lower"  # e.g. topics not yet started, imbalance, delayed activities
    NEITHER = "neither"  # e.g. a count of high priorities: shown, never ranked or coloured


class RuleKind(StrEnum):
    """Scoring rules declared in content; content.rulekinds defines what each computes."""

    SUM = "sum"  # sum over slots; also knows its maximum
    PERCENT = "percent"  # a sum rule's value / its maximum (0..1)
    COUNT = "count"  # number of slots meeting a condition
    MEAN = "mean"  # mean of the non-empty numeric slots
    SPREAD = "spread"  # max - min of the non-empty numeric slots (imbalance)
    DIFFERENCE = "difference"  # per row: a - b
    PRODUCT = "product"  # per row: product of factors, optionally banded
    QUADRANT = "quadrant"  # per row: quadrant of (x, y) against a split value
    ACHIEVEMENT = "achievement"  # per row: (actual - baseline) / (target - baseline)
    COVERAGE = "coverage"  # groups of slots; warns when a group has nothing chosen


@dataclass(frozen=True)
class ScalePoint:
    value: float
    label: str


@dataclass(frozen=True)
class Scale:
    id: str
    label: str
    points: tuple[ScalePoint, ...]
    description: str = ""

    @property
    def minimum(self) -> float:
        return min(p.value for p in self.points)

    @property
    def maximum(self) -> float:
        return max(p.value for p in self.points)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(p.label for p in self.points)

    def value_of(self, label: str) -> float | None:
        """The numeric value of a label, tolerant of case and surrounding space."""
        wanted = label.strip().casefold()
        for point in self.points:
            if any(v.casefold() == wanted for v in variants(point.label)):  # any language
                return point.value
        return None

    def label_of(self, value: float) -> str | None:
        for point in self.points:
            if point.value == value:
                return point.label
        return None


@dataclass(frozen=True)
class Constraint:
    """XLSForm-style constraint on one answer."""

    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    message: str = ""
    whole: bool = False  # a number that must be a whole number (kind: integer)


@dataclass(frozen=True)
class Field:
    """One answer: the single answer of a simple item, a grid column or an entry field."""

    id: str
    label: str
    kind: FieldKind
    scale: Scale | None = None
    options: tuple[str, ...] = ()
    required: bool = False
    constraint: Constraint = Constraint()
    multiline: bool = True
    hint: str = ""
    # the answer a blank copy holds (content.defaults): as the store keeps it
    default: str | float | None = None

    @property
    def choices(self) -> tuple[str, ...]:
        """The labels a dropdown offers: the scale's labels or the options."""
        if self.scale is not None:
            return self.scale.labels
        return self.options

    @property
    def is_numeric(self) -> bool:
        return self.kind in (FieldKind.SCALE, FieldKind.NUMBER, FieldKind.CHECK)


@dataclass(frozen=True)
class Row:
    """A given row of a grid or indicator table."""

    id: str
    text: str
    group: str = ""  # a heading the row sits under, e.g. "INTERNE SITUATIE"
    attributes: Mapping[str, str] = field(default_factory=dict)  # indicators: niveau, bron, ...


@dataclass(frozen=True)
class Attribute:
    """A read-only column of an indicator table (shown, never answered)."""

    id: str
    label: str


@dataclass(frozen=True)
class Item:
    id: str
    kind: ItemKind
    text: str
    number: str = ""  # as in the seed, e.g. "1.1" or "a"
    hint: str = ""
    line: int = 0  # line in the YAML file, for messages
    answer: Field | None = None  # simple kinds
    rows: tuple[Row, ...] = ()  # grid, indicators
    columns: tuple[Field, ...] = ()  # grid, indicators: the answer columns
    attributes: tuple[Attribute, ...] = ()  # indicators: read-only columns
    fields: tuple[Field, ...] = ()  # entries
    entries: int = 0  # entries: how many blank rows a form offers
    prefill: tuple[Mapping[str, str], ...] = ()  # entries: suggested first entries
    style: GuidanceStyle | None = None  # guidance
    bullets: tuple[str, ...] = ()  # guidance: list items
    options: tuple[Field, ...] = ()  # multi: one tick box per option (with "anders" if other)
    other: Field | None = None  # choice, multi with other: true: the "namelijk" text field
    required: bool = False  # multi: at least one option must be ticked

    @property
    def is_required(self) -> bool:
        """Whether the question must be answered: its answer, or (multi) one of its ticks."""
        return self.required or (self.answer is not None and self.answer.required)

    @property
    def answerable(self) -> bool:
        return self.kind is not ItemKind.GUIDANCE

    def field_by_id(self, field_id: str) -> Field | None:
        for f in self.columns + self.fields + self.options:
            if f.id == field_id:
                return f
        return None


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    number: str = ""
    intro: str = ""
    line: int = 0
    children: tuple[Section | Item, ...] = ()

    def walk_items(self) -> Iterator[Item]:
        for child in self.children:
            if isinstance(child, Section):
                yield from child.walk_items()
            else:
                yield child

    def walk_sections(self) -> Iterator[Section]:
        yield self
        for child in self.children:
            if isinstance(child, Section):
                yield from child.walk_sections()


@dataclass(frozen=True)
class Band:
    minimum: float
    label: str


@dataclass(frozen=True)
class Rule:
    """A scoring rule. ``params`` are checked by content.py against RULE_PARAMS."""

    id: str
    kind: RuleKind
    label: str
    params: Mapping[str, Any]
    line: int = 0
    direction: Direction = Direction.HIGHER

    @property
    def bands(self) -> tuple[Band, ...]:
        return tuple(self.params.get("bands", ()))


@dataclass(frozen=True)
class Source:
    document: str  # title of the source document
    seed: str = ""  # seed file it was transcribed from
    location: str = ""  # chapter / figure / table
    publisher: str = ""
    licence: str = ""
    attribution: str = ""  # the attribution sentence to print
    url: str = ""


@dataclass(frozen=True)
class Slot:
    """One place in a form or workbook where an answer goes."""

    key: str
    item: Item
    field: Field
    row: Row | None = None
    entry: int | None = None

    @property
    def anchor(self) -> str:
        return anchor(self.key)

    @property
    def label(self) -> str:
        """A human description for messages, e.g. 'vraag 1.2 (Gewenste situatie)'."""
        if self.item.id == RESPONDENT:
            return f"respondentgegevens: {self.field.label}"
        head = f"vraag {self.item.number}" if self.item.number else f"'{_short(self.item.text)}'"
        if self.row is not None:
            return f"{head}, rij '{_short(self.row.text)}', kolom '{self.field.label}'"
        if self.field is not self.item.answer and self.entry is None and self.item.kind in (
                ItemKind.MULTI, ItemKind.CHOICE):
            return f"{head}, '{_short(self.field.label)}'"
        if self.entry is not None:
            return f"{head}, regel {self.entry}, '{self.field.label}'"
        return head


# What a mail template can use besides the recipient's columns (see mail.compose).
MAIL_PLACEHOLDERS = frozenset({"instrumenten", "deadline", "afzender", "herinnering"})


@dataclass(frozen=True)
class MailText:
    """An instrument's own mail texts (first line 'Onderwerp: …', then the body; empty: the
    bundled one) and the deadline its invitations name."""

    deadline: str = ""
    uitnodiging: str = ""
    herinnering: str = ""
    bijlagen: str = "beide"  # what a recipient gets to fill: ATTACHMENTS key


# ``mail: bijlagen:`` -> the kinds of copy mailed (content.copies' "form", "workbook"): both
# (the recipient fills one of the two), or only the Word form or only the Excel workbook.
ATTACHMENTS = {"beide": ("form", "workbook"), "formulier": ("form",), "werkboek": ("workbook",)}


@dataclass(frozen=True)
class Instrument:
    id: str
    version: str
    title: str
    role: str  # who it addresses
    introduction: str
    instructions: str
    source: Source
    scales: Mapping[str, Scale]
    sections: tuple[Section, ...]
    rules: tuple[Rule, ...] = ()
    subject_label: str = ""  # e.g. "Bureau": what a respondent assesses; empty when none
    previous_versions: tuple[str, ...] = ()
    path: str = ""  # the YAML file it came from
    # placeholder -> fallback text for unpersonalised copies ("naam": "collega"); also
    # declares placeholders beyond the standard recipient columns
    placeholders: Mapping[str, str] = field(default_factory=dict)
    register: Register = Register.U  # how fixed texts address the respondent (u or jij)
    mail: MailText = MailText()  # its own invitation/reminder text and deadline
    # the language of its texts: as read, the default language (plain strings in YAML);
    # after in_language(code), that code
    language: str = DEFAULT_LANGUAGE
    localised: bool = False  # made by in_language: its copies record their language

    def walk_items(self) -> Iterator[Item]:
        for section in self.sections:
            yield from section.walk_items()

    def walk_sections(self) -> Iterator[Section]:
        for section in self.sections:
            yield from section.walk_sections()

    def item(self, item_id: str) -> Item | None:
        for it in self.walk_items():
            if it.id == item_id:
                return it
        return None

    def section(self, section_id: str) -> Section | None:
        for sec in self.walk_sections():
            if sec.id == section_id:
                return sec
        return None

    def rule(self, rule_id: str) -> Rule | None:
        for r in self.rules:
            if r.id == rule_id:
                return r
        return None

    @property
    def respondent_item(self) -> Item:
        item = respondent_item(self.subject_label)
        return item if self.language == DEFAULT_LANGUAGE else localise(item, self.language)

    def in_language(self, code: str, stored_choices: bool = False) -> Instrument:
        """This instrument with every text in language ``code`` (``nl-BE`` falls back to
        ``nl``, then to the default text): what the renderers get for ``build --lang``.
        With ``stored_choices`` a choice's options stay as the store keeps the answers (in
        the default language): the comparison counts the stored answers by them."""
        keep = frozenset({"options"}) if stored_choices else frozenset()
        return replace(localise(self, code, self.language, keep), localised=True)

    def missing_texts(self, code: str) -> list[str]:
        """Where a text in ``code`` is missing (the default text stands in), each named by
        its place, e.g. ``sectie_a › vraag_1 › text``; empty when complete."""
        texts = missing(self, code, self.language)
        texts += missing(respondent_item(self.subject_label), code, DEFAULT_LANGUAGE)
        return texts

    def slots(self) -> tuple[Slot, ...]:
        """Every answer slot in document order, the respondent block first."""
        out = list(item_slots(self.respondent_item))
        for it in self.walk_items():
            out.extend(item_slots(it))
        return tuple(out)

    def slots_under(self, ref: str) -> tuple[Slot, ...]:
        """Slots of an item, or of every item in a section, by id."""
        sec = self.section(ref)
        items = list(sec.walk_items()) if sec else [i for i in [self.item(ref)] if i]
        return tuple(s for it in items for s in item_slots(it))

    def accepts_version(self, version: str) -> bool:
        return version == self.version or version in self.previous_versions


RESPONDENT_FIELDS = (
    ("naam", Text("Naam", {"en": "Name"}), FieldKind.TEXT),
    ("organisatie", Text("Organisatie", {"en": "Organisation"}), FieldKind.TEXT),
    ("rol", Text("Rol of functie", {"en": "Role or position"}), FieldKind.TEXT),
    ("datum", Text("Datum", {"en": "Date"}), FieldKind.DATE),
)


def respondent_item(subject_label: str = "") -> Item:
    """The respondent block every form starts with (naam, organisatie, rol, datum[, onderwerp])."""
    fields = [Field(id=i, label=lab, kind=k, multiline=False) for i, lab, k in RESPONDENT_FIELDS]
    if subject_label:
        fields.append(
            Field(id="onderwerp", label=subject_label, kind=FieldKind.TEXT, multiline=False)
        )
    return Item(
        id=RESPONDENT, kind=ItemKind.ENTRIES, text=Text("Gegevens", {"en": "Details"}),
        fields=tuple(fields), entries=1,
    )


def item_slots(item: Item) -> Iterator[Slot]:
    """The slots of one item, in the order a form shows them."""
    if item.kind in SIMPLE_KINDS:
        assert item.answer is not None
        yield Slot(key=item.id, item=item, field=item.answer)
    elif item.kind is ItemKind.MULTI:
        for option in item.options:
            yield Slot(key=f"{item.id}.{option.id}", item=item, field=option)
    elif item.kind in TABLE_KINDS:
        for row in item.rows:
            for col in item.columns:
                yield Slot(key=f"{item.id}.{row.id}.{col.id}", item=item, field=col, row=row)
    elif item.kind is ItemKind.ENTRIES:
        if item.id == RESPONDENT:
            for f in item.fields:
                yield Slot(key=f"{RESPONDENT}.{f.id}", item=item, field=f)
            return
        for n in range(1, item.entries + 1):
            for f in item.fields:
                yield Slot(key=f"{item.id}.{n}.{f.id}", item=item, field=f, entry=n)
    if item.other is not None:
        yield Slot(key=f"{item.id}.{OTHER_TEXT}", item=item, field=item.other)


def anchor(key: str) -> str:
    """The bookmark / defined name of a slot key."""
    return ANCHOR_PREFIX + key.replace(".", "__")


def key_from_anchor(name: str) -> str | None:
    """The slot key an anchor stands for, or None when the name is not one of ours."""
    if not name.startswith(ANCHOR_PREFIX):
        return None
    return name[len(ANCHOR_PREFIX) :].replace("__", ".")


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"

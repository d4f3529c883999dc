"""One returned file -> a checked result: guard, open, identify, read, check.

:func:`read_returned` is the whole per-file pipeline (ingest.py runs it in a worker
process with a time budget). It never touches the store; it returns a :class:`FileResult`
with the answers typed and the warnings written, or raises :class:`RejectedFile` with the
one-sentence reason.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from templategen.content import answerchecks
from templategen.content.catalog import Catalog
from templategen.content.model import (
    PROP_INSTANCE,
    PROP_INSTRUMENT,
    PROP_KEY,
    PROP_LANGUAGE,
    PROP_RECIPIENT,
    PROP_RECIPIENT_NAME,
    PROP_SUBJECT,
    PROP_TOKEN,
    PROP_VERSION,
    RESPONDENT,
    Instrument,
    Item,
    ItemKind,
    Slot,
)
from templategen.errors import RejectedFile, UnknownInstrument
from templategen.i18n import _, document, documents_in, language_tag
from templategen.office.custom_props import CUSTOM_PART, read_custom
from templategen.returned import answers as checking
from templategen.returned import caps, odf
from templategen.returned.active import active_content
from templategen.returned.compiled import Compiled, compiled
from templategen.returned.prefill import mark_prefilled
from templategen.returned.reading import (
    Extraction,
    RawValue,
    metadata_text,
    per_instrument,
    utc_stamp,
)
from templategen.returned.safezip import DEFAULT_LIMITS, Limits, SafeArchive
from templategen.store.database import Answer

# file kind -> (module, function): imported when first needed
READERS: dict[str, tuple[str, str]] = {
    "docx": ("templategen.returned.docx", "read_form"),
    "xlsx": ("templategen.returned.xlsx", "read_workbook"),
    "odt": ("templategen.returned.odt", "read_form"),
    "ods": ("templategen.returned.ods", "read_spreadsheet"),
}
KIND_NAMES = {"docx": "form", "xlsx": "workbook", "odt": "form", "ods": "workbook"}
_CORE = "docProps/core.xml"
_DCTERMS_MODIFIED = "{http://purl.org/dc/terms/}modified"
_LIST_LIMIT = 6


@dataclass
class FileResult:
    """Everything ingest stores for one accepted file."""

    instrument: str
    version: str
    kind: str  # form | workbook
    recipient: str
    instance: str
    respondent: str
    subject: str
    modified: str
    answers: dict[str, Answer] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    token: str = ""  # the copy's identity token as the file holds it (checked by ingest)
    key: str = ""  # the fingerprint of the key that signed it (copies built before: none)
    language: str = ""  # the copy's language: as it records it, else the instrument's default


def read_returned(name: str, data: bytes, catalog: Catalog,
                  limits: Limits = DEFAULT_LIMITS) -> FileResult:
    """Read and check one returned file; RejectedFile says why it cannot be stored."""
    archive = SafeArchive(name, data, limits)
    file_kind = archive.kind()
    props = PROPERTIES[file_kind](archive)
    instrument = _identify(name, props, catalog)
    version = props.get(PROP_VERSION, "")
    warnings: list[str] = []
    macros = archive.macro_parts()
    if macros:
        warnings.append(_("contains macros ({value}); they were never run, only the "
                          "answers were read.").format(value=', '.join(macros)))
    warnings.extend(active_content(archive))
    laid_out = _as_laid_out(instrument, file_kind, _language(props))
    with documents_in(laid_out.language if laid_out.localised else None):
        extraction = _reader(name, file_kind)(archive, laid_out)
    if not extraction.values and not extraction.unknown:
        raise RejectedFile(
            document("{name} no longer holds a single answer field of the form (they were "
              "deleted or lost on saving), so there is nothing to read; fill in the form "
              "you received and send that file back.").format(name=name)
        )
    caps.check_places(name, instrument, version, extraction)
    warnings.extend(extraction.warnings)
    checked, more = check_extraction(instrument, version, extraction)
    caps.check_answers(name, instrument, checked, limits)
    checked = mark_prefilled(instrument, checked, props)
    warnings = caps.bound_warnings(warnings + more, limits)
    respondent, subject = _who(checked, props, name)
    return FileResult(
        instrument=instrument.id, version=version, kind=KIND_NAMES[file_kind],
        recipient=props.get(PROP_RECIPIENT, ""), instance=props.get(PROP_INSTANCE, ""),
        respondent=respondent, subject=subject,
        modified=MODIFIED[file_kind](archive),
        answers=checked, warnings=warnings, token=props.get(PROP_TOKEN, ""),
        key=props.get(PROP_KEY, ""), language=_language(props) or instrument.language,
    )


_LANGUAGES = 8  # languages laid out per instrument at a time


@per_instrument
def _by_language(instrument: Instrument) -> dict[str, Instrument]:
    """The instrument in each language a workbook copy of it was laid out in, as they come."""
    return {}


def _as_laid_out(instrument: Instrument, file_kind: str, language: str) -> Instrument:
    """The instrument as the copy was laid out: in the copy's language (``build --lang``)
    for a workbook, whose sheet titles and sheet sharing follow its texts; worked out once
    per instrument and language. The answers are checked against the instrument itself."""
    if KIND_NAMES[file_kind] != "workbook" or not language or language == instrument.language:
        return instrument
    localised = _by_language(instrument)
    if language not in localised:
        if len(localised) >= _LANGUAGES:  # the tag comes from the file: keep a few only
            del localised[next(iter(localised))]
        localised[language] = instrument.in_language(language)
    return localised[language]


def _language(props: dict[str, str]) -> str:
    """The copy's language as it records it; not a language tag (a tampered property): none
    (it only says in which words the questions were asked, the answers are read alike)."""
    return language_tag(props.get(PROP_LANGUAGE, "")) or ""


def _identify(name: str, props: dict[str, str], catalog: Catalog) -> Instrument:
    instrument_id = props.get(PROP_INSTRUMENT, "")
    if not instrument_id:
        raise RejectedFile(
            document("{name} is not a templategen form (it carries no form mark); fill in the "
              "form you received and send that file back.").format(name=name)
        )
    instrument = catalog.get(instrument_id)
    if instrument is None:  # the organiser's content lacks it: not the sender's mistake
        raise UnknownInstrument(_(
            "{name} is a file of the instrument '{instrument}', which neither the content nor "
            "the store defines; nothing of it was stored: pass --content with the folder that "
            "holds that instrument (or set content in the round file) and ingest again."
        ).format(name=name, instrument=instrument_id[:60]))
    version = props.get(PROP_VERSION, "")
    if not instrument.accepts_version(version):
        accepted = ", ".join([instrument.version, *instrument.previous_versions])
        raise RejectedFile(
            document("{name} is version '{value}' of '{title}', which is not accepted "
              "(accepted: {accepted}); fill in the current form and send that.").format(
                name=name, value=version[:20], title=instrument.title, accepted=accepted)
        )
    return instrument


def _reader(name: str, file_kind: str) -> Any:
    module_name, function = READERS[file_kind]
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        raise RejectedFile(
            document("{name} cannot be read here: this installation cannot read .{file_kind} "
              "files ({module_name} is missing); ask for the form as the other file type.").format(
                name=name, file_kind=file_kind, module_name=module_name)
        ) from None
    return getattr(module, function)


def check_extraction(instrument: Instrument, version: str,
                     extraction: Extraction) -> tuple[dict[str, Answer], list[str]]:
    """Typed answers by slot key and the warnings: bad values, missing parts, unknown keys."""
    plan = compiled(instrument)
    found: dict[str, Answer] = {}
    warnings: list[str] = []
    missing: dict[str, list[Slot]] = defaultdict(list)
    values = extraction.values
    for slot, result, answer in checking.check_all(plan.slots, values, plan.kept):
        if result is None or answer is None:
            missing[slot.item.id].append(slot)
            continue
        found[slot.key] = answer
        if result.warnings:
            warnings.extend(result.warnings)
    for item, options in plan.multis:  # counted alike from Word and Excel
        ticks = {key: found[key].value for key in options if key in found}
        for key, value in answerchecks.settle_multi(item, ticks).items():
            found[key] = Answer(value, found[key].raw)
    for slots in missing.values():
        warnings.extend(_missing(slots[0].item, slots, plan.sizes[slots[0].item.id]))
    warnings.extend(_unticked(plan, found, missing))
    if extraction.unknown:
        for key, raw in extraction.unknown.items():
            found[key] = Answer(_plain(raw), checking.raw_text(raw), unknown=True)
        keys = sorted(extraction.unknown)
        warnings.append(
            _("{value} answer(s) are not part of version {version} of this instrument "
              "(file version {version2}) and were kept apart: {value2}.").format(
                value=len(keys), version=instrument.version, version2=version,
                value2=_listed(keys))
        )
    return found, warnings


def _unticked(plan: Compiled, found: dict[str, Answer],
              missing: dict[str, list[Slot]]) -> list[str]:
    """A required multi item (tick all that apply) with none of its boxes ticked."""
    return [answerchecks.warning(wrong, _item_label(item))
            for item, keys in plan.required_multis
            if item.id not in missing
            and (wrong := answerchecks.check_item(item, {
                key: found[key].value for key in keys if key in found}))]


def _missing(item: Item, slots: list[Slot], size: int) -> list[str]:
    """One warning per item (or per row/entry), not one per cell of a deleted table;
    ``size``: how many slots the item has."""
    if len(slots) == size:
        return [_("{item} is missing (deleted?); its answers are not in the file.").format(
            item=_item_label(item))]
    warnings: list[str] = []
    rest = slots
    if item.rows or (item.kind is ItemKind.ENTRIES and item.id != RESPONDENT):
        units: dict[str, list[Slot]] = defaultdict(list)
        for slot in slots:
            units[slot.row.text if slot.row else f"{slot.entry}"].append(slot)
        width = len(item.columns) if item.rows else len(item.fields)
        whole = [u for u, unit in units.items() if len(unit) == width]
        if whole:
            what = _("row(s)") if item.rows else _("entry row(s)")
            names = [f"'{_short(u)}'" for u in whole] if item.rows else whole
            warnings.append(_("{value}: {what} {value2} are missing (deleted?).").format(
                                value=_item_label(item), what=what, value2=_listed(names)))
        rest = [s for u, unit in units.items() if u not in whole for s in unit]
    if rest:
        warnings.append(_("missing from the file (deleted?): {value}.").format(
                            value=_listed([s.label for s in rest])))
    return warnings


def _item_label(item: Item) -> str:
    if item.id == RESPONDENT:
        return _("the respondent block (naam, organisatie, …)")
    if item.kind in (ItemKind.GRID, ItemKind.INDICATORS):
        return document("table '{value}'").format(value=_short(item.text))
    if item.kind is ItemKind.ENTRIES:
        return document("list '{value}'").format(value=_short(item.text))
    return f"vraag {item.number}" if item.number else f"'{_short(item.text)}'"


def _plain(raw: RawValue) -> checking.Value:
    """An unknown key's value, typed as far as the raw value tells (no item to check it by)."""
    if isinstance(raw, bool | str) or raw is None:
        return raw
    if isinstance(raw, int | float):
        return float(raw)
    return raw.isoformat()[:10]


def _who(found: dict[str, Answer], props: dict[str, str], name: str) -> tuple[str, str]:
    def answered(key: str) -> str:
        answer = found.get(key)
        return answer.value.strip() if answer and isinstance(answer.value, str) else ""

    respondent = (answered(f"{RESPONDENT}.naam") or props.get(PROP_RECIPIENT_NAME, "")
                  or props.get(PROP_RECIPIENT, "") or name)
    subject = answered(f"{RESPONDENT}.onderwerp") or props.get(PROP_SUBJECT, "")
    return respondent[:200], subject[:200]


def _ooxml_properties(archive: SafeArchive) -> dict[str, str]:
    return read_custom(archive.xml(CUSTOM_PART)) if archive.has(CUSTOM_PART) else {}


def _modified(archive: SafeArchive) -> str:
    return utc_stamp(metadata_text(archive, _CORE, _DCTERMS_MODIFIED))


def _listed(names: list[str]) -> str:
    if len(names) <= _LIST_LIMIT:
        return ", ".join(names)
    return ", ".join(names[:_LIST_LIMIT]) + f" and {len(names) - _LIST_LIMIT} more"


def _short(text: str, limit: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# file kind -> where its custom properties and its modified time are
PROPERTIES: dict[str, Callable[[SafeArchive], dict[str, str]]] = {
    "docx": _ooxml_properties, "xlsx": _ooxml_properties,
    "odt": odf.properties, "ods": odf.properties,
}
MODIFIED: dict[str, Callable[[SafeArchive], str]] = {
    "docx": _modified, "xlsx": _modified, "odt": odf.modified, "ods": odf.modified,
}

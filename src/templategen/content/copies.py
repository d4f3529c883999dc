"""What identifies one rendered copy, the same for forms and workbooks: its file name and
its custom document properties (instrument, version, recipient, instance id and, for a
personalised copy, the organiser's token over those four: see content.signing)."""

from __future__ import annotations

import hashlib

from templategen.content.model import (
    PROP_INSTANCE,
    PROP_INSTRUMENT,
    PROP_KEY,
    PROP_KIND,
    PROP_LANGUAGE,
    PROP_PREFILLED,
    PROP_RECIPIENT,
    PROP_RECIPIENT_NAME,
    PROP_SUBJECT,
    PROP_TOKEN,
    PROP_VERSION,
    Instrument,
    item_slots,
)
from templategen.content.recipients import Recipient, safe_filename_part
from templategen.content.signing import CopyKey, issuing_key

# The respondent fields a personalised copy (form and workbook) pre-fills from the recipient's
# columns of the same name.
PREFILLED = ("naam", "organisatie", "rol", "onderwerp")
LANGUAGE = "nl-NL"  # the language property of every form and workbook in Dutch
DEFAULT_CREATOR = "templategen"
# authors that name a tool, not an organisation: a house style that keeps them gets the default
_TOOL_AUTHORS = frozenset({"", "python-docx", "openpyxl", "templategen"})


def organisation(*reference_authors: str | None) -> str:
    """The creator of a form or workbook: the organisation named as author of the house
    style's reference files (File > Info > Properties; the first that names one, not a
    tool), else "templategen"."""
    for reference_author in reference_authors:
        author = (reference_author or "").strip()
        if author.casefold() not in _TOOL_AUTHORS:
            return author
    return DEFAULT_CREATOR


def office_language(instrument: Instrument) -> str:
    """The language property of a form or workbook (what Word and Excel check spelling in):
    nl-NL for Dutch, else the language of the instrument's texts (en, nl-BE, …)."""
    return LANGUAGE if instrument.language == "nl" else instrument.language


def copy_file_name(instrument: Instrument, recipient: Recipient | None, suffix: str) -> str:
    """ASCII, no spaces, naming instrument and recipient: '<id>_<recipient>_<naam>.docx'."""
    if recipient is None:
        return f"{instrument.id}{suffix}"
    return (f"{instrument.id}_{safe_filename_part(recipient.id)}_"
            f"{safe_filename_part(recipient.naam)}{suffix}")


def prefilled_answers(instrument: Instrument, recipient: Recipient | None) -> dict[str, str]:
    """Slot key -> the value a copy for ``recipient`` holds before anybody types: the
    respondent block from the recipient's columns."""
    if recipient is None:
        return {}
    return {slot.key: value for slot in item_slots(instrument.respondent_item)
            if slot.field.id in PREFILLED
            and (value := recipient.context.get(slot.field.id, "").strip())}


def prefill_digest(value: str) -> str:
    """A short digest of a pre-filled value (spacing ignored): ingest compares an answer
    with it to tell a value that only repeats what the tool wrote from one typed over it."""
    return hashlib.sha256(" ".join(value.split()).encode("utf-8")).hexdigest()[:12]


def prefilled_property(instrument: Instrument, recipient: Recipient | None) -> str:
    """The value of PROP_PREFILLED: 'key:digest' per pre-filled answer (well under the 255
    characters Word allows a custom property)."""
    return " ".join(f"{key}:{prefill_digest(value)}"
                    for key, value in prefilled_answers(instrument, recipient).items())


def copy_properties(instrument: Instrument, recipient: Recipient | None,
                    kind: str, key: CopyKey | None = None) -> dict[str, str]:
    """The custom properties of one copy, with a fresh instance id (ODK-style 'uuid:…').

    A personalised copy is signed with ``key`` (default: the installation's key, created when
    there is none), so that ingest can tell it from a file claiming somebody else's id."""
    import uuid  # (here: reading returned files needs this module, not uuid and platform)

    instance = f"uuid:{uuid.uuid4()}"
    props = {
        PROP_INSTRUMENT: instrument.id,
        PROP_VERSION: instrument.version,
        PROP_RECIPIENT: recipient.id if recipient else "",
        PROP_INSTANCE: instance,
        PROP_KIND: kind,
    }
    if instrument.localised:  # built in a chosen language (build --lang, the round's)
        props[PROP_LANGUAGE] = instrument.language
    if recipient is not None:
        key = key or issuing_key()
        props[PROP_TOKEN] = key.token(instrument.id, instrument.version, recipient.id, instance)
        props[PROP_KEY] = key.fingerprint
        props[PROP_RECIPIENT_NAME] = recipient.naam
        asks_subject = any(s.field.id == "onderwerp"
                           for s in item_slots(instrument.respondent_item))
        if asks_subject and recipient.context.get("onderwerp"):
            # stands in for the answer when a respondent clears the respondent block
            props[PROP_SUBJECT] = recipient.context["onderwerp"]
        prefilled = prefilled_property(instrument, recipient)
        if prefilled:
            props[PROP_PREFILLED] = prefilled
    return props

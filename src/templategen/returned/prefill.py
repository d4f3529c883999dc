"""What the tool wrote into a copy before anybody typed: never an answer.

A personalised copy arrives with its respondent block filled in from the recipients file
(naam, organisatie, rol, onderwerp), an entries list may start with rows the content
suggests, and a question may hold its default answer (content.defaults). A value that only
repeats that is marked ``prefilled``: it does not count as answered, does not make a copy a
respondent, and never overrides a value typed in the other file of the same copy
(compare.data): an untouched default is the answer only where nothing else was typed. What
was pre-filled is read from the copy's property ``templategen.prefilled`` (a digest per
answer, content.copies); files made before it carried that property fall back to the
recipient's name and subject properties.

A copy in which nothing was typed (:func:`typed` holds for no answer) is stored as ``empty``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from templategen.content.copies import prefill_digest
from templategen.content.model import (
    PROP_PREFILLED,
    PROP_RECIPIENT_NAME,
    PROP_SUBJECT,
    RESPONDENT,
    Instrument,
)
from templategen.returned.compiled import compiled
from templategen.store.database import Answer


def mark_prefilled(instrument: Instrument, answers: dict[str, Answer],
                   props: dict[str, str]) -> dict[str, Answer]:
    """The answers, those that only repeat a pre-filled value marked ``prefilled``."""
    digests = _digests(props)
    suggested = compiled(instrument).suggested
    out: dict[str, Answer] = {}
    for key, answer in answers.items():
        if key not in digests and key not in suggested:  # nothing was pre-filled there
            out[key] = answer
            continue
        value = answer.value
        stated = isinstance(value, str) and value.strip() and key in digests \
            and digests[key] == prefill_digest(value)
        if not answer.unknown and (stated or _same(suggested.get(key), value)):
            answer = replace(answer, prefilled=True)
        out[key] = answer
    return out


def typed(answer: Answer, kind: str) -> bool:
    """Whether the respondent put this value there: not empty, not pre-filled, and not an
    unticked Word tick box (which is what the tool writes, so it says nothing)."""
    value = answer.value
    if value is None or answer.prefilled:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    return not (value is False and kind == "form")


def _digests(props: dict[str, str]) -> dict[str, str]:
    stated = props.get(PROP_PREFILLED)
    if stated is not None:
        pairs = (part.rpartition(":") for part in stated.split())
        return {key: digest for key, _, digest in pairs if key}
    # a copy from before the property: its recipient's name and subject are known
    fallback = {f"{RESPONDENT}.naam": props.get(PROP_RECIPIENT_NAME, ""),
                f"{RESPONDENT}.onderwerp": props.get(PROP_SUBJECT, "")}
    return {key: prefill_digest(value) for key, value in fallback.items() if value.strip()}


def _same(a: Any, b: Any) -> bool:
    """Whether answer ``b`` only repeats what was suggested (``a``): the same text (spacing
    aside), or the same number (a scale point, a number)."""
    if isinstance(a, str) and isinstance(b, str):
        return bool(a.strip()) and " ".join(a.split()) == " ".join(b.split())
    numbers = (int, float)
    return (isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool)
            and not isinstance(b, bool) and a == b)

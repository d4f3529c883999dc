"""Bounded output: what one returned file may put in the store, checked before it leaves
the worker.

The safe-zip layer bounds what a file unpacks to; this bounds what it *becomes*. A small
file can reference one long string from every answer cell (one 1 MB shared string times
569 cells is a gigabyte of answers) or carry thousands of extra answer anchors. So, per
file (limits in :class:`~templategen.returned.safezip.Limits`):

* the number of answers: the instrument's slots plus a small margin;
* each answer's length: the question's ``max_length``, else 32,767 (what an Excel cell
  holds), for the typed value and for the raw text alike;
* the total bytes of answers (value and raw text, UTF-8);
* the warnings: at most ``max_warnings``, each at most ``max_warning_chars`` long;
* what a workbook's cells come to before they are read (:func:`check_cells`): an
  OpenDocument spreadsheet repeats a row or cell by a number (``number-rows-repeated``),
  so a few bytes can stand for billions of cells. The repeats are counted, never expanded,
  and a workbook with more than ``max_cells`` filled cells is rejected; the text read from
  its cells counts against ``max_stored_bytes`` as it is read.

A file over an answer cap is rejected as a whole, with a Dutch reason for the sender, and
nothing of it is stored. :func:`check_places` rejects a file whose answer places do not
belong to the instrument version it claims (most of its own places missing, more foreign
ones present): such a file is another form under a borrowed label.
"""

from __future__ import annotations

from templategen.content.model import Instrument, Slot
from templategen.errors import RejectedFile
from templategen.i18n import _, document
from templategen.returned.compiled import compiled
from templategen.returned.reading import Extraction, thousands
from templategen.returned.safezip import Limits
from templategen.store.database import Answer

EXCEL_CELL_MAX = 32767


def check_answers(name: str, instrument: Instrument, answers: dict[str, Answer],
                  limits: Limits) -> None:
    """Reject the file when its answers are over a cap (count, length, total bytes)."""
    slots = len(_slots(instrument))
    allowed = slots + max(limits.extra_answers, slots // 10)
    if len(answers) > allowed:
        raise RejectedFile(
            document("{name} holds {value} answer fields, far more than the {slots} of this "
              "form; send the form as you received it, only filled in.").format(
                name=name, value=len(answers), slots=slots)
        )
    per_key, default = _max_lengths(instrument), limits.max_answer_chars
    chars = 0
    for key, answer in answers.items():
        value, raw = answer.value, answer.raw
        own = len(value) if value.__class__ is str else 0
        typed = len(raw) if raw.__class__ is str else 0  # type: ignore[arg-type]
        chars += own + typed
        longest = own if own > typed else typed
        limit = min(per_key.get(key, default), default)
        if longest > limit:
            raise RejectedFile(
                document("{name}: the answer to {value} is {longest} characters long, more than "
                  "the {limit} allowed; shorten it and send the file again.").format(
                    name=name, value=_label(instrument, key), longest=longest, limit=limit)
            )
    # a character is at most 4 bytes of UTF-8: count the bytes only when that could matter
    if (chars * 4 + len(answers) * 16 > limits.max_stored_bytes and
            sum(_bytes(a.value) + _bytes(a.raw) for a in answers.values())
            > limits.max_stored_bytes):
        raise RejectedFile(
            document("{name} holds more than {value} of answers in all, far more than a form "
              "ever holds; shorten the answers and send the file again.").format(
                name=name, value=_size(limits.max_stored_bytes))
        )


def check_cells(name: str, cells: int, limits: Limits) -> None:
    """Reject a workbook whose cells holding something (repeats counted) are over the cap."""
    if cells > limits.max_cells:
        raise RejectedFile(
            document("{name} holds {value} filled cells (repeated rows or columns), far more "
              "than the {value2} a workbook ever has; send the workbook as you received "
              "it, only filled in.").format(
                name=name, value=thousands(cells), value2=thousands(limits.max_cells))
        )


def check_text(name: str, chars: int, limits: Limits) -> None:
    """Reject a file once the text read from it passes the cap of all answers together."""
    if chars > limits.max_stored_bytes:
        raise RejectedFile(
            document("{name} holds more than {value} of text in all, far more than a form ever "
              "holds; send the form as you received it, only filled in.").format(
                name=name, value=_size(limits.max_stored_bytes))
        )


def check_places(name: str, instrument: Instrument, version: str,
                 extraction: Extraction) -> None:
    """Reject a file whose answer places belong to another form than the one it claims."""
    slots = len(_slots(instrument))
    own, foreign = len(extraction.values), len(extraction.unknown)
    if slots and own * 2 < slots and foreign > own:
        raise RejectedFile(
            document("{name} says it is '{title}' (version {value}), but its answer fields "
              "belong to another form ({own} of its {slots} own fields found, {foreign} "
              "foreign); send the form you received for this survey.").format(
                name=name, title=instrument.title, value=version[:20], own=own, slots=slots,
                foreign=foreign)
        )


def bound_warnings(warnings: list[str], limits: Limits) -> list[str]:
    """At most ``max_warnings`` warnings of at most ``max_warning_chars`` each; the rest
    counted in one closing warning."""
    width = limits.max_warning_chars
    kept = [w if len(w) <= width else w[: width - 1] + "…"
            for w in warnings[: limits.max_warnings]]
    if len(warnings) > limits.max_warnings:
        kept.append(_("{value} more warning(s) about this file were left out.").format(
                        value=len(warnings) - limits.max_warnings))
    return kept


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} kB"


def _bytes(value: object) -> int:
    if isinstance(value, str):
        return len(value.encode("utf-8", "surrogatepass"))
    return 8


def _label(instrument: Instrument, key: str) -> str:
    slot = _slots(instrument).get(key)
    return slot.label if slot is not None else f"'{key[:60]}'"


def _slots(instrument: Instrument) -> dict[str, Slot]:
    return compiled(instrument).by_key


def _max_lengths(instrument: Instrument) -> dict[str, int]:
    """Slot key -> the ``max_length`` of the text questions that set one."""
    return compiled(instrument).max_lengths

"""Type answers into a built form or workbook through LibreOffice's editing API, as a
respondent using LibreOffice does, and save the result in one or more formats.

The typing itself is :mod:`.uno_typist`, run by Debian's system Python (the only one with
the ``uno`` module) as a subprocess that starts its own fresh soffice. This module turns
answers by slot key into that script's job and checks what came back.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from templategen.content import boxes
from templategen.content.model import FieldKind, Instrument, Slot, anchor
from templategen.office.libreoffice import LibreOfficeError, soffice
from templategen.sample.answers import Raw

SYSTEM_PYTHON = "/usr/bin/python3"
TYPIST = Path(__file__).with_name("uno_typist.py")

# suffix -> (LibreOffice application, export filter name)
SAVE_AS: dict[str, tuple[str, str]] = {
    ".docx": ("writer", "MS Word 2007 XML"),
    ".odt": ("writer", "writer8"),
    ".doc": ("writer", "MS Word 97"),
    ".xlsx": ("calc", "Calc MS Excel 2007 XML"),
    ".ods": ("calc", "calc8"),
    ".xls": ("calc", "MS Excel 97"),
}


@dataclass(frozen=True)
class Typed:
    """What the typist did: the places typed into and those it could not find."""

    typed: tuple[str, ...]
    missing: tuple[str, ...]


def missing_reason() -> str | None:
    """Why UNO typing cannot run here (None when it can): no soffice, or no python3-uno."""
    if soffice() is None:
        return "LibreOffice (soffice) is not installed"
    if not Path(SYSTEM_PYTHON).exists():
        return f"{SYSTEM_PYTHON} is missing (Debian's python3 with python3-uno)"
    probe = subprocess.run([SYSTEM_PYTHON, "-I", "-c", "import uno"], capture_output=True,
                           check=False)
    if probe.returncode != 0:
        return "the uno module is missing: apt-get install python3-uno"
    return None


def _typed_value(kind: FieldKind, value: Raw, workbook: bool) -> tuple[str, object]:
    """(the typist's kind, the JSON value) for one answer."""
    if isinstance(value, dt.date):
        return "date", value.isoformat()
    if kind is FieldKind.CHECK and isinstance(value, bool):
        return ("text", "Ja" if value else "Nee") if workbook else ("check", value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return ("number", float(value)) if workbook else ("text", str(value))
    return "text", value


def _box(slot: Slot, value: Raw) -> str | None:
    """The bookmark of the tick box that gives ``value`` where a form shows the slot as a
    row of tick boxes (content.boxes); None when ``value`` is none of its labels."""
    labels = boxes.labels(slot)
    if isinstance(value, bool) and labels:
        return anchor(boxes.box_key(slot.key, 1 if value else 2))
    wanted = str(value).strip().casefold()
    for n, label in enumerate(labels, start=1):
        if label.casefold() == wanted:
            return anchor(boxes.box_key(slot.key, n))
    return None


def type_answers(source: Path, instrument: Instrument, answers: Mapping[str, Raw],
                 outputs: list[Path], timeout: float = 300) -> Typed:
    """Open ``source`` in a fresh LibreOffice, type ``answers`` (by slot key; None is left
    alone) into their places and save it as each of ``outputs`` (format by suffix)."""
    app = SAVE_AS[source.suffix][0]
    slots = {s.key: s for s in instrument.slots()}
    job_answers = []
    for key, value in answers.items():
        if value is None:
            continue
        kind, typed = _typed_value(slots[key].field.kind, value, app == "calc")
        job = {"name": slots[key].anchor, "kind": kind, "value": typed}
        if app == "writer" and (box := _box(slots[key], value)) is not None:
            job["box"] = box  # a form showing the answer as a row of tick boxes
        job_answers.append(job)
    for out in outputs:
        if SAVE_AS[out.suffix][0] != app:
            raise LibreOfficeError(f"cannot save a {source.suffix} file as {out.suffix}")
        out.parent.mkdir(parents=True, exist_ok=True)
    job = {"source": str(source.resolve()), "app": app, "answers": job_answers,
           "outputs": [[str(o.resolve()), SAVE_AS[o.suffix][1]] for o in outputs]}
    try:
        proc = subprocess.run([SYSTEM_PYTHON, "-I", str(TYPIST)], input=json.dumps(job),
                              capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise LibreOfficeError(f"typing into {source.name} timed out") from exc
    if proc.returncode != 0:
        raise LibreOfficeError(f"typing into {source.name} failed: {proc.stderr[-800:]}")
    result = json.loads(proc.stdout)
    for out in outputs:
        if not out.exists():
            raise LibreOfficeError(f"LibreOffice did not write {out.name}")
    return Typed(tuple(result["typed"]), tuple(result["missing"]))


def anchors_to_keys(instrument: Instrument, names: tuple[str, ...]) -> list[str]:
    """Slot keys of typist place names (for messages)."""
    by_anchor = {s.anchor: s.key for s in instrument.slots()}
    return [by_anchor.get(n, n) for n in names]

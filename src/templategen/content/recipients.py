"""The recipients file (.csv or .xlsx): one personalised copy per row."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from anyascii import anyascii

from templategen.errors import RecipientsError
from templategen.xmltext import illegal_characters, xml_safe

REQUIRED_COLUMNS = ("id", "naam")
OPTIONAL_COLUMNS = ("email", "organisatie", "rol", "onderwerp")


@dataclass(frozen=True)
class Recipient:
    id: str
    naam: str
    columns: dict[str, str] = field(default_factory=dict)  # every column, for Jinja2

    @property
    def context(self) -> dict[str, str]:
        """Values for the Jinja2 placeholders: every column, the optional ones at least ''."""
        ctx = {c: "" for c in OPTIONAL_COLUMNS}
        ctx.update(self.columns)
        return ctx


def load_recipients(path: Path, warnings: list[str] | None = None) -> list[Recipient]:
    """Read recipients; raise RecipientsError naming the row and the fix.

    A character no Office file can hold (a control character pasted from another program)
    is removed; ``warnings`` (when given) gets one line per cell naming row and column.
    """
    if not path.is_file():
        raise RecipientsError(f"{path}: no such file.")
    if path.suffix.lower() == ".csv":
        rows = _csv_rows(path)
    elif path.suffix.lower() == ".xlsx":
        rows = _xlsx_rows(path)
    else:
        raise RecipientsError(f"{path}: use a .csv or .xlsx file with a header row.")
    if not rows:
        raise RecipientsError(f"{path}: the file is empty; add a header row with id and naam.")
    header = [_column_name(h) for h in rows[0]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise RecipientsError(
            f"{path}: the header row lacks {', '.join(missing)}; "
            "add columns named 'id' and 'naam' (email, organisatie, rol, onderwerp are optional)."
        )
    recipients: list[Recipient] = []
    seen: dict[str, tuple[int, str]] = {}  # the id as it names a file -> (row, id)
    for number, values in enumerate(rows[1:], start=2):
        if not any(v.strip() for v in values):
            continue
        record = {h: _clean(path, number, h, values[i] if i < len(values) else "", warnings)
                  for i, h in enumerate(header) if h}
        rid = record["id"]
        if not rid:
            raise RecipientsError(f"{path}, row {number}: the id is empty; give every row an id.")
        _refuse_collision(path, number, rid, seen)
        recipients.append(Recipient(id=rid, naam=record["naam"], columns=record))
    if not recipients:
        raise RecipientsError(f"{path}: no recipients below the header row.")
    return recipients


def _refuse_collision(path: Path, number: int, rid: str,
                      seen: dict[str, tuple[int, str]]) -> None:
    """Ids must stay apart as the store matches them and as they name the copies' files: the
    same id, the same id in other capitals (R1, r1) or one file name (a.b, a-b) is refused."""
    key = safe_filename_part(rid)
    if key not in seen:
        seen[key] = (number, rid)
        return
    row, other = seen[key]
    how = ("is the same as" if other == rid else
           "differs only in capitals from" if other.casefold() == rid.casefold() else
           "gives the same file name as")
    raise RecipientsError(
        f"{path}, row {number}: id '{rid}' {how} id '{other}' on row {row}; give every row an "
        "id of its own (ids are compared without capitals and as file names)."
    )


def _clean(path: Path, row: int, column: str, value: str, warnings: list[str] | None) -> str:
    removed = illegal_characters(value)
    if removed and warnings is not None:
        warnings.append(
            f"{path.name}, row {row}, column '{column}': removed {len(removed)} control "
            f"character(s) ({', '.join(sorted(set(removed)))}) that no Word or Excel file "
            "can hold; check the value in the recipients file."
        )
    return xml_safe(value).strip()


def safe_filename_part(text: str, limit: int = 40) -> str:
    """ASCII, no spaces: safe to mail and to keep on any file system.

    Letters are transliterated (anyascii), never dropped: 'Ömer Yılmaz' -> 'omer-yilmaz',
    'Noah Øverland' -> 'noah-overland'.
    """
    ascii_text = anyascii(text)
    cleaned = re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-").lower()
    return cleaned[:limit].strip("-") or "x"


def _column_name(value: str) -> str:
    return value.strip().lower()


def _csv_rows(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig") if _is_utf8(raw) else raw.decode("cp1252")
    try:
        dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else "", delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel  # type: ignore[assignment]
    return [list(r) for r in csv.reader(io.StringIO(text), dialect)]


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _xlsx_rows(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        ws = wb.worksheets[0]
        return [["" if v is None else str(v) for v in row]
                for row in ws.iter_rows(values_only=True)]
    finally:
        wb.close()

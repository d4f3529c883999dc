"""The recipients file as people make it (.csv, .xlsx, .ods): one personalised copy per row.

The file is read by content/tables.py (CSV by the standard's quoting rules, the delimiter
found over the whole file, UTF-8 or Windows-1252). Headers are understood without regard to
capitals, accents, spaces or hyphens, with the names people use: ``E-mail``,
``E-mailadres``, ``Mail`` -> ``email``; ``Naam``, ``Name``, or ``Voornaam`` (+
``Tussenvoegsel``) + ``Achternaam`` -> ``naam``; ``School``, ``Organisatie``, ``Instelling``
-> ``organisatie``; ``Functie``, ``Rol`` -> ``rol``; ``Onderwerp``, ``Subject`` ->
``onderwerp``; ``Id``, ``Nummer``, ``Nr``, ``Code`` -> ``id`` (:data:`SYNONYMS`). A file
without an id column numbers its rows r1, r2, … in file order (stable while no row is
inserted or removed above another; a warning says so). Any other column is kept as a
placeholder of its own (``team`` -> ``{{ team }}``); one the content does not declare is a
warning with a did-you-mean.

The standard columns are single-line values: they go into mail headers (the To name and
address, the subject) and file names. A line break (CR, LF, U+2028/2029, Alt+Enter),
tab or other control character in them becomes a space, with a warning naming row and
column. An address cell must hold exactly one address (email.headerregistry); anything
else refuses the file naming the row. The name is only ever a display name: the To header
is built from an :class:`email.headerregistry.Address`, which quotes it.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from templategen.content.schema import did_you_mean
from templategen.content.tables import read_table
from templategen.errors import RecipientsError
from templategen.i18n import _
from templategen.xmltext import illegal_characters, xml_safe

if TYPE_CHECKING:
    from email.headerregistry import Address, HeaderRegistry

OPTIONAL_COLUMNS = ("email", "organisatie", "rol", "onderwerp")
NAME_PARTS = ("voornaam", "tussenvoegsel", "achternaam")
# canonical column -> the header spellings that mean it (compared as :func:`_normal` gives)
SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": ("id", "nummer", "nr", "number", "no", "code", "kenmerk", "referentie",
           "reference", "ref", "ontvangerid", "recipientid"),
    "naam": ("naam", "name", "volledigenaam", "fullname", "contactpersoon"),
    "email": ("email", "emailadres", "emailaddress", "mail", "mailadres", "mailaddress"),
    "organisatie": ("organisatie", "organisation", "organization", "school", "schoolnaam",
                    "instelling", "bedrijf", "company"),
    "rol": ("rol", "role", "functie", "function", "functietitel", "jobtitle"),
    "onderwerp": ("onderwerp", "subject"),
    "voornaam": ("voornaam", "firstname", "givenname", "roepnaam"),
    "tussenvoegsel": ("tussenvoegsel", "tussenvoegsels", "voorvoegsel"),
    "achternaam": ("achternaam", "lastname", "surname", "familienaam"),
}
_CANONICAL = {spelling: column for column, spellings in SYNONYMS.items()
              for spelling in spellings}
ONE_LINE = frozenset(SYNONYMS)  # values bound for mail headers and file names
_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
# one dot-atom address (RFC 5322) with an ASCII domain: nothing else can be read from it
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_PLAIN_ADDRESS = re.compile(rf"{_ATOM}(?:\.{_ATOM})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*")


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

    @property
    def address(self) -> str:
        """The one address of the email column ('' when there is none); checked on reading."""
        return self.columns.get("email", "")


@dataclass(frozen=True)
class RecipientTable:
    """The recipients as the tool reads them, the columns found, how the file was read
    (format, encoding, delimiter) and the warnings about it."""

    path: Path
    recipients: tuple[Recipient, ...]
    columns: tuple[str, ...]
    how: str
    warnings: tuple[str, ...] = ()


def load_recipients(path: Path, warnings: list[str] | None = None,
                    known: Iterable[str] = ()) -> list[Recipient]:
    """Read recipients (see :func:`read_recipients`); ``warnings`` (when given) gets its
    warnings, one line each."""
    table = read_recipients(path, known)
    if warnings is not None:
        warnings.extend(table.warnings)
    return list(table.recipients)


def read_recipients(path: Path, known: Iterable[str] = ()) -> RecipientTable:
    """Read the recipients file; raise RecipientsError naming the row and the fix.

    ``known`` are the columns the content declares as placeholders: no warning for them.
    A character no Office file can hold is removed, and a line break in a single-line
    column becomes a space; each with a warning naming row and column.
    """
    if not path.is_file():
        raise RecipientsError(_("{path}: no such file.").format(path=path))
    table = read_table(path)
    rows = table.rows
    while rows and not any(c.strip() for c in rows[0]):
        rows = rows[1:]
    if not rows:
        raise RecipientsError(_("{path}: the file is empty; add a header row with naam and "
                                "email.").format(path=path))
    warnings: list[str] = []
    header = _header(path, rows[0], set(known), warnings)
    present = {h for h in header if h}
    if "naam" not in present and not present & {"voornaam", "achternaam"}:
        read = ", ".join(f"'{c.strip()}'" for c in rows[0] if c.strip())
        raise RecipientsError(_(
            "{path}: the header row ({read}) has no name column; add a column 'naam' (or "
            "'voornaam' and 'achternaam'); id, email, organisatie, rol and onderwerp are "
            "optional.").format(path=path, read=read))
    if "id" not in present:
        warnings.append(_("{file}: no id column, so the rows are numbered r1, r2, … in "
                          "file order; add a column 'id' before building if rows may be "
                          "added or removed later.").format(file=path.name))
    recipients: list[Recipient] = []
    refused: list[str] = []
    seen: dict[str, tuple[int, str]] = {}  # the id as it names a file -> (row, id)
    for number, values in _numbered(rows):
        record = {h: _clean(path, number, h, values[i] if i < len(values) else "", warnings)
                  for i, h in enumerate(header) if h}
        if "naam" not in record:
            record["naam"] = " ".join(record[p] for p in NAME_PARTS if record.get(p))
        rid = record["id"] if "id" in present else f"r{len(recipients) + len(refused) + 1}"
        record["id"] = rid
        if not rid:
            raise RecipientsError(_("{path}, row {row}: the id is empty; give every row an "
                                    "id.").format(path=path, row=number))
        _refuse_collision(path, number, rid, seen)
        problem = _check_address(record) if record.get("email") else ""
        if problem:
            refused.append(_("{file}, row {row}: {problem}").format(
                file=path.name, row=number, problem=problem))
            continue
        recipients.append(Recipient(id=rid, naam=record["naam"], columns=record))
    if refused:
        raise RecipientsError(" ".join(refused) + " " + _(
            "Put one e-mail address in each row's address cell (or leave it empty), then "
            "try again."))
    if not recipients:
        raise RecipientsError(_("{path}: no recipients below the header row.").format(
            path=path))
    columns = tuple(sorted(present | {"id", "naam"}, key=_column_order))
    return RecipientTable(path, tuple(recipients), columns, table.how, tuple(warnings))


def _numbered(rows: list[list[str]]) -> Iterable[tuple[int, list[str]]]:
    """The data rows with their row number as the spreadsheet shows it (blank ones
    skipped); a CSV row with a quoted line break still counts as one row."""
    for number, values in enumerate(rows[1:], start=2):
        if any(v.strip() for v in values):
            yield number, values


def _column_order(column: str) -> tuple[int, str]:
    order = ("id", "naam", "email", "organisatie", "rol", "onderwerp", *NAME_PARTS)
    return (order.index(column), "") if column in order else (len(order), column)


def _normal(header: str) -> str:
    """'E-mailadres ' -> 'emailadres', 'École' -> 'ecole': no capitals, accents or signs."""
    text = unicodedata.normalize("NFKD", header.strip().casefold())
    return re.sub(r"[^a-z0-9]", "", "".join(c for c in text if not unicodedata.combining(c)))


def _header(path: Path, cells: list[str], known: set[str], warnings: list[str]) -> list[str]:
    """Each header cell's column name ('' for an empty or repeated one), with a warning for
    a column nobody reads and for a second column that means the same."""
    header: list[str] = []
    first: dict[str, str] = {}
    spellings = sorted(set(_CANONICAL) | known)
    for cell in cells:
        text = cell.strip()
        normal = _normal(text)
        column = _CANONICAL.get(normal) or (text.lower() if text else "")
        if not column:
            header.append("")
            continue
        if column in first:
            warnings.append(_("{file}: column '{text}' means {column}, as column '{first}' "
                              "before it does; only the first is read.").format(
                                  file=path.name, text=text, column=column,
                                  first=first[column]))
            header.append("")
            continue
        first[column] = text
        header.append(column)
        if column not in ONE_LINE and column not in known and normal not in known:
            close = difflib.get_close_matches(normal, spellings, n=1, cutoff=0.75)
            hint = did_you_mean(close[0] if close else "", close, _(
                "the columns read are id, naam (or voornaam and achternaam), email, "
                "organisatie, rol and onderwerp"))
            warnings.append(_("{file}: column '{text}' is not a column templategen reads "
                              "({hint}); it is kept as the placeholder {placeholder}.").format(
                                  file=path.name, text=text, hint=hint,
                                  placeholder=f"{{{{ {column} }}}}"))
    return header


def _check_address(record: dict[str, str]) -> str:
    """'' when the email cell holds exactly one address (kept as its address part), else
    the sentence that refuses the row."""
    value = record["email"]
    if _PLAIN_ADDRESS.fullmatch(value):
        return ""  # the common case, certainly one address; the parser takes 0.3 ms a cell
    addresses: tuple[Address, ...]
    try:
        parsed = _address_parser()("To", value)
        addresses, defects = tuple(getattr(parsed, "addresses", ())), len(parsed.defects)
    except Exception:  # noqa: BLE001 - the parser fails on some malformed input
        addresses, defects = (), 1
    if len(addresses) > 1:
        return _("the address cell '{value}' holds {n} addresses; a row gets one.").format(
            value=value, n=len(addresses))
    if (len(addresses) != 1 or defects or not addresses[0].domain
            or not addresses[0].username or "@" not in addresses[0].addr_spec
            or any(c.isspace() for c in addresses[0].addr_spec)):
        return _("'{value}' is not one e-mail address.").format(value=value)
    record["email"] = addresses[0].addr_spec
    return ""


@functools.cache
def _address_parser() -> HeaderRegistry:
    """The parser of address headers, made when an address first needs it (importing the
    email package takes ingest, which reads no recipients file, 10 ms)."""
    from email.headerregistry import HeaderRegistry

    return HeaderRegistry()


def _refuse_collision(path: Path, number: int, rid: str,
                      seen: dict[str, tuple[int, str]]) -> None:
    """Ids must stay apart as the store matches them and as they name the copies' files: the
    same id, the same id in other capitals (R1, r1) or one file name (a.b, a-b) is refused."""
    key = safe_filename_part(rid)
    if key not in seen:
        seen[key] = (number, rid)
        return
    row, other = seen[key]
    if other == rid:
        clash = _("id '{id}' is the same as id '{other}' on row {row}")
    elif other.casefold() == rid.casefold():
        clash = _("id '{id}' differs only in capitals from id '{other}' on row {row}")
    else:
        clash = _("id '{id}' gives the same file name as id '{other}' on row {row}")
    raise RecipientsError(_(
        "{path}, row {number}: {clash}; give every row an id of its own (ids are compared "
        "without capitals and as file names).").format(
            path=path, number=number, clash=clash.format(id=rid, other=other, row=row)))


def _clean(path: Path, row: int, column: str, value: str, warnings: list[str]) -> str:
    removed = illegal_characters(value)
    if removed:
        warnings.append(_(
            "{file}, row {row}, column '{column}': removed {n} control character(s) "
            "({characters}) that no Word or Excel file can hold; check the value in the "
            "recipients file.").format(
                file=path.name, row=row, column=column, n=len(removed),
                characters=", ".join(sorted(set(removed)))))
    value = xml_safe(value).strip()
    if column in ONE_LINE and _BREAKS.search(value):
        found = sorted({f"U+{ord(c):04X}" for c in "".join(_BREAKS.findall(value))})
        warnings.append(_(
            "{file}, row {row}, column '{column}': replaced a line break or control "
            "character ({characters}) by a space: a name, address or subject is one line in "
            "a mail header; check the value in the recipients file.").format(
                file=path.name, row=row, column=column, characters=", ".join(found)))
        value = " ".join(_BREAKS.sub(" ", value).split())
    return value


def safe_filename_part(text: str, limit: int = 40) -> str:
    """ASCII, no spaces: safe to mail and to keep on any file system.

    Letters are transliterated (anyascii), never dropped: 'Ömer Yılmaz' -> 'omer-yilmaz',
    'Noah Øverland' -> 'noah-overland'.
    """
    from anyascii import anyascii  # (here: its import takes 1.6 ms of every command)

    ascii_text = anyascii(text)
    cleaned = re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-").lower()
    return cleaned[:limit].strip("-") or "x"

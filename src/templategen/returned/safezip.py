"""Open a returned Office file safely: bounded zip reading and XML without DTDs.

Every returned file is untrusted. Nothing is extracted to disk: entries are read into
memory within limits (after Apache POI's ZipSecureFile: entry count, entry and total
size, and the inflate ratio computed from the compressed bytes actually consumed, checked
while inflating, so a lying header cannot fool us). The zip is read as Office reads it:
only the stored and deflate methods; entry names are checked in the raw central directory
(Python's zipfile cuts a name at a NUL), so a backslash, a NUL, an absolute path or ".."
is refused; entries whose bytes overlap (one compressed stream shared by many entries, the
"overlapping zip bomb") are refused. XML is parsed with no DTD, no entity resolution and
no network, and comments and processing instructions are dropped while parsing (Office
ignores them; text around them stays one text); a part that declares a DTD or entities
is refused, because Office never writes one.

Before the zip is opened, :func:`sniff` recognises what the bytes really are, so a
password-protected document (an OLE/CFB container), a legacy .doc/.xls, a PDF or a text
file renamed to .docx gets a reason the sender understands. :meth:`SafeArchive.kind`
tells a Word document from a workbook by its [Content_Types].xml (the file name's suffix
is not trusted), and recognises OpenDocument files and other Office files.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from templategen.errors import RejectedFile
from templategen.i18n import N_, document
from templategen.returned.reading import from_part


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 50 * 1024 * 1024  # the returned file itself
    max_entries: int = 2000
    max_entry_bytes: int = 100 * 1024 * 1024  # one entry, uncompressed
    max_total_bytes: int = 300 * 1024 * 1024  # all entries read, uncompressed
    max_ratio: float = 100.0  # uncompressed / compressed, per entry (as Apache POI)
    ratio_grace_bytes: int = 1024 * 1024  # entries smaller than this may compress better
    # what one file may become (returned/caps.py)
    extra_answers: int = 20  # answers above the instrument's slots (or 10% of them if more)
    max_answer_chars: int = 32767  # one answer, unless its question allows fewer
    max_stored_bytes: int = 8 * 1024 * 1024  # all answers of one file, value and raw text
    max_cells: int = 200_000  # cells holding something in one workbook, repeats counted
    max_warnings: int = 200
    max_warning_chars: int = 400


DEFAULT_LIMITS = Limits()

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
    huge_tree=False, remove_blank_text=False, remove_comments=True, remove_pis=True,
    collect_ids=False,  # no part is looked up by xml:id: its hash table is not built
)

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")

# Main-part content types -> what the file is. Word and Excel are what we read.
MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.ms-word.document.macroEnabled.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml": "docx",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml": "xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": "xlsx",
    "application/vnd.ms-excel.template.macroEnabled.main+xml": "xlsx",
}
FOREIGN_TYPES = {
    "presentationml": N_("a PowerPoint presentation"),
    "ms-powerpoint": N_("a PowerPoint presentation"),
    "ms-visio": N_("a Visio drawing"),
    "ms-excel.sheet.binary": N_("a binary Excel workbook (.xlsb)"),
}
# ODF mimetype (templates too: "-template") -> what we read it as
ODF_KINDS = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
}
_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_ODF_MANIFEST = "META-INF/manifest.xml"
_ENCRYPTION_DATA = "{urn:oasis:names:tc:opendocument:xmlns:manifest:1.0}encryption-data"
# parts of the reasons for the sender (message ids, translated where used)
PASSWORD = N_("is protected with a password and so cannot be read; remove the password")
SAVE_AGAIN = N_("open it in Word or Excel, save it again as .docx or .xlsx and send it again")
SEND_RECEIVED = N_("send the filled-in .docx or .xlsx file you received")
ORIGINEEL = N_("send the original file")


def sniff(name: str, data: bytes) -> None:
    """Refuse, with a reason the sender understands, bytes that are not an Office zip."""
    head = data[:8]
    if head.startswith(ZIP_MAGICS):
        return
    if not data:
        raise RejectedFile(document("{name} is empty (0 bytes); send the filled-in file "
                                    "again.").format(name=name))
    if head == CFB_MAGIC:
        raise RejectedFile(_cfb_reason(name, data))
    if head.startswith(b"%PDF"):
        raise RejectedFile(document("{name} is a PDF, which cannot be read in; send the "
                             "filled-in .docx or .xlsx file itself instead.").format(
                               name=name))
    if head.startswith(b"{\\rtf"):
        raise RejectedFile(document("{name} is an RTF document; {SAVE_AGAIN}.").format(
                               name=name, SAVE_AGAIN=document(SAVE_AGAIN)))
    if head.startswith(b"PK"):
        raise RejectedFile(document("{name} is a damaged zip file; {SAVE_AGAIN}.").format(
                               name=name, SAVE_AGAIN=document(SAVE_AGAIN)))
    raise RejectedFile(document("{name} is not a Word or Excel file (its content is {value}); "
                         "{SEND_RECEIVED}.").format(
                           name=name, value=_looks_like(data),
                           SEND_RECEIVED=document(SEND_RECEIVED)))


def _cfb_reason(name: str, data: bytes) -> str:
    """An OLE/CFB container: encrypted OOXML or a legacy .doc/.xls (or other)."""
    window = data[: 4 * 1024 * 1024]
    if "EncryptionInfo".encode("utf-16-le") in window or \
            "EncryptedPackage".encode("utf-16-le") in window:
        return document("{name} {PASSWORD} (File > Info > Protect) and send it again.").format(
                   name=name, PASSWORD=document(PASSWORD))
    if "WordDocument".encode("utf-16-le") in window:
        return (document("{name} is an old Word 97-2003 document (.doc); open it in Word or "
                  "LibreOffice, choose Save As, choose Word Document (.docx) and send "
                  "that file (your answers are kept).").format(name=name))
    if "Workbook".encode("utf-16-le") in window or "Book".encode("utf-16-le") in window:
        return (document("{name} is an old Excel 97-2003 workbook (.xls); open it in Excel or "
                  "LibreOffice, choose Save As, choose Excel Workbook (.xlsx) and send "
                  "that file (your answers are kept).").format(name=name))
    return document("{name} is an old Office file, not a .docx or .xlsx; {SAVE_AGAIN}.").format(
               name=name, SAVE_AGAIN=document(SAVE_AGAIN))


def _looks_like(data: bytes) -> str:
    sample = data[:512]
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        return document("binary data")
    return document("plain text")


class SafeArchive:
    """A zip opened from bytes; read() and xml() enforce the limits."""

    def __init__(self, name: str, data: bytes, limits: Limits = DEFAULT_LIMITS):
        self.name = name
        self.limits = limits
        self._read_total = 0
        if len(data) > limits.max_file_bytes:
            raise too_big(name, limits)
        sniff(name, data)
        try:
            infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError):
            raise RejectedFile(
                document("{name} is damaged or incomplete (perhaps cut off when mailed); "
                  "{SAVE_AGAIN}.").format(name=name, SAVE_AGAIN=document(SAVE_AGAIN))
            ) from None
        if len(infos) > limits.max_entries:
            raise RejectedFile(document("{name} holds too many parts for a form; send the "
                                 "original file.").format(name=name))
        self._data = memoryview(data)
        self._infos: dict[str, zipfile.ZipInfo] = {}
        self._spans: dict[str, tuple[int, int]] = {}  # entry -> its compressed bytes
        for info in infos:
            _check_entry(name, info)
            if info.filename in self._infos:
                raise RejectedFile(document("{name} holds two parts named {filename!r}, which "
                                     "Office never writes; send the original file.").format(
                                       name=name, filename=info.filename))
            self._infos[info.filename] = info
            self._spans[info.filename] = _data_span(name, data, info)
        _check_overlaps(name, sorted((info.header_offset, self._spans[info.filename][1])
                                     for info in infos))

    def names(self) -> list[str]:
        return list(self._infos)

    def has(self, name: str) -> bool:
        return name in self._infos

    def read(self, name: str) -> bytes:
        """One entry's bytes, inflated here with the limits checked as the bytes come."""
        info = self._infos.get(name)
        if info is None:
            raise KeyError(name)
        lim = self.limits
        if info.file_size > lim.max_entry_bytes or _inflates_too_far(
            info.file_size, info.compress_size, lim
        ):
            raise RejectedFile(self._bomb())
        start, end = self._spans[name]
        raw = self._data[start:end]
        if info.compress_type == zipfile.ZIP_STORED:
            data = bytes(raw)
            self._count(len(data), len(data), len(data))
        else:
            data = self._inflate(name, raw)
        if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
            raise RejectedFile(self._damaged(name))
        return data

    def _inflate(self, name: str, raw: memoryview) -> bytes:
        """Raw deflate, fed in chunks; the ratio counts the input actually consumed."""
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        chunks: list[bytes] = []
        size = fed = 0
        pending: bytes | memoryview = b""
        try:
            while not inflater.eof:
                if not pending:
                    if fed >= len(raw):
                        raise RejectedFile(self._damaged(name))  # the stream never ends
                    pending = raw[fed:fed + _FEED]
                    fed += len(pending)
                chunk = inflater.decompress(pending, _OUT)
                pending = inflater.unconsumed_tail
                size += len(chunk)
                self._count(len(chunk), size, fed - len(pending) - len(inflater.unused_data))
                chunks.append(chunk)
        except zlib.error:
            raise RejectedFile(self._damaged(name)) from None
        return b"".join(chunks)

    def _count(self, added: int, size: int, consumed: int) -> None:
        lim = self.limits
        self._read_total += added
        if size > lim.max_entry_bytes or self._read_total > lim.max_total_bytes or \
                _inflates_too_far(size, consumed, lim):
            raise RejectedFile(self._bomb())

    def _damaged(self, part: str) -> str:
        return document("{name} is damaged ({part} cannot be unpacked); {SAVE_AGAIN}.").format(
                   name=self.name, part=part, SAVE_AGAIN=document(SAVE_AGAIN))

    def _bomb(self) -> str:
        return (document("{name} unpacks to far more than its own size (a zip bomb); send the "
                  "original form instead.").format(name=self.name))

    def xml(self, name: str) -> etree._Element:
        return self.parse(name, self.read(name))

    def parse(self, name: str, data: bytes) -> etree._Element:
        """The entry ``name`` parsed from its bytes ``data``, as :meth:`read` gave them."""
        if _declares(data):
            raise RejectedFile(self._dtd())
        try:
            root = etree.fromstring(data, _PARSER)
        except etree.XMLSyntaxError:
            raise RejectedFile(
                document("{name} has a damaged part ({name2}); {SAVE_AGAIN}.").format(
                    name=self.name, name2=name, SAVE_AGAIN=document(SAVE_AGAIN))
            ) from None
        if root.getroottree().docinfo.internalDTD is not None:
            raise RejectedFile(self._dtd())
        return root

    def _dtd(self) -> str:
        return (document("{name} holds XML declarations (DTD/entities) that Office never "
                  "writes; send the form as Word, Excel or LibreOffice saved it.").format(
                    name=self.name))

    # --- what the file is ------------------------------------------------------------

    def kind(self) -> str:
        """'docx' or 'xlsx' from the package's content types, 'odt' or 'ods' from an
        OpenDocument file's mimetype; RejectedFile otherwise."""
        if self.has("mimetype"):
            mime = self.read("mimetype")[:200].decode("ascii", "replace").strip()
            for prefix, odf_kind in ODF_KINDS.items():
                if mime.startswith(prefix):
                    if not self.has("content.xml"):
                        raise RejectedFile(document("{name} is damaged: its main part "
                                             "(content.xml) is missing; {SAVE_AGAIN}.").format(
                                               name=self.name, SAVE_AGAIN=document(SAVE_AGAIN)))
                    self._refuse_encrypted_odf()
                    return odf_kind
            if mime.startswith("application/vnd.oasis.opendocument"):
                raise RejectedFile(document("{name} is an OpenDocument file, none of our forms; "
                                     "{SEND_RECEIVED}.").format(
                                       name=self.name, SEND_RECEIVED=document(SEND_RECEIVED)))
        if not self.has("[Content_Types].xml"):
            raise RejectedFile(document("{name} is a zip archive, not a Word or Excel file; "
                                 "{SEND_RECEIVED}.").format(
                                   name=self.name, SEND_RECEIVED=document(SEND_RECEIVED)))
        overrides = from_part(self, "[Content_Types].xml", _overrides, _KEPT_OVERRIDES)
        for content_type, part in overrides:
            if content_type in MAIN_TYPES:
                if part.lstrip("/").lower() not in {n.lower() for n in self._infos}:
                    raise RejectedFile(document("{name} is damaged: its main part ({value}) is "
                                         "missing, so Word and Excel cannot open it; "
                                         "{SAVE_AGAIN}.").format(
                                           name=self.name, value=part[:80],
                                           SAVE_AGAIN=document(SAVE_AGAIN)))
                return MAIN_TYPES[content_type]
        types = [content_type for content_type, _ in overrides]
        for content_type in types:
            for marker, what in FOREIGN_TYPES.items():
                if marker in content_type:
                    raise RejectedFile(document("{name} is {what}, none of our forms; "
                                         "{SEND_RECEIVED}.").format(
                                           name=self.name, what=document(what),
                                           SEND_RECEIVED=document(SEND_RECEIVED)))
        raise RejectedFile(document("{name} is a kind of Office file templategen does not read; "
                             "{SEND_RECEIVED}.").format(
                               name=self.name, SEND_RECEIVED=document(SEND_RECEIVED)))

    def _refuse_encrypted_odf(self) -> None:
        """An OpenDocument file saved with a password lists how each part is encrypted
        (``manifest:encryption-data``) in its manifest; its parts cannot be read."""
        if self.has(_ODF_MANIFEST) and \
                next(self.xml(_ODF_MANIFEST).iter(_ENCRYPTION_DATA), None) is not None:
            raise RejectedFile(document("{name} {PASSWORD} (in LibreOffice: File > Save As, "
                                 "without 'Save with password') and send it again.").format(
                                   name=self.name, PASSWORD=document(PASSWORD)))

    def macro_parts(self) -> list[str]:
        """Parts holding macros: VBA, or an OpenDocument file's Basic and scripts (never run;
        reported)."""
        return [n for n in self._infos if n.lower().rsplit("/", 1)[-1].startswith("vbaproject")
                or (n.startswith(("Basic/", "Scripts/")) and not n.endswith("/"))]


_DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY")
_LOOKED_AT = 65536  # bytes of a part looked at for a declaration (the parser refuses later)


def _declares(data: bytes) -> bool:
    """Whether the start of a part declares a DTD or an entity. Found from each "!" (one
    byte: found at once; most parts hold none), not by searching for the declarations,
    which costs a look at every "<" of the part."""
    at = data.find(b"!", 1, _LOOKED_AT)
    while at >= 0:
        if data.startswith(_DECLARATIONS, at - 1, _LOOKED_AT):
            return True
        at = data.find(b"!", at + 1, _LOOKED_AT)
    return False


def _overrides(types: etree._Element) -> tuple[tuple[str, str], ...]:
    """(content type, part name) of each Override in a package's [Content_Types].xml."""
    return tuple((o.get("ContentType", ""), o.get("PartName", ""))
                 for o in types.iter(f"{_CT_NS}Override"))


_KEPT_OVERRIDES: dict[bytes, tuple[tuple[str, str], ...]] = {}


def _inflates_too_far(size: int, compressed: int, lim: Limits) -> bool:
    if size <= lim.ratio_grace_bytes:
        return False
    return compressed <= 0 or size / compressed > lim.max_ratio


_FEED = 64 * 1024  # compressed bytes fed to the inflater at a time
_OUT = 1024 * 1024  # at most this many bytes inflated per step
_LOCAL = struct.Struct("<4sHHHHHIIIHH")  # a zip local file header


def _check_entry(name: str, info: zipfile.ZipInfo) -> None:
    """Refuse what Office never writes: odd names, methods other than stored and deflate,
    encryption. ``orig_filename`` is the name as the central directory holds it, before
    zipfile cuts it at a NUL."""
    entry = info.orig_filename
    parts = entry.split("/")
    if entry.startswith("/") or ".." in parts or (len(entry) > 1 and entry[1] == ":") \
            or "\x00" in entry or "\\" in entry:
        raise RejectedFile(document("{name} holds a part with an unsafe name ({value!r}), which "
                             "Office never writes; {ORIGINEEL}.").format(
                               name=name, value=entry[:80], ORIGINEEL=document(ORIGINEEL)))
    if info.flag_bits & 0x1:
        raise RejectedFile(document("{name} {PASSWORD} and send it again.").format(
                               name=name, PASSWORD=document(PASSWORD)))
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise RejectedFile(document("{name} is packed with a compression method (number "
                             "{compress_type}) that Word and Excel cannot open; "
                             "{SAVE_AGAIN}.").format(
                               name=name, compress_type=info.compress_type,
                               SAVE_AGAIN=document(SAVE_AGAIN)))


def _data_span(name: str, data: bytes, info: zipfile.ZipInfo) -> tuple[int, int]:
    """Where an entry's compressed bytes lie, from its local header (checked against the
    central directory as Office does: same name, in the file)."""
    offset = info.header_offset
    if offset < 0 or offset + _LOCAL.size > len(data):
        raise RejectedFile(_not_found(name, info))
    head = _LOCAL.unpack_from(data, offset)
    if head[0] != b"PK\x03\x04":
        raise RejectedFile(_not_found(name, info))
    name_len, extra_len = head[9], head[10]
    raw_name = data[offset + _LOCAL.size:offset + _LOCAL.size + name_len]
    if raw_name.isascii():  # the same text in UTF-8 and cp437: compared at once (#23)
        same = raw_name.decode("ascii") == info.orig_filename
    else:
        encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
        same = raw_name == _encoded(info.orig_filename, encoding) or \
            raw_name.decode(encoding, "replace") == info.orig_filename
    if not same:
        raise RejectedFile(document("{name} names a part differently in two places, which "
                             "Office never writes; {ORIGINEEL}.").format(
                               name=name, ORIGINEEL=document(ORIGINEEL)))
    start = offset + _LOCAL.size + name_len + extra_len
    end = start + info.compress_size
    if end > len(data):
        raise RejectedFile(_not_found(name, info))
    return start, end


def _not_found(name: str, info: zipfile.ZipInfo) -> str:
    """The reason for an entry whose bytes are not where the central directory says."""
    return document("{name} is damaged ({part} cannot be found in it); {SAVE_AGAIN}.").format(
        name=name, part=repr(info.filename[:80]), SAVE_AGAIN=document(SAVE_AGAIN))


def _encoded(name: str, encoding: str) -> bytes | None:
    """The central directory's name as bytes, to compare a local header's with at once."""
    try:
        return name.encode(encoding)
    except UnicodeEncodeError:
        return None


def _check_overlaps(name: str, spans: list[tuple[int, int]]) -> None:
    """Entries must not share bytes: overlapping entries inflate one compressed stream many
    times (a zip bomb no single entry's ratio shows)."""
    for (_start, end), (next_start, _end) in zip(spans, spans[1:], strict=False):
        if next_start < end:
            raise RejectedFile(document("{name} holds parts that overlap each other (a zip "
                                 "bomb); {ORIGINEEL}.").format(
                                   name=name, ORIGINEEL=document(ORIGINEEL)))


def too_big(name: str, limits: Limits) -> RejectedFile:
    """The rejection of a file larger than ``limits.max_file_bytes`` (Dutch, for its sender)."""
    return RejectedFile(document("{name} is larger than {value} MB; send a smaller file.").format(
                            name=name, value=limits.max_file_bytes // (1024 * 1024)))


def open_archive(path: Path, limits: Limits = DEFAULT_LIMITS) -> SafeArchive:
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise too_big(path.name, limits)
    return SafeArchive(path.name, path.read_bytes(), limits)

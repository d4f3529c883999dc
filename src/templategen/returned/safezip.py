"""Open a returned Office file safely: bounded zip reading and XML without DTDs.

Every returned file is untrusted. Nothing is extracted to disk: entries are read into
memory within limits (after Apache POI's ZipSecureFile: entry count, entry and total
size, inflate ratio checked while streaming, so a lying header cannot fool us). XML is
parsed with no DTD, no entity resolution and no network; a part that declares a DTD or
entities is refused, because Office never writes one.

Before the zip is opened, :func:`sniff` recognises what the bytes really are, so a
password-protected document (an OLE/CFB container), a legacy .doc/.xls, a PDF or a text
file renamed to .docx gets a reason the sender understands. :meth:`SafeArchive.kind`
tells a Word document from a workbook by its [Content_Types].xml (the file name's suffix
is not trusted), and recognises OpenDocument files and other Office files.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from templategen.errors import RejectedFile


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 50 * 1024 * 1024  # the returned file itself
    max_entries: int = 2000
    max_entry_bytes: int = 100 * 1024 * 1024  # one entry, uncompressed
    max_total_bytes: int = 300 * 1024 * 1024  # all entries read, uncompressed
    max_ratio: float = 100.0  # uncompressed / compressed, per entry (as Apache POI)
    ratio_grace_bytes: int = 1024 * 1024  # entries smaller than this may compress better


DEFAULT_LIMITS = Limits()

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
    huge_tree=False, remove_blank_text=False,
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
    "presentationml": "a PowerPoint presentation",
    "ms-powerpoint": "a PowerPoint presentation",
    "ms-visio": "a Visio drawing",
    "ms-excel.sheet.binary": "an Excel binary workbook (.xlsb)",
}
ODF_KINDS = {
    "application/vnd.oasis.opendocument.text": ("an OpenDocument text (.odt)", ".docx"),
    "application/vnd.oasis.opendocument.spreadsheet": ("an OpenDocument spreadsheet (.ods)",
                                                       ".xlsx"),
}
_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
SAVE_AGAIN = "open it in Word or Excel, save it again as .docx or .xlsx and send it again"


def sniff(name: str, data: bytes) -> None:
    """Refuse, with a reason the sender understands, bytes that are not an Office zip."""
    head = data[:8]
    if head.startswith(ZIP_MAGICS):
        return
    if not data:
        raise RejectedFile(f"{name} is empty (0 bytes); send the filled-in file again.")
    if head == CFB_MAGIC:
        raise RejectedFile(_cfb_reason(name, data))
    if head.startswith(b"%PDF"):
        raise RejectedFile(f"{name} is a PDF, which cannot be read back; send the filled-in "
                           ".docx or .xlsx file itself instead.")
    if head.startswith(b"{\\rtf"):
        raise RejectedFile(f"{name} is an RTF document; {SAVE_AGAIN}.")
    if head.startswith(b"PK"):
        raise RejectedFile(f"{name} is a damaged zip file; {SAVE_AGAIN}.")
    raise RejectedFile(f"{name} is not a Word or Excel file (its content is {_looks_like(data)}); "
                       "send the filled-in .docx or .xlsx file you received.")


def _cfb_reason(name: str, data: bytes) -> str:
    """An OLE/CFB container: encrypted OOXML or a legacy .doc/.xls (or other)."""
    window = data[: 4 * 1024 * 1024]
    if "EncryptionInfo".encode("utf-16-le") in window or \
            "EncryptedPackage".encode("utf-16-le") in window:
        return (f"{name} is protected with a password, so it cannot be read; remove the "
                "password (File > Info > Protect) and send it again.")
    if "WordDocument".encode("utf-16-le") in window:
        return (f"{name} is an old Word 97-2003 document (.doc); {SAVE_AGAIN}.")
    if "Workbook".encode("utf-16-le") in window or "Book".encode("utf-16-le") in window:
        return (f"{name} is an old Excel 97-2003 workbook (.xls); {SAVE_AGAIN}.")
    return f"{name} is an old-style Office file, not a .docx or .xlsx; {SAVE_AGAIN}."


def _looks_like(data: bytes) -> str:
    sample = data[:512]
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError:
        return "binary data"
    return "plain text"


class SafeArchive:
    """A zip opened from bytes; read() and xml() enforce the limits."""

    def __init__(self, name: str, data: bytes, limits: Limits = DEFAULT_LIMITS):
        self.name = name
        self.limits = limits
        self._read_total = 0
        if len(data) > limits.max_file_bytes:
            raise RejectedFile(
                f"{name} is larger than {limits.max_file_bytes // (1024 * 1024)} MB; "
                "send a smaller file."
            )
        sniff(name, data)
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError):
            raise RejectedFile(
                f"{name} is damaged or incomplete (perhaps cut off while mailing); "
                f"{SAVE_AGAIN}."
            ) from None
        if len(infos) > limits.max_entries:
            raise RejectedFile(f"{name} holds too many parts to be a form; send the original "
                               "file.")
        self._infos: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            _check_entry(name, info)
            if info.filename in self._infos:
                raise RejectedFile(f"{name} holds two parts named {info.filename!r}, which "
                                   "Office never writes; send the original file.")
            self._infos[info.filename] = info

    def names(self) -> list[str]:
        return list(self._infos)

    def has(self, name: str) -> bool:
        return name in self._infos

    def read(self, name: str) -> bytes:
        info = self._infos.get(name)
        if info is None:
            raise KeyError(name)
        lim = self.limits
        if info.file_size > lim.max_entry_bytes or _inflates_too_far(
            info.file_size, info.compress_size, lim
        ):
            raise RejectedFile(self._bomb())
        chunks = []
        size = 0
        try:
            with self._zip.open(info) as stream:  # stream, so a lying header cannot fool us
                while chunk := stream.read(1024 * 1024):
                    size += len(chunk)
                    self._read_total += len(chunk)
                    if size > lim.max_entry_bytes or self._read_total > lim.max_total_bytes or \
                            _inflates_too_far(size, info.compress_size, lim):
                        raise RejectedFile(self._bomb())
                    chunks.append(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError,
                RuntimeError, ValueError):
            raise RejectedFile(
                f"{self.name} is damaged ({name} cannot be unpacked); {SAVE_AGAIN}."
            ) from None
        return b"".join(chunks)

    def _bomb(self) -> str:
        return (f"{self.name} unpacks to far more than its size (a zip bomb); "
                "send the original form instead.")

    def xml(self, name: str) -> etree._Element:
        data = self.read(name)
        if b"<!DOCTYPE" in data[:65536] or b"<!ENTITY" in data[:65536]:
            raise RejectedFile(self._dtd())
        try:
            root = etree.fromstring(data, _PARSER)
        except etree.XMLSyntaxError:
            raise RejectedFile(
                f"{self.name} has a damaged part ({name}); {SAVE_AGAIN}."
            ) from None
        if root.getroottree().docinfo.internalDTD is not None:
            raise RejectedFile(self._dtd())
        return root

    def _dtd(self) -> str:
        return (f"{self.name} contains XML declarations (DTD/entities) that Office never "
                "writes; send the form as saved by Word, Excel or LibreOffice.")

    # --- what the file is ------------------------------------------------------------

    def kind(self) -> str:
        """'docx' or 'xlsx', from the package's content types; RejectedFile otherwise."""
        if self.has("mimetype"):
            mime = self.read("mimetype")[:200].decode("ascii", "replace").strip()
            for prefix, (what, suffix) in ODF_KINDS.items():
                if mime.startswith(prefix):
                    raise RejectedFile(
                        f"{self.name} is {what}, which templategen does not read; open it, "
                        f"choose Save as, pick the {suffix} format and send that file."
                    )
            if mime.startswith("application/vnd.oasis.opendocument"):
                raise RejectedFile(f"{self.name} is an OpenDocument file, not one of our forms; "
                                   "send the filled-in .docx or .xlsx file you received.")
        if not self.has("[Content_Types].xml"):
            raise RejectedFile(f"{self.name} is a zip archive, not a Word or Excel file; "
                               "send the filled-in .docx or .xlsx file you received.")
        types = [o.get("ContentType", "") for o in
                 self.xml("[Content_Types].xml").iter(f"{_CT_NS}Override")]
        for content_type in types:
            if content_type in MAIN_TYPES:
                return MAIN_TYPES[content_type]
        for content_type in types:
            for marker, what in FOREIGN_TYPES.items():
                if marker in content_type:
                    raise RejectedFile(f"{self.name} is {what}, not one of our forms; send the "
                                       "filled-in .docx or .xlsx file you received.")
        raise RejectedFile(f"{self.name} is an Office file of a kind templategen does not read; "
                           "send the filled-in .docx or .xlsx file you received.")

    def macro_parts(self) -> list[str]:
        """Parts holding VBA macros (never run; reported)."""
        return [n for n in self._infos if n.lower().rsplit("/", 1)[-1].startswith("vbaproject")]


def _inflates_too_far(size: int, compressed: int, lim: Limits) -> bool:
    if size <= lim.ratio_grace_bytes:
        return False
    return compressed <= 0 or size / compressed > lim.max_ratio


def _check_entry(name: str, info: zipfile.ZipInfo) -> None:
    entry = info.filename
    parts = entry.replace("\\", "/").split("/")
    if entry.startswith(("/", "\\")) or ".." in parts or (len(entry) > 1 and entry[1] == ":") \
            or "\x00" in entry:
        raise RejectedFile(f"{name} holds a part with an unsafe name ({entry[:80]!r}), which "
                           "Office never writes; send the original file.")
    if info.flag_bits & 0x1:
        raise RejectedFile(f"{name} is protected with a password, so it cannot be read; remove "
                           "the password and send it again.")


def open_archive(path: Path, limits: Limits = DEFAULT_LIMITS) -> SafeArchive:
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise RejectedFile(
            f"{path.name} is larger than {limits.max_file_bytes // (1024 * 1024)} MB; "
            "send a smaller file."
        )
    return SafeArchive(path.name, path.read_bytes(), limits)

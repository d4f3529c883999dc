"""Open a returned Office file safely: bounded zip reading and XML without DTDs.

Nothing is extracted to disk; every entry is read into memory within limits, and XML
is parsed with no DTD, no entity resolution and no network.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from .errors import RejectedFile


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 50 * 1024 * 1024  # the returned file itself
    max_entries: int = 2000
    max_entry_bytes: int = 100 * 1024 * 1024  # one entry, uncompressed
    max_total_bytes: int = 300 * 1024 * 1024  # all entries read, uncompressed
    max_ratio: float = 100.0  # uncompressed / compressed, per entry (as Apache POI)


DEFAULT_LIMITS = Limits()

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
    huge_tree=False, remove_blank_text=False,
)


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
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile:
            raise RejectedFile(
                f"{name} is not a Word or Excel file (or it is damaged); "
                "save it again as .docx or .xlsx and send it again."
            ) from None
        infos = self._zip.infolist()
        if len(infos) > limits.max_entries:
            raise RejectedFile(f"{name} holds too many parts to be a form; send the original file.")
        self._infos = {i.filename: i for i in infos}

    def names(self) -> list[str]:
        return list(self._infos)

    def has(self, name: str) -> bool:
        return name in self._infos

    def read(self, name: str) -> bytes:
        info = self._infos.get(name)
        if info is None:
            raise KeyError(name)
        lim = self.limits
        if info.file_size > lim.max_entry_bytes or (
            info.compress_size and info.file_size / info.compress_size > lim.max_ratio
            and info.file_size > 1024 * 1024
        ):
            raise RejectedFile(
                f"{self.name} has a part that unpacks to far more than its size (a zip bomb); "
                "send the original form instead."
            )
        chunks = []
        size = 0
        with self._zip.open(info) as stream:  # stream, so a lying header cannot fool us
            while chunk := stream.read(1024 * 1024):
                size += len(chunk)
                self._read_total += len(chunk)
                if size > lim.max_entry_bytes or self._read_total > lim.max_total_bytes or (
                    info.compress_size and size / info.compress_size > lim.max_ratio
                    and size > 1024 * 1024
                ):
                    raise RejectedFile(
                        f"{self.name} unpacks to far more than its size (a zip bomb); "
                        "send the original form instead."
                    )
                chunks.append(chunk)
        return b"".join(chunks)

    def xml(self, name: str) -> etree._Element:
        data = self.read(name)
        head = data[:4096].lstrip()
        if b"<!DOCTYPE" in head or b"<!ENTITY" in data[:65536]:
            raise RejectedFile(
                f"{self.name} contains XML declarations (DTD/entities) that Office never writes; "
                "send the form as saved by Word, Excel or LibreOffice."
            )
        try:
            return etree.fromstring(data, _PARSER)
        except etree.XMLSyntaxError:
            raise RejectedFile(
                f"{self.name} has a damaged part ({name}); open it in Word or Excel, "
                "save it again and send it again."
            ) from None


def open_archive(path: Path, limits: Limits = DEFAULT_LIMITS) -> SafeArchive:
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise RejectedFile(
            f"{path.name} is larger than {limits.max_file_bytes // (1024 * 1024)} MB; "
            "send a smaller file."
        )
    return SafeArchive(path.name, path.read_bytes(), limits)

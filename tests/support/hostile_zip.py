"""Hostile zip packages made from a real returned form: what Python's zipfile writes or
reads differently from Word and Excel (methods, names, overlapping entries, lying sizes).

``pack`` lays out a zip by hand, so a test can write what zipfile refuses to write (a NUL
in a name, one entry's bytes holding another entry, a compressed size that claims more
than the deflate stream uses).
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")
_END = struct.Struct("<4sHHHHIIH")


@dataclass
class Entry:
    name: bytes
    data: bytes  # uncompressed
    method: int = zipfile.ZIP_DEFLATED
    payload: bytes | None = None  # the bytes as stored (default: data, compressed by method)
    claimed: int | None = None  # compressed size written in the headers (default: real)


def deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


def local_record(entry: Entry) -> bytes:
    payload = entry.payload if entry.payload is not None else (
        deflate(entry.data) if entry.method == zipfile.ZIP_DEFLATED else entry.data)
    size = entry.claimed if entry.claimed is not None else len(payload)
    head = _LOCAL.pack(b"PK\x03\x04", 20, 0, entry.method, 0, 0x21, zlib.crc32(entry.data),
                       size, len(entry.data), len(entry.name), 0)
    return head + entry.name + payload


def pack(entries: list[Entry], records: list[bytes] | None = None,
         offsets: list[int] | None = None) -> bytes:
    """A zip of ``entries``: local records one after another (or the given ``records`` at
    the given ``offsets``), then the central directory."""
    body = b""
    if records is None:
        offsets = []
        for entry in entries:
            offsets.append(len(body))
            body += local_record(entry)
    else:
        body = b"".join(records)
    assert offsets is not None
    central = b""
    for entry, offset in zip(entries, offsets, strict=True):
        record = local_record(entry)
        size = _LOCAL.unpack_from(record)[7]
        central += _CENTRAL.pack(b"PK\x01\x02", 20, 20, 0, entry.method, 0, 0x21,
                                 zlib.crc32(entry.data), size, len(entry.data),
                                 len(entry.name), 0, 0, 0, 0, 0, offset) + entry.name
    return body + central + _END.pack(b"PK\x05\x06", 0, 0, len(entries), len(entries),
                                      len(central), len(body), 0)


def entries_of(path: Path) -> list[Entry]:
    with zipfile.ZipFile(path) as z:
        return [Entry(i.filename.encode(), z.read(i)) for i in z.infolist()]


def repack(source: Path, target: Path, change: dict[str, Entry | None]) -> None:
    """``source`` again, entries renamed/recompressed/dropped by name (None drops)."""
    entries = [change.get(e.name.decode(), e) for e in entries_of(source)]
    target.write_bytes(pack([e for e in entries if e is not None]))


def with_method(source: Path, target: Path, part: str, method: int) -> None:
    """``source`` written again by zipfile with one part in another compression method."""
    with zipfile.ZipFile(source) as z, zipfile.ZipFile(target, "w") as out:
        for info in z.infolist():
            out.writestr(info.filename, z.read(info),
                         method if info.filename == part else zipfile.ZIP_DEFLATED)


def overlapping(source: Path, target: Path, copies: int = 20) -> None:
    """The form, then ``copies`` entries that all inflate one shared deflate kernel: each
    entry's deflate stream starts with a stored block quoting the next entry's local header,
    then runs on into that entry's stream (Fifield's overlapping zip bomb, small). Every
    entry alone has a modest ratio; together they inflate the kernel ``copies`` times."""
    entries = entries_of(source)
    body = b""
    offsets = []
    for entry in entries:
        offsets.append(len(body))
        body += local_record(entry)
    words = b" ".join(b"woord%d" % (n * 7919 % 100_003) for n in range(150_000))
    tail_data, tail_payload = words, deflate(words)  # the kernel: ~1 MB, deflates ~4x
    chain: list[tuple[bytes, bytes, bytes]] = []  # (name, header, payload) innermost first
    for n in range(copies):
        name = b"word/media/o%02d.bin" % n
        header = _LOCAL.pack(b"PK\x03\x04", 20, 0, zipfile.ZIP_DEFLATED, 0, 0x21,
                             zlib.crc32(tail_data), len(tail_payload), len(tail_data),
                             len(name), 0) + name
        chain.append((name, header, tail_payload))
        quote = b"\x00" + struct.pack("<HH", len(header), len(header) ^ 0xFFFF)
        tail_data, tail_payload = header + tail_data, quote + header + tail_payload
    # the outermost entry's own header, then the quoted chain
    outer = Entry(b"word/media/outer.bin", tail_data, payload=tail_payload)
    outer_offset = len(body)
    body += local_record(outer)
    listed = [*entries, outer]
    listed_offsets = [*offsets, outer_offset]
    position = outer_offset + _LOCAL.size + len(outer.name)
    for name, header, payload in reversed(chain):
        position += 5  # the stored block's own header
        data = _inflated(payload)
        listed.append(Entry(name, data, payload=payload))
        listed_offsets.append(position)
        position += len(header)
    target.write_bytes(pack(listed, [body], listed_offsets))


def _inflated(payload: bytes) -> bytes:
    return zlib.decompressobj(-zlib.MAX_WBITS).decompress(payload)


def lying_size(source: Path, target: Path, part: str, padding: int = 8_000_000) -> None:
    """``part`` padded with ``padding`` spaces, deflated to a few KB, with the headers
    claiming a compressed size 100 times larger (junk after the stream): the ratio
    by the header is small, by the bytes actually consumed far above 100."""
    entries = entries_of(source)
    for entry in entries:
        if entry.name.decode() == part:
            entry.data = entry.data.rstrip() + b" " * padding
            entry.payload = deflate(entry.data)
            entry.payload += bytes(len(entry.payload) * 100)
    target.write_bytes(pack(entries))

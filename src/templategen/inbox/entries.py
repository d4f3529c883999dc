"""One entry of a folder someone else filled (a Maildir, a folder of returned files), read as
untrusted input.

Only a regular file is read. The entry is looked at with ``lstat`` first: a symbolic link
(inside the folder or leaving it, dangling or not), a FIFO, a device, a socket or a folder
is refused with a sentence naming it, without being opened. A regular file is then opened
with ``O_NOFOLLOW | O_NONBLOCK`` -- an entry swapped for a link meanwhile is not followed,
one swapped for a FIFO cannot block -- checked again with ``fstat``, and its size compared
with the cap before a byte is read; never more than the cap is read.

Links are refused rather than followed inside a folder: a link can lead anywhere
(``/dev/zero``, another user's mail), and a mail store or a folder of returned files made by
a mail client or by hand never needs one. A path named on the command line is the
organiser's own choice: a link there is followed (``follow=True``), but the file it leads to
must still be a regular file.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from templategen.i18n import N_, document

_KINDS = (  # (test, what the entry is; in the files' language where shown)
    (stat.S_ISFIFO, N_("a named pipe (FIFO)")),
    (stat.S_ISCHR, N_("a device (character device)")),
    (stat.S_ISBLK, N_("a device (block device)")),
    (stat.S_ISSOCK, N_("a socket")),
    (stat.S_ISDIR, N_("a folder")),
)
_ERRORS = {  # errno -> why it cannot be read
    errno.EACCES: N_("no permission to read it"),
    errno.EPERM: N_("no permission to read it"),
    errno.ENOENT: N_("it disappeared while being read"),
    errno.ELOOP: N_("it is a symbolic link"),
}
# O_NONBLOCK, O_NOFOLLOW and O_CLOEXEC are POSIX (Windows has none of them: there the lstat
# and fstat checks alone keep links and devices out); O_BINARY is Windows' (without it,
# os.read would translate line ends and stop at Ctrl-Z).
_FLAGS = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
          | getattr(os, "O_BINARY", 0))
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class Unreadable(Exception):
    """An entry that is not read; ``str()`` is the sentence for the report."""


@dataclass(frozen=True)
class Entry:
    """A regular file: its bytes (None when larger than the cap: nothing was read)."""

    data: bytes | None
    size: int
    mtime: float


def check_regular(path: Path, shown: str, follow: bool = False) -> os.stat_result:
    """The entry's status, when it is a regular file; else :class:`Unreadable`."""
    try:
        status = os.stat(path) if follow else os.lstat(path)
    except OSError as exc:
        raise Unreadable(_cannot(shown, exc)) from None
    if stat.S_ISLNK(status.st_mode):
        raise Unreadable(_link(path, shown))
    if not stat.S_ISREG(status.st_mode):
        raise Unreadable(_not_a_file(shown, status.st_mode))
    return status


def read_entry(path: Path, shown: str, cap: int, follow: bool = False) -> Entry:
    """The bytes of a regular file of at most ``cap`` bytes; ``shown`` names it in a reason."""
    fd, status = _open(path, shown, follow)
    try:
        if status.st_size > cap:
            return Entry(None, status.st_size, status.st_mtime)
        data = _read(fd, status.st_size, cap)
    except OSError as exc:
        raise Unreadable(_cannot(shown, exc)) from None
    finally:
        os.close(fd)
    return Entry(data, status.st_size if data is None else len(data), status.st_mtime)


def head(path: Path, size: int, follow: bool = False) -> bytes:
    """The first ``size`` bytes of a regular file; b"" for anything else."""
    try:
        fd, _ = _open(path, "", follow)
    except Unreadable:
        return b""
    try:
        return os.read(fd, size)
    except OSError:
        return b""
    finally:
        os.close(fd)


def _open(path: Path, shown: str, follow: bool) -> tuple[int, os.stat_result]:
    """An open descriptor of a regular file and its status (checked before and after)."""
    check_regular(path, shown, follow)
    try:
        fd = os.open(path, _FLAGS if follow else _FLAGS | _NOFOLLOW)
    except OSError as exc:
        raise Unreadable(_cannot(shown, exc)) from None
    try:
        status = os.fstat(fd)
    except OSError as exc:
        os.close(fd)
        raise Unreadable(_cannot(shown, exc)) from None
    if not stat.S_ISREG(status.st_mode):  # swapped since it was looked at
        os.close(fd)
        raise Unreadable(_not_a_file(shown, status.st_mode))
    return fd, status


def _read(fd: int, size: int, cap: int) -> bytes | None:
    """Read to the end, or None past ``cap`` (a file that grew while being read)."""
    parts: list[bytes] = []
    total = 0
    while total <= cap:  # at first its size and one byte more: one read, one buffer
        chunk = os.read(fd, size + 1 - total if total <= size else 1 << 16)
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
    if total > cap:
        return None
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _link(path: Path, shown: str) -> str:
    where = (document("that points nowhere") if not os.path.exists(path)
             else document("to something else"))
    return (document("{shown} is a symbolic link {where}, not a file; links are not followed. "
              "Put the file itself in the folder and ingest again.").format(
                shown=shown, where=where))


def _not_a_file(shown: str, mode: int) -> str:
    kind = next((name for test, name in _KINDS if test(mode)), N_("not a regular file"))
    what = document(kind)
    return (document("{shown} is {what}, not a file; it was not read. Take it out of the folder "
              "and ingest again.").format(shown=shown, what=what))


def _cannot(shown: str, exc: OSError) -> str:
    known = _ERRORS.get(exc.errno or 0)
    why = document(known) if known else exc.strerror or type(exc).__name__
    return document("{shown} cannot be read here ({why}); check the file and ingest it "
                    "again.").format(shown=shown, why=why)

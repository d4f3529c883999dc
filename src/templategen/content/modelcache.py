"""The parsed model of an instrument's YAML or XLSForm, kept on disk so that the next process
need not parse it again (#23: loading a catalog took 0.9 s of every ingest; #21: pyxform took
1.1 s of every command on an XLSForm).

An instrument parsed without problems is pickled into this user's cache folder
(``$TEMPLATEGEN_CACHE``, else ``$XDG_CACHE_HOME/templategen``, else
``~/.cache/templategen``), under ``models/<key>.pickle``. The key is a SHA-256 of
everything the model depends on: the YAML text (of an XLSForm: the file's SHA-256 and
pyxform's version), the path it names in messages, the package's version with a digest of
the code that parses content (content/**/*.py, XLSForm reading included), and the Python
version. A changed file, another version of templategen (or its content code), of pyxform
or of Python never finds a stale model; content with problems is never cached (its
problems are worked out, and said, every time). An XLSForm's entry holds what reading it
gives besides the model: its definition as YAML text and its warnings (said again when read
from the cache).

Unpickling runs code, so only a file that is certainly ours is read: the folder and the
file must belong to this user and be writable by nobody else, and the file must start with
the SHA-256 of the rest (a file cut short or damaged is parsed again, and rewritten).
Files are written to a temporary name and renamed into place (readers never see half a
file; two processes writing the same model write the same bytes). Whatever goes wrong with
the cache (no home folder, a full disk, a folder of another user) only costs the parse:
``TEMPLATEGEN_CACHE=off`` switches it off. The folder keeps the 256 entries used last
(reading an entry marks it used); older ones are removed when a new one is written.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import stat
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from templategen.content.model import Instrument
from templategen.version import __version__

OFF = "off"
KEEP = 256  # entries kept in the folder, those used last
_DIGEST = hashlib.sha256().digest_size


XlsformReading = tuple[Instrument, str, tuple[str, ...]]  # model, YAML text, warnings


def cached(text: str, path: Path, parse: Callable[[str, Path], Instrument]) -> Instrument:
    """``parse(text, path)``, or the model an earlier process parsed from the same text."""
    folder = cache_folder()
    if folder is None:
        return parse(text, path)
    file = folder / f"{model_key(text, path)}.pickle"
    model = _load(file, _is_model)
    if model is None:
        model = parse(text, path)
        _store(file, model)
    return model


def cached_xlsform(path: Path, read: Callable[[Path], XlsformReading]) -> XlsformReading:
    """``read(path)`` (model, YAML text, warnings), or what an earlier process read from a
    file with the same bytes at the same path. A file that changes while it is read is not
    stored (the entry would name the bytes before the change)."""
    folder = cache_folder()
    if folder is None:
        return read(path)
    try:
        key = xlsform_key(path.read_bytes(), path)
    except OSError:
        return read(path)  # says why the file cannot be read
    file = folder / f"{key}.pickle"
    reading = _load(file, _is_xlsform_reading)
    if reading is None:
        reading = read(path)
        with contextlib.suppress(OSError):
            if xlsform_key(path.read_bytes(), path) == key:
                _store(file, reading)
    return reading


def model_key(text: str, path: Path) -> str:
    return _key(str(path), text)


def xlsform_key(data: bytes, path: Path) -> str:
    from importlib import metadata  # only for an XLSForm: its import alone takes 40 ms

    try:
        pyxform = metadata.version("pyxform")
    except metadata.PackageNotFoundError:
        pyxform = "unknown"
    return _key("xlsform", pyxform, str(path), hashlib.sha256(data).hexdigest())


def _key(*parts: str) -> str:
    joined = "\x00".join((_code(), sys.version, *parts))
    return hashlib.sha256(joined.encode("utf-8", "surrogatepass")).hexdigest()


@functools.cache
def _code() -> str:
    """The package's version and a digest of the code that parses and models content (this
    folder's modules and its packages', such as content/xlsform): a model pickled by other
    code is never read."""
    digest = hashlib.sha256(__version__.encode())
    here = Path(__file__).parent
    for module in sorted(here.rglob("*.py")):
        digest.update(module.relative_to(here).as_posix().encode() + b"\x00"
                      + module.read_bytes())
    return digest.hexdigest()


def cache_folder() -> Path | None:
    """The folder models are kept in (None: switched off)."""
    chosen = os.environ.get("TEMPLATEGEN_CACHE", "")
    if chosen.lower() == OFF:
        return None
    if chosen:
        return Path(chosen) / "models"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "templategen" / "models"


def _ours(st: os.stat_result) -> bool:
    """Owned by this user and writable by nobody else (where the system knows owners)."""
    if not hasattr(os, "getuid"):
        return True
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _is_model(value: Any) -> bool:
    return isinstance(value, Instrument)


def _is_xlsform_reading(value: Any) -> bool:
    return (isinstance(value, tuple) and len(value) == 3 and isinstance(value[0], Instrument)
            and isinstance(value[1], str) and isinstance(value[2], tuple)
            and all(isinstance(w, str) for w in value[2]))


def _load(file: Path, wanted: Callable[[Any], bool]) -> Any:
    try:
        with open(file, "rb") as handle:
            if not (_ours(os.fstat(handle.fileno())) and _ours(os.stat(file.parent))):
                return None
            data = handle.read()
    except OSError:
        return None
    digest, payload = data[:_DIGEST], data[_DIGEST:]
    if hashlib.sha256(payload).digest() != digest:
        return None
    try:
        model = pickle.loads(payload)
    except Exception:  # a model of a class that changed shape: parse again
        return None
    if not wanted(model):
        return None
    with contextlib.suppress(OSError):
        os.utime(file)  # used: the last to be pruned (see _prune)
    return model


def _store(file: Path, model: Any) -> None:
    with contextlib.suppress(OSError, pickle.PicklingError, RecursionError):
        file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _ours(os.stat(file.parent)):
            return
        payload = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
        handle, tmp = tempfile.mkstemp(dir=file.parent, prefix=".model-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(hashlib.sha256(payload).digest() + payload)
            os.replace(tmp, file)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _prune(file.parent)


def _prune(folder: Path, keep: int | None = None) -> None:
    """Keep the ``keep`` (default KEEP) entries used last; remove the rest, and temporary
    files a stopped process left behind over an hour ago. Every changed YAML file and every
    new version of the code makes new entries: without this the folder only grows."""
    keep = KEEP if keep is None else keep
    entries: list[tuple[float, str]] = []
    now = time.time()
    with os.scandir(folder) as found:
        for entry in found:
            with contextlib.suppress(OSError):
                if entry.name.endswith(".pickle"):
                    entries.append((entry.stat().st_mtime, entry.path))
                elif entry.name.startswith(".model-") and \
                        now - entry.stat().st_mtime > 3600:
                    os.unlink(entry.path)
    if len(entries) > keep:
        for _used, path in sorted(entries)[: len(entries) - keep]:
            with contextlib.suppress(OSError):
                os.unlink(path)

"""The package's modules compiled to bytecode before a benchmark's runs, as installing it
does: an editable install in a shell with PYTHONDONTWRITEBYTECODE set (as these sessions
have) compiles every module from source at every start of the command and of every ingest
worker (about 0.09 s CPU of a run of ``templategen ingest``), which no installed copy does."""

from __future__ import annotations

import compileall
import importlib.util
import shutil
from pathlib import Path


def compile_checkout() -> None:
    """Compile this checkout's package (the one ``import templategen`` finds) in place."""
    spec = importlib.util.find_spec("templategen")
    assert spec is not None and spec.submodule_search_locations
    for folder in spec.submodule_search_locations:
        compileall.compile_dir(folder, quiet=1)


def compiled_copy(src: Path, work: Path) -> Path:
    """A compiled copy of another checkout's ``src`` folder (a baseline's, left as it is)."""
    copy = work / "baseline-src"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(src, copy, ignore=shutil.ignore_patterns("__pycache__"))
    compileall.compile_dir(copy, quiet=1)
    return copy

"""Where the bundled content (the five instruments) and the house style live.

An installed wheel carries them as package data (``templategen/_bundled/content`` and
``templategen/_bundled/templates``, beside the package's modules); a source checkout uses the
top-level ``content/`` and ``templates/`` folders, which stay the source of truth and are
copied into the wheel at build time (see ``pyproject.toml``). The package's folder is the one
this module lies in (what :mod:`importlib.resources` would say for a package on disk, without
importing it: 1.4 ms of every command).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).parent.parent  # templategen/content/bundled.py -> templategen


def _bundled(name: str) -> Path:
    packaged = _PACKAGE / "_bundled" / name
    if packaged.is_dir():
        return packaged
    # A source checkout (editable install): src/templategen/content/bundled.py -> repo root.
    return Path(__file__).resolve().parents[3] / name


BUNDLED_CONTENT = _bundled("content")
BUNDLED_TEMPLATES = _bundled("templates")

"""Where the bundled content (the five instruments) and the house style live.

An installed wheel carries them as package data (``templategen/_bundled/content`` and
``templategen/_bundled/templates``, found with :mod:`importlib.resources`); a source
checkout uses the top-level ``content/`` and ``templates/`` folders, which stay the source
of truth and are copied into the wheel at build time (see ``pyproject.toml``).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def _bundled(name: str) -> Path:
    packaged = resources.files("templategen") / "_bundled" / name
    if packaged.is_dir():
        return Path(str(packaged))
    # A source checkout (editable install): src/templategen/content/bundled.py -> repo root.
    return Path(__file__).resolve().parents[3] / name


BUNDLED_CONTENT = _bundled("content")
BUNDLED_TEMPLATES = _bundled("templates")

"""Shared test set-up: make tests/ importable for small helper modules (seedtext)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

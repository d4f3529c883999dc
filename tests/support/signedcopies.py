"""Reading and editing the custom document properties of a built copy, as a respondent can
in File > Properties > Custom (the identity, token and key fingerprint of a copy)."""

from __future__ import annotations

from pathlib import Path

from templategen.office.custom_props import CUSTOM_PART, custom_xml, read_custom
from templategen.returned.safezip import open_archive
from templategen.sample.fill import rewrite_zip


def props_of(path: Path) -> dict[str, str]:
    return read_custom(open_archive(path).xml(CUSTOM_PART))


def with_props(path: Path, target: Path, **changes: str | None) -> Path:
    """A copy of ``path`` at ``target`` with its custom properties changed (None deletes
    one)."""
    props = props_of(path)
    for name, value in changes.items():
        if value is None:
            props.pop(name, None)
        else:
            props[name] = value
    target.parent.mkdir(parents=True, exist_ok=True)
    rewrite_zip(path, {CUSTOM_PART: custom_xml(props)}, target)
    return target

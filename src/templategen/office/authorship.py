"""Who a house style belongs to: the author (``dc:creator``) of a reference .docx or .xlsx.

The organisation sets it once, in either reference file (Word or Excel: File > Info >
Properties); every form and workbook built from that folder names it as its creator (see
content.copies.organisation)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

CORE_PART = "docProps/core.xml"
_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def package_author(path: Path) -> str:
    """The author of an Office file, "" when it has none or cannot be read."""
    try:
        with zipfile.ZipFile(path) as zf:
            root = etree.fromstring(zf.read(CORE_PART), _PARSER)
    except (OSError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError):
        return ""
    creator = root.find(_CREATOR)
    return (creator.text or "").strip() if creator is not None else ""

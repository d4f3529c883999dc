"""What OpenDocument files (.odt, .ods) share for reading them back: their custom
properties, their modified time and the text of their paragraphs.

An ODF file is a zip holding ``content.xml`` (the body) and ``meta.xml`` (the metadata),
opened through the same safe archive as Word and Excel files. LibreOffice keeps our custom
document properties as ``meta:user-defined`` entries of ``meta.xml``.
"""

from __future__ import annotations

import re

from lxml import etree

from templategen.returned.reading import Archive, metadata_text, utc_stamp

OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
LOEXT = "urn:org:documentfoundation:names:experimental:office:xmlns:loext:1.0"
DC = "http://purl.org/dc/elements/1.1/"
CONTENT = "content.xml"
META_PART = "meta.xml"

_SPACE = re.compile(r"[ \t\r\n]+")
# elements whose text is not part of what the paragraph shows: comments, notes' bodies,
# change-tracking records, ruby annotations
_SKIPPED = {f"{{{OFFICE}}}annotation", f"{{{OFFICE}}}annotation-end", f"{{{TEXT}}}note",
            f"{{{TEXT}}}tracked-changes", f"{{{TEXT}}}ruby-text",
            f"{{{TEXT}}}bookmark-start", f"{{{TEXT}}}bookmark-end", f"{{{TEXT}}}bookmark",
            f"{{{LOEXT}}}list-item"}
_LITERAL = {f"{{{TEXT}}}text-input"}  # LibreOffice writes an Input field's lines as-is


def properties(archive: Archive) -> dict[str, str]:
    """Our custom document properties: ``meta:user-defined`` name -> text."""
    if not archive.has(META_PART):
        return {}
    props: dict[str, str] = {}
    for node in archive.xml(META_PART).iter(f"{{{META}}}user-defined"):
        name = node.get(f"{{{META}}}name")
        if name and name not in props:
            props[name] = (node.text or "")[:1000]
    return props


def modified(archive: Archive) -> str:
    """When the file was last saved (``dc:date`` of meta.xml), as UTC ISO text, or ''."""
    text = metadata_text(archive, META_PART, f".//{{{DC}}}date")
    return utc_stamp(re.sub(r"(\.\d{6})\d+", r"\1", text))  # LibreOffice writes nanoseconds


def text_of(element: etree._Element, literal: bool = False) -> str:
    """The text an element shows: ``text:s`` spaces, tabs, line breaks as "\\n", paragraphs
    as lines; runs of white space in the XML text collapse to one space (ODF's rule), except
    inside an Input field, whose lines LibreOffice writes as literal line feeds."""
    parts: list[str] = []
    _collect(element, parts, literal or element.tag in _LITERAL)
    return "".join(parts)


def _collect(element: etree._Element, parts: list[str], literal: bool) -> None:
    paragraphs = 0
    if element.text:
        parts.append(element.text if literal else _SPACE.sub(" ", element.text))
    for child in element:
        tag = child.tag
        if isinstance(tag, str) and tag not in _SKIPPED:
            if tag in (f"{{{TEXT}}}p", f"{{{TEXT}}}h"):
                if paragraphs:
                    parts.append("\n")
                paragraphs += 1
                _collect(child, parts, literal)
            elif tag == f"{{{TEXT}}}s":
                parts.append(" " * _count(child.get(f"{{{TEXT}}}c")))
            elif tag == f"{{{TEXT}}}tab":
                parts.append("\t")
            elif tag == f"{{{TEXT}}}line-break":
                parts.append("\n")
            else:
                _collect(child, parts, literal or tag in _LITERAL)
        if child.tail:
            parts.append(child.tail if literal else _SPACE.sub(" ", child.tail))


def _count(value: str | None) -> int:
    try:
        return max(1, min(int(value or "1"), 10000))
    except ValueError:
        return 1

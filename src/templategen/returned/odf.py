"""What OpenDocument files (.odt, .ods) share for reading them back: their custom
properties, their modified time and the text of their paragraphs.

An ODF file is a zip holding ``content.xml`` (the body) and ``meta.xml`` (the metadata),
opened through the same safe archive as Word and Excel files. LibreOffice keeps our custom
document properties as ``meta:user-defined`` entries of ``meta.xml``.

A few bytes of XML can stand for much text (``<text:s text:c="10000"/>`` is ten thousand
spaces): the text of one element is counted as it is put together and may not pass
:data:`MAX_TEXT` characters (:class:`TextOverrun`, which the readers turn into a rejection
naming the file with :func:`too_much_text`).
"""

from __future__ import annotations

import re

from lxml import etree

from templategen.i18n import document
from templategen.returned.reading import Archive, metadata_text, thousands, utc_stamp

OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
META = "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
LOEXT = "urn:org:documentfoundation:names:experimental:office:xmlns:loext:1.0"
DC = "http://purl.org/dc/elements/1.1/"
CONTENT = "content.xml"
META_PART = "meta.xml"
MAX_TEXT = 100_000  # characters the text of one element may come to (a cell holds 32,767)

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


class TextOverrun(ValueError):
    """The text of one element comes to more than MAX_TEXT characters."""


def too_much_text(name: str) -> str:
    """The reason a file with a TextOverrun is rejected."""
    return (document("{name} holds a text of more than {value} characters (repeated spaces or "
              "tabs), far more than an answer ever is; shorten the answer and send the "
              "file again.").format(name=name, value=thousands(MAX_TEXT)))


def text_of(element: etree._Element, literal: bool = False) -> str:
    """The text an element shows: ``text:s`` spaces, tabs, line breaks as "\\n", paragraphs
    as lines; runs of white space in the XML text collapse to one space (ODF's rule), except
    inside an Input field, whose lines LibreOffice writes as literal line feeds. More than
    MAX_TEXT characters raise TextOverrun before they are put together."""
    parts = _Parts()
    _collect(element, parts, literal or element.tag in _LITERAL)
    return "".join(parts)


class _Parts(list[str]):
    """The pieces of one text, counted as they are added."""

    size = 0

    def add(self, piece: str) -> None:
        self.size += len(piece)
        if self.size > MAX_TEXT:
            raise TextOverrun(f"more than {MAX_TEXT} characters")
        self.append(piece)

    def spaces(self, count: int) -> None:
        if self.size + count > MAX_TEXT:  # counted before the spaces are made
            raise TextOverrun(f"more than {MAX_TEXT} characters")
        self.add(" " * count)


def _collect(element: etree._Element, parts: _Parts, literal: bool) -> None:
    paragraphs = 0
    if element.text:
        parts.add(element.text if literal else _SPACE.sub(" ", element.text))
    for child in element:
        tag = child.tag
        if isinstance(tag, str) and tag not in _SKIPPED:
            if tag in (f"{{{TEXT}}}p", f"{{{TEXT}}}h"):
                if paragraphs:
                    parts.add("\n")
                paragraphs += 1
                _collect(child, parts, literal)
            elif tag == f"{{{TEXT}}}s":
                parts.spaces(_count(child.get(f"{{{TEXT}}}c")))
            elif tag == f"{{{TEXT}}}tab":
                parts.add("\t")
            elif tag == f"{{{TEXT}}}line-break":
                parts.add("\n")
            else:
                _collect(child, parts, literal or tag in _LITERAL)
        if child.tail:
            parts.add(child.tail if literal else _SPACE.sub(" ", child.tail))


def _count(value: str | None) -> int:
    try:
        return max(1, min(int(value or "1"), 10000))
    except ValueError:
        return 1

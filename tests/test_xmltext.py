"""xmltext.xml_safe: the characters XML 1.0 cannot hold are removed, every other one kept,
on its fast path (printable ASCII) and off it; xmltext.escape and quoteattr write what
xml.sax.saxutils's functions write."""

from __future__ import annotations

import itertools
from xml.sax import saxutils

from templategen.xmltext import escape, illegal_characters, quoteattr, xml_safe

ILLEGAL = {*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0xD800, 0xE000),
           0xFFFE, 0xFFFF}


def test_xml_safe_removes_exactly_what_xml_cannot_hold() -> None:
    for cp in [*range(0x3000), *range(0xD7F0, 0xE010), 0xFFFD, 0xFFFE, 0xFFFF, 0x1F600,
               0x10FFFF]:
        char = chr(cp)
        for text in (char, f"a{char}b", f"{char} school {char}"):
            expected = text.replace(char, "") if cp in ILLEGAL else text
            assert xml_safe(text) == expected, hex(cp)


def test_printable_ascii_is_kept_as_it_is() -> None:
    text = "".join(chr(c) for c in range(0x20, 0x7F))
    assert xml_safe(text) is text
    assert xml_safe("regel\tmet\ttabs\r\n") == "regel\tmet\ttabs\r\n"
    assert illegal_characters("a\x0bb\x01") == ["U+000B", "U+0001"]


def test_escape_and_quoteattr_write_what_saxutils_writes() -> None:
    pieces = ["", "a", "&", "<", ">", '"', "'", "\n", "\r", "\t", "&amp;", "&#10;", "é", " "]
    texts = ["".join(p) for n in range(4) for p in itertools.product(pieces, repeat=n)]
    assert len(texts) > 2500
    for text in texts:
        assert escape(text) == saxutils.escape(text), repr(text)
        assert quoteattr(text) == saxutils.quoteattr(text), repr(text)
        assert escape(text).replace('"', "&quot;") == saxutils.escape(text, {'"': "&quot;"})

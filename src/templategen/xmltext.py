"""The one sanitiser for every string written into Office XML.

XML 1.0 cannot hold most control characters (U+0000-U+0008, U+000B, U+000C, U+000E-U+001F),
nor lone surrogates or U+FFFE/U+FFFF. They arrive by pasting out of other programs (a
vertical tab from Word's soft line break, U+0001 from a database export) into a recipients
file or the content. Written raw into document.xml or docProps/custom.xml they make a file
that no client opens; openpyxl refuses them outright. Every writer (forms, workbooks,
custom properties, personalised copies, the comparison) passes its text through
:func:`xml_safe`; where a person can be told (a recipients file: row and column) the
caller reports :func:`illegal_characters` first.

:func:`escape` and :func:`quoteattr` write text as XML character data and as an attribute
value, as xml.sax.saxutils's functions of those names do (the same output), without importing
xml.sax.saxutils: it imports urllib.request and with it http.client, ssl and the email
package, 15-20 ms of CPU that every ingest's reader (forms.controls, office.custom_props) would
pay for functions it never calls.
"""

from __future__ import annotations

import re

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 (and so Word and Excel) cannot hold."""
    if text.isascii() and text.isprintable():  # (none of them: most text, checked fast)
        return text
    return _ILLEGAL.sub("", text)


def illegal_characters(text: str) -> list[str]:
    """The characters :func:`xml_safe` would remove, as code points ('U+000B'), in order."""
    return [f"U+{ord(c):04X}" for c in _ILLEGAL.findall(text)]


def escape(text: str) -> str:
    """``text`` as XML character data: ``&``, ``<`` and ``>`` as entities."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def quoteattr(text: str) -> str:
    """``text`` as a quoted XML attribute value: escaped, line breaks and tabs as character
    references (kept as they are when the value is read back), in double quotes, or in single
    quotes when it holds a double quote and no single one."""
    data = escape(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in data:
        return f'"{data}"'
    if "'" not in data:
        return f"'{data}'"
    return '"{}"'.format(data.replace('"', "&quot;"))

"""Custom document properties (docProps/custom.xml), shared by .docx and .xlsx.

They carry the instrument id, version, recipient id and instance id of a copy, and
survive a re-save by Word, Excel and LibreOffice.
"""

from __future__ import annotations

from templategen.xmltext import escape, xml_safe

CUSTOM_PART = "docProps/custom.xml"
CUSTOM_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_REL = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
)
_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"


def custom_xml(props: dict[str, str]) -> bytes:
    """The docProps/custom.xml part holding these string properties."""
    entries = "".join(
        f'<property fmtid="{_FMTID}" pid="{pid}" '
        f'name="{escape(xml_safe(name)).replace(chr(34), "&quot;")}">'
        f"<vt:lpwstr>{escape(xml_safe(value))}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(props.items(), start=2)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Properties xmlns="{_NS}" xmlns:vt="{_VT}">{entries}</Properties>'
    ).encode()


def read_custom(root: object) -> dict[str, str]:
    """Property name -> text from a parsed custom.xml root (an lxml element)."""
    out: dict[str, str] = {}
    for prop in root.iter(f"{{{_NS}}}property"):  # type: ignore[attr-defined]
        name = prop.get("name")
        if name:
            out[name] = "".join(prop.itertext()).strip()
    return out

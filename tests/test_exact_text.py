"""A rule that counts one choice (``when: {equals: …}``) counts exactly that text in the
respondent's workbook and the full comparison, as content.scoring does (the same text in any
case): their COUNTIF criterion (office.formulas.exact_text) is recalculated here by
LibreOffice against texts that Excel would otherwise read as wildcards or comparisons."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from templategen.content.catalog import load_catalog
from templategen.content.model import FieldKind
from templategen.content.scoring import meets  # the one Python meaning of `equals`
from templategen.office import libreoffice
from templategen.office.formulas import exact_text

CONTENT = Path(__file__).parent / "fixtures" / "content"
TEXTS = ["Weet niet?", "Weet niet!", "Weet niets", "<5 jaar", "=x", "x", "Afgerond",
         "afgerond", "Afgerond*", "Afgerond (deels)", "~", "*", "", "Ja, ~1 keer"]


@pytest.mark.libreoffice
@pytest.mark.skipif(libreoffice.soffice() is None, reason="LibreOffice is not installed")
def test_the_criterion_counts_exactly_the_text_as_python_does(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    for row, text in enumerate(TEXTS, start=1):
        typed = ws.cell(row, 1, text or None)
        typed.data_type = "s" if text else typed.data_type  # "=x" is text a respondent typed
        ws.cell(row, 2, f"=COUNTIF(A1:A{len(TEXTS)},{exact_text(text)})")
    source = tmp_path / "criteria.xlsx"
    wb.save(source)
    (recalculated,) = libreoffice.convert_many([source], "xlsx", tmp_path / "lo")
    got = load_workbook(recalculated, data_only=True).active
    slot = next(s for inst in load_catalog(CONTENT).instruments.values() for s in inst.slots()
                if s.field.kind is FieldKind.TEXT)
    for row, wanted in enumerate(TEXTS, start=1):
        if not wanted:
            continue  # an empty `equals` is no choice a content can name
        expected = sum(1 for text in TEXTS if text and meets(slot, text, {"equals": wanted}))
        assert expected >= 1
        assert got.cell(row, 2).value == expected, wanted

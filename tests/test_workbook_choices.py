"""A workbook shows the choices of its scale and short choice questions (#19): beside a
standalone question every scale label or option, above a run of questions on one scale the
scale's labels once, a long list stays a dropdown only. Built through the CLI, printed by
LibreOffice: every label is on the page of its question."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from templategen.cli import main
from templategen.office import libreoffice
from templategen.workbooks.layout import Layout

LABELS = ("Helemaal niet", "Nauwelijks", "Enigszins", "Grotendeels", "Volledig")
OPTIONS = [f"Provincie {n}" for n in range(1, 10)]  # nine: too many to show

needs_lo = pytest.mark.skipif(libreoffice.soffice() is None or shutil.which("pdftotext") is None,
                              reason="LibreOffice or poppler-utils not installed")


def _content(folder: Path) -> Path:
    points = "\n".join(f"      - {{value: {n}, label: {label}}}"
                       for n, label in enumerate(LABELS, start=1))
    filler = "\n".join(f"""      - id: open{n}
        kind: text
        number: "{n}"
        text: Open vraag {n} om de pagina te vullen?""" for n in range(1, 25))
    block = "\n".join(f"""      - id: stelling{n}
        kind: scale
        number: "S{n}"
        text: Stelling {n} over het beleid
        scale: mate""" for n in range(1, 6))
    (folder / "keuzes.yaml").write_text(f"""id: keuzes
version: "1"
title: Keuzes zichtbaar
role: Tester
subject: School
introduction: Een proef.
source: {{document: Proef, publisher: templategen, licence: CC0}}
scales:
  - id: mate
    label: Mate
    points:
{points}
sections:
  - id: los
    number: "1"
    title: Losse vragen
    items:
      - id: eigen
        kind: scale
        number: "1.1"
        text: Hoe ver is de school?
        scale: mate
      - id: sector
        kind: choice
        number: "1.2"
        text: In welke sector?
        options: [PO, VO, MBO]
      - id: provincie
        kind: choice
        number: "1.3"
        text: In welke provincie?
        options: [{", ".join(OPTIONS)}]
{filler}
  - id: blok
    number: "2"
    title: Stellingen
    items:
{block}
""", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    tmp = tmp_path_factory.mktemp("keuzes")
    result = CliRunner().invoke(main, ["build", "--content", str(_content(tmp)), "--out",
                                       str(tmp / "out")])
    assert result.exit_code == 0, result.output
    pdf = libreoffice.convert_many([tmp / "out" / "keuzes.xlsx"], "pdf", tmp / "pdf")[0]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return [" ".join(page.split()) for page in text.split("\f") if page.strip()]


def _page_of(pages: list[str], text: str) -> int:
    found = [n for n, page in enumerate(pages) if text in page]
    assert len(found) == 1, f"{text!r} on pages {found}"
    return found[0]


@needs_lo
def test_every_scale_label_is_on_the_page_of_its_question(printed: list[str]) -> None:
    assert len(printed) > 1  # the block is not simply on the only page
    page = _page_of(printed, "Hoe ver is de school?")
    assert all(label in printed[page] for label in LABELS)
    assert all(o in printed[_page_of(printed, "In welke sector?")] for o in ("PO", "VO", "MBO"))
    for n in range(1, 6):  # each statement of the block with the legend above the block
        page = _page_of(printed, f"Stelling {n} over het beleid")
        assert "Antwoordschaal: " + " · ".join(LABELS) in printed[page]
    legend = sum(page.count("Antwoordschaal") for page in printed)
    assert legend == 1  # once for the block, not per statement
    assert sum(page.count("Kies uit:") for page in printed) == 2  # 1.1 and 1.2 only


@needs_lo
def test_a_long_list_stays_a_dropdown(printed: list[str]) -> None:
    page = printed[_page_of(printed, "In welke provincie?")]
    assert "Provincie 9" not in page


def test_the_print_copy_lists_the_choices_once(tmp_path: Path) -> None:
    from templategen.content.catalog import load_catalog
    from templategen.workbooks.plan import plan_layout
    from templategen.workbooks.printcopy import print_layout

    inst = load_catalog(_content(tmp_path)).get("keuzes")
    assert inst is not None
    layout = plan_layout(inst)

    def notes(lay: Layout) -> list[str]:
        return [str(c.value) for plan in lay.sheets for coord, c in plan.cells.items()
                if coord.startswith("D") and "Kies uit:" in str(c.value)]

    assert len(notes(layout)) == 2  # beside the fillable dropdowns
    printed = print_layout(layout)
    assert notes(printed) == []  # the printed cell holds "☐ Helemaal niet …" already
    cells = [c.value for plan in printed.sheets for c in plan.cells.values()]
    assert any(isinstance(v, str) and "\u2610\u00a0Helemaal niet" in v for v in cells)

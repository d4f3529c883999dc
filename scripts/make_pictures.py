"""Regenerate the README's pictures of a form and a workbook from freshly built files.

Builds seed 000 (externe_ondersteuning) for one sample recipient, fills the workbook with
sample answers, lets LibreOffice print both to PDF and renders pages with pdftoppm:
docs/img/form.png (the form's first page) and docs/img/workbook.png (the Scores sheet).
Then runs the demo and renders its comparison workbook: docs/img/compare.png (the overview of
ict_gesprek: scores per respondent and per subject, ranks and colours by each rule's
direction) and docs/img/distribution.png (its distribution per question).

Run from the project folder: .venv/bin/python -m scripts.make_pictures   (needs LibreOffice and
poppler-utils; it fills with the tests' typed answers, tests.support)
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from templategen.content.catalog import load_catalog
from templategen.demo import run_demo
from templategen.office import libreoffice
from templategen.rendering import build_all
from tests.support.answers import typed_answers
from tests.support.filling import fill_in_place

ROOT = Path(__file__).resolve().parent.parent
IMG = ROOT / "docs" / "img"
INSTRUMENT = "externe_ondersteuning"


def page_of(pdf: Path, text: str) -> int:
    pages = int(next(line.split()[-1] for line in subprocess.run(
        ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()
        if line.startswith("Pages:")))
    for n in range(1, pages + 1):
        page = subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), str(pdf), "-"],
                              capture_output=True, text=True, check=True).stdout
        if text in page:
            return n
    raise SystemExit(f"{pdf.name}: no page holds {text!r}")


def render(pdf: Path, page: int, target: Path, dpi: int, crop: tuple[int, ...] = ()) -> None:
    args = ["pdftoppm", "-png", "-singlefile", "-r", str(dpi), "-f", str(page), "-l", str(page)]
    if crop:
        args += ["-x", str(crop[0]), "-y", str(crop[1]), "-W", str(crop[2]), "-H", str(crop[3])]
    subprocess.run([*args, str(pdf), str(target.with_suffix(""))], check=True)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        people = work / "ontvangers.csv"
        people.write_text("id,naam,organisatie,rol,onderwerp\nr1,Sanne de Vries,OBS De Linde,"
                          "Schoolleider,Bureau Digitaal Vooruit\n", encoding="utf-8")
        files = build_all(None, None, work / "out", people, only=[INSTRUMENT]).files
        form = next(p for p in files if p.suffix == ".docx")
        workbook = next(p for p in files if p.suffix == ".xlsx")
        instrument = load_catalog().get(INSTRUMENT)
        assert instrument is not None
        fill, _ = typed_answers(instrument, 3, workbook=True)
        fill_in_place(workbook, {k: v for k, v in fill.items() if not k.startswith("respondent")})
        form_pdf = libreoffice.convert(form, "pdf", work / "form")  # same stem: two folders
        workbook_pdf = libreoffice.convert(workbook, "pdf", work / "workbook")
        render(form_pdf, 1, IMG / "form.png", 80)
        scores = page_of(workbook_pdf, "Scores (worden automatisch berekend)")
        render(workbook_pdf, scores, IMG / "workbook.png", 110, crop=(20, 30, 1250, 400))
        run_demo(out_dir=work / "demo", echo=lambda *_: None)
        compare_pdf = libreoffice.convert(work / "demo" / "vergelijking.xlsx", "pdf",
                                          work / "compare")
        title = load_catalog().get("ict_gesprek").title  # type: ignore[union-attr]
        render(compare_pdf, page_of(compare_pdf, f"Overzicht — {title}"), IMG / "compare.png",
               80)
        render(compare_pdf, page_of(compare_pdf, f"Verdeling per vraag — {title}"),
               IMG / "distribution.png", 80)
    print(*(IMG / n for n in ("form.png", "workbook.png", "compare.png", "distribution.png")))


if __name__ == "__main__":
    main()

"""Generate templates/reference.docx and templates/reference.xlsx, the default house style
of the Word forms and the Excel workbooks.

We have no Word here, so the reference document is made with python-docx from its own
default template. A school makes its own by opening reference.docx in Word, changing
the styles (fonts, colours, spacing) and footer, and saving it in a folder passed with
``--templates``; a logo.png (or .jpg, .gif) in that folder goes into every form's header,
beside the instrument's title. The renderer only uses the styles by name:

    Title, Subtitle, Heading 1-3   title block and section headings
    Vraag                          a question (bold)
    Antwoord                       the paragraph holding an answer control
    Toelichting                    introduction, instructions, section intros
    Achtergrond                    background texts and reading tips (shaded, set apart)
    Bron                           source and attribution line (small, grey)
    Table Grid                     tables (respondent block, grids)

reference.xlsx holds the workbooks' named cell styles (Excel: Home > Cell Styles), written
from templategen.xlsx_style.DEFAULT_STYLES; a school changes them in Excel the same way. The
renderer uses them by name ("tg Titel", "tg Kop", "tg Vraag", "tg Invoer", "tg Berekend", ...;
docs/house-style.md lists them all).

Run: python templates/make_reference.py
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from openpyxl import Workbook
from openpyxl.styles import NamedStyle

from templategen.forms.layout import box_border
from templategen.workbooks.style import DEFAULT_STYLES, ROLES

HERE = Path(__file__).resolve().parent
FONT = "Liberation Sans"  # metric-compatible with Arial; Word falls back to Arial
ACCENT = RGBColor(0x1F, 0x4E, 0x79)


# the w:pPr children that follow w:shd in the schema's sequence (ISO/IEC 29500-1, CT_PPrBase)
_PPR_AFTER_SHD = (
    "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)


def _shade(style_element, fill: str, border: str) -> None:
    ppr = style_element.get_or_add_pPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    bdr = box_border("w:pBdr", border, space="4")
    # CT_PPr is a sequence: pBdr and shd come before tabs, spacing, ind, jc, ... (Word
    # refuses the file otherwise; LibreOffice does not mind)
    ppr.insert_element_before(bdr, *_PPR_AFTER_SHD)
    ppr.insert_element_before(shd, *_PPR_AFTER_SHD)


def _field(paragraph, instruction: str) -> None:
    """A simple field (PAGE, NUMPAGES) with a cached result of 1."""
    fld = OxmlElement("w:fldSimple")
    fld.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    fld.append(run)
    paragraph._p.append(fld)


def make(path: Path) -> Path:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin, section.bottom_margin = Cm(2.2), Cm(2.0)
    for zoom in doc.settings.element.findall(qn("w:zoom")):
        zoom.set(qn("w:percent"), "100")  # required by ISO/IEC 29500 (python-docx omits it)

    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(4)
    for name, size in (("Title", 20), ("Subtitle", 12), ("Heading 1", 15), ("Heading 2", 12.5),
                       ("Heading 3", 11)):
        st = styles[name]
        st.font.name = FONT
        st.font.size = Pt(size)
        st.font.color.rgb = ACCENT
        st.paragraph_format.space_before = Pt(12 if name.startswith("Heading") else 0)
        st.paragraph_format.space_after = Pt(4)
    styles["Title"].font.bold = True
    subtitle = styles["Subtitle"]
    subtitle.font.italic = False
    for spacing in subtitle.element.findall(f"{qn('w:rPr')}/{qn('w:spacing')}"):
        spacing.getparent().remove(spacing)  # the default template letter-spaces it

    def para_style(name: str, **font):
        st = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = normal
        st.quick_style = True
        for key, value in font.items():
            if key == "color":
                st.font.color.rgb = value
            else:
                setattr(st.font, key, value)
        return st

    vraag = para_style("Vraag", bold=True)
    vraag.paragraph_format.space_before = Pt(8)
    vraag.paragraph_format.space_after = Pt(2)
    vraag.paragraph_format.keep_with_next = True
    antwoord = para_style("Antwoord", color=RGBColor(0x10, 0x10, 0x10))
    antwoord.paragraph_format.left_indent = Cm(0.4)
    antwoord.paragraph_format.space_after = Pt(6)
    toelichting = para_style("Toelichting", italic=False)
    toelichting.paragraph_format.space_after = Pt(6)
    achtergrond = para_style("Achtergrond", size=Pt(9.5), color=RGBColor(0x33, 0x33, 0x33))
    achtergrond.paragraph_format.left_indent = Cm(0.3)
    achtergrond.paragraph_format.right_indent = Cm(0.3)
    achtergrond.paragraph_format.space_after = Pt(0)
    _shade(achtergrond.element, "EAF1F8", "9DB9D5")
    bron = para_style("Bron", size=Pt(8.5), italic=True, color=RGBColor(0x60, 0x60, 0x60))
    bron.paragraph_format.space_after = Pt(8)

    # the header stays empty: forms.render writes the logo (templates/logo.png, when there is
    # one) and the instrument's title into it
    section.header.is_linked_to_previous = False
    footer = section.footer.paragraphs[0]
    footer.alignment = 2  # right
    footer.add_run("Pagina ").font.size = Pt(9)
    _field(footer, "PAGE")
    footer.add_run(" van ").font.size = Pt(9)
    _field(footer, "NUMPAGES")

    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    # no author: the organisation that makes it its house style sets itself (docs/house-style.md)
    props = doc.core_properties
    props.title = "Huisstijl"
    props.author = props.last_modified_by = props.comments = ""
    props.created = props.modified = dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)
    props.language = "nl-NL"
    doc.save(path)
    return path


# what each named style is for, shown beside its sample in reference.xlsx
XLSX_USES = {
    "tg Tekst": "gewone tekst (toelichtingsblad)",
    "tg Titel": "titel van een blad",
    "tg Tussenkop": "tussenkop op het toelichtingsblad",
    "tg Kop": "kopregel van een tabel",
    "tg Groep": "groep of subonderdeel in een tabel",
    "tg Label": "nummer, kenmerk of omschrijving naast een antwoord",
    "tg Vraag": "tekst van een vraag",
    "tg Aanwijzing": "korte aanwijzing bij een vraag",
    "tg Toelichting": "toelichting en achtergrond bij een onderdeel",
    "tg Berekend": "berekende waarde (formule)",
    "tg Score": "score op het blad Scores",
    "tg Invoer": "antwoordcel die de invuller invult",
}


def make_xlsx(path: Path) -> Path:
    """A workbook with every named cell style, each shown on a sample cell."""
    assert set(XLSX_USES) == set(DEFAULT_STYLES) == {r.style for r in ROLES.values()}
    wb = Workbook()
    ws = wb.active
    ws.title = "Huisstijl"
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 50
    ws["A1"] = "Celstijlen van templategen: wijzig ze via Start > Celstijlen (niet de cellen)."
    for row, (name, attributes) in enumerate(DEFAULT_STYLES.items(), start=3):
        wb.add_named_style(NamedStyle(name=name, **attributes))
        ws.cell(row, 1, name)
        ws.cell(row, 2, XLSX_USES[name]).style = name
    wb.properties.title = "Huisstijl"
    wb.properties.creator = ""  # the organisation sets itself, in either reference file
    wb.properties.language = "nl-NL"
    wb.save(path)
    return path


if __name__ == "__main__":
    print(make(HERE / "reference.docx"))
    print(make_xlsx(HERE / "reference.xlsx"))

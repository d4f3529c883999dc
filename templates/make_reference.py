"""Generate templates/reference.docx, the default house style of the Word forms.

We have no Word here, so the reference document is made with python-docx from its own
default template. A school makes its own by opening reference.docx in Word, changing
the styles (fonts, colours, spacing), header and footer, and saving it in a folder passed
with ``--templates``. The renderer only uses the styles by name:

    Title, Subtitle, Heading 1-3   title block and section headings
    Vraag                          a question (bold)
    Antwoord                       the paragraph holding an answer control
    Toelichting                    introduction, instructions, section intros
    Achtergrond                    background texts and reading tips (shaded, set apart)
    Bron                           source and attribution line (small, grey)
    Table Grid                     tables (respondent block, grids)

Run: python templates/make_reference.py
"""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

HERE = Path(__file__).resolve().parent
FONT = "Liberation Sans"  # metric-compatible with Arial; Word falls back to Arial
ACCENT = RGBColor(0x1F, 0x4E, 0x79)


def _shade(style_element, fill: str, border: str) -> None:
    ppr = style_element.get_or_add_pPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    bdr = OxmlElement("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "single")
        edge.set(qn("w:sz"), "4")
        edge.set(qn("w:space"), "4")
        edge.set(qn("w:color"), border)
        bdr.append(edge)
    ppr.append(bdr)
    ppr.append(shd)


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

    header = section.header.paragraphs[0]
    logo = header.add_run("[ logo ]")
    logo.font.size = Pt(9)
    logo.font.color.rgb = RGBColor(0x90, 0x90, 0x90)
    header.add_run("\tInterviewformulier").font.size = Pt(9)
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
    doc.core_properties.title = "templategen huisstijl"
    doc.core_properties.author = "templategen"
    doc.save(path)
    return path


if __name__ == "__main__":
    print(make(HERE / "reference.docx"))

"""The fixed texts of forms and workbooks: Dutch in both registers (u and jij), and English.

An instrument declares its register (``register: u`` or ``register: jij``, default u); every
fixed text that addresses the respondent comes from :data:`TEXTS` in that register, so a form
never mixes "jouw opdracht" with "Zo vult u". Texts that need no register are worded
neutrally where they are used (placeholders, validation messages). Files built in English
(``build --lang en``, the round's language; see i18n.document_language) take
:data:`TEXTS_EN`, which has one register.
"""

from __future__ import annotations

import re
from enum import StrEnum

from templategen import i18n


class Register(StrEnum):
    """How the texts address the respondent."""

    U = "u"
    JIJ = "jij"


# text id -> register -> text
TEXTS: dict[str, dict[Register, str]] = {
    # the closing block of a form: how to send it back (forms.layout.FormWriter.closing)
    "closing_heading": {
        Register.U: "Zo stuurt u dit terug",
        Register.JIJ: "Zo stuur je dit terug",
    },
    "closing_reply": {
        Register.U: (
            "Sla het formulier op en beantwoord de e-mail waarmee u het kreeg, met dit "
            "bestand als bijlage. Laat de bestandsnaam en het bestandstype (.docx) zoals "
            "ze zijn."
        ),
        Register.JIJ: (
            "Sla het formulier op en beantwoord de e-mail waarmee je het kreeg, met dit "
            "bestand als bijlage. Laat de bestandsnaam en het bestandstype (.docx) zoals "
            "ze zijn."
        ),
    },
    "closing_beide": {
        Register.U: (
            "Vul één bestand in: dit Word-formulier óf de Excel-werkmap die bij de e-mail"
            " zat, en stuur alleen dat bestand terug."
        ),
        Register.JIJ: (
            "Vul één bestand in: dit Word-formulier óf de Excel-werkmap die bij de e-mail"
            " zat, en stuur alleen dat bestand terug."
        ),
    },
    "closing_formulier": {
        Register.U: "Vul dit Word-formulier in; alleen dit bestand stuurt u terug.",
        Register.JIJ: "Vul dit Word-formulier in; alleen dit bestand stuur je terug.",
    },
    "closing_werkboek": {
        Register.U: (
            "De e-mail vraagt om de Excel-werkmap: vul die in; dit formulier hoeft u niet"
            " terug te sturen."
        ),
        Register.JIJ: (
            "De e-mail vraagt om de Excel-werkmap: vul die in; dit formulier hoef je niet"
            " terug te sturen."
        ),
    },
    # the same block at the end of a workbook's last question sheet (workbooks.plan)
    "closing_reply_workbook": {
        Register.U: (
            "Sla de werkmap op en beantwoord de e-mail waarmee u hem kreeg, met dit "
            "bestand als bijlage. Laat de bestandsnaam en het bestandstype (.xlsx) zoals "
            "ze zijn."
        ),
        Register.JIJ: (
            "Sla de werkmap op en beantwoord de e-mail waarmee je hem kreeg, met dit "
            "bestand als bijlage. Laat de bestandsnaam en het bestandstype (.xlsx) zoals "
            "ze zijn."
        ),
    },
    "closing_beide_workbook": {
        Register.U: (
            "Vul één bestand in: deze Excel-werkmap óf het Word-formulier dat bij de e-mail"
            " zat, en stuur alleen dat bestand terug."
        ),
        Register.JIJ: (
            "Vul één bestand in: deze Excel-werkmap óf het Word-formulier dat bij de e-mail"
            " zat, en stuur alleen dat bestand terug."
        ),
    },
    "closing_werkboek_workbook": {
        Register.U: "Vul deze Excel-werkmap in; alleen dit bestand stuurt u terug.",
        Register.JIJ: "Vul deze Excel-werkmap in; alleen dit bestand stuur je terug.",
    },
    "closing_formulier_workbook": {
        Register.U: (
            "De e-mail vraagt om het Word-formulier: vul dat in; deze werkmap hoeft u niet"
            " terug te sturen."
        ),
        Register.JIJ: (
            "De e-mail vraagt om het Word-formulier: vul dat in; deze werkmap hoef je niet"
            " terug te sturen."
        ),
    },
    "closing_deadline": {
        Register.U: "Stuur het uiterlijk {deadline} terug.",
        Register.JIJ: "Stuur het uiterlijk {deadline} terug.",
    },
    "closing_no_deadline": {
        Register.U: "Stuur het terug vóór de datum die in de e-mail staat.",
        Register.JIJ: "Stuur het terug vóór de datum die in de e-mail staat.",
    },
    "form_how_to": {
        Register.U: (
            "Zo vult u het formulier in: klik of tik op de grijze tekst van een invulveld om te "
            "typen, kies bij een keuzelijst een antwoord, klik op een vakje om het aan te vinken "
            "en kies een datum met de datumkiezer. Laat de invulvelden staan, ook als u een vraag "
            "overslaat."
        ),
        Register.JIJ: (
            "Zo vul je het formulier in: klik of tik op de grijze tekst van een invulveld om te "
            "typen, kies bij een keuzelijst een antwoord, klik op een vakje om het aan te vinken "
            "en kies een datum met de datumkiezer. Laat de invulvelden staan, ook als je een vraag "
            "overslaat."
        ),
    },
    "form_how_to_print": {
        Register.U: (
            "Zo vult u het formulier in: schrijf uw antwoord op de lijn of in het vak, en kruis "
            "bij een keuzevraag het vakje voor uw antwoord aan. Een datum schrijft u als "
            "dd-mm-jjjj. U mag een vraag overslaan."
        ),
        Register.JIJ: (
            "Zo vul je het formulier in: schrijf je antwoord op de lijn of in het vak, en kruis "
            "bij een keuzevraag het vakje voor je antwoord aan. Een datum schrijf je als "
            "dd-mm-jjjj. Je mag een vraag overslaan."
        ),
    },
    "required_legend": {
        Register.U: "Vragen met een * zijn verplicht: vul die in elk geval in.",
        Register.JIJ: "Vragen met een * zijn verplicht: vul die in elk geval in.",
    },
    "workbook_how_to_heading": {
        Register.U: "Zo vult u het in",
        Register.JIJ: "Zo vul je het in",
    },
    "workbook_how_to": {
        Register.U: (
            "Vul de gele cellen in; de andere cellen zijn beveiligd (zonder wachtwoord) zodat er "
            "niet per ongeluk iets verandert. Kies bij een keuzelijst een waarde uit de lijst "
            "(Ja/Nee, of een punt op de schaal); een datum typt u als 15-09-2026. Scores, totalen "
            "en kwadranten worden automatisch berekend. Verander de opbouw van de bladen niet, sla "
            "het bestand op als .xlsx en stuur het terug."
        ),
        Register.JIJ: (
            "Vul de gele cellen in; de andere cellen zijn beveiligd (zonder wachtwoord) zodat er "
            "niet per ongeluk iets verandert. Kies bij een keuzelijst een waarde uit de lijst "
            "(Ja/Nee, of een punt op de schaal); een datum typ je als 15-09-2026. Scores, totalen "
            "en kwadranten worden automatisch berekend. Verander de opbouw van de bladen niet, sla "
            "het bestand op als .xlsx en stuur het terug."
        ),
    },
    "workbook_how_to_print": {
        Register.U: (
            "Dit is de afdruk van het werkboek. Schrijf uw antwoorden in de gele vakken en kruis "
            "bij een keuzelijst het vakje voor uw antwoord aan. Scores, totalen en kwadranten "
            "worden berekend zodra de antwoorden in het werkboek zelf staan."
        ),
        Register.JIJ: (
            "Dit is de afdruk van het werkboek. Schrijf je antwoorden in de gele vakken en kruis "
            "bij een keuzelijst het vakje voor je antwoord aan. Scores, totalen en kwadranten "
            "worden berekend zodra de antwoorden in het werkboek zelf staan."
        ),
    },
    "scores_note": {
        Register.U: "U hoeft hier niets in te vullen: de scores volgen uit uw antwoorden.",
        Register.JIJ: "Je hoeft hier niets in te vullen: de scores volgen uit je antwoorden.",
    },
}


# text id -> the English text (one register)
TEXTS_EN: dict[str, str] = {
    "closing_heading": "How to send it back",
    "closing_reply": (
        "Save the form and reply to the e-mail it came with, with this file attached. "
        "Keep the file name and type (.docx) as they are."
    ),
    "closing_beide": (
        "Fill in one file: this Word form or the Excel workbook that came with the "
        "e-mail, and send back only that one."
    ),
    "closing_formulier": "Fill in this Word form; it is the only file to send back.",
    "closing_werkboek": (
        "The e-mail asks for the Excel workbook: fill in that one; this form need not be "
        "sent back."
    ),
    "closing_reply_workbook": (
        "Save the workbook and reply to the e-mail it came with, with this file attached. "
        "Keep the file name and type (.xlsx) as they are."
    ),
    "closing_beide_workbook": (
        "Fill in one file: this Excel workbook or the Word form that came with the "
        "e-mail, and send back only that one."
    ),
    "closing_werkboek_workbook": "Fill in this Excel workbook; it is the only file to send back.",
    "closing_formulier_workbook": (
        "The e-mail asks for the Word form: fill in that one; this workbook need not be "
        "sent back."
    ),
    "closing_deadline": "Please send it back by {deadline}.",
    "closing_no_deadline": "Please send it back by the date named in the e-mail.",
    "form_how_to": (
        "How to fill in the form: click or tap the grey text of a field to type, pick an "
        "answer from a list, click a box to tick it and pick a date with the date picker. "
        "Leave the fields in place, also when you skip a question."
    ),
    "form_how_to_print": (
        "How to fill in the form: write your answer on the line or in the box, and tick the "
        "box of your answer to a choice. Write a date as dd-mm-yyyy. You may skip a question."
    ),
    "required_legend": "Questions marked * are required: please answer those.",
    "workbook_how_to_heading": "How to fill it in",
    "workbook_how_to": (
        "Fill in the yellow cells; the other cells are protected (without a password) so that "
        "nothing changes by accident. Pick a value from a list (Yes/No, or a point on the "
        "scale); type a date as 15-09-2026. Scores, totals and quadrants are calculated "
        "automatically. Do not change the layout of the sheets, save the file as .xlsx and "
        "send it back."
    ),
    "workbook_how_to_print": (
        "This is the printout of the workbook. Write your answers in the yellow boxes and "
        "tick the box of your answer to a list. Scores, totals and quadrants are calculated "
        "once the answers are in the workbook itself."
    ),
    "scores_note": "Nothing to fill in here: the scores follow from your answers.",
}


def text(register: Register, text_id: str) -> str:
    """One fixed text in the instrument's register, in the language of the files."""
    if i18n.normalise(i18n.document_language()) == "en":
        return TEXTS_EN[text_id]
    return TEXTS[text_id][register]


def closing(register: Register, bijlagen: str, deadline: str,
            workbook: bool = False) -> tuple[str, list[str]]:
    """The closing block of a form or (``workbook``) a workbook: its heading and lines —
    how to send the file back, which file to fill (the content's ``mail: bijlagen:``) and
    by when (``deadline``, as the reader writes dates, when known)."""
    medium = "_workbook" if workbook else ""
    return text(register, "closing_heading"), [
        text(register, f"closing_reply{medium}"),
        text(register, f"closing_{bijlagen}{medium}"),
        text(register, "closing_deadline").format(deadline=deadline) if deadline
        else text(register, "closing_no_deadline"),
    ]


def dutch_date(text: str) -> str:
    """An ISO date as forms and workbooks write dates (dd-mm-jjjj); any other text as it is."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text.strip())
    return f"{match[3]}-{match[2]}-{match[1]}" if match else text.strip()


def number(x: float) -> str:
    """A number as a Dutch reader writes it: 3, 2,5 (a whole float without its ',0')."""
    return str(int(x)) if float(x).is_integer() else str(x).replace(".", ",")

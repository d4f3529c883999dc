"""The fixed Dutch texts of forms and workbooks, in both registers (u and jij).

An instrument declares its register (``register: u`` or ``register: jij``, default u); every
fixed text that addresses the respondent comes from :data:`TEXTS` in that register, so a form
never mixes "jouw opdracht" with "Zo vult u". Texts that need no register are worded
neutrally where they are used (placeholders, validation messages).
"""

from __future__ import annotations

from enum import StrEnum


class Register(StrEnum):
    """How the texts address the respondent."""

    U = "u"
    JIJ = "jij"


# text id -> register -> text
TEXTS: dict[str, dict[Register, str]] = {
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


def text(register: Register, text_id: str) -> str:
    """One fixed text in the instrument's register."""
    return TEXTS[text_id][register]


def number(x: float) -> str:
    """A number as a Dutch reader writes it: 3, 2,5 (a whole float without its ',0')."""
    return str(int(x)) if float(x).is_integer() else str(x).replace(".", ",")

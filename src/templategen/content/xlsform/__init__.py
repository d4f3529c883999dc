"""XLSForm in: an ODK / KoboToolbox questionnaire spreadsheet (.xlsx) -> an instrument.

pyxform reads and checks the spreadsheet (its plain-dict output, ``workbook_to_json``); this
package maps that dict, by question type (``QUESTION_KINDS``), into the shape a YAML
instrument file has, and content.catalog checks and builds the model from it exactly as from
YAML. So an XLSForm instrument has the same slot keys, rules and checks, and the store keeps
its definition as YAML text (:func:`yaml_text`).

What a Word or Excel form cannot hold (``geopoint``, ``image``, ``calculate``, ``start``, …,
``relevant``, ``choice_filter``) is a warning naming sheet, row, name and type: the question
is left out, or the condition shown as plain text ("Alleen invullen als …"). A spreadsheet
pyxform refuses is one ContentError with pyxform's own message (and its row).

Beyond ODK (columns and sheets ODK ignores, see README "Write an instrument in Excel"):
settings columns for the instrument's own fields (role, introduction, source_…), survey
columns ``number``, ``style``, ``bullets``, ``kind`` (grid / indicators groups), ``row_group``,
``attributes``, ``prefill``, and the sheets ``rules`` and ``matrices``.

Modules: ``reading`` (the file, pyxform's checks, YAML text), ``mapping`` (the form, its
sections, items, tables, repeats, rules), ``questions`` (one question's answer), ``base``
(tables, state, texts in several languages) and ``writing`` (an instrument as an XLSForm).
"""

from templategen.content.xlsform.base import Reading
from templategen.content.xlsform.reading import (
    has_survey_sheet,
    is_xlsform,
    place_problems,
    read_xlsform,
    yaml_text,
)

__all__ = ["Reading", "has_survey_sheet", "is_xlsform", "place_problems", "read_xlsform",
           "yaml_text"]

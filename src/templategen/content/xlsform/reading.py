"""Reading an XLSForm file: pyxform's stages (read, to dict, build, to XML, as its
``convert`` runs them), so a form ODK refuses is refused here with pyxform's message and row;
then the dict mapped (content.xlsform.mapping) and the data as YAML text."""

from __future__ import annotations

import copy
import re
import warnings
import zipfile
from pathlib import Path
from typing import Any

from templategen.content.xlsform.base import Reading, as_id
from templategen.content.xlsform.mapping import Mapper
from templategen.errors import ContentError, Problem
from templategen.i18n import _


def is_xlsform(path: Path) -> bool:
    return path.suffix.lower() == ".xlsx" and not path.name.startswith(("~$", ".~lock"))


def has_survey_sheet(path: Path) -> bool:
    """Whether a workbook has a sheet 'survey' (in a content folder, other workbooks, such as
    a recipients file, are not instruments and are passed over)."""
    try:
        with zipfile.ZipFile(path) as z:
            workbook = z.read("xl/workbook.xml").decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return True  # not readable as a workbook: reading it says why
    return re.search(r'<(?:\w+:)?sheet\b[^>]*\bname="survey"', workbook, re.IGNORECASE) is not None


def read_xlsform(path: Path) -> Reading:
    """The instrument data of an XLSForm file; ContentError when pyxform refuses it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl on extensions it drops: not the author's
        return _read(path)


def _read(path: Path) -> Reading:
    """pyxform's stages as its ``convert`` runs them (read, to dict, build, to XML), so a
    form ODK would refuse is refused here with pyxform's message; its dict is mapped."""
    from pyxform.builder import create_survey_element_from_dict
    from pyxform.errors import PyXFormError
    from pyxform.xls2json import workbook_to_json
    from pyxform.xls2json_backends import get_xlsform

    try:
        definition = get_xlsform(str(path))
        form = workbook_to_json(definition, form_name=as_id(path.stem) or "data",
                                fallback_form_name=definition.fallback_form_name, warnings=[])
        create_survey_element_from_dict(copy.deepcopy(form)).to_xml(validate=False,
                                                                    warnings=[])
    except PyXFormError as exc:
        message = " ".join(str(exc).split())
        raise ContentError([Problem(_where(path, message, locals().get("definition")),
                                    _("is not a valid XLSForm: {message}").format(
                                        message=message),
                                    _("correct that row (see xlsform.org)."))]) from None
    except Exception as exc:  # noqa: BLE001 - any spreadsheet pyxform cannot read at all
        raise ContentError([Problem(str(path),
                                    _("cannot be read as an XLSForm ({error}).").format(
                                        error=" ".join(str(exc).split()) or type(exc).__name__),
                                    _("save it as an Excel workbook (.xlsx) with a sheet "
                                      "'survey'."))]) from None
    return Mapper(path, definition).read(_typographic(form, definition))


def _where(path: Path, message: str, definition: Any) -> str:
    """The file, and the survey row a message without a row number quotes (its type or
    name), e.g. "Unknown question type 'textX'"."""
    if definition is None or "row" in message.lower():
        return str(path)
    quoted = set(re.findall(r"'([^']+)'", message))
    for n, row in enumerate(definition.survey or [], start=2):
        if quoted & {str(v).strip() for v in row.values()}:
            return f"{path} " + _("(sheet {sheet}, row {row})").format(sheet="survey", row=n)
    return str(path)


def _typographic(form: Any, definition: Any) -> Any:
    """pyxform's dict with the quotes as typed: pyxform straightens "smart" quotes (for its
    expressions), the forms keep what the author wrote."""
    from pyxform.parsing.sheet_headers import clean_text_values

    typed = {clean_text_values(str(v)): str(v)
             for sheet in (definition.survey, definition.choices, definition.settings)
             for row in sheet or [] for v in row.values()
             if isinstance(v, str) and clean_text_values(v) != v}

    def restore(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: restore(v) for k, v in value.items()}
        if isinstance(value, list):
            return [restore(v) for v in value]
        return typed.get(value, value) if isinstance(value, str) else value

    return restore(form) if typed else form


def yaml_text(data: Any) -> str:
    """The instrument data as YAML text (what the store keeps and ``convert --to yaml``
    writes)."""
    import yaml  # (loaded when a form is read: content.yamlsource)

    return yaml.safe_dump(_plain(data), sort_keys=False, allow_unicode=True, width=100)


def place_problems(problems: list[Problem], path: Path, places: dict[int, str]) -> list[Problem]:
    """Problems the model builder reported at ``path:line`` named by sheet and row instead."""
    out = []
    for p in problems:
        head, _sep, line = p.where.rpartition(":")
        if head == str(path) and line.isdigit() and int(line) in places:
            p = Problem(f"{path} {places[int(line)]}", p.what, p.fix)
        out.append(p)
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items() if not str(k).startswith("__")}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value



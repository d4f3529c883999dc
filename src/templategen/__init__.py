"""templategen: guidance documents -> fillable forms and workbooks -> one comparison.

The package follows the data's path; each stage imports only the stages below it
(held by the import-linter contracts in pyproject.toml):

    cli                      the click commands, one library call each
    demo                     the whole loop on the bundled content
    api                      the library: build, ingest, compare, export, mail, recipients,
                             remind, status, validate, each returning a frozen result (re-exported
                             here: ``templategen.build(...)``)
    rendering | sample | mail | report   render every instrument | the demo's sample
                             answers typed into copies | send the copies, collect the replies,
                             who is missing, remind | one Word report per subject
    compare | returned       the comparison workbook | returned files -> checked answers
    store | forms | workbooks   the answer store | Word forms | Excel workbooks
    office                   what Word and Excel files share (custom properties, formulas)
    content                  YAML -> the frozen model, recipients, placeholders, scoring
    round                    a round is a folder: its round file (templategen.toml) found,
                             checked and turned into the commands' defaults
    errors | xmltext         one exception tree | the one sanitiser of text for Office XML
    version                  the package's version (the wheel's metadata takes it from there)

The library's names (``templategen.build``, ``templategen.IngestResult``, ...) are
templategen.api's, imported when one is first used, so that a program that imports only a
stage (``from templategen.inbox import ingest``) does not import api and what it imports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from templategen.version import __version__

if TYPE_CHECKING:
    from templategen.api import (
        BuildResult,
        CompareResult,
        ConvertResult,
        ExportResult,
        IngestResult,
        MailResult,
        RecipientsResult,
        ReportResult,
        Round,
        StatusResult,
        ValidateResult,
        build,
        compare,
        convert,
        export,
        ingest,
        init,
        mail,
        open_round,
        recipients,
        remind,
        report,
        status,
        validate,
    )
else:
    # compare, mail and report are also the names of stages (compare/, mail/, report/; their
    # __init__ imports nothing). Loaded first and then unbound here, so that these names are
    # api's functions from their first use on, and importing a module of theirs later never
    # binds them to the packages.
    from templategen import compare, mail, report

    del compare, mail, report

__all__ = [
    "BuildResult", "CompareResult", "ConvertResult", "ExportResult", "IngestResult",
    "MailResult", "RecipientsResult", "ReportResult", "Round", "StatusResult", "ValidateResult",
    "__version__", "build", "compare", "convert", "export", "ingest", "init", "mail",
    "open_round", "recipients", "remind", "report", "status", "validate",
]
_API = frozenset(__all__) - {"__version__"}


def __getattr__(name: str) -> Any:
    """The library's names, bound from templategen.api on the first use of any of them."""
    if name not in _API:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from templategen import api

    names = {n: getattr(api, n) for n in _API}
    globals().update(names)
    return names[name]


def __dir__() -> list[str]:
    return sorted({*globals(), *_API})

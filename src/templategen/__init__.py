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
"""

# after importing the stages named build, compare and mail (api does): these names are the
# functions from here on
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
from templategen.version import __version__

__all__ = [
    "BuildResult", "CompareResult", "ConvertResult", "ExportResult", "IngestResult",
    "MailResult", "RecipientsResult", "ReportResult", "Round", "StatusResult", "ValidateResult",
    "__version__", "build", "compare", "convert", "export", "ingest", "init", "mail",
    "open_round", "recipients", "remind", "report", "status", "validate",
]

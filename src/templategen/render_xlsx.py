"""Render an instrument as an Excel scoring workbook (.xlsx). Minimal first version."""

from __future__ import annotations

import uuid
from pathlib import Path

from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty

from .model import PROP_INSTANCE, PROP_INSTRUMENT, PROP_KIND, PROP_RECIPIENT, PROP_VERSION
from .model import Instrument
from .recipients import Recipient, safe_filename_part


def workbook_name(instrument: Instrument, recipient: Recipient | None) -> str:
    if recipient is None:
        return f"{instrument.id}.xlsx"
    return (f"{instrument.id}_{safe_filename_part(recipient.id)}_"
            f"{safe_filename_part(recipient.naam)}.xlsx")


def render_workbooks(instrument: Instrument, recipients: list[Recipient] | None, out_dir: Path,
                     templates_dir: Path | None = None) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for recipient in recipients or [None]:
        wb = Workbook()
        ws = wb.active
        ws.title = "Toelichting"
        ws["A1"] = instrument.title
        for name, value in ((PROP_INSTRUMENT, instrument.id), (PROP_VERSION, instrument.version),
                            (PROP_RECIPIENT, recipient.id if recipient else ""),
                            (PROP_INSTANCE, str(uuid.uuid4())), (PROP_KIND, "workbook")):
            wb.custom_doc_props.append(StringProperty(name=name, value=value))
        path = out_dir / workbook_name(instrument, recipient)
        wb.save(path)
        paths.append(path)
    return paths

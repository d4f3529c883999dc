"""Render an instrument as Excel scoring workbooks (.xlsx), one per recipient.

The layout (plan.plan_layout) is computed once per instrument, the workbook is written
once (write.py) as a master, and each copy patches the recipient's texts into the
master's XML (copies.py): plan -> write -> copies -> render, nothing loops back.
"""


from __future__ import annotations

from pathlib import Path

from templategen.content.copies import copy_file_name
from templategen.content.model import (
    Instrument,
)
from templategen.content.recipients import Recipient
from templategen.content.signing import CopyKey, issuing_key
from templategen.workbooks.copies import build_master
from templategen.workbooks.plan import plan_layout
from templategen.workbooks.printcopy import print_layout
from templategen.workbooks.write import house_style

REFERENCE_XLSX = "reference.xlsx"
PRINT_SUFFIX = "-werkboek"  # the print copy of x.xlsx is x-werkboek.xlsx (and .pdf)



def workbook_name(instrument: Instrument, recipient: Recipient | None) -> str:
    return copy_file_name(instrument, recipient, ".xlsx")


def render_workbooks(instrument: Instrument, recipients: list[Recipient] | None, out_dir: Path,
                     templates_dir: Path | None = None,
                     signing_key: CopyKey | None = None,
                     print_dir: Path | None = None) -> list[Path]:
    """Write one workbook (unpersonalised) or one per recipient; return the paths.

    The workbook is built once (copies.WorkbookMaster) and each copy patches the
    recipient's texts into its XML. Its cell styles are the named styles of the reference
    workbook in ``templates_dir`` (default: the bundled templates/reference.xlsx).
    Personalised copies are signed with ``signing_key`` (default: the installation's key).
    With ``print_dir``, each copy's print copy (workbooks.printcopy) goes there too, named
    ``<stem>-werkboek.xlsx`` (build --pdf prints those)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    layout = plan_layout(instrument)
    house = house_style(templates_dir)
    master = build_master(layout, house)
    printer = build_master(print_layout(layout), house) if print_dir is not None else None
    if print_dir is not None:
        print_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    copies: list[Recipient | None] = list(recipients) if recipients else [None]
    if recipients:
        signing_key = signing_key or issuing_key()
    for recipient in copies:
        path = out_dir / workbook_name(instrument, recipient)
        path.write_bytes(master.copy(recipient, signing_key))
        paths.append(path)
        if printer is not None and print_dir is not None:
            (print_dir / f"{path.stem}{PRINT_SUFFIX}.xlsx").write_bytes(
                printer.copy(recipient, signing_key))
    return paths


def house_style_warnings(templates_dir: Path | None) -> list[str]:
    """What is wrong with the templates folder's reference.xlsx (said once per build)."""
    return list(house_style(templates_dir).warnings)



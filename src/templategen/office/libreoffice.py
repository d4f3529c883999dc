"""Headless LibreOffice: our stand-in for Word and Excel (convert, re-save, recalculate).

Each call uses its own throw-away user profile, so several conversions can run at once
and nothing of a user's own LibreOffice set-up leaks in.

LibreOffice is found on PATH (``soffice``, ``libreoffice``), else where its installers put
it on macOS and Windows, which do not add it to PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from templategen.errors import TemplategenError
from templategen.i18n import _

# Filter names LibreOffice uses to write each format.
FILTERS = {
    "docx": "docx:MS Word 2007 XML",  # no shell: no quotes
    "xlsx": "xlsx:Calc MS Excel 2007 XML",
    "pdf": "pdf",
    "odt": "odt",
    "ods": "ods",
}


class LibreOfficeError(TemplategenError):
    """LibreOffice is missing or a conversion failed."""


def soffice() -> str | None:
    """Path of the soffice binary, or None when LibreOffice is not installed."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    return next((str(p) for p in _installed() if p.is_file()), None)


def _installed() -> list[Path]:
    """Where the installers put soffice on macOS and Windows."""
    places = [Path("/Applications/LibreOffice.app/Contents/MacOS/soffice")]
    for variable in ("ProgramFiles", "ProgramFiles(x86)", "ProgramW6432"):
        root = os.environ.get(variable)
        if root:
            places.append(Path(root) / "LibreOffice" / "program" / "soffice.exe")
    return places


def _profile(folder: str) -> str:
    """The option that gives LibreOffice the throw-away profile ``folder`` (a file URL:
    file:///tmp/... here, file:///C:/... on Windows)."""
    return f"-env:UserInstallation={Path(folder).resolve().as_uri()}"


def convert(source: Path, fmt: str, out_dir: Path, timeout: float = 180,
            infilter: str | None = None) -> Path:
    """Open ``source`` in LibreOffice and save it as ``fmt`` into ``out_dir``; return the path.

    Opening and saving is what a respondent's client does: the result is a file written by
    a real office suite (for xlsx/ods/pdf after LibreOffice recalculated the formulas).
    ``infilter`` names the import filter with its options (e.g. LibreOffice's CSV import).
    """
    binary = soffice()
    if binary is None:
        raise LibreOfficeError(_("LibreOffice (soffice) is not installed."))
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tg-lo-profile-") as profile:
        cmd = [
            binary, _profile(profile), "--headless", "--norestore",
            "--nolockcheck", *([f"--infilter={infilter}"] if infilter else []),
            "--convert-to", FILTERS.get(fmt, fmt), "--outdir", str(out_dir), str(source),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise LibreOfficeError(_("LibreOffice timed out converting {name}.").format(
                name=source.name)) from exc
    target = out_dir / f"{source.stem}.{fmt.split(':')[0]}"
    if proc.returncode != 0 or not target.exists():
        raise LibreOfficeError(_("LibreOffice could not convert {name} to {format}: {output}")
                               .format(name=source.name, format=fmt,
                                       output=(proc.stderr or proc.stdout).strip()[:500]))
    return target


def convert_many(sources: list[Path], fmt: str, out_dir: Path, timeout: float = 600) -> list[Path]:
    """Convert several files in one LibreOffice start (much faster than one call each).

    Sources must have distinct stems: the results are named ``<stem>.<fmt>`` in out_dir.
    """
    binary = soffice()
    if binary is None:
        raise LibreOfficeError(_("LibreOffice (soffice) is not installed."))
    if not sources:
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tg-lo-profile-") as profile:
        cmd = [
            binary, _profile(profile), "--headless", "--norestore",
            "--nolockcheck", "--convert-to", FILTERS.get(fmt, fmt), "--outdir", str(out_dir),
            *(str(s) for s in sources),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise LibreOfficeError(_("LibreOffice timed out converting a batch.")) from exc
    targets = [out_dir / f"{s.stem}.{fmt.split(':')[0]}" for s in sources]
    missing = [t.name for t in targets if not t.exists()]
    if missing:
        raise LibreOfficeError(_("LibreOffice did not produce {names}: {output}").format(
            names=", ".join(missing), output=(proc.stderr or proc.stdout).strip()[:500]))
    return targets


def resave(source: Path, out_dir: Path) -> Path:
    """Re-save a .docx/.xlsx through LibreOffice in the same format (as a respondent would)."""
    return convert(source, source.suffix.lstrip("."), out_dir)

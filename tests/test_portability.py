"""What Windows and macOS take another way, checked here on Linux as far as Linux can: the
ingest worker started with "spawn" (no fork on Windows; macOS's default), LibreOffice found
where its installers put it, and its profile given as a file URL."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest
from click.testing import CliRunner

from templategen.cli import main
from templategen.content.catalog import load_catalog
from templategen.office import libreoffice
from tests.support.filling import filled_copy


def test_ingest_reads_in_a_spawned_worker_where_there_is_no_fork(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    people = tmp_path / "ontvangers.csv"
    people.write_text("id,naam\nr1,Anna de Vries\n", encoding="utf-8")
    kit = tmp_path / "kit"
    built = CliRunner().invoke(main, ["build", "--only", "ict_gesprek", "--recipients",
                                      str(people), "--out", str(kit)])
    assert built.exit_code == 0, built.output
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    inst = load_catalog().get("ict_gesprek")
    want = filled_copy(next(kit.glob("*.xlsx")), inbox / "terug.xlsx", inst, 2)
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    used: list[str | None] = []
    real = multiprocessing.get_context
    monkeypatch.setattr(multiprocessing, "get_context",
                        lambda method=None: used.append(method) or real(method))
    db = tmp_path / "s.sqlite"
    result = CliRunner().invoke(main, ["ingest", str(inbox), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "spawn" in used and "fork" not in used
    rows = json.loads(CliRunner().invoke(main, ["export", "--db", str(db), "--format",
                                                "json"]).stdout)
    assert {r["item"]: r["value"] for r in rows} == want


def test_libreoffice_is_found_where_the_windows_installer_puts_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    binary = tmp_path / "LibreOffice" / "program" / "soffice.exe"
    binary.parent.mkdir(parents=True)
    binary.write_text("")
    monkeypatch.setenv("PATH", str(tmp_path / "leeg"))
    monkeypatch.setenv("ProgramFiles", str(tmp_path))
    assert libreoffice.soffice() == str(binary)
    monkeypatch.delenv("ProgramFiles")
    monkeypatch.delenv("ProgramFiles(x86)", raising=False)
    monkeypatch.delenv("ProgramW6432", raising=False)
    assert libreoffice.soffice() is None or libreoffice.soffice().startswith("/Applications")


def test_the_profile_is_a_file_url(tmp_path: Path):
    folder = tmp_path / "met spatie"
    assert libreoffice._profile(str(folder)) == (
        f"-env:UserInstallation=file://{str(folder).replace(' ', '%20')}")

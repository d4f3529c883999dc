"""Installed as users install a CLI: a wheel in a fresh venv, run from a folder outside
the checkout. The bundled content and house style must come with the wheel."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from templategen.version import __version__

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _run(args: list[str], cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env=env)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout."""
    dist = tmp_path_factory.mktemp("dist")
    built = _run([sys.executable, "-m", "build", "--wheel", "--no-isolation",
                  "--outdir", str(dist), str(ROOT)], cwd=dist)
    assert built.returncode == 0, built.stdout + built.stderr
    wheels = list(dist.glob("templategen-*.whl"))
    assert len(wheels) == 1
    return wheels[0]


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel installed into a fresh venv; its bin folder."""
    base = tmp_path_factory.mktemp("install")
    wheels = [wheel]
    env_dir = base / "venv"
    venv.create(env_dir, with_pip=True)
    pip = _run([str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q",
                str(wheels[0])], cwd=base)
    assert pip.returncode == 0, pip.stdout + pip.stderr
    return env_dir / "bin"


TEST_CODE = re.compile(r"uno|keyboard|typist|filling|tests/|support/", re.IGNORECASE)
UNO_CODE = (b"import uno", b"com.sun.star", b"/usr/bin/python3")


def test_wheel_holds_no_test_code(wheel: Path) -> None:
    """The respondent simulator, the UNO typist and keyboard typing stay in tests/support:
    no module of the wheel is named for them or drives LibreOffice through UNO."""
    with zipfile.ZipFile(wheel) as z:
        modules = [n for n in z.namelist() if n.endswith(".py")]
        assert "templategen/sample/fill.py" in modules  # (the listing is the package's)
        assert [n for n in modules if TEST_CODE.search(n)] == []
        assert [n for n in modules if any(code in z.read(n) for code in UNO_CODE)] == []


def test_wheel_carries_content_and_templates(installed: Path, tmp_path: Path) -> None:
    result = _run([str(installed / "templategen"), "validate"], cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "shrm_ict" in result.stdout
    assert "/_bundled/content/" in result.stdout  # not the checkout's content/


def test_version_and_module_entry_point(wheel: Path, installed: Path,
                                        tmp_path: Path) -> None:
    version = _run([str(installed / "templategen"), "--version"], cwd=tmp_path)
    assert version.returncode == 0
    expected = __version__  # defined once, in templategen/version.py
    assert expected in version.stdout
    # the wheel's metadata took it from there (pyproject.toml: [tool.hatch.version])
    assert f"templategen-{expected}-" in wheel.name
    module = _run([str(installed / "python"), "-m", "templategen", "--version"], cwd=tmp_path)
    assert module.returncode == 0 and expected in module.stdout


def test_build_and_demo_from_any_folder(installed: Path, tmp_path: Path) -> None:
    built = _run([str(installed / "templategen"), "build"], cwd=tmp_path)
    assert built.returncode == 0, built.stdout + built.stderr
    forms = sorted(p.name for p in (tmp_path / "output").rglob("*.docx"))
    books = sorted(p.name for p in (tmp_path / "output").rglob("*.xlsx"))
    assert len(forms) == 5 and len(books) == 5, (forms, books)
    demo = _run([str(installed / "templategen"), "demo", "--out", "demo"], cwd=tmp_path)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert (tmp_path / "demo" / "vergelijking.xlsx").is_file()
    # a plain install has no templategen[analysis]: SPSS export says how to get it
    spss = _run([str(installed / "templategen"), "--lang", "en", "export", "--db",
                 "demo/antwoorden.sqlite", "--format", "sav", "--out", "a.sav"], cwd=tmp_path)
    assert (spss.returncode, spss.stderr) == (1, (
        "Error: --format sav needs the optional packages for analysts; install them with: "
        "pip install 'templategen[analysis]'\n"))

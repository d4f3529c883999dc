"""The package's layout: stages as subpackages, imports only downwards, no cycles."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "templategen"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(pythonpath: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(pythonpath)},
        timeout=120,
    )


def test_import_contracts_hold() -> None:
    result = _lint_imports(ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    assert f"{len(contracts['contracts'])} kept, 0 broken" in result.stdout


@pytest.mark.parametrize(("module", "line", "chain"), [
    # a reader that imports the Word renderer
    ("returned/docx.py", "from templategen.forms import render",
     "templategen.returned.docx -> templategen.forms.render"),
    # sending mail that reads replies; the ingest loop that knows where its items come from
    ("mail/send.py", "from templategen.inbox import gather",
     "templategen.mail.send -> templategen.inbox"),
    ("returned/ingest.py", "from templategen.inbox import files",
     "templategen.returned.ingest -> templategen.inbox.files"),
    # the command line past the library, straight into a stage
    ("cli.py", "from templategen.store import export",
     "templategen.cli -> templategen.store.export"),
])
def test_a_forbidden_import_breaks_the_contracts(tmp_path: Path, module: str, line: str,
                                                 chain: str) -> None:
    """The contracts are not decoration: each of these imports fails them."""
    copy = tmp_path / "templategen"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    changed = copy / module
    changed.write_text(changed.read_text() + f"\n{line}  # noqa\n")
    result = _lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout
    assert "BROKEN" in result.stdout
    assert chain in result.stdout


@pytest.mark.parametrize(("module", "imported"), [
    ("compare/summary/scores.py", "templategen.compare.full.rules"),  # one layout, the other
    ("compare/labels.py", "templategen.compare.summary.matrices"),  # the core, a layout
])
def test_the_comparison_layouts_stay_apart(tmp_path: Path, module: str, imported: str) -> None:
    """compare.full and compare.summary never import each other; the core imports neither."""
    copy = tmp_path / "templategen"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    source = copy / module
    source.write_text(source.read_text() + f"\nimport {imported}  # noqa\n")
    result = _lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout
    assert "The comparison: one entry over two layouts" in result.stdout
    name = "templategen." + module.removesuffix(".py").replace("/", ".")
    assert f"{name} -> {imported}" in result.stdout, result.stdout


def test_no_import_cycles() -> None:
    graph = grimp.build_graph("templategen")
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            assert not graph.chain_exists(imported, module), f"cycle: {module} <-> {imported}"


def test_top_level_holds_at_most_a_dozen_modules() -> None:
    modules = [p.name for p in PACKAGE.glob("*.py")]
    assert len(modules) <= 12, modules
    subpackages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert subpackages >= {"content", "forms", "workbooks", "inbox", "returned", "store",
                           "compare", "sample"}
    for sub in subpackages:
        doc = (PACKAGE / sub / "__init__.py").read_text()
        assert doc.startswith('"""') and "May import" in doc, sub


TEST_IMPORT = re.compile(r"^\s*(from|import)\s+(tests\.)?test_\w+", re.MULTILINE)
PATH_EDIT = re.compile(r"sys\.path\s*(\.insert|\.append|\.extend|\[|\+=|=)")


def test_tests_share_helpers_through_tests_support() -> None:
    """Helpers live in tests/support (a package) and fixtures: no test imports another test
    file, no helper module lies beside the tests, and nothing edits sys.path to find one."""
    tests = ROOT / "tests"
    beside = [p.name for p in tests.glob("*.py")
              if not p.name.startswith("test_") and p.name not in ("conftest.py", "__init__.py")]
    assert beside == [], "move these into tests/support/"
    code = [*tests.rglob("*.py"), *(ROOT / "benchmarks").glob("*.py"),
            *(ROOT / "scripts").glob("*.py")]
    assert [p.name for p in code if TEST_IMPORT.search(p.read_text())] == []
    assert [p.name for p in code if PATH_EDIT.search(p.read_text())] == []

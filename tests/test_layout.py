"""The package's layout: stages as subpackages, imports only downwards, no cycles."""

from __future__ import annotations

import shutil
import subprocess
import sys
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
    assert "4 kept, 0 broken" in result.stdout


def test_a_forbidden_import_breaks_the_contracts(tmp_path: Path) -> None:
    """The contracts are not decoration: a reader that imports the Word renderer fails."""
    copy = tmp_path / "templategen"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    reader = copy / "returned" / "docx.py"
    reader.write_text(reader.read_text() + "\nfrom templategen.forms import render  # noqa\n")
    result = _lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout
    assert "BROKEN" in result.stdout
    assert "templategen.returned.docx -> templategen.forms.render" in result.stdout


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
    assert subpackages >= {"content", "forms", "workbooks", "returned", "store", "compare",
                           "filling"}
    for sub in subpackages:
        doc = (PACKAGE / sub / "__init__.py").read_text()
        assert doc.startswith('"""') and "May import" in doc, sub

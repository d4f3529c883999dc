"""Rule kinds are defined once, in content/, and every target compiles the definitions.

No module outside ``templategen.content`` may name a rule kind (``RuleKind.X``, or import
``RuleKind`` to key a table by it): a renderer that switches on the kind again fails here.
Every expression node has a compiler in every target, and every kind has a definition.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import templategen
from templategen.compare.full import rules as compare_target
from templategen.compare.full.matrices import WRITERS
from templategen.compare.summary import sql as summary_target
from templategen.compare.summary.matrices import BLOCKS
from templategen.content import expr, scoring
from templategen.content.catalog import load_catalog
from templategen.content.model import RuleKind
from templategen.content.rulekinds import KINDS, definition
from templategen.workbooks import formulas as workbook_target

PACKAGE = Path(templategen.__file__).parent


def _outside_content() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py"))
            if p.relative_to(PACKAGE).parts[0] != "content"]


def _names_rule_kind(source: str) -> list[int]:
    """The lines of ``source`` that name RuleKind (an import, ``RuleKind.X``, a table key)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Name) and node.id == "RuleKind") or (
                isinstance(node, ast.Attribute) and node.attr == "RuleKind") or (
                isinstance(node, ast.ImportFrom) and any(a.name == "RuleKind"
                                                         for a in node.names)):
            lines.append(node.lineno)
    return sorted(set(lines))


def test_no_module_outside_content_names_a_rule_kind() -> None:
    found = [f"{path.relative_to(PACKAGE)}:{line}" for path in _outside_content()
             for line in _names_rule_kind(path.read_text(encoding="utf-8"))]
    assert _outside_content()
    assert found == [], "rule kinds are switched on outside content/: " + ", ".join(found)


def test_the_check_finds_a_switch_on_the_kind() -> None:
    """The check above can fail: it finds the kind named in a renderer-like module."""
    source = ("from templategen.content.model import RuleKind\n"
              "BUILDERS = {RuleKind.SUM: print}\n"
              "def build(rule):\n    return rule.kind is RuleKind.PERCENT\n")
    assert _names_rule_kind(source) == [1, 2, 4]


def test_every_kind_has_one_definition() -> None:
    assert set(KINDS) == set(RuleKind)


NODE_CLASSES = [c for _, c in inspect.getmembers(expr, inspect.isclass)
                if issubclass(c, expr.Node) and c is not expr.Node]
ROLLUPS = [c for _, c in inspect.getmembers(expr, inspect.isclass)
           if issubclass(c, expr.Rollup) and c is not expr.Rollup]


@pytest.mark.parametrize("target", [scoring, workbook_target, compare_target, summary_target],
                         ids=["python", "workbook", "comparison", "summary (SQL)"])
def test_every_node_has_a_compiler_in_every_target(target: object) -> None:
    assert set(NODE_CLASSES) == set(target.NODES)  # type: ignore[attr-defined]


@pytest.mark.parametrize("table", [WRITERS, BLOCKS], ids=["comparison", "summary"])
def test_every_rollup_has_a_writer_in_every_target(table: dict[type, object]) -> None:
    assert set(ROLLUPS) == set(table)


def test_every_bundled_rule_is_defined_by_its_kind() -> None:
    kinds = set()
    for inst in load_catalog().instruments.values():
        for rule in inst.rules:
            d = definition(inst, rule)
            assert d.value.expr is not None
            assert (d.item is None) is (not KINDS[rule.kind].per_row)
            kinds.add(rule.kind)
    assert kinds  # the bundled content scores something

"""Every command has help text and is documented in the README; CI runs the README's tests."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from templategen.cli import main

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_every_command_has_help_and_is_in_the_readme():
    for name, command in main.commands.items():
        assert command.help, f"command {name} has no help text"
        assert f"templategen {name}" in README, f"README does not document '{name}'"
        result = CliRunner().invoke(main, [name, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output


def test_quick_start_has_exactly_two_commands_and_ci_runs_the_second():
    block = re.search(r"## Quick start.*?```bash\n(.*?)```", README, re.S)
    assert block
    commands = [ln for ln in block.group(1).splitlines() if ln.strip() and not ln.startswith("#")]
    assert len(commands) == 2
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci, "the README's test command is not what CI runs"

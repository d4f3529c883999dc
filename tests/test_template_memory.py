"""Forty string doublings in a content introduction or in a mail template (``mail
--template``) are stopped as the string grows, rendered first in a worker with capped
memory: a content error or mail error naming the file and the line, in bounded memory and
time, never gigabytes or a traceback; the valid files beside them are read and sent."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from tests.support.treememory import run_measured

CONTENT = Path(__file__).parent / "fixtures" / "content" / "alles.yaml"
BUNDLED = Path(__file__).parent.parent / "content"
INTRO = ("introduction: Dit is een proefinstrument voor {{ naam }} van "
         "{{ organisatie | default(\"\") }}.")

# one doubling of s, as ~, +, % and format, join, a block; 40 of them would be terabytes
DOUBLINGS = {
    "tilde": "{% set s = s ~ s %}",
    "plus": "{% set s = s + s %}",
    "percent": "{% set s = '%s%s' % (s, s) %}",
    "format": "{% set s = '{}{}'.format(s, s) %}",
    "format_filter": "{% set s = '%s%s'|format(s, s) %}",
    "join": "{% set s = [s, s]|join %}",
    "block": "{% set s %}{{ s }}{{ s }}{% endset %}",
}


def doublings(step: str) -> list[str]:
    return ["{% set s = naam %}", *[step] * 40, "{{ s|length }}"]


def first_over(name: str, start: int) -> int:
    """The doubling refused, from a name of ``start`` characters: the first whose result
    would pass 100,000 characters (str.format counts each argument once per field, as a
    field may name any argument: '{}{}' with s may make three times s)."""
    size, n = start, 1
    while (3 * size + 4 if name == "format" else 2 * size) <= 100_000:
        size, n = 2 * size, n + 1
    return n


def ingest_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "templategen", *args]


@pytest.mark.parametrize("name", sorted(DOUBLINGS))
def test_doublings_in_an_introduction_are_a_content_error_at_their_line(tmp_path: Path,
                                                                        name: str) -> None:
    folder = tmp_path / "content"
    folder.mkdir()
    shutil.copy(BUNDLED / "ict_gesprek.yaml", folder)  # a valid instrument beside it
    text = CONTENT.read_text(encoding="utf-8")
    block = "\n".join("  " + line for line in doublings(DOUBLINGS[name]))
    (folder / "alles.yaml").write_text(text.replace(INTRO, "introduction: |\n" + block),
                                       encoding="utf-8")
    lines = (folder / "alles.yaml").read_text(encoding="utf-8").splitlines()
    start = lines.index("introduction: |") + 2  # the text's first line, {% set s = naam %}
    line = start + first_over(name, len("voorbeeld"))  # sample values fill the content check
    proc = run_measured(ingest_cmd("validate", "--content", str(folder)), tmp_path, timeout=60)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "Traceback" not in out, out
    assert f"alles.yaml:{line}: a placeholder does too much work:" in out, (line, out)
    assert "more than 100000" in out
    assert "ict_gesprek.yaml" not in out
    assert proc.bound_mb < 600, (proc.sampled_mb, proc.bound_mb)


@pytest.mark.parametrize("name", ["tilde", "plus", "percent", "format", "join", "block"])
def test_doublings_in_a_mail_template_are_refused_before_any_letter(
        mail_kit: tuple[Path, Path], tmp_path: Path, name: str) -> None:
    recipients, kit = mail_kit
    template = tmp_path / "uitnodiging.txt"
    template.write_text("\n".join(["Onderwerp: Uw formulieren", "Beste {{ naam }},",
                                   *doublings(DOUBLINGS[name])]) + "\n", encoding="utf-8")
    line = 3 + first_over(name, len("Anna de Vries"))  # the first recipient's name
    drafts, db = tmp_path / "concepten", tmp_path / "store.sqlite"
    args = ("mail", "--recipients", str(recipients), "--kit", str(kit), "--db", str(db),
            "--drafts", str(drafts))
    proc = run_measured(ingest_cmd(*args, "--template", str(template)), tmp_path, timeout=60)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert f"Error: the mail template {template}:{line} does too much work: " in proc.stderr, \
        (line, proc.stderr)
    assert not list(drafts.glob("*.eml"))
    assert proc.bound_mb < 600, (proc.sampled_mb, proc.bound_mb)
    sent = run_measured(ingest_cmd(*args), tmp_path, timeout=60)  # the bundled template
    # the kit's s07 has no address: named, and mail exits 1 (#18); the other 11 are drafted
    assert sent.returncode == 1 and "no email address (1): s07" in sent.stdout, \
        sent.stdout + sent.stderr
    assert len(list(drafts.glob("*.eml"))) == 11


def test_a_text_that_kills_its_worker_is_an_overrun_without_a_line(tmp_path: Path) -> None:
    """The worker is the second wall: memory the size checks do not see (a C function
    filling a list, here) ends the worker, not the run, and is reported as an overrun."""
    from templategen.capped import Died, run_capped

    def hungry(n: int) -> int:
        return len(list(range(n)))  # ints: 36 bytes each, a billion of them

    assert run_capped(hungry, [10, 10**9, 20], 64 * 1024 * 1024, 30) == [10, Died("memory"),
                                                                          20]

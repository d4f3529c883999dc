"""Content templates are bounded in work: a placeholder that would hang or exhaust memory
is a content error with file and line at validate and build, never a hang or a traceback;
one that only overruns with a recipient's value stops build with one sentence."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "content" / "alles.yaml"
INTRO = ("introduction: Dit is een proefinstrument voor {{ naam }} van "
         "{{ organisatie | default(\"\") }}.")

BOMBS = {
    "range": "{{ range(10**9)|list|length }}",
    "lipsum": "{{ lipsum(10**6) }}",
    "nested_loops": "{% for a in range(10000) %}{% for b in range(10000) %}{% endfor %}"
                    "{% endfor %}",
    "string_loops": "{% for a in 'x' * 10000 %}{% for b in 'x' * 10000 %}{% endfor %}"
                    "{% endfor %}",
    "repeat": "{{ 'x' * 10**9 }}",
    "center": "{{ 'x'|center(10**9) }}",
    "power": "{{ 2 ** (10 ** 9) }}",  # Jinja reads 2 ** 10 ** 9 as (2 ** 10) ** 9
    "percent_width": "{{ '%0999999999d' % 1 }}",
    "format_width": "{{ '{:>999999999}'.format(1) }}",
    "replace": "{{ ('x' * 50000)|replace('x', 'yy' * 50000) }}",
    "output": "{% for a in range(10000) %}{{ 'abcdefghijklmnopqrstuvwxyz' }}{% endfor %}",
    "recursion": "{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(1) }}",
    "doublings": "{% set s = naam %}" + "{% set s = s ~ s %}" * 40 + "{{ s }}",
    "list_doublings": "{% set s = [naam] %}" + "{% set s = [s, s] %}" * 40 + "{{ s }}",
}


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "templategen", *args], capture_output=True,
                          text=True, timeout=timeout)


def content_with(tmp: Path, intro: str) -> Path:
    folder = tmp / "content"
    folder.mkdir()
    text = FIXTURE.read_text(encoding="utf-8")
    assert INTRO in text
    (folder / "alles.yaml").write_text(text.replace(INTRO, f"introduction: \"{intro}\""),
                                       encoding="utf-8")
    return folder


@pytest.mark.parametrize("bomb", sorted(BOMBS))
def test_a_template_over_the_bounds_is_a_content_error_with_file_and_line(tmp_path, bomb):
    folder = content_with(tmp_path, BOMBS[bomb].replace('"', '\\"'))
    line = next(n for n, text in enumerate((folder / "alles.yaml").read_text().splitlines(), 1)
                if text.startswith("introduction:"))
    for command in (["validate"], ["build", "--out", str(tmp_path / "out")]):
        proc = run(*command, "--content", str(folder))
        assert proc.returncode != 0, (bomb, proc.stdout)
        assert "Traceback" not in proc.stderr, proc.stderr
        assert f"alles.yaml:{line}:" in proc.stdout + proc.stderr, (bomb, proc.stdout,
                                                                    proc.stderr)
        assert "placeholder" in proc.stdout + proc.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.docx"))


def test_an_overrun_that_depends_on_a_recipient_stops_build_with_one_sentence(tmp_path):
    loops = ("{% for a in naam %}{% for b in naam %}{% for c in naam %}{% endfor %}{% endfor %}"
             "{% endfor %}")
    folder = content_with(tmp_path, loops)
    assert run("validate", "--content", str(folder)).returncode == 0  # sample values are short
    recipients = tmp_path / "r.csv"
    recipients.write_text("id,naam\nr1,Anna\nr2," + "b" * 5000 + "\n", encoding="utf-8")
    proc = run("build", "--content", str(folder), "--out", str(tmp_path / "out"),
               "--recipients", str(recipients))
    assert proc.returncode != 0 and "Traceback" not in proc.stderr, proc.stderr
    assert "took longer than 2 seconds" in proc.stderr and "{% for a in naam %}" in proc.stderr


def test_ordinary_placeholders_still_render():
    from templategen.content.placeholders import JINJA, fill

    texts = {
        "Beste {{ naam }}": "Beste Anna",
        "{{ organisatie | default('uw school', true) }}": "uw school",
        "{% for n in range(3) %}{{ n }}{% endfor %}": "012",
        "{{ '%5.1f' % 2.25 }} {{ '{:>4}'.format(7) }}": "  2.2    7",
        "{{ 'ab' * 3 }}{{ naam|upper|center(8) }}": "ababab  ANNA  ",
    }
    for text, want in texts.items():
        assert fill(JINJA.from_string(text), {"naam": "Anna", "organisatie": ""}) == want, text

"""``templategen convert`` (issue 21): each bundled instrument (and a bilingual one) converts
to an XLSForm that ODK's pyxform accepts and back to the same model — slot keys, items,
answers, rules, texts in every language — and on to YAML that loads as that model again."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import templategen
from templategen import api
from templategen.cli import main
from templategen.content.catalog import BUNDLED_CONTENT, load_catalog
from templategen.content.languages import Text
from templategen.content.model import Instrument
from templategen.errors import OptionError

BILINGUAL = Path(__file__).parent / "fixtures" / "content_lang" / "tweetalig.yaml"
SOURCES = [*sorted(BUNDLED_CONTENT.glob("*.yaml")), BILINGUAL]
CHECK = Path(__file__).resolve().parents[2] / "shared" / "tools" / "ooxml" / "check.py"


def plain(value: Any) -> Any:
    """The model as data, without where it was read (file, lines); translations kept."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.name not in ("line", "path")}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, Text):
        return (str(value), dict(value.translations))
    return value


def only(path: Path) -> Instrument:
    return next(iter(load_catalog(path).instruments.values()))


@pytest.mark.parametrize("source", SOURCES, ids=[p.stem for p in SOURCES])
def test_an_instrument_converts_to_xlsform_and_back_to_the_same_model(source: Path,
                                                                      tmp_path: Path) -> None:
    original = only(source)
    arg = original.id if source.parent == BUNDLED_CONTENT else str(source)
    xlsx, yaml_file = tmp_path / f"{original.id}.xlsx", tmp_path / f"{original.id}.yaml"
    result = CliRunner().invoke(main, ["convert", arg, "--to", "xlsform", "--out", str(xlsx)])
    assert result.exit_code == 0 and result.stderr == "", result.output
    assert f"wrote {xlsx}" in result.stdout
    back = only(xlsx)
    assert [s.key for s in back.slots()] == [s.key for s in original.slots()]
    assert [r.id for r in back.rules] == [r.id for r in original.rules]
    assert plain(back) == plain(original)
    result = CliRunner().invoke(main, ["convert", str(xlsx), "--to", "yaml", "--out",
                                       str(yaml_file)])
    assert result.exit_code == 0, result.output
    assert plain(only(yaml_file)) == plain(original)
    checked = subprocess.run([sys.executable, str(CHECK), str(xlsx)], capture_output=True,
                             text=True, check=False).stdout
    assert "defects=0" in checked, checked
    from pyxform.xls2xform import convert  # what ODK Central and KoboToolbox run

    assert "<h:html" in convert(xlsform=str(xlsx)).xform


def test_convert_is_a_library_function_with_clear_errors(tmp_path: Path) -> None:
    assert "convert" in templategen.__all__ and templategen.convert is api.convert
    done = templategen.convert("ict_gesprek", to="xlsform", out=tmp_path / "ict.xlsx")
    assert (done.instrument, done.out, done.warnings) == ("ict_gesprek", tmp_path / "ict.xlsx",
                                                          ())
    with pytest.raises(OptionError, match="holds 5 instruments; name one with --only"):
        templategen.convert(BUNDLED_CONTENT, to="yaml", out=tmp_path / "x.yaml")
    done = templategen.convert(BUNDLED_CONTENT, to="yaml", out=tmp_path / "x.yaml",
                               only="shrm_ict")
    assert only(done.out).id == "shrm_ict"
    with pytest.raises(OptionError, match="no file or folder"):
        templategen.convert(tmp_path / "weg.xlsx", to="yaml", out=tmp_path / "y.yaml")
    result = CliRunner().invoke(main, ["convert", "ict_gesprek", "--to", "pdf", "--out", "x"])
    assert result.exit_code == 2

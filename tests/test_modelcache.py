"""The parsed-model cache (content/modelcache.py, #23): the next process reads the model an
earlier one parsed from the same YAML, and never a file that is not certainly its own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from templategen.content import modelcache
from templategen.content.catalog import load_catalog, parse_instrument

CONTENT = Path(__file__).parent / "fixtures" / "content"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TEMPLATEGEN_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache" / "models"


def _yaml() -> tuple[str, Path]:
    path = next(iter(sorted(CONTENT.glob("*.yaml"))))
    return path.read_text(encoding="utf-8"), path


def counting_parse():  # type: ignore[no-untyped-def]
    """A parse that records each text it parses (the cache's work shows as no call)."""
    calls: list[str] = []

    def parse(t: str, p: Path):  # type: ignore[no-untyped-def]
        calls.append(t)
        return parse_uncached(t, p)

    return calls, parse


def parse_uncached(text: str, path: Path):  # type: ignore[no-untyped-def]
    from templategen.content.catalog import _parse_instrument

    return _parse_instrument(text, path)


def test_a_model_parsed_once_is_read_back_equal_without_parsing(cache: Path) -> None:
    text, path = _yaml()
    calls, parse = counting_parse()
    first = modelcache.cached(text, path, parse)
    second = modelcache.cached(text, path, parse)
    assert len(calls) == 1 and second == first and second is not first
    assert [f.name for f in cache.iterdir()] == [f"{modelcache.model_key(text, path)}.pickle"]
    # another text (or the same text at another path) is another model
    modelcache.cached(text + "\n", path, parse)
    modelcache.cached(text, path.with_name("elders.yaml"), parse)
    assert len(calls) == 3


def test_a_catalog_loads_the_same_from_the_cache_in_a_new_process(cache: Path) -> None:
    fresh = load_catalog(CONTENT)
    assert any(cache.iterdir())
    code = ("import pickle, sys; from pathlib import Path; "
            "from templategen.content.catalog import load_catalog; "
            f"sys.stdout.buffer.write(pickle.dumps(load_catalog(Path({str(CONTENT)!r}))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True,
                         env=dict(os.environ)).stdout
    import pickle

    assert pickle.loads(out).instruments == fresh.instruments


@pytest.mark.parametrize("spoil", ["damaged", "cut", "writable", "not_a_model"])
def test_a_cache_file_that_is_not_certainly_ours_is_parsed_again(cache: Path,
                                                                 spoil: str) -> None:
    text, path = _yaml()
    calls, parse = counting_parse()
    model = modelcache.cached(text, path, parse)
    file = cache / f"{modelcache.model_key(text, path)}.pickle"
    data = file.read_bytes()
    if spoil == "damaged":
        file.write_bytes(data[:-10] + bytes(b ^ 0xFF for b in data[-10:]))
    elif spoil == "cut":
        file.write_bytes(data[: len(data) // 2])
    elif spoil == "writable":  # another user could have written it
        file.chmod(0o666)
    else:  # a valid digest over something else than a model
        import hashlib
        import pickle

        payload = pickle.dumps({"not": "a model"})
        file.write_bytes(hashlib.sha256(payload).digest() + payload)
    assert modelcache.cached(text, path, parse) == model
    assert len(calls) == 2


def test_content_with_problems_is_never_cached_and_the_cache_can_be_switched_off(
        cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from templategen.errors import ContentError

    with pytest.raises(ContentError):
        parse_instrument("id: x\n", tmp_path / "x.yaml")
    assert not cache.exists() or not any(cache.iterdir())
    monkeypatch.setenv("TEMPLATEGEN_CACHE", "off")
    text, path = _yaml()
    parse_instrument(text, path)
    assert not cache.exists() or not any(cache.iterdir())


XLSFORM = Path(__file__).parent / "fixtures" / "xlsform" / "attribute_columns_test.xlsx"
NO_PYXFORM = ("import sys; sys.modules['pyxform'] = None; "  # any import of pyxform fails
              "from templategen.cli import main; main()")


def validate(form: Path, *, pyxform: bool) -> subprocess.CompletedProcess[str]:
    """``templategen validate --content form`` in a new process, with pyxform importable or
    not (the cache's work shows as pyxform not being needed)."""
    code = ["-m", "templategen"] if pyxform else ["-c", NO_PYXFORM]
    return subprocess.run([sys.executable, *code, "validate", "--content", str(form)],
                          capture_output=True, text=True, check=False, env=dict(os.environ))


def test_an_xlsform_read_once_is_read_back_without_pyxform_with_its_warnings(
        cache: Path, tmp_path: Path) -> None:
    form = tmp_path / XLSFORM.name
    form.write_bytes(XLSFORM.read_bytes())
    without = validate(form, pyxform=False)
    assert without.returncode == 1 and not cache.exists(), without.stdout + without.stderr
    first = validate(form, pyxform=True)
    assert first.returncode == 0, first.stdout + first.stderr
    key = modelcache.xlsform_key(form.read_bytes(), form)
    assert [f.name for f in cache.iterdir()] == [f"{key}.pickle"]
    second = validate(form, pyxform=False)
    assert second.returncode == 0, second.stderr
    assert "'geopoint_test' (geopoint): cannot be a Word or Excel form field" in second.stderr
    assert (second.stdout, second.stderr) == (first.stdout, first.stderr)
    fresh = load_catalog(form)
    assert modelcache.cached_xlsform(form, lambda p: pytest.fail("read again")) == (
        fresh.instruments[next(iter(fresh.instruments))], fresh.sources[next(iter(
            fresh.sources))], fresh.warnings)
    # a changed file (one byte more in the zip's comment) misses the cache
    form.write_bytes(form.read_bytes() + b" ")
    assert validate(form, pyxform=False).returncode == 1
    assert validate(form, pyxform=True).returncode == 0 and len(list(cache.iterdir())) == 2


def test_the_code_digest_covers_the_xlsform_reading() -> None:
    folder = Path(modelcache.__file__).parent
    digest = modelcache._code.__wrapped__()  # type: ignore[attr-defined]
    import hashlib

    from templategen.version import __version__

    want = hashlib.sha256(__version__.encode())
    for module in sorted(folder.rglob("*.py")):
        want.update(module.relative_to(folder).as_posix().encode() + b"\x00"
                    + module.read_bytes())
    assert digest == want.hexdigest()
    assert any(m.parent.name == "xlsform" for m in folder.rglob("*.py"))


def test_the_folder_keeps_the_entries_used_last(cache: Path) -> None:
    text, path = _yaml()
    calls, parse = counting_parse()
    for n in range(4):  # four entries, the first the oldest
        modelcache.cached(text + "\n" * n, path, parse)
        file = cache / f"{modelcache.model_key(text + chr(10) * n, path)}.pickle"
        os.utime(file, (1_000_000 + n, 1_000_000 + n))
    modelcache.cached(text, path, parse)  # read: the first is now the one used last
    assert len(calls) == 4
    modelcache._prune(cache, keep=2)
    kept = {f.name for f in cache.iterdir()}
    assert kept == {f"{modelcache.model_key(t, path)}.pickle" for t in (text, text + "\n" * 3)}

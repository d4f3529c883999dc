"""Shared test set-up: the session's signing key, the store fixtures (a real PostgreSQL
server per session, a SQLite or PostgreSQL store) and the bundled content built once through
the CLI (``bundled_build``); the mail fixtures come from tests.support (mailkit,
mailservers)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from templategen import i18n
from templategen.cli import main
from templategen.i18n import ENV
from tests.support import pgserver
from tests.support.mailkit import mail_kit  # noqa: F401
from tests.support.mailservers import (  # noqa: F401
    imap_server,
    imaps_server,
    smtp_server,
    smtps_server,
    test_ca,
)


@pytest.fixture(scope="session", autouse=True)
def signing_key_file(tmp_path_factory):
    """The organiser's key of this test session (TEMPLATEGEN_KEY), never the user's own
    ~/.config/templategen/signing-key; subprocesses inherit it."""
    from templategen.content.signing import KEY_ENV

    path = tmp_path_factory.mktemp("key") / "signing-key"
    before = os.environ.get(KEY_ENV)
    os.environ[KEY_ENV] = str(path)
    yield path
    if before is None:
        os.environ.pop(KEY_ENV, None)
    else:
        os.environ[KEY_ENV] = before


@pytest.fixture(scope="session", autouse=True)
def console_language():
    """The tests assert what the tool says by its English message ids: TEMPLATEGEN_LANG=en
    for the session (subprocesses inherit it). tests/test_i18n.py clears it to prove that
    Dutch is the default and that every message has its Dutch text."""
    before = os.environ.get(ENV)
    os.environ[ENV] = "en"
    yield "en"
    if before is None:
        os.environ.pop(ENV, None)
    else:
        os.environ[ENV] = before


@pytest.fixture(autouse=True)
def _language_from_environment(console_language):
    """Each test starts with the language its environment says (a command run in-process
    with --lang must not carry over into the next test)."""
    i18n.choose()


@pytest.fixture(scope="session")
def bundled_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`templategen build --out DIR` of the bundled content, once per session: tests read its
    forms and workbooks and write what they make (PDFs) elsewhere or in subfolders."""
    out = tmp_path_factory.mktemp("bundled")
    result = CliRunner().invoke(main, ["build", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def pg_server():
    """One real PostgreSQL server for the session (skipped only where it is not installed)."""
    if pgserver.binaries() is None:
        pytest.skip("PostgreSQL is not installed (bash scripts/setup --dev installs it)")
    with pgserver.running() as server:
        yield server


@pytest.fixture
def pg_url(pg_server) -> str:
    """A fresh, empty PostgreSQL database on the session's server."""
    return pg_server.new_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_db(request, tmp_path):
    """A new, empty store on each back-end: a SQLite path or a PostgreSQL URL."""
    if request.param == "sqlite":
        return tmp_path / "store.sqlite"
    return request.getfixturevalue("pg_url")

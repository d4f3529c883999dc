"""A real PostgreSQL server for the tests: Debian's binaries, a Unix socket in a temp folder.

One server per test session (initdb takes a few seconds), one fresh database per test.
initdb and postgres refuse to run as root, and the tests run as root (CI too): then the
server runs as the unprivileged ``postgres`` user that Debian's package creates, through
``runuser``. It listens on no TCP port at all, only on a socket in its own temp folder,
so parallel test runs of other people on the machine never meet it.

(pytest-postgresql's process fixture runs pg_ctl as the current user, which as root
initdb refuses; this module does the same few steps with the user switch.)
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

USER = "postgres"


def binaries() -> Path | None:
    """The newest Debian PostgreSQL bin folder, or None when PostgreSQL is not installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parent.parent.name))
    return Path(found[-1]).parent if found else None


def _as_server_user(args: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return args
    return ["runuser", "-u", USER, "--"] + args


class Server:
    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.home = Path(tempfile.mkdtemp(prefix="tg-pg-"))
        self.data = self.home / "data"
        if os.geteuid() == 0:
            entry = pwd.getpwnam(USER)
            os.chown(self.home, entry.pw_uid, entry.pw_gid)
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        subprocess.run(_as_server_user([str(self.bindir / "initdb"), "-D", str(self.data),
                                        "-U", USER, "--auth=trust", "-E", "UTF8",
                                        "--locale=C.UTF-8"]),
                       check=True, capture_output=True)
        log = open(self.home / "server.log", "wb")  # noqa: SIM115 (kept open by the server)
        self.process = subprocess.Popen(
            _as_server_user([str(self.bindir / "postgres"), "-D", str(self.data),
                             "-k", str(self.home), "-c", "listen_addresses=",
                             "-c", "fsync=off", "-c", "max_connections=50"]),
            stdout=log, stderr=subprocess.STDOUT)
        socket = self.home / ".s.PGSQL.5432"
        deadline = time.monotonic() + 30
        while not socket.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("PostgreSQL did not start: "
                                   + (self.home / "server.log").read_text(errors="replace"))
            time.sleep(0.1)
        time.sleep(0.2)

    def url(self, dbname: str) -> str:
        return f"postgresql://{USER}@/{dbname}?host={self.home}"

    def new_database(self) -> str:
        import psycopg

        name = "tg_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(20)
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.home, ignore_errors=True)


@contextlib.contextmanager
def running() -> Iterator[Server]:
    bindir = binaries()
    if bindir is None:
        raise RuntimeError("no PostgreSQL binaries")
    server = Server(bindir)
    try:
        server.start()
        yield server
    finally:
        server.stop()

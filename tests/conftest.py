"""Shared test setup: `helpers` importable from every test, a clean environment, and databases.

pyproject.toml is not ours to change, so tests/ goes on sys.path here.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

_TESTS = str(Path(__file__).resolve().parent)
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)


@pytest.fixture(autouse=True)
def _no_sheetclerk_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own SHEETCLERK_* variables must not change what a test sees."""
    for name in list(os.environ):
        if name.startswith("SHEETCLERK_"):
            monkeypatch.delenv(name)


# --------------------------------------------------------------------------------------
# PostgreSQL for ledger tests.
#
#   pg_url        (session) a database URL on a PostgreSQL server for this test process:
#                 SHEETCLERK_TEST_PG_URL if set (as .ci/run does; under xdist each worker
#                 gets its own database `<name>_<worker>` on that server, created on demand),
#                 else a throwaway cluster this process starts in a temp dir (initdb, as the
#                 `postgres` user when running as root) and stops at the end of the session.
#                 No PostgreSQL at all: the test is skipped, but fails when CI is set.
#   fresh_pg_url  (function) a brand-new empty database on that server, dropped afterwards.
#   ledger_url    (function, parametrized "sqlite" / "postgresql") an empty ledger URL on
#                 each backend; the postgresql case carries the `postgresql` mark.
#
# URLs are SQLAlchemy strings for the psycopg 3 driver: postgresql+psycopg://...
# Throwaway servers run with fsync off and lock_timeout=60s (a test whose connections wait
# on each other fails rather than hangs); a watchdog stops one whose test process was killed.
# --------------------------------------------------------------------------------------

#: Taken out of the environment at import, before any test (or a module-scoped fixture that
#: loads settings) can see it: sheetclerk rejects SHEETCLERK_* variables that name no setting.
#: xdist workers are started after this, so it reaches them under a name without that prefix.
_PG_URL_FROM_ENV = (
    os.environ.pop("SHEETCLERK_TEST_PG_URL", "") or os.environ.get("_SHEETCLERK_TEST_PG_URL", "")
).strip()
if _PG_URL_FROM_ENV:
    os.environ["_SHEETCLERK_TEST_PG_URL"] = _PG_URL_FROM_ENV
_IN_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgresql: needs a PostgreSQL server (see the pg_url fixture)")


def _pg_unavailable(reason: str) -> NoReturn:
    """Skip on a developer's machine; in CI a missing PostgreSQL is a failure, not a skip."""
    if _IN_CI:
        pytest.fail(f"{reason} (CI is set, so this is an error; .ci/run should have started a server)", pytrace=False)
    pytest.skip(reason)


def _pg_bin_dir() -> Path | None:
    """A directory with initdb and pg_ctl: from PATH, else Debian's /usr/lib/postgresql/*/bin."""
    found = shutil.which("initdb")
    candidates = [Path(found).resolve().parent] if found else []

    def version(p: str) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", Path(p).parent.name)) or (0,)

    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)]
    for d in candidates:
        if (d / "initdb").exists() and (d / "pg_ctl").exists():
            return d
    return None


def _as_cluster_owner(argv: list[str]) -> list[str]:
    """initdb refuses to run as root: run the cluster as `postgres` then."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return argv
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", "postgres", "--", *argv]
    return ["su", "postgres", "-s", "/bin/sh", "-c", subprocess.list2cmdline(argv)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _with_database(url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=name).render_as_string(hide_password=False)


@contextlib.contextmanager
def _admin(url: str) -> Iterator[object]:
    """An autocommit psycopg connection to the database `url` names (CREATE/DROP DATABASE)."""
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    params = {"host": u.host, "port": u.port, "user": u.username, "password": u.password, "dbname": u.database}
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}, autocommit=True, connect_timeout=10) as conn:
        yield conn


def _create_database(admin_url: str, name: str) -> None:
    from psycopg import sql

    with _admin(admin_url) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))


def _drop_database(admin_url: str, name: str) -> None:
    from psycopg import sql

    with _admin(admin_url) as conn:
        force = sql.SQL(" WITH (FORCE)") if conn.info.server_version >= 130000 else sql.SQL("")
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)) + force)


#: Test servers turn a lock wait of over a minute into an error: a test whose connections
#: wait on each other (which PostgreSQL cannot see as a deadlock) fails instead of hanging CI.
_SERVER_OPTIONS = (
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 -c lock_timeout=60s"
)

#: Run detached beside a cluster: stops it and removes its folder if the test process dies
#: without tearing down (killed by a timeout, SIGTERM, a crash); exits once the folder is gone.
_WATCHDOG = r"""
import os, shutil, subprocess, sys, time
pid, root, stop = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
def alive(p):
    try:
        os.kill(p, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
while os.path.isdir(root):
    if not alive(pid):
        subprocess.run(stop, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        shutil.rmtree(root, ignore_errors=True)
        break
    time.sleep(1)
"""


class _ThrowawayCluster:
    """initdb + pg_ctl in a temp dir, 127.0.0.1 only, trust auth, superuser `postgres`."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        # /tmp rather than pytest's tmp dirs: those are private to root, and the server may run as `postgres`.
        self.dir = Path(tempfile.mkdtemp(prefix="sheetclerk-pg-", dir="/tmp" if os.path.isdir("/tmp") else None))
        self.data = self.dir / "data"
        self.port = 0
        self.started = False

    def _run(self, argv: list[str], what: str) -> None:
        done = subprocess.run(_as_cluster_owner(argv), capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            log = self.dir / "server.log"
            extra = log.read_text(errors="replace")[-3000:] if log.exists() else ""
            raise RuntimeError(f"PostgreSQL {what} failed ({done.returncode}):\n{done.stdout}{done.stderr}{extra}")

    def start(self) -> str:
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            import pwd

            owner = pwd.getpwnam("postgres")
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)
        self._run(
            [str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
             "--encoding=UTF8", "--locale=C", "--no-sync"],
            "initdb",
        )
        for attempt in range(3):  # a free port can be taken between probing and binding
            self.port = _free_port()
            options = (
                f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.dir} {_SERVER_OPTIONS}"
            )
            try:
                self._run(
                    [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "server.log"),
                     "-w", "-t", "60", "-o", options, "start"],
                    "start",
                )
            except RuntimeError:
                if attempt == 2:
                    raise
                time.sleep(0.2)
                continue
            self.started = True
            self._start_watchdog()
            return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        raise AssertionError("unreachable")

    def _stop_argv(self) -> list[str]:
        return _as_cluster_owner([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop"])

    def _start_watchdog(self) -> None:
        if os.name == "nt":  # os.kill(pid, 0) is not a liveness probe there
            return
        subprocess.Popen(
            [sys.executable, "-c", _WATCHDOG, str(os.getpid()), str(self.dir), *self._stop_argv()],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,  # outlives a kill of this process group
        )

    def stop(self) -> None:
        try:
            if self.started:
                subprocess.run(self._stop_argv(), capture_output=True, timeout=90)
        finally:
            self.started = False
            shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def _pg_server() -> Iterator[str]:
    """A URL to an existing database on the server, used to create and drop databases."""
    if _PG_URL_FROM_ENV:
        yield _PG_URL_FROM_ENV
        return
    bindir = _pg_bin_dir()
    if bindir is None:
        _pg_unavailable("PostgreSQL not available (no initdb/pg_ctl on PATH or under /usr/lib/postgresql)")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        import pwd

        try:
            pwd.getpwnam("postgres")
        except KeyError:
            _pg_unavailable("PostgreSQL not available: running as root and there is no `postgres` user to run initdb")
    cluster = _ThrowawayCluster(bindir)
    atexit.register(cluster.stop)  # also when the session ends without fixture teardown
    try:
        yield cluster.start()
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def pg_url(_pg_server: str) -> Iterator[str]:
    """A PostgreSQL database for this test process (shared by its tests; see the block comment)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if _PG_URL_FROM_ENV:
        if not worker:
            yield _PG_URL_FROM_ENV
            return
        from sqlalchemy.engine import make_url

        name = f"{make_url(_PG_URL_FROM_ENV).database or 'sheetclerk_test'}_{worker}"
    else:
        name = "sheetclerk_test"
    _drop_database(_pg_server, name)  # a leftover from an interrupted run
    _create_database(_pg_server, name)
    try:
        yield _with_database(_pg_server, name)
    finally:
        _drop_database(_pg_server, name)


@pytest.fixture
def fresh_pg_url(_pg_server: str) -> Iterator[str]:
    """A brand-new, empty PostgreSQL database for one test; dropped (even if still connected) afterwards."""
    name = f"sheetclerk_t_{uuid.uuid4().hex[:16]}"
    _create_database(_pg_server, name)
    try:
        yield _with_database(_pg_server, name)
    finally:
        _drop_database(_pg_server, name)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty ledger's SQLAlchemy URL, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{(tmp_path / 'ledger.db').as_posix()}"
    return request.getfixturevalue("fresh_pg_url")

"""Shared test fixtures: where the real PostgreSQL and Redis servers are, and how to skip honestly.

Tests that need a server skip with a clear reason when it is absent, except when
``PRODEX_TEST_REQUIRE_SERVICES=1`` (set by ``.ci/run``): then its absence is a failure.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from fixtures.processes import become_subreaper, left_behind

# The local fixture shop (tests/fixtures/shop_server.py) gives every test the `shop_server` fixture.
pytest_plugins = ["fixtures.shop_server"]

POSTGRES_URL = os.environ.get("PRODEX_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("PRODEX_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REQUIRE_SERVICES = os.environ.get("PRODEX_TEST_REQUIRE_SERVICES") == "1"
SHARED_DIR = Path(__file__).resolve().parents[2] / "shared"
DATASET_DIR = SHARED_DIR / "datasets" / "product-pages"
CONTRACT_PATH = SHARED_DIR / "contract" / "openapi.yaml"


def server_reachable(url: str, default_port: int) -> bool:
    """Whether a TCP connection to the URL's host and port (on this machine) succeeds."""
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), 1):
            return True
    except OSError:
        return False


def need(condition: bool, reason: str) -> None:
    """Skip the test when ``condition`` is false, or fail when services are required (CI)."""
    if condition:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"required by PRODEX_TEST_REQUIRE_SERVICES=1 but unavailable: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def require() -> Callable[[bool, str], None]:
    """:func:`need` for the conftest files of subfolders, which cannot import it (their module is
    also called ``conftest``): ``def fixture(require): require(cond, reason)``."""
    return need


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The PostgreSQL URL for tests; skips (or fails on CI) when the server is absent."""
    need(server_reachable(POSTGRES_URL, 5432), f"PostgreSQL not reachable at {POSTGRES_URL}")
    return POSTGRES_URL


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis URL for tests; skips (or fails on CI) when the server is absent."""
    need(server_reachable(REDIS_URL, 6379), f"Redis not reachable at {REDIS_URL}")
    return REDIS_URL


@pytest.fixture(scope="session")
def dataset_dir() -> Path:
    """The shared labelled product pages; skips (or fails on CI) when ../shared is absent."""
    need((DATASET_DIR / "labels.json").is_file(), f"dataset not found at {DATASET_DIR}")
    return DATASET_DIR


@pytest.fixture(scope="session")
def contract_path() -> Path:
    """The shared JoggAI contract (openapi.yaml); skips (or fails on CI) when ../shared is absent."""
    need(CONTRACT_PATH.is_file(), f"contract not found at {CONTRACT_PATH}")
    return CONTRACT_PATH


@contextmanager
def new_postgres_database(postgres_url: str) -> Iterator[str]:
    """Create an empty PostgreSQL database with a unique name; yield its URL; drop it afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"prodex_test_{os.getpid()}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def make_postgres_database() -> Callable[[str], AbstractContextManager[str]]:
    """:func:`new_postgres_database` for the tests of subfolders, which cannot import this module
    (their own conftest is also called ``conftest``)."""
    return new_postgres_database


@pytest.fixture(scope="session")
def postgres_database_url(postgres_url: str) -> Iterator[str]:
    """A PostgreSQL database of this test session's own (concurrent runs never collide)."""
    with new_postgres_database(postgres_url) as url:
        yield url


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database URL shared by the session's tests, once for SQLite and once for PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'prodex.db'}"
    return str(request.getfixturevalue("postgres_database_url"))


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A brand-new empty database for one test, once for SQLite and once for PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.db'}"
        return
    postgres_url = request.getfixturevalue("postgres_url")
    with new_postgres_database(postgres_url) as url:
        yield url


def pytest_sessionstart(session: pytest.Session) -> None:
    """Adopt orphaned descendants, so that the check at the end sees every process tests started."""
    become_subreaper()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when a process it started (a server, a worker, a browser) is still alive."""
    if getattr(session.config, "workerinput", None) is not None:
        return
    leaked = left_behind()
    if leaked:
        lines = "\n".join(f"  {pid}: {cmd[:200]}" for pid, cmd in leaked.items())
        session.config.get_terminal_writer().line(
            f"\nERROR: {len(leaked)} process(es) started by the tests are still running:\n{lines}", red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED

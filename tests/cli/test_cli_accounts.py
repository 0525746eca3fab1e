"""`prodex accounts ...` on SQLite and PostgreSQL: keys printed once on the last line (or as
JSON), stored only as a hash; listing, key issue/revoke, plan changes, credits, enable/disable."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_helpers import clean_env, run_prodex
from typer.testing import CliRunner

from prodex.cli import app
from prodex.errors import NoPermission
from prodex.service.keys import authenticate
from prodex.settings import get_settings
from prodex.store.db import Database


@pytest.fixture
def cli_database(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    """Point the CLI (in this process) at the test database; yield a handle to check it."""
    for name in list(os.environ):
        if name.startswith("PRODEX_") and not name.startswith("PRODEX_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PRODEX_DATABASE_URL", database_url)
    get_settings.cache_clear()
    database = Database(database_url, pool_size=1)
    yield database
    database.dispose()
    get_settings.cache_clear()


def invoke(*args: str) -> tuple[int, str, str]:
    """Run the CLI in this process; returns exit code, stdout and stderr."""
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_create_prints_the_key_on_its_last_line(cli_database: Database) -> None:
    code, out, _ = invoke("accounts", "create", "--name", "Acme", "--plan", "pro", "--credits", "25")
    assert code == 0, out
    key = out.strip().splitlines()[-1]
    principal = authenticate(cli_database, key)
    assert principal.plan == "pro"
    code, out, _ = invoke("accounts", "show", str(principal.account_id), "--json")
    shown = json.loads(out)
    assert shown["account"]["credits"] == 25
    assert shown["account"]["name"] == "Acme"
    assert key not in out
    assert shown["keys"][0]["prefix"] == key[:12]
    assert shown["ledger"][0]["kind"] == "grant"


def test_json_output_for_machines(cli_database: Database) -> None:
    code, out, _ = invoke("accounts", "create", "--name", "Bot", "--json", "--email", "bot@example.org")
    assert code == 0
    created = json.loads(out)
    assert authenticate(cli_database, created["api_key"]).account_id == created["account"]["id"]
    code, out, _ = invoke("accounts", "list", "--json")
    listed = {a["id"]: a for a in json.loads(out)}
    assert listed[created["account"]["id"]]["email"] == "bot@example.org"
    code, out, _ = invoke("accounts", "list")
    assert code == 0 and "Bot" in out


def test_issue_and_revoke_keys(cli_database: Database) -> None:
    created = json.loads(invoke("accounts", "create", "--name", "Keys", "--json")[1])
    account_id = created["account"]["id"]
    code, out, _ = invoke("accounts", "issue-key", str(account_id), "--label", "ci")
    assert code == 0
    second = out.strip().splitlines()[-1]
    assert second != created["api_key"]
    assert authenticate(cli_database, second).account_id == account_id
    second_id = authenticate(cli_database, second).key_id
    code, out, _ = invoke("accounts", "revoke-key", str(second_id))
    assert code == 0 and "revoked" in out
    with pytest.raises(NoPermission):
        authenticate(cli_database, second)
    assert authenticate(cli_database, created["api_key"]).account_id == account_id


def test_plans_credits_and_api_access(cli_database: Database) -> None:
    created = json.loads(invoke("accounts", "create", "--name", "Ops", "--json")[1])
    account_id, key = str(created["account"]["id"]), created["api_key"]
    assert json.loads(invoke("accounts", "set-plan", account_id, "enterprise", "--json")[1])["account"][
        "plan"
    ] == ("enterprise")
    assert authenticate(cli_database, key).plan == "enterprise"
    added = json.loads(
        invoke("accounts", "add-credits", account_id, "40", "--reason", "invoice 7", "--json")[1]
    )
    assert added["account"]["credits"] == 40
    assert (
        json.loads(invoke("accounts", "disable", account_id, "--json")[1])["account"]["api_enabled"] is False
    )
    with pytest.raises(NoPermission):
        authenticate(cli_database, key)
    assert json.loads(invoke("accounts", "enable", account_id, "--json")[1])["account"]["api_enabled"] is True
    assert authenticate(cli_database, key).account_id == int(account_id)


def test_mistakes_exit_non_zero_with_a_clear_message(cli_database: Database) -> None:
    code, _, err = invoke("accounts", "create", "--name", "X", "--plan", "platinum")
    assert code == 1 and "Unknown plan 'platinum'" in err
    code, _, err = invoke("accounts", "add-credits", "999999", "5")
    assert code == 1 and "No account with id 999999" in err
    code, _, _ = invoke("accounts", "add-credits", "1", "0")
    assert code == 2  # usage error: at least 1
    code, _, err = invoke("accounts", "revoke-key", "999999")
    assert code == 1 and "No API key" in err


def test_plans_can_be_configured(cli_database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRODEX_PLANS", '{"gold": {"requests_per_minute": 7, "concurrent_analyses": 3}}')
    monkeypatch.setenv("PRODEX_DEFAULT_PLAN", "gold")
    get_settings.cache_clear()
    plans = json.loads(invoke("accounts", "plans", "--json")[1])
    assert plans == {"gold": {"requests_per_minute": 7, "concurrent_analyses": 3, "credits_per_analysis": 1}}
    created = json.loads(invoke("accounts", "create", "--name", "Gold", "--json")[1])
    assert created["account"]["plan"] == "gold"
    assert invoke("accounts", "create", "--name", "Pro", "--plan", "pro")[0] == 1


def test_the_installed_command_works_on_a_fresh_machine(tmp_path: Path) -> None:
    """The real console script, default settings: SQLite created in the per-user data folder
    (~/.local/share/prodex), not in the folder the command runs in; key on the last line."""
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = clean_env(HOME=str(home))
    env.pop("XDG_DATA_HOME", None)
    result = run_prodex(
        "accounts",
        "create",
        "--name",
        "Fresh",
        "--plan",
        "pro",
        "--credits",
        "5",
        env=env,
        cwd=elsewhere,
    )
    assert result.returncode == 0, result.stderr
    key = result.stdout.strip().splitlines()[-1]
    assert key.startswith("pdx_") and len(key) > 40
    assert list(elsewhere.iterdir()) == []
    database_file = home / ".local" / "share" / "prodex" / "prodex.db"
    assert database_file.is_file()
    database = Database(f"sqlite:///{database_file}")
    try:
        assert authenticate(database, key).plan == "pro"
    finally:
        database.dispose()

"""`prodex serve --host H --port P` as a real process: it migrates the database, creates a
development account on first start only and prints its key once, clearly labelled, then serves."""

from __future__ import annotations

from pathlib import Path

import httpx
from cli_helpers import ServerProcess, clean_env, prodex_server

LABEL = "DEVELOPMENT API KEY"


def _printed_key(server: ServerProcess) -> str | None:
    lines = [line.strip() for line in server.stdout]
    for index, line in enumerate(lines):
        if LABEL in line:
            return lines[index + 1]
    return None


def _first_and_second_start(env: dict[str, str], cwd: Path) -> None:
    with prodex_server(env, cwd) as first:
        key = _printed_key(first)
        assert key is not None and key.startswith("pdx_")
        assert sum(LABEL in line for line in first.stdout) == 1
        health = httpx.get(f"{first.base_url}/healthz").json()
        assert health["data"]["status"] == "ok"
        assert health["data"]["components"]["database"] == "ok"
        who = httpx.get(f"{first.base_url}/v2/user/whoami", headers={"x-api-key": key}).json()
        assert (who["code"], who["data"]["username"]) == (0, "local-dev")
        quota = httpx.get(f"{first.base_url}/v2/user/remaining_quota", headers={"x-api-key": key}).json()
        assert quota["data"] == {"remaining_quota": 100}
        created = httpx.post(
            f"{first.base_url}/v2/product", headers={"x-api-key": key}, json={"name": "Kept"}
        )
        product_id = created.json()["data"]["product_id"]
    with prodex_server(env, cwd) as second:
        assert _printed_key(second) is None  # an account exists: nothing is created or printed
        assert all(key not in line for line in second.stdout + second.stderr)
        # every start says which database it uses and how to get a key
        banner = "".join(second.stdout)
        assert "database : " in banner
        assert "accounts issue-key 1 --label console" in banner
        kept = httpx.get(f"{second.base_url}/v2/product/{product_id}", headers={"x-api-key": key}).json()
        assert kept["data"]["name"] == "Kept"


def test_first_start_with_default_settings_uses_the_per_user_data_folder(tmp_path: Path) -> None:
    env = clean_env(XDG_DATA_HOME=str(tmp_path / "xdg"))
    _first_and_second_start(env, tmp_path)
    assert (tmp_path / "xdg" / "prodex" / "prodex.db").is_file()
    assert not (tmp_path / "data").exists()


def test_first_start_on_a_configured_database(fresh_database_url: str, tmp_path: Path) -> None:
    _first_and_second_start(clean_env(PRODEX_DATABASE_URL=fresh_database_url), tmp_path)
    assert not (tmp_path / "data" / "prodex.db").exists()

"""`prodex import` and `prodex imports` as real processes on SQLite: a file of URLs imported for an
account with a progress line, the final counts and a table of the failures; the list of imports."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from cli_helpers import clean_env, run_prodex

from fixtures.shop_server import ShopServer


def test_a_file_of_urls_is_imported_with_a_table_of_failures(tmp_path: Path, shop_server: ShopServer) -> None:
    env = clean_env(
        PRODEX_DATA_DIR=str(tmp_path / "data"),
        PRODEX_FETCH_ALLOW_PRIVATE="true",
        PRODEX_FETCH_ALLOWED_HOSTS=f"127.0.0.1:{shop_server.port}",
        PRODEX_EXTRACT_POOL="thread",
        PRODEX_RENDER="off",
        PRODEX_FETCH_RETRY_BACKOFF="0.01",
        PRODEX_JOBS_POLL_SECONDS="0.05",
    )
    created = run_prodex(
        "accounts", "create", "--name", "shop-owner", "--credits", "10", "--json", env=env, cwd=tmp_path
    )
    assert created.returncode == 0, created.stderr
    account_id = json.loads(created.stdout)["account"]["id"]
    tag = uuid.uuid4().hex[:8]
    missing = shop_server.url(f"/status/404?cli={tag}")
    urls = tmp_path / "urls.txt"
    urls.write_text(
        "# my catalogue\n"
        + "\n".join(
            [shop_server.url(f"/product/cli-{tag}-1"), shop_server.url(f"/product/cli-{tag}-2"), missing]
        )
        + "\n\n",
        encoding="utf-8",
    )
    result = run_prodex("import", str(urls), "--account", str(account_id), env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "done: 2 done, 1 failed, 0 cancelled of 3" in result.stdout
    assert "Failed items (1)" in result.stdout and "40000" in result.stdout
    listed = run_prodex("imports", "--account", str(account_id), env=env, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert "done" in listed.stdout and "urls" in listed.stdout
    accounts = run_prodex("accounts", "list", "--json", env=env, cwd=tmp_path)
    assert [a["credits"] for a in json.loads(accounts.stdout)] == [8]  # 3 charged, 1 refunded


def test_an_unknown_account_is_refused(tmp_path: Path) -> None:
    env = clean_env(PRODEX_DATA_DIR=str(tmp_path / "data"), PRODEX_EXTRACT_POOL="thread", PRODEX_RENDER="off")
    urls = tmp_path / "urls.txt"
    urls.write_text("http://127.0.0.1:9/product/x\n", encoding="utf-8")
    result = run_prodex("import", str(urls), "--account", "999", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "No account with id 999" in result.stdout + result.stderr

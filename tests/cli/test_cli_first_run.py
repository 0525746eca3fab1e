"""A first run as a new user meets it: `prodex --version`, help without type noise on flags, logs
readable in a terminal, one data folder whatever the current folder, a loopback refusal that says how
development allows it, and `prodex demo` whose printed curl example works end to end."""

from __future__ import annotations

import io
import re
import socket
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest
from cli_helpers import PRODEX, clean_env
from typer.testing import CliRunner

from prodex import __version__
from prodex.api.logs import wants_json
from prodex.cli import app
from prodex.errors import URLRefused
from prodex.fetch.guard import URLGuard
from prodex.settings import Settings, default_data_dir


def test_version_option() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"prodex {__version__}"


@pytest.mark.parametrize("command", [[], ["serve"], ["extract"], ["demo"], ["accounts", "create"]])
def test_help_shows_no_type_on_flags(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"], terminal_width=120)
    assert result.exit_code == 0
    assert "<bool>" not in result.stdout
    assert "--help" in result.stdout


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


def test_logs_are_readable_in_a_terminal_and_json_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stderr", _Stream(tty=True))
    assert wants_json(None) is False
    assert wants_json(True) is True  # PRODEX_LOG_JSON=true wins
    monkeypatch.setattr("sys.stderr", _Stream(tty=False))
    assert wants_json(None) is True
    assert wants_json(False) is False
    monkeypatch.setenv("PRODEX_LOG_JSON", "false")
    assert Settings().log_json is False
    monkeypatch.delenv("PRODEX_LOG_JSON")
    assert Settings().log_json is None


def test_the_data_folder_does_not_depend_on_the_current_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("PRODEX_DATA_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    assert default_data_dir() == tmp_path / "home" / ".local" / "share" / "prodex"
    assert Settings().data_dir == default_data_dir()
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert Settings().data_dir == tmp_path / "xdg" / "prodex"
    monkeypatch.setenv("XDG_DATA_HOME", "relative/ignored")  # the XDG spec: only absolute paths count
    assert Settings().data_dir == tmp_path / "home" / ".local" / "share" / "prodex"
    monkeypatch.setenv("PRODEX_DATA_DIR", str(tmp_path / "mine"))
    assert Settings().data_dir == tmp_path / "mine"


@pytest.mark.parametrize(
    ("url", "named"),
    [
        ("http://127.0.0.1:8080/p", "127.0.0.1"),
        ("http://[::1]:8080/p", "[::1]"),
        ("http://localhost/p", "localhost"),
    ],
)
def test_the_loopback_refusal_says_how_development_allows_it(url: str, named: str) -> None:
    guard = URLGuard(Settings(data_dir=Path("unused")))
    with pytest.raises(URLRefused) as refused:
        guard.check_url(url)
    message = refused.value.msg
    assert "PRODEX_FETCH_ALLOW_PRIVATE=true" in message
    assert f"PRODEX_FETCH_ALLOWED_HOSTS={named}:<port>" in message
    assert "never in production" in message


@pytest.mark.parametrize("url", ["http://10.1.2.3/p", "http://0x0a010203/p"])
def test_a_private_address_is_hinted_without_being_spelled_out(url: str) -> None:
    guard = URLGuard(Settings(data_dir=Path("unused")))
    with pytest.raises(URLRefused) as refused:
        guard.check_url(url)
    assert "PRODEX_FETCH_ALLOWED_HOSTS=<host>:<port>" in refused.value.msg
    assert "10.1" not in refused.value.msg


def test_metadata_and_link_local_addresses_get_no_development_hint() -> None:
    guard = URLGuard(Settings(data_dir=Path("unused")))
    with pytest.raises(URLRefused) as refused:
        guard.check_url("http://169.254.169.254/latest/meta-data/")
    assert "PRODEX_FETCH_ALLOW_PRIVATE" not in refused.value.msg


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_demo(home: Path) -> tuple[str, str, str]:
    """Start `prodex demo`, run its printed curl example with httpx, stop it; returns the key, the
    shop URL it printed and the created product's name."""
    port = _free_port()
    env = clean_env(HOME=str(home), PRODEX_RENDER="off", PRODEX_EXTRACT_POOL="thread")
    env.pop("XDG_DATA_HOME", None)
    process = subprocess.Popen(
        [PRODEX, "demo", "--port", str(port)],
        env=env,
        cwd=home,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out: list[str] = []
    err: list[str] = []
    threads = [
        threading.Thread(target=lambda: out.extend(process.stdout or []), daemon=True),
        threading.Thread(target=lambda: err.extend(process.stderr or []), daemon=True),
    ]
    for thread in threads:
        thread.start()
    try:
        deadline = time.monotonic() + 60
        while not any(f"Uvicorn running on http://127.0.0.1:{port}" in line for line in list(err)):
            assert process.poll() is None and time.monotonic() < deadline, "".join(err[-20:])
            time.sleep(0.1)
        printed = "".join(out)
        key = re.search(r"KEY=(pdx_\S+)", printed)
        shop = re.search(r'"url": "(http://127\.0\.0\.1:\d+/products/kettle)"', printed)
        assert key and shop, printed
        assert f"curl -s -X POST http://127.0.0.1:{port}/v2/product" in printed
        answer = httpx.post(
            f"http://127.0.0.1:{port}/v2/product",
            headers={"x-api-key": key.group(1)},
            json={"url": shop.group(1)},
            timeout=60,
        ).json()
        assert answer["code"] == 0, answer
        # the demo shop's pictures are stored and served by the demo server (in its own folder)
        media = answer["data"]["media"]
        assert media and all(m["url"].startswith(f"http://127.0.0.1:{port}/media/") for m in media), answer
        assert answer["data"]["media_dropped"] == [], answer
        assert httpx.get(media[0]["url"]).headers["content-type"] == media[0]["mime"]
        return key.group(1), shop.group(1), answer["data"]["name"]
    finally:
        process.terminate()
        process.wait(timeout=20)
        for thread in threads:
            thread.join(timeout=5)


def test_demo_serves_a_shop_that_the_printed_curl_example_turns_into_a_product(tmp_path: Path) -> None:
    first_key, _, name = _run_demo(tmp_path)
    assert name == "Glass Kettle 1.7 L"
    assert (tmp_path / ".local" / "share" / "prodex" / "demo" / "prodex.db").is_file()
    assert not (tmp_path / ".local" / "share" / "prodex" / "prodex.db").exists()  # your own data untouched
    assert list((tmp_path / ".local" / "share" / "prodex" / "demo" / "media").glob("*/*.png"))
    assert not (tmp_path / ".local" / "share" / "prodex" / "media").exists()
    second_key, _, _ = _run_demo(tmp_path)  # a new start issues a fresh demo key
    assert second_key != first_key

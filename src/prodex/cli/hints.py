"""What `prodex serve` tells a person on every start: where it serves, which database it uses,
where the API key is and how to issue a new one."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from prodex.settings import Settings
from prodex.store.records import AccountRecord

BAR = "=" * 78


def prodex_command() -> str:
    """How to call this very ``prodex`` from the current folder: ``prodex`` when it is the one on
    PATH, else its path (``.venv/bin/prodex`` in a checkout)."""
    script = Path(sys.argv[0]) if sys.argv and sys.argv[0] else Path("prodex")
    if script.name != "prodex":
        return "prodex"
    resolved = script.absolute()
    on_path = shutil.which("prodex")
    if on_path and Path(on_path).absolute() == resolved:
        return "prodex"
    try:
        return os.path.relpath(resolved)
    except ValueError:  # another drive (Windows)
        return str(resolved)


def database_location(settings: Settings) -> str:
    """The database in words: the SQLite file, or the URL without its password."""
    url = make_url(settings.effective_database_url)
    if url.get_backend_name() == "sqlite":
        return f"SQLite {url.database}"
    return url.render_as_string(hide_password=True)


def start_banner(
    settings: Settings,
    base_url: str,
    accounts: list[AccountRecord],
    new_key: tuple[AccountRecord, str] | None,
    *,
    demo: bool = False,
) -> str:
    """The lines printed on every start (with the new development key on the first one, or the
    demo's fresh key)."""
    command = prodex_command()
    lines = [
        BAR,
        f"prodex serves {base_url}  (console {base_url}/console, API docs {base_url}/docs)",
        f"  database : {database_location(settings)}",
        "             (PRODEX_DATA_DIR or PRODEX_DATABASE_URL choose another)",
    ]
    if new_key is not None:
        account, secret = new_key
        lines += [
            "prodex: a fresh demo key was issued (older demo keys are revoked)."
            if demo
            else "prodex: the database had no account, so a local development account was created.",
            f"  account : {account.name} (id {account.id}, plan {account.plan}, {account.credits} credits)",
            "  DEMO API KEY (valid until the next `prodex demo`):"
            if demo
            else "  DEVELOPMENT API KEY (shown only this once; it is stored only as a hash):",
            f"  {secret}",
            f"  try     : curl -H 'x-api-key: {secret}' {base_url}/v2/user/whoami",
        ]
    else:
        account_id = accounts[0].id if len(accounts) == 1 else None
        target = str(account_id) if account_id is not None else "<account id>"
        lines += [
            f"  accounts : {len(accounts)}; an API key is shown once, when it is issued (stored as a hash)",
            "  no key at hand? issue a new one (printed on its last line):",
            f"    {command} accounts issue-key {target} --label console",
        ]
        if account_id is None:
            lines.append(f"    (account ids: {command} accounts list)")
    lines.append(BAR)
    return "\n".join(lines)

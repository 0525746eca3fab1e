"""The `prodex accounts` commands: create accounts, list them, issue and revoke keys, change
plans, add credits, enable and disable API access.

Every command brings the database schema up to date first. ``create`` and ``issue-key`` print
the new API key on their last line (``--json`` prints one JSON object instead); the key is
shown only then and stored only as a hash.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from prodex.cli.app import app
from prodex.errors import ProdexError
from prodex.service.accounts import Accounts, IssuedKey
from prodex.service.credits import Credits
from prodex.settings import Settings, get_settings
from prodex.store.db import Database
from prodex.store.migrate import upgrade_database
from prodex.store.records import AccountRecord, ApiKeyRecord, LedgerEntry

accounts_app = typer.Typer(help="Manage accounts, API keys, plans and credits.", no_args_is_help=True)
app.add_typer(accounts_app, name="accounts")

JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object (for scripts).")]
AccountId = Annotated[int, typer.Argument(help="Account id (see `prodex accounts list`).")]


@contextmanager
def _services() -> Iterator[tuple[Settings, Accounts, Credits]]:
    """Open the configured database (migrated), yield the services, and report errors cleanly."""
    settings = get_settings()
    database = Database(settings.effective_database_url, pool_size=2)
    try:
        upgrade_database(database)
        yield settings, Accounts(database, settings), Credits(database)
    except ProdexError as exc:
        typer.echo(f"error: {exc.msg}", err=True)
        raise typer.Exit(1) from None
    finally:
        database.dispose()


def _account_json(account: AccountRecord) -> dict[str, Any]:
    return {
        "id": account.id,
        "name": account.name,
        "email": account.email,
        "plan": account.plan,
        "credits": account.credits,
        "api_enabled": account.api_enabled,
        "created_at": account.created_at.isoformat(),
    }


def _key_json(key: ApiKeyRecord) -> dict[str, Any]:
    return {
        "id": key.id,
        "account_id": key.account_id,
        "prefix": key.prefix,
        "label": key.label,
        "created_at": key.created_at.isoformat(),
        "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
    }


def _entry_json(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "delta": entry.delta,
        "kind": entry.kind,
        "reason": entry.reason,
        "ref": entry.ref,
        "refund_of": entry.refund_of,
        "balance_after": entry.balance_after,
        "created_at": entry.created_at.isoformat(),
    }


def _print_json(value: Any) -> None:
    typer.echo(orjson.dumps(value).decode())


def _print_account(account: AccountRecord) -> None:
    state = "enabled" if account.api_enabled else "DISABLED"
    summary = f"account {account.id} {account.name!r}: plan {account.plan}, {account.credits} credits"
    typer.echo(f"{summary}, API access {state}")


def _print_new_key(issued: IssuedKey) -> None:
    typer.echo(
        f"key {issued.key.id} ({issued.key.prefix}...) issued; it is shown only now and stored as a hash."
    )
    typer.echo("API key:")
    typer.echo(issued.secret)


@accounts_app.command("create")
def create(
    name: Annotated[str, typer.Option(help="Account name (shown as username by whoami).")],
    plan: Annotated[str | None, typer.Option(help="Plan name (default: PRODEX_DEFAULT_PLAN).")] = None,
    credits: Annotated[int, typer.Option(min=0, help="Credits granted now.")] = 0,
    email: Annotated[str, typer.Option(help="Contact email (shown by whoami).")] = "",
    label: Annotated[str, typer.Option(help="Label of the first key.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Create an account and its first API key; the key is printed on the last line."""
    with _services() as (_settings, accounts, _credits):
        account, issued = accounts.create(name=name, plan=plan, credits=credits, email=email, label=label)
    if as_json:
        _print_json(
            {"account": _account_json(account), "key": _key_json(issued.key), "api_key": issued.secret}
        )
        return
    _print_account(account)
    _print_new_key(issued)


@accounts_app.command("list")
def list_accounts(as_json: JsonOption = False) -> None:
    """List every account."""
    with _services() as (_settings, accounts, _credits):
        rows = accounts.all()
    if as_json:
        _print_json([_account_json(a) for a in rows])
        return
    table = Table("id", "name", "email", "plan", "credits", "API", "created")
    for a in rows:
        table.add_row(
            str(a.id),
            a.name,
            a.email,
            a.plan,
            str(a.credits),
            "enabled" if a.api_enabled else "disabled",
            a.created_at.strftime("%Y-%m-%d %H:%M"),
        )
    Console().print(table)


@accounts_app.command("show")
def show(account_id: AccountId, as_json: JsonOption = False) -> None:
    """Show one account, its keys and its latest credit movements."""
    with _services() as (_settings, accounts, credits):
        account = accounts.get(account_id)
        keys = accounts.keys(account_id)
        entries = credits.entries(account_id, limit=20)
    if as_json:
        _print_json(
            {
                "account": _account_json(account),
                "keys": [_key_json(k) for k in keys],
                "ledger": [_entry_json(e) for e in entries],
            }
        )
        return
    _print_account(account)
    key_table = Table("key id", "prefix", "label", "created", "revoked", title="API keys")
    for k in keys:
        key_table.add_row(
            str(k.id),
            k.prefix + "...",
            k.label,
            k.created_at.strftime("%Y-%m-%d %H:%M"),
            k.revoked_at.strftime("%Y-%m-%d %H:%M") if k.revoked_at else "",
        )
    ledger_table = Table(
        "id", "delta", "kind", "reason", "ref", "balance", "time", title="Latest credit movements"
    )
    for e in entries:
        ledger_table.add_row(
            str(e.id),
            f"{e.delta:+d}",
            e.kind,
            e.reason,
            e.ref,
            str(e.balance_after),
            e.created_at.strftime("%Y-%m-%d %H:%M:%S"),
        )
    console = Console()
    console.print(key_table)
    console.print(ledger_table)


@accounts_app.command("issue-key")
def issue_key(
    account_id: AccountId,
    label: Annotated[str, typer.Option(help="A label to recognise the key by.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Issue another API key for an account; the key is printed on the last line."""
    with _services() as (_settings, accounts, _credits):
        issued = accounts.issue_key(account_id, label)
    if as_json:
        _print_json({"key": _key_json(issued.key), "api_key": issued.secret})
        return
    _print_new_key(issued)


@accounts_app.command("revoke-key")
def revoke_key(
    key_id: Annotated[int, typer.Argument(help="Key id (see `prodex accounts show`).")],
    as_json: JsonOption = False,
) -> None:
    """Revoke an API key for good (its calls answer 18025 within PRODEX_API_AUTH_CACHE_SECONDS)."""
    with _services() as (_settings, accounts, _credits):
        key = accounts.revoke_key(key_id)
    if as_json:
        _print_json({"key": _key_json(key)})
        return
    typer.echo(f"key {key.id} ({key.prefix}...) of account {key.account_id} is revoked")


@accounts_app.command("set-plan")
def set_plan(
    account_id: AccountId,
    plan: Annotated[str, typer.Argument(help="A configured plan (see `prodex accounts plans`).")],
    as_json: JsonOption = False,
) -> None:
    """Move an account to another plan."""
    with _services() as (_settings, accounts, _credits):
        account = accounts.set_plan(account_id, plan)
    _print_json({"account": _account_json(account)}) if as_json else _print_account(account)


@accounts_app.command("add-credits")
def add_credits(
    account_id: AccountId,
    amount: Annotated[int, typer.Argument(min=1, help="Credits to add.")],
    reason: Annotated[str, typer.Option(help="Why (kept in the ledger).")] = "grant",
    as_json: JsonOption = False,
) -> None:
    """Add credits to an account (recorded in the ledger)."""
    with _services() as (_settings, accounts, credits):
        accounts.get(account_id)
        entry_id = credits.grant(account_id, amount, reason)
        account = accounts.get(account_id)
    if as_json:
        _print_json({"account": _account_json(account), "ledger_id": entry_id})
        return
    _print_account(account)


def _set_enabled(account_id: int, enabled: bool, as_json: bool) -> None:
    with _services() as (_settings, accounts, _credits):
        account = accounts.set_api_enabled(account_id, enabled)
    _print_json({"account": _account_json(account)}) if as_json else _print_account(account)


@accounts_app.command("disable")
def disable(account_id: AccountId, as_json: JsonOption = False) -> None:
    """Forbid an account to call the API (its keys answer 18025)."""
    _set_enabled(account_id, False, as_json)


@accounts_app.command("enable")
def enable(account_id: AccountId, as_json: JsonOption = False) -> None:
    """Allow a disabled account to call the API again."""
    _set_enabled(account_id, True, as_json)


@accounts_app.command("plans")
def plans(as_json: JsonOption = False) -> None:
    """List the configured plans (PRODEX_PLANS overrides the defaults)."""
    settings = get_settings()
    if as_json:
        _print_json({name: plan.model_dump() for name, plan in settings.plans.items()})
        return
    table = Table("plan", "requests/min", "concurrent URL analyses", "credits/analysis", "default")
    for name, plan in settings.plans.items():
        table.add_row(
            name,
            str(plan.requests_per_minute),
            str(plan.concurrent_analyses),
            str(plan.credits_per_analysis),
            "yes" if name == settings.default_plan else "",
        )
    Console().print(table)

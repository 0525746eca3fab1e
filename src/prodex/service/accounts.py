"""Accounts and their keys: create, list, change plan, enable/disable, issue and revoke keys."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

from prodex.errors import InvalidParameter, RecordNotFound
from prodex.service.clock import utcnow
from prodex.service.credits import grant_within
from prodex.service.keys import display_prefix, generate_api_key, hash_api_key
from prodex.settings import Settings
from prodex.store import accounts as repo
from prodex.store.db import Database
from prodex.store.records import AccountRecord, ApiKeyRecord

DEV_ACCOUNT_NAME = "local-dev"
_DEV_LOCK_KEY = 0x70726F646576  # PostgreSQL advisory lock for the one-time dev account


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A freshly issued key: ``secret`` is the only copy of the key and is never stored."""

    key: ApiKeyRecord
    secret: str


class Accounts:
    """Account administration (used by the CLI and by ``prodex serve`` on first start)."""

    def __init__(self, database: Database, settings: Settings) -> None:
        self._database = database
        self._settings = settings

    def _check_plan(self, plan: str) -> str:
        if plan not in self._settings.plans:
            known = ", ".join(sorted(self._settings.plans))
            raise InvalidParameter(f"Unknown plan {plan!r}; configured plans: {known}.", field="plan")
        return plan

    def create(
        self, *, name: str, plan: str | None = None, credits: int = 0, email: str = "", label: str = ""
    ) -> tuple[AccountRecord, IssuedKey]:
        """Create an account with ``credits`` granted and its first API key."""
        name = name.strip()
        if not name or len(name) > 200:
            raise InvalidParameter("The account name must have 1 to 200 characters.", field="name")
        if credits < 0:
            raise InvalidParameter("Credits cannot be negative.", field="credits")
        if len(email) > 320:
            raise InvalidParameter("The email address is too long.", field="email")
        plan = self._check_plan(plan or self._settings.default_plan)
        with self._database.write() as conn:
            account_id = repo.insert_account(conn, name=name, email=email, plan=plan, now=utcnow())
            if credits:
                grant_within(conn, account_id, credits, "initial credits")
            issued = self._issue(conn, account_id, label)
            account = repo.get_account(conn, account_id)
        assert account is not None
        return account, issued

    @staticmethod
    def _issue(conn: Connection, account_id: int, label: str) -> IssuedKey:
        secret = generate_api_key()
        key = repo.insert_api_key(
            conn,
            account_id=account_id,
            key_hash=hash_api_key(secret),
            prefix=display_prefix(secret),
            label=label[:100],
            now=utcnow(),
        )
        return IssuedKey(key=key, secret=secret)

    def get(self, account_id: int) -> AccountRecord:
        """One account; :class:`RecordNotFound` when absent."""
        with self._database.read() as conn:
            account = repo.get_account(conn, account_id)
        if account is None:
            raise RecordNotFound(f"No account with id {account_id}.")
        return account

    def all(self) -> list[AccountRecord]:
        """Every account, oldest first."""
        with self._database.read() as conn:
            return repo.list_accounts(conn)

    def keys(self, account_id: int) -> list[ApiKeyRecord]:
        """The keys of one account (hash never included)."""
        self.get(account_id)
        with self._database.read() as conn:
            return repo.list_api_keys(conn, account_id)

    def issue_key(self, account_id: int, label: str = "") -> IssuedKey:
        """Issue another key for an existing account."""
        with self._database.write() as conn:
            if repo.get_account(conn, account_id) is None:
                raise RecordNotFound(f"No account with id {account_id}.")
            return self._issue(conn, account_id, label)

    def revoke_key(self, key_id: int) -> ApiKeyRecord:
        """Revoke a key for good (idempotent)."""
        with self._database.write() as conn:
            if not repo.revoke_api_key(conn, key_id, utcnow()):
                raise RecordNotFound(f"No API key with id {key_id}.")
            key = repo.get_api_key(conn, key_id)
        assert key is not None
        return key

    def set_plan(self, account_id: int, plan: str) -> AccountRecord:
        """Move an account to another configured plan."""
        self._check_plan(plan)
        with self._database.write() as conn:
            if not repo.update_account(conn, account_id, now=utcnow(), plan=plan):
                raise RecordNotFound(f"No account with id {account_id}.")
        return self.get(account_id)

    def set_api_enabled(self, account_id: int, enabled: bool) -> AccountRecord:
        """Allow or forbid an account to call the API (its keys answer 18025 while disabled)."""
        with self._database.write() as conn:
            if not repo.update_account(conn, account_id, now=utcnow(), api_enabled=enabled):
                raise RecordNotFound(f"No account with id {account_id}.")
        return self.get(account_id)

    def ensure_dev_account(self) -> tuple[AccountRecord, IssuedKey] | None:
        """Create the local development account when the database has no account at all.

        Returns the account and its key when one was created, ``None`` otherwise. Several
        processes starting at once create at most one (advisory lock / SQLite write lock).
        """
        with self._database.write() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _DEV_LOCK_KEY})
            if repo.count_accounts(conn) > 0:
                return None
            account_id = repo.insert_account(
                conn, name=DEV_ACCOUNT_NAME, email="", plan=self._settings.default_plan, now=utcnow()
            )
            if self._settings.dev_account_credits:
                grant_within(conn, account_id, self._settings.dev_account_credits, "development account")
            issued = self._issue(conn, account_id, "development key")
            account = repo.get_account(conn, account_id)
        assert account is not None
        return account, issued

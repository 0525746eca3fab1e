"""API keys: random, shown once, stored only as a SHA-256 hash, checked without timing leaks.

A key looks like ``pdx_<43 URL-safe characters>`` (256 random bits). Because keys carry that
much entropy, an unsalted SHA-256 is a safe way to store them and lets the database find a
key by its hash; the final comparison still uses :func:`hmac.compare_digest`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass
from functools import partial

from prodex.errors import InvalidApiKey, NoPermission
from prodex.store import accounts as repo
from prodex.store.db import Database

KEY_PREFIX = "pdx_"
_MAX_KEY_LENGTH = 128


def generate_api_key() -> str:
    """A new random API key (256 bits of entropy)."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    """The stored form of a key: the hex SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def display_prefix(key: str) -> str:
    """The short, harmless start of a key shown in listings (``pdx_AbCd1234``)."""
    return key[: len(KEY_PREFIX) + 8]


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller: which account, on which plan, through which key."""

    account_id: int
    account_name: str
    plan: str
    key_id: int


def authenticate(database: Database, raw_key: str | None) -> Principal:
    """The principal behind ``raw_key``.

    Raises :class:`InvalidApiKey` when the key is missing or unknown, :class:`NoPermission` when
    it is revoked or its account may not call the API.
    """
    if not raw_key or len(raw_key) > _MAX_KEY_LENGTH:
        raise InvalidApiKey()
    key_hash = hash_api_key(raw_key)
    with database.read() as conn:
        owner = repo.find_key_owner(conn, key_hash)
    if owner is None or not hmac.compare_digest(owner.key_hash, key_hash):
        raise InvalidApiKey()
    if owner.key_revoked:
        raise NoPermission("This API key has been revoked; ask for a new key.")
    if not owner.api_enabled:
        raise NoPermission("API access is disabled for this account.")
    return Principal(
        account_id=owner.account_id, account_name=owner.account_name, plan=owner.plan, key_id=owner.key_id
    )


class ApiKeyAuthenticator:
    """Authenticates keys from async code, remembering good keys for a few seconds.

    The cache is per process and holds only successful look-ups, for ``ttl`` seconds: revoking a
    key, disabling an account or changing its plan takes effect within ``ttl`` seconds
    everywhere. ``ttl=0`` looks every key up in the database.

    The cache is keyed by the presented key itself, so a remembered key costs one dictionary
    look-up and no hashing (the key is in this process's memory for the request anyway). This
    leaks no timing: Python's string hashes are randomised per process, so a guess reaches a
    string comparison with a remembered key only when its 64-bit hash matches that key's, which
    a caller cannot aim for; unknown keys are always checked against the database by hash.

    Concurrent look-ups of one key share one database query: when a remembered key expires
    under load, the requests that present it meanwhile wait for that one answer instead of each
    querying the database (with PostgreSQL, each query costs a pooled connection and a thread hop).
    """

    def __init__(self, database: Database, ttl: float, max_entries: int = 10_000) -> None:
        self._database = database
        self._ttl = ttl
        self._max_entries = max_entries
        self._cache: OrderedDict[str, tuple[float, Principal]] = OrderedDict()
        self._lookups: dict[str, asyncio.Future[Principal]] = {}

    def cached(self, raw_key: str | None) -> Principal | None:
        """The principal of a key remembered and still fresh, or ``None`` (no look-up made)."""
        if not raw_key or self._ttl <= 0:
            return None
        cached = self._cache.get(raw_key)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        return None

    async def authenticate(self, raw_key: str | None) -> Principal:
        """The principal behind ``raw_key`` (see :func:`authenticate` for the errors)."""
        if not raw_key or len(raw_key) > _MAX_KEY_LENGTH:
            raise InvalidApiKey()
        if self._ttl <= 0:
            return await self._database.run(authenticate, self._database, raw_key)
        cached = self._cache.get(raw_key)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        lookup = self._lookups.get(raw_key)
        if lookup is None:
            lookup = self._lookups[raw_key] = asyncio.ensure_future(self._look_up(raw_key))
            lookup.add_done_callback(partial(self._lookup_done, raw_key))
        # Shielded: a caller that gives up (client gone) does not cancel the others' answer.
        return await asyncio.shield(lookup)

    async def _look_up(self, raw_key: str) -> Principal:
        """Ask the database and remember a good key."""
        now = time.monotonic()
        principal = await self._database.run(authenticate, self._database, raw_key)
        self._cache[raw_key] = (now + self._ttl, principal)
        self._cache.move_to_end(raw_key)
        while len(self._cache) > self._max_entries:
            self._cache.popitem(last=False)
        return principal

    def _lookup_done(self, raw_key: str, lookup: asyncio.Future[Principal]) -> None:
        if self._lookups.get(raw_key) is lookup:
            del self._lookups[raw_key]
        if not lookup.cancelled():
            lookup.exception()  # retrieved here too: every waiter may have given up

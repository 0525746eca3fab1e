"""Webhook endpoints of an account (JoggAI's ``/v2/endpoint`` calls) and their deliveries.

Rules: at most ``PRODEX_WEBHOOK_MAX_ENDPOINTS`` (20) endpoints per account; the URL must pass the
URL guard's static checks (scheme, host rules, allow-list, address literals; the full check with
DNS happens at every delivery) and be https when ``PRODEX_WEBHOOK_REQUIRE_HTTPS`` is on; events
are names from :data:`prodex.webhooks.events.EVENTS`. The secret is generated here, returned with
the endpoint, and never changes (as in JoggAI: delete and add again for a new one).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from prodex.errors import InvalidParameter, RecordNotFound, URLRefused
from prodex.fetch.guard import URLGuard
from prodex.service.clock import utcnow
from prodex.settings import Settings
from prodex.store import webhooks as repo
from prodex.store.db import Database
from prodex.store.records import DeliveryRecord, EndpointRecord

#: Every id :func:`new_endpoint_id` makes matches this; anything else cannot exist.
ENDPOINT_ID_PATTERN = re.compile(r"wh_[0-9a-f]{24}")


def new_endpoint_id() -> str:
    """A fresh opaque endpoint id (``wh_`` and 24 hex digits)."""
    return f"wh_{secrets.token_hex(12)}"


def new_secret() -> str:
    """A fresh signing secret: ``whsec_`` and 32 URL-safe characters (192 random bits)."""
    return f"whsec_{secrets.token_urlsafe(24)}"


@dataclass(frozen=True, slots=True)
class EndpointChanges:
    """What ``PUT /v2/endpoint/{endpoint_id}`` changes; ``None`` means "keep"."""

    url: str | None = None
    status: str | None = None
    events: Sequence[str] | None = None


class WebhookEndpoints:
    """Endpoint management for every account, one account at a time (synchronous methods hold a
    database connection: call them through :meth:`prodex.store.db.Database.run`)."""

    def __init__(self, database: Database, settings: Settings, guard: URLGuard | None = None) -> None:
        self._database = database
        self._settings = settings
        self._guard = guard or URLGuard(settings)

    def check_url(self, url: str) -> str:
        """``url`` when it may be an endpoint (stored as given); 40000 naming ``url`` otherwise."""
        try:
            target = self._guard.check_url(url)
        except URLRefused as exc:
            raise InvalidParameter(f"url: {exc.msg}", field="url") from None
        if self._settings.webhook_require_https and target.scheme != "https":
            raise InvalidParameter(
                "url: a webhook endpoint must be an https URL (PRODEX_WEBHOOK_REQUIRE_HTTPS).", field="url"
            )
        return url

    def create(self, account_id: int, *, url: str, events: Sequence[str], status: str) -> EndpointRecord:
        """Add an endpoint with a fresh secret; 40000 when the account already has the most allowed."""
        checked = self.check_url(url)
        limit = self._settings.webhook_max_endpoints
        with self._database.write() as conn:
            repo.lock_account(conn, account_id)
            if repo.count_endpoints(conn, account_id) >= limit:
                raise InvalidParameter(
                    f"Each account can have at most {limit} webhook endpoints; delete one first.",
                    field="url",
                )
            return repo.insert_endpoint(
                conn,
                endpoint_id=new_endpoint_id(),
                account_id=account_id,
                url=checked,
                secret=new_secret(),
                status=status,
                events=_unique(events),
                now=utcnow(),
            )

    def all(self, account_id: int) -> list[EndpointRecord]:
        """The account's endpoints, oldest first."""
        with self._database.read() as conn:
            return repo.list_endpoints(conn, account_id)

    def get(self, account_id: int, endpoint_id: str) -> EndpointRecord:
        """The account's endpoint; 10104 when absent or another account's."""
        _check_id(endpoint_id)
        with self._database.read() as conn:
            endpoint = repo.get_endpoint(conn, account_id, endpoint_id)
        if endpoint is None:
            raise RecordNotFound(_not_found(endpoint_id))
        return endpoint

    def update(self, account_id: int, endpoint_id: str, changes: EndpointChanges) -> EndpointRecord:
        """Change the given fields of the account's endpoint (the secret never changes)."""
        _check_id(endpoint_id)
        values: dict[str, object] = {}
        if changes.url is not None:
            values["url"] = self.check_url(changes.url)
        if changes.status is not None:
            values["status"] = changes.status
        if changes.events is not None:
            values["events"] = _unique(changes.events)
        with self._database.write() as conn:
            if values:
                updated = repo.update_endpoint(conn, account_id, endpoint_id, values, utcnow())
            else:
                updated = repo.get_endpoint(conn, account_id, endpoint_id)
        if updated is None:
            raise RecordNotFound(_not_found(endpoint_id))
        return updated

    def delete(self, account_id: int, endpoint_id: str) -> None:
        """Delete the account's endpoint and its deliveries; 10104 when absent."""
        _check_id(endpoint_id)
        with self._database.write() as conn:
            if not repo.delete_endpoint(conn, account_id, endpoint_id):
                raise RecordNotFound(_not_found(endpoint_id))

    def deliveries(
        self, account_id: int, endpoint_id: str, *, page: int, page_size: int
    ) -> tuple[list[DeliveryRecord], int]:
        """One page (1-based) of the endpoint's deliveries, newest first, with their attempts."""
        _check_id(endpoint_id)
        with self._database.read() as conn:
            if repo.get_endpoint(conn, account_id, endpoint_id) is None:
                raise RecordNotFound(_not_found(endpoint_id))
            total = repo.count_deliveries(conn, endpoint_id)
            offset = (page - 1) * page_size
            items = (
                repo.list_deliveries(conn, endpoint_id, limit=page_size, offset=offset)
                if offset < total
                else []
            )
        return items, total


def _unique(events: Sequence[str]) -> list[str]:
    """The event names once each, in the order given."""
    return list(dict.fromkeys(events))


def _check_id(endpoint_id: str) -> None:
    if not ENDPOINT_ID_PATTERN.fullmatch(endpoint_id):
        raise RecordNotFound(_not_found(endpoint_id))


def _not_found(endpoint_id: str) -> str:
    if not ENDPOINT_ID_PATTERN.fullmatch(endpoint_id):
        return "Webhook endpoint not found."
    return f"Webhook endpoint {endpoint_id!r} not found."

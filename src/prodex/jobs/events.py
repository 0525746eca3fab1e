"""In-process events of finished work, for whoever wants to react (webhooks, logs, metrics).

The import code publishes :class:`ImportItemFinished` when an item of an import ends (a product
stored or an error) and :class:`ImportCompleted` when a whole import ends (every item done or
failed, or the import cancelled). Subscribe with
``hub.subscribe(ImportCompleted, listener)`` where ``listener`` is ``async def (event) -> None``;
the hub is :attr:`prodex.service.background.Background.events`, built once per process by
:func:`prodex.service.background.build_background` (the one place to subscribe: it serves both
``prodex serve`` and ``prodex worker``). A listener that raises is logged and ignored: it never
fails the item or the import. Events are published after the state change is committed, in the
process that made it; a crash between the commit and the publication loses that event (defer a
durable job from the listener to make its consequence survive restarts).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

log = logging.getLogger(__name__)
E = TypeVar("E")
Listener = Callable[[Any], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class ImportItemFinished:
    """One item of an import ended: ``product_id`` when a product was stored, else the error's
    business ``error_code`` and ``error_msg`` (as ``POST /v2/product`` would answer)."""

    account_id: int
    job_id: str
    url: str
    product_id: str | None
    error_code: int | None = None
    error_msg: str | None = None


@dataclass(frozen=True, slots=True)
class ImportCompleted:
    """An import ended (``status`` ``done`` or ``cancelled``), with its counts."""

    account_id: int
    job_id: str
    status: str
    total: int
    succeeded: int
    failed: int
    cancelled: int


class EventHub:
    """Listeners by event type; :meth:`publish` calls those of the event's type, in order."""

    def __init__(self) -> None:
        self._listeners: dict[type, list[Listener]] = {}

    def subscribe(self, event_type: type[E], listener: Callable[[E], Awaitable[None]]) -> None:
        """Call ``listener(event)`` for every published event of ``event_type``."""
        self._listeners.setdefault(event_type, []).append(listener)

    async def publish(self, event: object) -> None:
        """Call the listeners of ``type(event)``; a failing listener is logged, never raised."""
        for listener in self._listeners.get(type(event), ()):
            try:
                await listener(event)
            except Exception:
                log.exception("listener of %s failed", type(event).__name__)

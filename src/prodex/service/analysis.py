"""Create a product from a URL: slot, charge, analyse within the deadline, store; refund on failure.

    check the URL (guard, no network) -> take one of the plan's analysis slots (42901 when full)
    -> charge the plan's credits (18020 when short) -> analyse (fetch, extract, render) within
    Settings.analysis_deadline_seconds -> merge the hand-entered fields (they win) -> fetch,
    check and store the media (when a media store is configured; within
    Settings.media_deadline_seconds, items that fail are dropped) -> store.

Any failure after the charge, including the client going away, refunds exactly what was
charged and stores nothing. This is the ``url_analyzer`` the API plugs in (see
:class:`prodex.api.deps.UrlAnalyzer`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import anyio

from prodex.analysis.analyzer import Analysis, Analyzer
from prodex.errors import ProdexError, UpstreamTimeout
from prodex.media.service import MediaService
from prodex.service.credits import Credits
from prodex.service.keys import Principal
from prodex.service.products import ManualFields, Products, merge_manual, new_product_id
from prodex.service.slots import AnalysisSlots
from prodex.settings import Settings
from prodex.store.db import Database
from prodex.store.records import ProductRecord

log = logging.getLogger(__name__)
CHARGE_REASON = "url-analysis"
MAX_REF_LENGTH = 200


async def analyse_within(analyzer: Analyzer, url: str, render: bool, deadline: float) -> Analysis:
    """``analyzer.analyze(url)`` within ``deadline`` seconds (else :class:`UpstreamTimeout`)."""
    try:
        async with asyncio.timeout(deadline):
            return await analyzer.analyze(url, render=render)
    except TimeoutError as exc:
        raise UpstreamTimeout(
            f"The analysis of this page did not finish within {deadline:g} s; retry later."
        ) from exc


class UrlAnalysisService:
    """The URL flow of ``POST /v2/product`` (see the module docstring)."""

    def __init__(
        self,
        settings: Settings,
        analyzer: Analyzer,
        database: Database,
        credits: Credits,
        products: Products,
        slots: AnalysisSlots,
        media: MediaService | None = None,
    ) -> None:
        self.settings = settings
        self.media = media
        self.analyzer = analyzer
        self.database = database
        self.credits = credits
        self.products = products
        self.slots = slots
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def drain(self, seconds: float) -> bool:
        """Wait up to ``seconds`` until no analysis is in flight (their charges settled or
        refunded); whether none is left. Used at shut-down before the database closes."""
        try:
            async with asyncio.timeout(seconds):
                await self._idle.wait()
        except TimeoutError:
            return False
        return True

    async def __call__(
        self,
        *,
        request: Any = None,
        principal: Principal,
        url: str,
        manual: ManualFields,
        render: bool = False,
        media_base_url: str = "",
    ) -> ProductRecord:
        """Analyse ``url`` for the caller and store the product (hand-entered fields win);
        stored media are served under ``media_base_url`` (prodex's public address)."""
        target = self.analyzer.fetcher.guard.check_url(url)  # a refused URL costs nothing
        self._in_flight += 1
        self._idle.clear()
        try:
            return await self._charged(principal, target.url, manual, render, media_base_url)
        finally:
            self._in_flight -= 1
            if not self._in_flight:
                self._idle.set()

    async def _charged(
        self, principal: Principal, url: str, manual: ManualFields, render: bool, media_base_url: str
    ) -> ProductRecord:
        plan = self.settings.plan(principal.plan)
        account_id = principal.account_id
        async with self.slots.acquire(account_id, plan.concurrent_analyses):
            charge_id = await self.database.run(
                self.credits.charge,
                account_id,
                plan.credits_per_analysis,
                CHARGE_REASON,
                url[:MAX_REF_LENGTH],
            )
            try:
                record = await self._analyse_and_store(account_id, url, manual, render, media_base_url)
            except BaseException as exc:
                await self._refund(charge_id, exc)
                raise
        return record

    async def _analyse_and_store(
        self, account_id: int, url: str, manual: ManualFields, render: bool, media_base_url: str
    ) -> ProductRecord:
        analysis = await analyse_within(self.analyzer, url, render, self.settings.analysis_deadline_seconds)
        if self.media is None:
            return await self.products.acreate_from_extracted(account_id, analysis.product, manual)
        product = merge_manual(analysis.product, manual)
        prepared = await self.media.prepare(product.media, media_base_url)
        product = product.model_copy(update={"media": prepared.media})
        product_id = new_product_id()
        return await self.media.store_product(
            product_id, prepared, lambda: self.products.astore(account_id, product, product_id)
        )

    async def _refund(self, charge_id: int, cause: BaseException) -> None:
        """Give the charge back, even when the request is being cancelled."""
        with anyio.CancelScope(shield=True):
            try:
                await self.database.run(self.credits.refund, charge_id)
            except Exception:
                log.exception("refund of charge %s failed", charge_id)
                return
        if not isinstance(cause, ProdexError):
            log.warning("URL analysis failed unexpectedly; charge %s refunded", charge_id, exc_info=cause)

"""Request and response shapes of the import calls (``/v2/products/import...``), additions to the
JoggAI contract in the same envelope. Responses are built as plain dicts by :func:`import_info`;
the models below document them."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

from prodex.api.schemas import MAX_URL_LENGTH, OptionalHttpUrl, Text
from prodex.service.imports import ImportSource, ImportView
from prodex.store.imports import ItemRecord

MAX_IMPORT_URLS = 10_000
MAX_PATTERN_LENGTH = 500
MAX_ITEMS_PAGE_SIZE = 1000
ItemStatus = Literal["queued", "running", "done", "failed", "cancelled"]
ImportStatus = Literal["queued", "running", "done", "cancelled"]


SOURCES = ("urls", "sitemap_url", "store_url")


def _only(source: str) -> dict[str, Any]:
    """The JSON Schema branch of one source: present and not empty, the others (and, but for a
    sitemap, ``url_pattern``) absent."""
    others = [name for name in (*SOURCES, "url_pattern") if name != source]
    if source == "sitemap_url":
        others.remove("url_pattern")
    value: dict[str, Any] = (
        {"type": "array", "minItems": 1} if source == "urls" else {"type": "string", "minLength": 1}
    )
    return {
        "required": [source],
        "properties": {source: value},
        "not": {"anyOf": [{"required": [name]} for name in others]},
    }


#: ``POST /v2/products/import``'s rule in JSON Schema: exactly one source.
ONE_SOURCE_RULE: dict[str, Any] = {"oneOf": [_only(source) for source in SOURCES]}


class ImportCreate(BaseModel):
    """``POST /v2/products/import``: exactly one of ``urls``, ``sitemap_url`` and ``store_url``
    (the others absent); ``url_pattern`` only with ``sitemap_url``."""

    model_config = ConfigDict(extra="ignore", json_schema_extra=ONE_SOURCE_RULE)

    urls: list[Text] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_IMPORT_URLS,
        description="Product page URLs (1 to 10,000; repeats are imported once). A URL the server "
        "refuses becomes an item failed with the 40000 POST /v2/product would answer.",
    )
    sitemap_url: OptionalHttpUrl = Field(
        default=None,
        description="A sitemap or sitemap index (gzipped or not); its product pages are imported.",
    )
    store_url: OptionalHttpUrl = Field(
        default=None,
        description="A Shopify or WooCommerce store; every product it lists in its product JSON is imported.",
    )
    url_pattern: Text | None = Field(
        default=None,
        max_length=MAX_PATTERN_LENGTH,
        description="With sitemap_url: a regular expression; only URLs it is found in are imported "
        "(default: URLs shaped like product pages).",
    )
    render: StrictBool = Field(default=False, description="Render every page in a browser first.")

    @field_validator("urls")
    @classmethod
    def _urls_bounded(cls, urls: list[str] | None) -> list[str] | None:
        if urls is not None and any(len(url) > MAX_URL_LENGTH for url in urls):
            raise ValueError(f"each URL has at most {MAX_URL_LENGTH} characters")
        return urls

    @field_validator("url_pattern")
    @classmethod
    def _pattern_compiles(cls, pattern: str | None) -> str | None:
        if pattern:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"not a valid regular expression ({error})") from None
        return pattern or None

    @model_validator(mode="after")
    def _one_source(self) -> ImportCreate:
        given = [name for name in SOURCES if name in self.model_fields_set]
        if len(given) != 1 or not getattr(self, given[0]):
            raise ValueError("give exactly one of urls, sitemap_url and store_url (not empty)")
        if "url_pattern" in self.model_fields_set and given[0] != "sitemap_url":
            raise ValueError("url_pattern goes with sitemap_url")
        return self

    def source(self) -> ImportSource:
        """What to import, for the service layer."""
        return ImportSource(
            urls=self.urls,
            sitemap_url=self.sitemap_url or None,
            store_url=self.store_url or None,
            url_pattern=self.url_pattern,
            render=self.render,
        )


class ImportFailure(BaseModel):
    """Why an item (or a sitemap or store listing) failed: the business code and message."""

    code: int
    msg: str


class ImportItem(BaseModel):
    """One URL of an import."""

    url: str
    status: ItemStatus
    product_id: str | None = Field(description="The product created, once done.")
    error: ImportFailure | None = Field(description="Why it failed (the code POST /v2/product answers).")


class ImportCounts(BaseModel):
    """Items per status."""

    queued: int
    running: int
    done: int
    failed: int
    cancelled: int


class ImportInfo(BaseModel):
    """An import: its status, counts and source; with a page of items in ``GET .../import/{job_id}``."""

    job_id: str
    status: ImportStatus
    total: int = Field(description="Items in the import (grows once a sitemap or store is listed).")
    counts: ImportCounts
    source: dict[str, str | None] = Field(description="kind (urls, sitemap, store), url, url_pattern.")
    render: bool
    error: ImportFailure | None = Field(description="Why listing the sitemap or store failed.")
    created_at: str
    finished_at: str | None
    items: list[ImportItem] | None = None
    page: int | None = None
    page_size: int | None = None
    items_total: int | None = Field(default=None, description="Items matching the status filter.")


class ImportPage(BaseModel):
    """One page of the account's imports, newest first."""

    imports: list[ImportInfo]
    total: int
    page: int
    page_size: int


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _error(code: int | None, msg: str | None) -> dict[str, Any] | None:
    return {"code": code, "msg": msg or ""} if code is not None else None


def item_info(item: ItemRecord) -> dict[str, Any]:
    """An item as the API returns it."""
    return {
        "url": item.url,
        "status": item.status,
        "product_id": item.product_id,
        "error": _error(item.error_code, item.error_msg),
    }


def import_info(view: ImportView, *, page: int | None = None, page_size: int | None = None) -> dict[str, Any]:
    """An import as the API returns it (with its page of items when ``page`` is given)."""
    record = view.record
    counts = {
        state: view.counts.get(state, 0) for state in ("queued", "running", "done", "failed", "cancelled")
    }
    info: dict[str, Any] = {
        "job_id": record.id,
        "status": record.status,
        "total": record.total,
        "counts": counts,
        "source": {
            "kind": record.source_kind,
            "url": record.source or None,
            "url_pattern": record.url_pattern,
        },
        "render": record.render,
        "error": _error(record.error_code, record.error_msg),
        "created_at": _iso(record.created_at),
        "finished_at": _iso(record.finished_at),
    }
    if page is not None:
        info["items"] = [item_info(item) for item in view.items]
        info["page"] = page
        info["page_size"] = page_size
        info["items_total"] = view.items_total
    return info

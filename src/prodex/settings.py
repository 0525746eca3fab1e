"""The one validated settings object: environment variables (prefix ``PRODEX_``) and ``.env``.

Nothing else in prodex reads ``os.environ``. Build it once with :func:`get_settings`, or
construct ``Settings(...)`` directly in tests and pass it down.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, PositiveInt, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Plan(BaseModel):
    """What a plan allows: requests per minute, concurrent URL analyses, credits per analysis."""

    requests_per_minute: PositiveInt
    concurrent_analyses: PositiveInt
    credits_per_analysis: Annotated[int, Field(ge=0)] = 1


DEFAULT_PLANS: dict[str, Plan] = {
    "free": Plan(requests_per_minute=60, concurrent_analyses=2, credits_per_analysis=1),
    "pro": Plan(requests_per_minute=600, concurrent_analyses=10, credits_per_analysis=1),
    "enterprise": Plan(requests_per_minute=6000, concurrent_analyses=100, credits_per_analysis=1),
}


def default_data_dir() -> Path:
    """The per-user data folder: ``$XDG_DATA_HOME/prodex``, else ``~/.local/share/prodex``.

    One place whatever folder a command is started in (``make run``, ``prodex accounts ...`` from
    anywhere); set ``PRODEX_DATA_DIR`` (or ``PRODEX_DATABASE_URL``) to use another.
    """
    xdg = os.environ.get("XDG_DATA_HOME", "").strip()
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".local" / "share"
    return base / "prodex"


def _split_csv(value: object) -> object:
    """Accept a comma-separated string for list settings (``a,b , c`` -> ``["a", "b", "c"]``)."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class Settings(BaseSettings):
    """Every setting of prodex, validated at start-up."""

    model_config = SettingsConfigDict(
        env_prefix="PRODEX_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # --- storage -----------------------------------------------------------------------------
    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Folder of the default SQLite database; default ~/.local/share/prodex.",
    )
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL; empty means SQLite at <data_dir>/prodex.db.",
    )
    db_pool_size: PositiveInt = 10

    # --- API, plans, rate limits ---------------------------------------------------------------
    plans: dict[str, Plan] = Field(default_factory=lambda: dict(DEFAULT_PLANS))
    default_plan: str = "free"
    rate_limit_storage: str = "memory://"
    rate_limit_key_prefix: str = Field(
        default="prodex", description="Namespace of the rate-limit counters in a shared storage."
    )
    log_level: str = "INFO"
    log_json: bool | None = Field(
        default=None,
        description="JSON lines (true) or readable lines (false); unset: readable on a terminal, else JSON.",
    )
    api_max_body_bytes: PositiveInt = Field(
        default=256 * 1024, description="Largest request body the API reads; more answers 413."
    )
    api_auth_cache_seconds: float = Field(
        default=2.0,
        ge=0,
        description="How long a process trusts a looked-up API key (revocation delay); 0 disables.",
    )
    api_auth_failures_per_minute: Annotated[int, Field(ge=0)] = Field(
        default=30,
        description="Failed authentications (missing/unknown key) per client address and minute; "
        "more answer 42900 before any key look-up (0 = no limit).",
    )
    dev_account_credits: Annotated[int, Field(ge=0)] = 100

    # --- HTTP server (prodex serve) -------------------------------------------------------------
    http_max_request_line_bytes: Annotated[int, Field(ge=256)] = Field(
        default=8192, description="Longest request target (path and query); more answers 414."
    )
    http_max_header_bytes: Annotated[int, Field(ge=1024)] = Field(
        default=32 * 1024, description="Largest request line plus headers; more answers 431."
    )
    http_max_headers: Annotated[int, Field(ge=8)] = Field(
        default=100, description="Most header fields in a request; more answers 431."
    )
    http_header_timeout: float = Field(
        default=10.0, gt=0, description="Seconds to receive a request's line and headers (else 408)."
    )
    http_body_timeout: float = Field(
        default=30.0, gt=0, description="Seconds to receive a request's body after its headers."
    )
    http_keep_alive_timeout: Annotated[int, Field(ge=1)] = Field(
        default=5, description="Seconds an idle keep-alive connection is kept open."
    )
    http_max_connections: Annotated[int, Field(ge=2)] = Field(
        default=2048,
        description="Open connections per process; beyond it the longest-waiting idle one is closed.",
    )
    http_max_concurrent_requests: PositiveInt = Field(
        default=1000, description="Requests served at once per process; more answer 503."
    )

    # --- URL analysis --------------------------------------------------------------------------
    url_analysis: bool = Field(default=True, description="Create products from URLs (POST with url).")
    analysis_deadline_seconds: float = Field(default=30.0, gt=0)
    extract_workers: Annotated[int, Field(ge=0, le=64)] = Field(
        default=0, description="Extraction worker processes/threads; 0 = one per CPU."
    )
    extract_pool: Literal["process", "thread"] = "process"
    extract_cpu_budget_seconds: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description="CPU seconds one page's analysis may use in a worker process before its markup "
        "is bounded and analysed once more (then refused).",
    )
    shutdown_grace_seconds: float = Field(
        default=20.0,
        ge=0,
        le=600,
        description="On SIGTERM/SIGINT, how long in-flight requests may run before they are cut off "
        "(cut-off analyses are refunded).",
    )

    # --- job queue (imports, webhook deliveries) -----------------------------------------------
    jobs_worker: bool = Field(
        default=True, description="Run a job worker in `prodex serve` (else only `prodex worker` runs jobs)."
    )
    jobs_concurrency: PositiveInt = Field(default=100, description="Jobs one worker process runs at once.")
    jobs_heartbeat_seconds: float = Field(
        default=5.0, gt=0, description="How often a worker tells the queue it is alive."
    )
    jobs_stalled_seconds: float = Field(
        default=30.0, gt=0, description="Silence after which a worker's running jobs are queued again."
    )
    jobs_poll_seconds: float = Field(
        default=0.5, gt=0, description="How often the embedded queue looks for jobs of other processes."
    )

    # --- imports -------------------------------------------------------------------------------
    import_max_urls: PositiveInt = Field(default=10_000, description="Most URLs in one import.")
    import_max_body_bytes: PositiveInt = Field(
        default=4 * 1024 * 1024, description="Largest body of POST /v2/products/import (its URL list)."
    )
    import_host_concurrency: PositiveInt = Field(
        default=2, description="Analyses of one shop host at once, over every worker."
    )
    import_host_interval_seconds: float = Field(
        default=0.5, ge=0, description="Least time between the starts of two analyses on one shop host."
    )
    import_max_slowdown: float = Field(
        default=32.0, ge=1, description="At most this many times the interval after 429/503 answers."
    )
    import_item_attempts: PositiveInt = Field(
        default=3, description="Runs of one item when the shop answers 429/503 or the worker dies."
    )

    # --- fetching ------------------------------------------------------------------------------
    fetch_allow_private: bool = False
    fetch_allowed_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    fetch_user_agent: str = (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/131.0.0.0 Safari/537.36"
    )
    fetch_accept_language: str = "en-US,en;q=0.9,*;q=0.5"
    fetch_max_body_bytes: PositiveInt = 10 * 1024 * 1024
    fetch_max_redirects: Annotated[int, Field(ge=0, le=20)] = 5
    fetch_connect_timeout: float = Field(default=5.0, gt=0)
    fetch_read_timeout: float = Field(default=10.0, gt=0)
    fetch_total_timeout: float = Field(default=20.0, gt=0)
    fetch_max_connections: PositiveInt = 200
    fetch_max_per_host: PositiveInt = 8
    fetch_retries: Annotated[int, Field(ge=0, le=5)] = 2
    fetch_retry_backoff: float = Field(default=0.5, ge=0)
    fetch_max_retry_after: float = Field(default=10.0, ge=0)
    fetch_cache_ttl: float = Field(default=300.0, ge=0)
    fetch_cache_entries: Annotated[int, Field(ge=0)] = 256
    fetch_cache_max_bytes: Annotated[int, Field(ge=0)] = 64 * 1024 * 1024
    fetch_max_url_length: Annotated[int, Field(ge=64, le=65536)] = 2048

    # --- media -------------------------------------------------------------------------------
    media_store: str = Field(
        default="local",
        description="Where checked media are kept: local (a folder under data_dir), "
        "s3://bucket/prefix (S3-compatible object storage) or off (keep the shop's URLs as found).",
    )
    public_base_url: str = Field(
        default="",
        description="The address clients reach prodex at (https://prodex.example.com); stored media "
        "are served at <public_base_url>/media/<id>.<ext>. Empty: the address of the request.",
    )
    media_public_url: str = Field(
        default="",
        description="With an S3 store: the bucket's public URL (media at <media_public_url>/<key>); "
        "empty: prodex serves them from the bucket at /media/<id>.<ext>.",
    )
    media_s3_endpoint_url: str = Field(
        default="", description="S3-compatible endpoint (MinIO, R2...); empty: AWS."
    )
    media_s3_region: str = ""
    media_min_side: Annotated[int, Field(ge=1)] = Field(
        default=200, description="Images whose shorter side is smaller (pixels) are dropped."
    )
    media_max_image_bytes: PositiveInt = Field(default=25 * 1024 * 1024, description="Largest image file.")
    media_max_video_bytes: PositiveInt = Field(default=200 * 1024 * 1024, description="Largest video file.")
    media_max_pixels: PositiveInt = Field(
        default=50_000_000, description="Largest image (width x height) decoded; a bigger one is a bomb."
    )
    media_max_items: Annotated[int, Field(ge=1, le=200)] = Field(
        default=50, description="Media items of one product that are fetched; the rest are dropped."
    )
    media_max_per_host: PositiveInt = Field(
        default=24,
        description="Media files fetched at once from one host (a product's pictures come from one "
        "CDN: 20 pictures in one round), within fetch_max_connections overall.",
    )
    media_deadline_seconds: float = Field(
        default=30.0,
        gt=0,
        description="Time media handling may add to a create; unfinished items are dropped.",
    )
    media_similar_distance: Annotated[int, Field(ge=0, le=32)] = Field(
        default=6,
        description="Perceptual-hash bits (of 64) two pictures may differ by and count as one picture.",
    )

    # --- webhooks ------------------------------------------------------------------------------
    webhook_max_endpoints: PositiveInt = Field(
        default=20, description="Webhook endpoints one account may have (JoggAI allows 20)."
    )
    webhook_require_https: bool = Field(
        default=True, description="Refuse webhook endpoint URLs that are not https (as JoggAI does)."
    )
    webhook_timeout_seconds: float = Field(
        default=5.0, gt=0, le=60, description="Seconds a receiver has to answer one delivery attempt."
    )
    webhook_max_response_bytes: PositiveInt = Field(
        default=64 * 1024, description="Most bytes of a receiver's answer that are read."
    )
    webhook_retry_delays: Annotated[list[float], NoDecode] = Field(
        default_factory=lambda: [60.0, 300.0, 900.0, 1800.0, 3600.0],
        description="Seconds to wait before each retry of a failed delivery, comma-separated: the "
        "default makes 6 attempts over 1 h 51 min (1, 5, 15, 30 and 60 minutes apart).",
    )

    # --- rendering -----------------------------------------------------------------------------
    render: Literal["auto", "always", "off"] | None = Field(
        default=None,
        description="auto (default when Chromium is available), always or off.",
    )
    chromium_path: Path = Path("/usr/bin/chromium")
    render_pool_size: PositiveInt = Field(default=2, description="Browser processes (one page each).")
    render_timeout: float = Field(default=15.0, gt=0, description="Seconds for one whole render.")
    render_settle_seconds: float = Field(
        default=3.0, ge=0, description="After the load event, the longest wait for the network to go quiet."
    )
    render_js_heap_mb: Annotated[int, Field(ge=16, le=4096)] = Field(
        default=512, description="JavaScript heap limit of a page (V8 --max-old-space-size), in MiB."
    )
    render_max_html_bytes: PositiveInt = Field(
        default=10 * 1024 * 1024, description="Largest rendered DOM (serialised HTML) that is read back."
    )
    render_max_requests: PositiveInt = Field(default=300, description="Requests one render may make.")
    render_max_transfer_bytes: PositiveInt = Field(
        default=50 * 1024 * 1024, description="Bytes (decoded) one render may download in all."
    )
    render_recycle_after: PositiveInt = Field(
        default=100, description="Renders after which a browser process is replaced by a fresh one."
    )

    @field_validator("fetch_allowed_hosts", mode="before")
    @classmethod
    def _hosts_from_csv(cls, value: object) -> object:
        hosts = _split_csv(value)
        if isinstance(hosts, list):
            return [str(h).strip().lower().rstrip(".") for h in hosts]
        return hosts

    @field_validator("media_store")
    @classmethod
    def _known_media_store(cls, value: str) -> str:
        value = value.strip()
        if value in ("local", "off") or (value.startswith("s3://") and len(value) > len("s3://")):
            return value
        raise ValueError("media_store must be local, off or s3://bucket[/prefix]")

    @property
    def media_dir(self) -> Path:
        """The folder of the local media store."""
        return self.data_dir / "media"

    @field_validator("webhook_retry_delays", mode="before")
    @classmethod
    def _delays_from_csv(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("webhook_retry_delays")
    @classmethod
    def _delays_not_negative(cls, value: list[float]) -> list[float]:
        if any(delay < 0 for delay in value):
            raise ValueError("webhook retry delays must not be negative")
        return value

    @property
    def effective_database_url(self) -> str:
        """The database URL to use: the configured one, or SQLite in the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'prodex.db').resolve()}"

    def plan(self, name: str) -> Plan:
        """The plan called ``name``, or the default plan when it is not configured."""
        return self.plans.get(name) or self.plans[self.default_plan]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()

"""Conformance, with schemathesis against the running server (real HTTP on 127.0.0.1):

1. the JoggAI contract (../shared/contract/openapi.yaml) with a valid key: no 5xx, and every
   response conforms to what the contract documents;
2. our own /openapi.json, which adds the read/list/delete calls and the extra fields: the same,
   plus every status code must be one we document.

Both generate valid and invalid requests; the number of examples is bounded to keep the suite fast.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import schemathesis
import yaml
from api_helpers import LiveApi
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.config._warnings import DEFAULT_DISPLAYED_WARNINGS
from schemathesis.core.warnings import SchemathesisWarning
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from prodex.service.webhooks import WebhookEndpoints
from prodex.settings import Settings

MAX_EXAMPLES = 25
MANUAL_PRODUCT = {
    "name": "Physicians Formula Happy Booster Heart Blush",
    "description": "Brush on a radiant blushing glow",
    "target_audience": "Beauty enthusiasts",
    "media": [
        {"type": 1, "name": "product.jpg", "url": "https://res.example/media.jpg", "description": "Front"}
    ],
}


def _run(schema_dict: dict[str, Any], live: LiveApi, key: str, checks: list[Any]) -> Counter[tuple[str, int]]:
    """Run every operation of the schema in both generation modes; count (operation, status)."""
    schema_dict = {**schema_dict, "servers": [{"url": live.base_url}]}  # never the vendor's host
    schema = schemathesis.openapi.from_dict(schema_dict)
    seen: Counter[tuple[str, int]] = Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz(operation, mode, live.base_url, key, checks, seen)
            except Unsatisfiable:
                # Nothing invalid can be sent to an operation without parameters or body.
                assert mode is GenerationMode.NEGATIVE
    _manual_round_trip(schema, live, key, checks, seen)
    return seen


def _fuzz(
    operation: Any,
    mode: GenerationMode,
    base_url: str,
    key: str,
    checks: list[Any],
    seen: Counter[tuple[str, int]],
) -> None:
    """Send up to MAX_EXAMPLES generated requests to one operation and validate every response."""

    @settings(
        max_examples=MAX_EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case: schemathesis.Case) -> None:
        response = case.call_and_validate(base_url=base_url, headers={"x-api-key": key}, checks=checks)
        seen[(operation.label, response.status_code)] += 1

    check()


def _manual_round_trip(
    schema: Any, live: LiveApi, key: str, checks: list[Any], seen: Counter[tuple[str, int]]
) -> None:
    """Random bodies rarely make a valid product, so create and update one explicitly too."""
    headers = {"x-api-key": key}
    post = schema["/v2/product"]["POST"]
    created = post.Case(body=MANUAL_PRODUCT).call_and_validate(
        base_url=live.base_url, headers=headers, checks=checks
    )
    seen[(post.label, created.status_code)] += 1
    product_id = created.json()["data"]["product_id"]
    put = schema["/v2/product"]["PUT"]
    updated = put.Case(body={"product_id": product_id, "name": "Renamed", "media": []}).call_and_validate(
        base_url=live.base_url, headers=headers, checks=checks
    )
    seen[(put.label, updated.status_code)] += 1


def _succeeded(seen: Counter[tuple[str, int]]) -> set[str]:
    return {label for (label, status) in seen if status == 200}


def test_the_jogg_contract_holds(live: LiveApi, contract_path: Path) -> None:
    contract = yaml.safe_load(contract_path.read_text())
    _, key = live.account(credits=1000)
    seen = _run(
        contract, live, key, [not_a_server_error, response_schema_conformance, content_type_conformance]
    )
    assert sum(seen.values()) >= 4 * MAX_EXAMPLES
    assert _succeeded(seen) >= {
        "POST /v2/product",
        "PUT /v2/product",
        "GET /v2/user/whoami",
        "GET /v2/user/remaining_quota",
    }
    assert {status for _, status in seen} >= {200, 400}


def test_our_own_openapi_holds(live: LiveApi) -> None:
    with live.client() as client:
        own = client.get("/openapi.json").json()
    _, key = live.account(credits=1000)
    checks = [
        not_a_server_error,
        response_schema_conformance,
        content_type_conformance,
        status_code_conformance,
    ]
    seen = _run(own, live, key, checks)
    assert sum(seen.values()) >= 9 * MAX_EXAMPLES
    assert _succeeded(seen) >= {
        "POST /v2/product",
        "PUT /v2/product",
        "GET /v2/products",
        "GET /v2/user/whoami",
        "GET /v2/user/remaining_quota",
        "GET /healthz",
        "GET /metrics",
    }


#: A schema-valid ``url`` can still be refused for what no schema can say (the URL guard, an
#: unreachable or non-product page: 400 and 422, as docs/api.md documents), so schemathesis is told
#: that ``POST /v2/product`` may answer those to valid data; ``GET /media/{key}`` answers 404 to
#: every key it can make. Every other check keeps its defaults.
SCHEMATHESIS_CONFIG = """
[[operations]]
include-path = "/v2/product"
include-method = "POST"
checks.positive_data_acceptance.expected-statuses = [
    "2xx", "3xx", "400", "401", "403", "404", "409", "422", "429", "5xx",
]

# /media/<key> serves stored files by their SHA-256: no key schemathesis can make names a file
# (404 is the right answer), which it would otherwise report as missing test data.
[[operations]]
include-path = "/media/{key}"
warnings = false

# An import takes exactly one source (urls, sitemap_url or store_url: a rule its schema does not
# state), and an import id that does not exist is 404: valid data may be answered 400 or 404.
[[operations]]
include-path = "/v2/products/import"
include-method = "POST"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "404", "413", "429"]

[[operations]]
include-path = "/v2/products/import/{job_id}"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "404", "429"]

[[operations]]
include-path = "/v2/products/import/{job_id}/retry"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "404", "429"]
"""

#: The webhook calls. A webhook endpoint's ``url`` passes the URL guard at once, and this server
#: allows the local shops only, so every generated ``url`` is refused (400, docs/webhooks.md): on
#: purpose, nothing schemathesis makes up can become a receiver. So ``POST`` and ``PUT`` may answer
#: 400 to valid data, and schemathesis would warn that they "mostly reject generated data"
#: (validation_mismatch); the calls on one endpoint get the ids of endpoints made beforehand
#: (``{updated}`` for PUT and the deliveries, ``{deleted}`` for DELETE, which removes it at its
#: first try, so schemathesis would warn of its later 404s: missing_test_data). Those two warnings
#: are not shown (schemathesis reads them for the whole run only); every other one still is, and
#: every check still runs on every operation. tests/api/test_api_webhooks.py covers these calls
#: with endpoints that are accepted.
WEBHOOK_WARNINGS = [
    str(warning)
    for warning in DEFAULT_DISPLAYED_WARNINGS
    if warning not in (SchemathesisWarning.VALIDATION_MISMATCH, SchemathesisWarning.MISSING_TEST_DATA)
]
WEBHOOK_SCHEMATHESIS_CONFIG = """
[[operations]]
include-path = "/v2/endpoint"
include-method = "POST"
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "429"]

[[operations]]
include-path = "/v2/endpoint/{{endpoint_id}}"
include-method = "PUT"
parameters = {{ "endpoint_id" = "{updated}" }}
checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404", "429"]

[[operations]]
include-path = "/v2/endpoint/{{endpoint_id}}/deliveries"
include-method = "GET"
parameters = {{ "endpoint_id" = "{updated}" }}

[[operations]]
include-path = "/v2/endpoint/{{endpoint_id}}"
include-method = "DELETE"
parameters = {{ "endpoint_id" = "{deleted}" }}
"""


def _config(live: LiveApi, account_id: int) -> str:
    """The configuration, with two webhook endpoints of the account made directly in the service
    (with a guard that allows them; the live server's guard refuses every URL)."""
    permissive = Settings(_env_file=None, fetch_allow_private=True, webhook_require_https=False)  # type: ignore[call-arg]
    endpoints = WebhookEndpoints(live.database, permissive)
    made = [
        endpoints.create(
            account_id, url=f"http://127.0.0.1:8080/{n}", events=["product_created"], status="enabled"
        )
        for n in range(2)
    ]
    warnings = f"warnings = {WEBHOOK_WARNINGS!r}\n".replace("'", '"')
    return (
        warnings
        + SCHEMATHESIS_CONFIG
        + WEBHOOK_SCHEMATHESIS_CONFIG.format(updated=made[0].id, deleted=made[1].id)
    )


def test_schemathesis_with_all_checks_reports_nothing_on_our_openapi(live: LiveApi, tmp_path: Path) -> None:
    """The schemathesis command line, every check (status codes, schemas, headers, negative data
    rejected, positive data accepted, unsupported methods and ``Allow``, missing headers, ignored
    auth...), coverage and fuzzing phases, against the live server on 127.0.0.1, a bounded number
    of examples per operation. URLs it generates are refused by the server's allow-list (local
    shops only) before any lookup, so nothing leaves this machine."""
    account_id, key = live.account(credits=1000)
    config = tmp_path / "schemathesis.toml"
    config.write_text(_config(live, account_id))
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(config),
        "run",
        "--checks",
        "all",
        "--max-examples",
        "15",
        "--phases",
        "examples,coverage,fuzzing",
        "--header",
        f"x-api-key: {key}",
        f"{live.base_url}/openapi.json",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, cwd=tmp_path, check=False)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "No issues found" in result.stdout

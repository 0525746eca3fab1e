"""The product endpoints over real HTTP, on SQLite and PostgreSQL: manual creation, validation
as 40000 (never FastAPI's 422), honest refusal of URL analysis when it is off, update/read/list/delete, and
account isolation."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from api_helpers import LiveApi, assert_envelope, make_settings, serve_in_thread

from prodex.api.app import create_app
from prodex.service.credits import Credits

MEDIA = [
    {"type": 1, "url": "https://res.example/front.jpg", "name": "front.jpg", "description": "Front view"},
    {"type": 2, "url": "http://res.example/demo.mp4", "name": "demo.mp4", "description": ""},
]
ADDITIONS = {
    "selling_points",
    "price",
    "currency",
    "brand",
    "sku",
    "gtin",
    "availability",
    "category",
    "language",
    "source",
}


def test_a_product_entered_by_hand_is_created_and_returned(live: LiveApi) -> None:
    _, key = live.account()
    body = {
        "name": "Happy Booster Blush",
        "description": "Brush on a radiant glow",
        "target_audience": "Beauty enthusiasts",
        "media": MEDIA,
        "unknown_field": {"is": "ignored"},
    }
    with live.client(key) as client:
        data = assert_envelope(client.post("/v2/product", json=body), 200, 0)
        assert data["name"] == body["name"]
        assert data["description"] == body["description"]
        assert data["target_audience"] == body["target_audience"]
        assert data["media"] == MEDIA
        assert data["url"] == ""
        assert set(data) >= ADDITIONS
        assert data["source"] == {n: "manual" for n in ("name", "description", "target_audience", "media")}
        assert "unknown_field" not in data
        again = assert_envelope(client.get(f"/v2/product/{data['product_id']}"), 200, 0)
        assert again == data


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"description": "no name"}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "n" * 501}, "name"),
        ({"name": 42}, "name"),
        ({"name": "ok", "description": "d" * 20_001}, "description"),
        ({"name": "ok", "target_audience": "t" * 1001}, "target_audience"),
        ({"name": "ok", "media": [{"type": 3, "url": "https://x.example/a.jpg"}]}, "media[0].type"),
        ({"name": "ok", "media": [{"type": 1, "url": "ftp://x.example/a.jpg"}]}, "media[0].url"),
        ({"name": "ok", "media": [{"type": 1, "url": "javascript:alert(1)"}]}, "media[0].url"),
        ({"name": "ok", "media": [{"type": 1, "url": "https:///nohost.jpg"}]}, "media[0].url"),
        ({"name": "ok", "media": [{"type": 1, "url": "https://x.example/a b.jpg"}]}, "media[0].url"),
        ({"name": "ok", "media": [{"type": 1}]}, "media[0].url"),
        ({"name": "ok", "media": [{"type": 1, "url": "https://x.example/" + "a" * 2048}]}, "media[0].url"),
        ({"name": "ok", "media": [{"type": 1, "url": "https://x.example/a.jpg"}] * 51}, "media"),
        ({"name": "ok", "media": "https://x.example/a.jpg"}, "media"),
        ([{"name": "a list"}], "body"),
        ({"name": "nul\u0000inside"}, "name"),
        (
            {"name": "ok", "media": [{"type": 1, "url": "https://x.example/a.jpg", "name": "\u0000"}]},
            "media[0].name",
        ),
    ],
)
def test_invalid_input_answers_40000_naming_the_field(live: LiveApi, body: Any, field: str) -> None:
    _, key = live.account()
    with live.client(key) as client:
        data = assert_envelope(client.post("/v2/product", json=body), 400, 40000)
        assert data["field"] == field
        assert data["errors"][0]["field"] == field
        assert data["errors"][0]["msg"]
        assert assert_envelope(client.get("/v2/products"), 200, 0)["total"] == 0  # nothing was stored


def test_text_no_database_can_store_answers_40000(live: LiveApi) -> None:
    _, key = live.account()
    with live.client(key) as client:
        lone_surrogate = b'{"name": "\\ud800 alone"}'
        response = client.post(
            "/v2/product", content=lone_surrogate, headers={"content-type": "application/json"}
        )
        assert assert_envelope(response, 400, 40000)["field"] == "body"  # not valid Unicode text
        assert "invalid JSON" in response.json()["msg"]
        nul_id = client.put("/v2/product", json={"product_id": "\u00ea\u0000x", "name": "n"})
        assert assert_envelope(nul_id, 400, 40000)["field"] == "product_id"
        control_id = client.put("/v2/product", json={"product_id": "\u0001", "name": "n"})
        assert assert_envelope(control_id, 400, 40000)["field"] == "product_id"  # a control character
        for odd_id in ("\u00eaYY", "a/b", "x" * 64, "%00"):
            assert_envelope(client.put("/v2/product", json={"product_id": odd_id, "name": "n"}), 404, 10104)
            assert_envelope(client.get(f"/v2/product/{quote(odd_id, safe='')}"), 404, 10104)


def test_malformed_json_answers_40000(live: LiveApi) -> None:
    _, key = live.account()
    with live.client(key) as client:
        response = client.post(
            "/v2/product", content=b'{"name": ', headers={"content-type": "application/json"}
        )
        data = assert_envelope(response, 400, 40000)
        assert data["field"] == "body"
        assert "invalid JSON" in response.json()["msg"]


def test_a_url_is_refused_honestly_when_analysis_is_off(live: LiveApi) -> None:
    settings = make_settings(
        str(live.database.url.render_as_string(hide_password=False)),
        live.settings.data_dir,
        url_analysis=False,
    )
    off = LiveApi(base_url="", app=create_app(settings), settings=settings, database=live.database)
    account_id, key = off.account(credits=5)
    with (
        serve_in_thread(off.app) as base_url,
        httpx.Client(base_url=base_url, headers={"x-api-key": key}) as client,
    ):
        for body in (
            {"url": "https://shop.example/p/1"},
            {"url": "https://shop.example/p/1", "name": "given"},
        ):
            response = client.post("/v2/product", json=body)
            assert_envelope(response, 400, 40000)
            assert "URL analysis is switched off on this server" in response.json()["msg"]
        assert assert_envelope(client.get("/v2/products"), 200, 0)["total"] == 0
        assert assert_envelope(client.get("/v2/user/remaining_quota"), 200, 0) == {"remaining_quota": 5}
    assert [entry.kind for entry in Credits(live.database).entries(account_id)] == ["grant"]


def test_update_read_list_and_delete(live: LiveApi) -> None:
    _, key = live.account()
    with live.client(key) as client:
        created = assert_envelope(client.post("/v2/product", json={"name": "Old", "media": MEDIA}), 200, 0)
        pid = created["product_id"]
        updated = assert_envelope(
            client.put("/v2/product", json={"product_id": pid, "name": "New", "target_audience": "Cooks"}),
            200,
            0,
        )
        assert (updated["name"], updated["target_audience"], updated["media"]) == ("New", "Cooks", MEDIA)
        assert updated["created_at"] == created["created_at"]
        cleared = assert_envelope(client.put("/v2/product", json={"product_id": pid, "media": []}), 200, 0)
        assert cleared["media"] == []
        assert assert_envelope(client.get(f"/v2/product/{pid}"), 200, 0)["name"] == "New"
        assert (
            assert_envelope(client.put("/v2/product", json={"name": "no id"}), 400, 40000)["field"]
            == "product_id"
        )
        bad_media = {"product_id": pid, "media": [{"type": 1, "url": "file:///etc/passwd"}]}
        assert (
            assert_envelope(client.put("/v2/product", json=bad_media), 400, 40000)["field"] == "media[0].url"
        )
        assert_envelope(client.put("/v2/product", json={"product_id": "nope", "name": "x"}), 404, 10104)
        assert assert_envelope(client.delete(f"/v2/product/{pid}"), 200, 0) == {"product_id": pid}
        assert_envelope(client.get(f"/v2/product/{pid}"), 404, 10104)
        assert_envelope(client.delete(f"/v2/product/{pid}"), 404, 10104)


def test_the_list_is_paginated_newest_first_with_a_total(live: LiveApi) -> None:
    _, key = live.account()
    with live.client(key) as client:
        ids = [
            assert_envelope(client.post("/v2/product", json={"name": f"p{i}"}), 200, 0)["product_id"]
            for i in range(5)
        ]
        pages = [
            assert_envelope(client.get("/v2/products", params={"page": n, "page_size": 2}), 200, 0)
            for n in (1, 2, 3, 4)
        ]
        assert [[p["product_id"] for p in page["products"]] for page in pages] == [
            [ids[4], ids[3]],
            [ids[2], ids[1]],
            [ids[0]],
            [],
        ]
        assert {page["total"] for page in pages} == {5}
        assert pages[0]["page_size"] == 2
        default = assert_envelope(client.get("/v2/products"), 200, 0)
        assert (default["page"], default["page_size"], len(default["products"])) == (1, 20, 5)
        for params, field in (
            ({"page": 0}, "page"),
            ({"page_size": 101}, "page_size"),
            ({"page": "x"}, "page"),
        ):
            assert assert_envelope(client.get("/v2/products", params=params), 400, 40000)["field"] == field


def test_another_account_can_neither_see_nor_change_nor_delete(live: LiveApi) -> None:
    _, owner_key = live.account(name="owner")
    _, other_key = live.account(name="other")
    with live.client(owner_key) as owner, live.client(other_key) as other:
        pid = assert_envelope(owner.post("/v2/product", json={"name": "Secret"}), 200, 0)["product_id"]
        absent = other.get("/v2/product/doesNotExist0000")
        for response in (
            other.get(f"/v2/product/{pid}"),
            other.put("/v2/product", json={"product_id": pid, "name": "Stolen"}),
            other.delete(f"/v2/product/{pid}"),
        ):
            assert_envelope(response, 404, 10104)
            assert response.json()["msg"].replace(pid, "X") == absent.json()["msg"].replace(
                "doesNotExist0000", "X"
            )
        assert assert_envelope(other.get("/v2/products"), 200, 0) == {
            "products": [],
            "total": 0,
            "page": 1,
            "page_size": 20,
        }
        kept = assert_envelope(owner.get(f"/v2/product/{pid}"), 200, 0)
        assert kept["name"] == "Secret"
        assert assert_envelope(owner.get("/v2/products"), 200, 0)["total"] == 1


def test_product_ids_are_opaque_and_not_enumerable(live: LiveApi) -> None:
    _, key = live.account()
    with live.client(key) as client:
        ids = [
            assert_envelope(client.post("/v2/product", json={"name": "n"}), 200, 0)["product_id"]
            for _ in range(20)
        ]
    assert len(set(ids)) == 20
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{16}", pid) for pid in ids)
    assert len({pid[:4] for pid in ids}) > 10  # no shared, counting prefix


def test_a_too_large_body_answers_413_in_the_envelope(live: LiveApi) -> None:
    _, key = live.account()
    big = b'{"name": "' + b"x" * (live.settings.api_max_body_bytes + 10) + b'"}'
    with live.client(key) as client:
        assert_envelope(
            client.post("/v2/product", content=big, headers={"content-type": "application/json"}), 413, 40000
        )

        def chunks() -> Any:
            yield b'{"name": "'
            for _ in range(live.settings.api_max_body_bytes // 1024 + 2):
                yield b"x" * 1024
            yield b'"}'

        streamed = client.post("/v2/product", content=chunks(), headers={"content-type": "application/json"})
        assert_envelope(streamed, 413, 40000)
        assert assert_envelope(client.get("/v2/products"), 200, 0)["total"] == 0

"""Media through the API: fetched from a local image server, checked, de-duplicated, stored in
the local media store, served at /media/<key> with cache headers and ranges, released on delete.

Runs on SQLite and PostgreSQL; the S3 store against moto's S3-compatible server on 127.0.0.1 (a
stand-in for real object storage). Every test of the local store ends by checking that the files
in the store are exactly the files some product links to (no orphan, nothing missing).
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from api_helpers import LiveApi, assert_envelope, make_settings, serve_in_thread
from sqlalchemy import select

from fixtures import media_files
from fixtures.s3_server import object_names, s3_client, s3_server
from fixtures.shop_server import ShopServer
from prodex.api.app import create_app
from prodex.store.db import Database
from prodex.store.migrate import upgrade_database
from prodex.store.tables import media_links

VIDEO_LIMIT = 1024 * 1024
FORBIDDEN = "http://169.254.169.254/latest/meta-data/picture.jpg"  # refused by the guard, never dialled


@pytest.fixture(scope="module")
def media_live(
    database_url: str, tmp_path_factory: pytest.TempPathFactory, shop_server: ShopServer
) -> Iterator[LiveApi]:
    """The API with the local media store on, allowed to fetch from the fixture shop."""
    settings = make_settings(
        database_url,
        tmp_path_factory.mktemp("media-data"),
        media_store="local",
        media_max_video_bytes=VIDEO_LIMIT,
        # the fixture shop on 127.0.0.1 only (its host:port is the allow-list); every other
        # address, private or not, is refused
        fetch_allow_private=True,
    )
    database = Database(database_url, pool_size=4)
    upgrade_database(database)
    app = create_app(settings)
    with serve_in_thread(app) as base_url:
        yield LiveApi(base_url=base_url, app=app, settings=settings, database=database)
    database.dispose()


def _stored_files(api: LiveApi) -> set[str]:
    root = api.settings.media_dir
    return {p.name for p in root.glob("*/*") if p.is_file() and p.parent.name != ".staging"}


def _linked_keys(api: LiveApi) -> set[str]:
    with api.database.read() as conn:
        return set(conn.execute(select(media_links.c.media_key).distinct()).scalars())


def assert_no_orphans(api: LiveApi) -> None:
    """Every stored file is linked to a product, every linked key has its file, no staging left."""
    assert _stored_files(api) == _linked_keys(api)
    assert not list((api.settings.media_dir / ".staging").glob("*"))


class Shop:
    """Registers media files on the fixture shop under a prefix of their own."""

    def __init__(self, server: ShopServer) -> None:
        self.server = server
        self.prefix = uuid.uuid4().hex[:8]

    def put(self, name: str, body: bytes, content_type: str) -> str:
        return self.server.serve(f"media-{self.prefix}/{name}", body, content_type=content_type)


def _create(client: httpx.Client, media: list[dict[str, Any]], name: str = "Media test") -> Any:
    answer = client.post("/v2/product", json={"name": name, "media": media, "store_media": True})
    return assert_envelope(answer, 200, 0)


def _image(url: str) -> dict[str, Any]:
    return {"type": 1, "url": url}


def test_media_are_fetched_checked_deduplicated_and_stored(
    media_live: LiveApi, shop_server: ShopServer
) -> None:
    shop = Shop(shop_server)
    big = media_files.jpeg(7, 1600, 1200)
    png = media_files.encode(media_files.picture(1, 640, 480), "PNG")
    video = media_files.mp4(200_000)
    urls = {
        "small-copy": shop.put("seven-400.jpg", media_files.jpeg(7, 400, 300), "image/jpeg"),
        "png": shop.put("one.png", png, "image/png"),
        "pixel": shop.put("pixel.gif", media_files.tracking_pixel(), "image/gif"),
        "medium-copy": shop.put("seven-800.jpg", media_files.jpeg(7, 800, 600), "image/jpeg"),
        "webp": shop.put("two.webp", media_files.encode(media_files.picture(2), "WEBP"), "image/webp"),
        "html": shop.put("html.jpg", b"<!DOCTYPE html><html><body>gone</body></html>", "image/jpeg"),
        "truncated": shop.put("cut.jpg", media_files.truncated_jpeg(4), "image/jpeg"),
        "bomb": shop.put("bomb.png", media_files.png_bomb(), "image/png"),
        "largest": shop.put("seven-1600.jpg", big, "image/jpeg"),
        "gif": shop.put(
            "three.gif", media_files.encode(media_files.picture(3, 300, 300), "GIF"), "image/gif"
        ),
        "small": shop.put("small.jpg", media_files.jpeg(5, 150, 100), "image/jpeg"),
        "same-bytes": shop.put("one-again.png", png, "image/png"),
        "forbidden": shop_server.url(f"/redirect-to?location={FORBIDDEN}"),
        "missing": shop_server.url(f"/status/404?m={shop.prefix}"),
        "video": shop.put("clip.mp4", video, "video/mp4"),
        "big-video": shop.put("long.mp4", media_files.mp4(VIDEO_LIMIT + 1), "video/mp4"),
    }
    media = [{"type": 2, "url": url} if name.endswith("video") else _image(url) for name, url in urls.items()]
    _account, key = media_live.account(credits=0)
    with media_live.client(key) as client:
        data = _create(client, media)
    kept = data["media"]
    assert [m["original_url"] for m in kept] == [
        urls["largest"],  # the largest copy, in the place of the first one listed
        urls["png"],
        urls["webp"],
        urls["gif"],
        urls["video"],
    ]
    assert [(m["type"], m["mime"], m.get("width"), m.get("height")) for m in kept] == [
        (1, "image/jpeg", 1600, 1200),
        (1, "image/png", 640, 480),
        (1, "image/webp", 800, 600),
        (1, "image/gif", 300, 300),
        (2, "video/mp4", None, None),
    ]
    assert kept[0]["bytes"] == len(big) and kept[0]["sha256"] == hashlib.sha256(big).hexdigest()
    for item in kept:
        assert item["url"] == f"{media_live.base_url}/media/{item['sha256']}.{item['url'].rsplit('.', 1)[1]}"
    reasons = {d["original_url"]: d["reason"] for d in data["media_dropped"]}
    assert reasons == {
        urls["small-copy"]: "same_picture",
        urls["medium-copy"]: "same_picture",
        urls["pixel"]: "tracking_pixel",
        urls["html"]: "not_media",
        urls["truncated"]: "broken",
        urls["bomb"]: "too_many_pixels",
        urls["small"]: "too_small",
        urls["same-bytes"]: "duplicate",
        urls["forbidden"]: "refused",
        urls["missing"]: "http_error",
        urls["big-video"]: "too_large",
    }
    assert all(d["detail"] for d in data["media_dropped"])
    assert_no_orphans(media_live)
    # the product read back points at the stored copies (media_dropped is only on the answer)
    with media_live.client(key) as client:
        read = assert_envelope(client.get(f"/v2/product/{data['product_id']}"), 200, 0)
    assert read["media"] == kept and "media_dropped" not in read


def test_stored_media_are_served_with_cache_headers_and_ranges(
    media_live: LiveApi, shop_server: ShopServer
) -> None:
    shop = Shop(shop_server)
    body = media_files.jpeg(11, 900, 600)
    _account, key = media_live.account()
    with media_live.client(key) as client:
        data = _create(client, [_image(shop.put("eleven.jpg", body, "image/jpeg"))])
    path = httpx.URL(data["media"][0]["url"]).path
    with httpx.Client(base_url=media_live.base_url) as anyone:  # no API key needed
        whole = anyone.get(path)
        assert whole.status_code == 200 and whole.content == body
        assert whole.headers["content-type"] == "image/jpeg"
        assert whole.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert whole.headers["accept-ranges"] == "bytes" and whole.headers["etag"]
        part = anyone.get(path, headers={"Range": "bytes=100-299"})
        assert part.status_code == 206 and part.content == body[100:300]
        assert part.headers["content-range"] == f"bytes 100-299/{len(body)}"
        assert anyone.head(path).status_code == 200
        for unknown in ("/media/" + "0" * 64 + ".jpg", "/media/not-a-key.jpg", "/media/..%2f..%2fprodex.db"):
            assert_envelope(anyone.get(unknown), 404, 10104)


def test_delete_removes_media_no_other_product_uses(media_live: LiveApi, shop_server: ShopServer) -> None:
    shop = Shop(shop_server)
    shared = shop.put("shared.jpg", media_files.jpeg(21), "image/jpeg")
    own_first = shop.put("own-1.jpg", media_files.jpeg(22), "image/jpeg")
    own_second = shop.put("own-2.jpg", media_files.jpeg(23), "image/jpeg")
    _account, key = media_live.account()
    with media_live.client(key) as client:
        first = _create(client, [_image(shared), _image(own_first)])
        second = _create(client, [_image(own_second), _image(shared)])
        assert first["media"][0]["url"] == second["media"][1]["url"]  # one file for both products
        files = {m["url"].rsplit("/", 1)[1] for m in (*first["media"], *second["media"])}
        assert files <= _stored_files(media_live) and len(files) == 3
        assert_envelope(client.delete(f"/v2/product/{first['product_id']}"), 200, 0)
        remaining = _stored_files(media_live)
        assert first["media"][0]["url"].rsplit("/", 1)[1] in remaining  # still used by the second
        assert first["media"][1]["url"].rsplit("/", 1)[1] not in remaining
        assert_no_orphans(media_live)
        assert_envelope(client.delete(f"/v2/product/{second['product_id']}"), 200, 0)
    assert not files & _stored_files(media_live)
    assert_no_orphans(media_live)


def test_update_with_store_media_keeps_stored_copies_and_releases_replaced_ones(
    media_live: LiveApi, shop_server: ShopServer
) -> None:
    shop = Shop(shop_server)
    first_url = shop.put("u-1.jpg", media_files.jpeg(31), "image/jpeg")
    dropped_url = shop.put("u-2.jpg", media_files.jpeg(32), "image/jpeg")
    new_url = shop.put("u-3.png", media_files.encode(media_files.picture(33), "PNG"), "image/png")
    _account, key = media_live.account()
    with media_live.client(key) as client:
        created = _create(client, [_image(first_url), _image(dropped_url)])
        kept_copy = created["media"][0]
        hits_before = shop_server.hits(httpx.URL(first_url).raw_path.decode())
        answer = client.put(
            "/v2/product",
            json={
                "product_id": created["product_id"],
                "media": [_image(kept_copy["url"]), _image(new_url)],
                "store_media": True,
            },
        )
        updated = assert_envelope(answer, 200, 0)
    assert updated["media"][0] == kept_copy  # the stored copy as it was, not fetched again
    assert shop_server.hits(httpx.URL(first_url).raw_path.decode()) == hits_before
    assert updated["media"][1]["original_url"] == new_url and updated["media"][1]["mime"] == "image/png"
    assert updated["media_dropped"] == []
    assert created["media"][1]["url"].rsplit("/", 1)[1] not in _stored_files(media_live)
    assert_no_orphans(media_live)


def test_a_url_create_stores_the_pages_media_and_survives_missing_ones(
    media_live: LiveApi, shop_server: ShopServer
) -> None:
    shop = Shop(shop_server)
    front = shop.put("front.jpg", media_files.jpeg(41, 1200, 1200), "image/jpeg")
    back = shop.put("back.jpg", media_files.jpeg(42, 1200, 1200), "image/jpeg")
    gone = shop_server.url(f"/status/404?gone={shop.prefix}")
    page = shop.put(
        "product.html",
        f"""<!DOCTYPE html><html lang="en"><head><title>Media kettle</title>
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "Product",
 "name": "Media kettle", "description": "A kettle with pictures.", "image": ["{front}", "{gone}", "{back}"],
 "offers": {{"@type": "Offer", "price": "10.00", "priceCurrency": "EUR"}}}}</script></head>
<body><h1>Media kettle</h1></body></html>""".encode(),
        "text/html; charset=utf-8",
    )
    _account, key = media_live.account(credits=5)
    with media_live.client(key) as client:
        data = assert_envelope(client.post("/v2/product", json={"url": page}), 200, 0)
        quota = assert_envelope(client.get("/v2/user/remaining_quota"), 200, 0)
    assert [m["original_url"] for m in data["media"]] == [front, back]
    assert all(m["url"].startswith(f"{media_live.base_url}/media/") for m in data["media"])
    assert data["media_dropped"] == [
        {"original_url": gone, "reason": "http_error", "detail": data["media_dropped"][0]["detail"]}
    ]
    assert quota["remaining_quota"] == 4
    assert_no_orphans(media_live)


def test_a_product_whose_media_all_fail_is_still_created(
    media_live: LiveApi, shop_server: ShopServer
) -> None:
    shop = Shop(shop_server)
    pixel = shop.put("only-pixel.gif", media_files.tracking_pixel(), "image/gif")
    _account, key = media_live.account()
    with media_live.client(key) as client:
        data = _create(client, [_image(pixel), _image(shop_server.url(f"/status/500?x={shop.prefix}"))])
    assert data["media"] == []
    assert [d["reason"] for d in data["media_dropped"]] == ["tracking_pixel", "http_error"]
    assert_no_orphans(media_live)


def test_without_store_media_a_manual_product_keeps_its_urls(media_live: LiveApi) -> None:
    _account, key = media_live.account()
    media = [{"type": 1, "url": "https://cdn.example.com/a.jpg", "name": "", "description": ""}]
    with media_live.client(key) as client:
        data = assert_envelope(client.post("/v2/product", json={"name": "Plain", "media": media}), 200, 0)
    assert data["media"] == media and "media_dropped" not in data


def test_media_store_off_keeps_todays_behaviour(tmp_path: Path, database_url: str) -> None:
    settings = make_settings(database_url, tmp_path, media_store="off")
    app = create_app(settings)
    with serve_in_thread(app) as base_url, httpx.Client(base_url=base_url) as anyone:
        assert_envelope(anyone.get("/media/" + "a" * 64 + ".jpg"), 404, 10104)
    assert not (tmp_path / "media").exists()


def test_media_in_s3_compatible_storage(tmp_path: Path, database_url: str, shop_server: ShopServer) -> None:
    """The same flow with PRODEX_MEDIA_STORE=s3://... against a local S3-compatible server."""
    with s3_server(tmp_path / "aws") as endpoint:
        s3_client(endpoint).create_bucket(Bucket="prodex-api-media")
        settings = make_settings(
            database_url,
            tmp_path / "data",
            media_store="s3://prodex-api-media/products",
            media_s3_endpoint_url=endpoint,
            fetch_allow_private=True,
        )
        shop = Shop(shop_server)
        body = media_files.jpeg(71, 1000, 800)
        urls = [
            shop.put("s3-a.jpg", body, "image/jpeg"),
            shop.put("s3-pixel.gif", media_files.tracking_pixel(), "image/gif"),
        ]
        api = LiveApi(
            base_url="", app=create_app(settings), settings=settings, database=Database(database_url)
        )
        with serve_in_thread(api.app) as base_url:
            api.base_url = base_url
            _account, key = api.account()
            with api.client(key) as client:
                data = _create(client, [_image(url) for url in urls])
                stored = data["media"][0]
                object_key = f"products/{stored['sha256']}.jpg"
                assert object_names(endpoint, "prodex-api-media") == {object_key}
                assert stored["url"] == f"{base_url}/media/{stored['sha256']}.jpg"
                assert [d["reason"] for d in data["media_dropped"]] == ["tracking_pixel"]
                served = httpx.get(stored["url"])  # prodex serves it from the bucket
                assert served.status_code == 200 and served.content == body
                assert served.headers["cache-control"] == "public, max-age=31536000, immutable"
                part = httpx.get(stored["url"], headers={"Range": "bytes=0-9"})
                assert part.status_code == 206 and part.content == body[:10]
                assert_envelope(client.delete(f"/v2/product/{data['product_id']}"), 200, 0)
            assert object_names(endpoint, "prodex-api-media") == set()
            assert not list((settings.media_dir / ".staging").glob("*"))
        api.database.dispose()


def test_an_update_that_gives_stored_copies_back_by_url_keeps_them(
    media_live: LiveApi, shop_server: ShopServer
) -> None:
    """A client (the console's editor) sends media back as type, url, name, description: the
    stored copies it keeps keep their details and files; the one it left out is released."""
    shop = Shop(shop_server)
    urls = [shop.put(f"echo-{i}.jpg", media_files.jpeg(80 + i), "image/jpeg") for i in range(2)]
    _account, key = media_live.account()
    with media_live.client(key) as client:
        created = _create(client, [_image(url) for url in urls])
        first, second = created["media"]
        echoed = {"type": 1, "url": first["url"], "name": "front", "description": "renamed"}
        answer = client.put("/v2/product", json={"product_id": created["product_id"], "media": [echoed]})
        updated = assert_envelope(answer, 200, 0)
    assert updated["media"] == [{**first, "name": "front", "description": "renamed"}]
    files = _stored_files(media_live)
    assert first["url"].rsplit("/", 1)[1] in files and second["url"].rsplit("/", 1)[1] not in files
    assert_no_orphans(media_live)


def test_a_failed_analysis_stores_no_media(media_live: LiveApi, shop_server: ShopServer) -> None:
    shop = Shop(shop_server)
    picture = shop.put("listing-1.jpg", media_files.jpeg(91), "image/jpeg")
    listing = shop.put(
        "not-a-product.html",
        f"<!DOCTYPE html><html><head><title>Nothing</title></head><body><img src='{picture}'>"
        "</body></html>".encode(),
        "text/html; charset=utf-8",
    )
    before = _stored_files(media_live)
    _account, key = media_live.account(credits=3)
    with media_live.client(key) as client:
        answer = client.post("/v2/product", json={"url": listing})
        assert answer.json()["code"] != 0
        assert assert_envelope(client.get("/v2/user/remaining_quota"), 200, 0)["remaining_quota"] == 3
    assert _stored_files(media_live) == before
    assert shop_server.hits(httpx.URL(picture).raw_path.decode()) == 0  # not even fetched
    assert_no_orphans(media_live)


def test_an_imported_product_gets_its_media_checked_and_stored(
    database_url: str, tmp_path: Path, shop_server: ShopServer
) -> None:
    """An import item's product gets the same media step as a URL create: its pictures are
    fetched, checked and stored, served under PRODEX_PUBLIC_BASE_URL, nothing left behind."""
    settings = make_settings(
        database_url,
        tmp_path,
        media_store="local",
        public_base_url="http://prodex.test",
        fetch_allow_private=True,
        jobs_worker=True,
        jobs_poll_seconds=0.05,
        import_host_interval_seconds=0,
    )
    database = Database(database_url, pool_size=4)
    upgrade_database(database)
    shop = Shop(shop_server)
    front = shop.put("front.jpg", media_files.jpeg(51, 1000, 1000), "image/jpeg")
    tiny = shop.put("pixel.gif", media_files.tracking_pixel(), "image/gif")
    page = shop.put(
        "imported.html",
        f"""<!DOCTYPE html><html lang="en"><head><title>Imported kettle</title>
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "Product",
 "name": "Imported kettle", "image": ["{front}", "{tiny}"],
 "offers": {{"@type": "Offer", "price": "12.00", "priceCurrency": "EUR"}}}}</script></head>
<body><h1>Imported kettle</h1></body></html>""".encode(),
        "text/html; charset=utf-8",
    )
    app = create_app(settings)
    try:
        with serve_in_thread(app) as base_url:
            api = LiveApi(base_url=base_url, app=app, settings=settings, database=database)
            _account, key = api.account(credits=5)
            with api.client(key) as client:
                job = assert_envelope(client.post("/v2/products/import", json={"urls": [page]}), 200, 0)
                deadline = time.monotonic() + 30
                while (found := assert_envelope(client.get(f"/v2/products/import/{job['job_id']}"), 200, 0))[
                    "status"
                ] != "done":
                    assert time.monotonic() < deadline, found
                    time.sleep(0.05)
                product_id = found["items"][0]["product_id"]
                product = assert_envelope(client.get(f"/v2/product/{product_id}"), 200, 0)
            assert [m["original_url"] for m in product["media"]] == [front]
            assert product["media"][0]["url"].startswith("http://prodex.test/media/")
            assert product["media"][0]["width"] == 1000
            key = product["media"][0]["url"].rsplit("/", 1)[1]
            assert _stored_files(api) == {key}  # this test's own media folder: nothing else kept
            with database.read() as conn:
                linked = conn.execute(
                    select(media_links.c.media_key).where(media_links.c.product_id == product_id)
                ).scalars()
                assert set(linked) == {key}
            assert not list((settings.media_dir / ".staging").glob("*"))
    finally:
        database.dispose()

"""The console in a real browser: Chromium (Debian's, driven by Playwright) against a real `prodex serve`
and the local fixture shop, both on 127.0.0.1.

One journey: sign in (a wrong key first), create a product from the shop, look at it as a shopper
would, edit and save it, search the list, open a page whose name and description carry markup (it
must stay text), delete, all at desktop width and at 375 px, with the keyboard where a person would
use it. Screenshots of every step are kept under ``$PRODEX_TEST_ARTIFACTS/console`` (else the test's
tmp_path) and their paths printed. The browser may reach 127.0.0.1 only (every other request is
aborted), the server may fetch only the shop's host:port.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from console_helpers import ServerProcess, prodex_serve, product_page, solid_png

from fixtures.shop_server import ShopServer
from prodex.extract.model import Media, MediaType, Product, Specification, Variant
from prodex.fetch.render import check_render_support
from prodex.service.products import Products
from prodex.settings import Settings
from prodex.store.db import Database

pytestmark = pytest.mark.browser
#: The shop's pictures: width, height and colour.
PICTURES = [(640, 480, (240, 196, 80)), (480, 480, (90, 150, 220)), (300, 400, (120, 190, 120))]

XSS_NAME = 'Lamp <script>window.__xss = "name"</script><img src=x onerror="window.__xss = 1">'
XSS_DESCRIPTION = (
    "Bright. <img src=x onerror=\"window.__xss = 'description'\"> "
    "<script>window.__xss = 'description script'</script> <b>bold</b>"
)


@pytest.fixture
def chromium_path(require: Callable[[bool, str], None]) -> str:
    """Debian's Chromium; skips (locally) or fails (CI) when it or Playwright is missing."""
    settings = Settings()
    support = check_render_support(settings)
    require(support.available, f"browser unavailable: {support.reason}")
    return str(settings.chromium_path)


@pytest.fixture
def artefacts(tmp_path: Path) -> Path:
    """Where the screenshots go: $PRODEX_TEST_ARTIFACTS/console, else the test's tmp_path."""
    root = os.environ.get("PRODEX_TEST_ARTIFACTS")
    folder = Path(root) / "console" if root else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def shop_pages(shop_server: ShopServer) -> dict[str, str]:
    """A product page with three real pictures and a page whose text carries markup."""
    tag = uuid.uuid4().hex[:8]
    images = [
        shop_server.serve(f"console-{tag}/lamp-{i}.png", solid_png(w, h, rgb), content_type="image/png")
        for i, (w, h, rgb) in enumerate(
            [(640, 480, (240, 196, 80)), (480, 480, (90, 150, 220)), (300, 400, (120, 190, 120))]
        )
    ]
    lamp_url = shop_server.url(f"/pages/console-{tag}/lamp")
    lamp = product_page(
        name="Arc Desk Lamp 40 cm",
        description="A steady desk lamp with a dimmable warm light.\n\nThe arm holds any angle.",
        images=images,
        price="39.90",
        regular_price="49.90",
        url=lamp_url,
    )
    shop_server.serve(f"console-{tag}/lamp", lamp)
    evil_url = shop_server.url(f"/pages/console-{tag}/evil")
    evil = product_page(
        name=XSS_NAME,
        description=XSS_DESCRIPTION,
        images=images[:1],
        price="5.00",
        regular_price="6.00",
        url=evil_url,
    )
    shop_server.serve(f"console-{tag}/evil", evil)
    return {"lamp": lamp_url, "evil": evil_url, "video": images[1]}


@pytest.fixture
def server(tmp_path: Path, shop_server: ShopServer) -> Iterator[ServerProcess]:
    """`prodex serve` allowed to fetch the fixture shop's host:port only."""
    with prodex_serve(
        tmp_path,
        fetch_allow_private="true",
        fetch_allowed_hosts=f"127.0.0.1:{shop_server.port}",
        render="off",
        extract_pool="thread",
        log_json="true",
    ) as running:
        yield running


def store_full_offer(server: ServerProcess, key: str, video_url: str) -> str:
    """Store a product with every offer field in the server's database, for the key's account."""
    who = httpx.get(f"{server.base_url}/v2/user/whoami", headers={"x-api-key": key}).json()["data"]
    database = Database(f"sqlite:///{server.data_dir / 'prodex.db'}", pool_size=1)
    try:
        product = Product(
            url="http://127.0.0.1:9/shoes/trail-runner-2",
            name="Trail Runner 2",
            description="Light trail shoe with a grippy outsole.",
            selling_points=["Lugs of 4 mm", "Rock plate", "Recycled mesh upper"],
            target_audience="Women who run on trails",
            media=[
                Media(type=MediaType.IMAGE, url=video_url, name="side.png"),
                Media(type=MediaType.VIDEO, url=video_url.replace(".png", ".webm"), name="spin.webm"),
            ],
            price="89.00",
            regular_price="120.00",
            discount_percent=25,
            currency="EUR",
            brand="Ridge",
            rating_value="4.4",
            rating_best="5",
            review_count=312,
            variants=[
                Variant(
                    sku="TR2-38", name="EU 38", options={"size": "38"}, price="89.00", availability="InStock"
                ),
                Variant(
                    sku="TR2-39",
                    name="EU 39",
                    options={"size": "39"},
                    price="89.00",
                    availability="OutOfStock",
                ),
            ],
            specifications=[
                Specification(name="Drop", value="6 mm"),
                Specification(name="Weight", value="280 g"),
            ],
            google_category="Apparel & Accessories > Shoes",
            gender="female",
            age_group="adult",
            source={"name": "json-ld", "price": "json-ld", "rating_value": "json-ld", "variants": "json-ld"},
        )
        return Products(database).store(int(who["account_id"]), product).id
    finally:
        database.dispose()


def test_console_journey(
    chromium_path: str, server: ServerProcess, shop_pages: dict[str, str], artefacts: Path
) -> None:
    from playwright.sync_api import Page, Route, expect, sync_playwright

    key = server.dev_key
    assert key is not None
    shots: list[Path] = []
    problems: list[str] = []

    def shot(page: Page, name: str) -> None:
        path = artefacts / f"{len(shots) + 1:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        shots.append(path)
        print(f"screenshot: {path}")

    def local_only(route: Route) -> None:
        host = route.request.url.split("/")[2] if "://" in route.request.url else ""
        if host.startswith("127.0.0.1:") or route.request.url.startswith("data:"):
            route.continue_()
        else:
            problems.append(f"request outside 127.0.0.1: {route.request.url}")
            route.abort()

    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=args)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.route("**/*", local_only)
            page = context.new_page()
            page.on(
                "console",
                lambda m: problems.append(m.text) if m.type == "error" and "Refused" in m.text else None,
            )
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("dialog", lambda d: d.accept())

            # --- the page and its headers
            response = page.goto(f"{server.base_url}/console")
            assert response is not None and response.status == 200
            csp = response.headers["content-security-policy"]
            for directive in (
                "script-src 'self'",
                "style-src 'self'",
                "img-src * data:",
                "media-src *",
                "connect-src 'self'",
                "frame-ancestors 'none'",
            ):
                assert directive in csp
            assert "unsafe-inline" not in csp
            assert response.headers["x-content-type-options"] == "nosniff"
            key_field = page.get_by_label("API key")
            expect(key_field).to_be_visible()
            shot(page, "sign-in")

            # --- a wrong key: the API's message is shown, nothing is stored
            key_field.fill("pdx_not-a-key")
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("alert")).to_contain_text("Invalid API key")
            assert page.evaluate("sessionStorage.length") == 0
            shot(page, "wrong-key")

            # --- sign in with the keyboard
            key_field.fill(key)
            key_field.press("Enter")
            expect(page.locator("#account-name")).to_have_text("local-dev")
            expect(page.locator("#account-credits")).to_have_text("100")
            expect(page.locator("#account-plan")).to_have_text("free")
            expect(page.locator("#account-rate")).to_contain_text("left this minute")
            expect(page.get_by_label("Product URL")).to_be_focused()
            assert key not in page.url
            shot(page, "signed-in")

            # --- create from the shop
            page.get_by_label("Product URL").fill(shop_pages["lamp"])
            page.get_by_role("button", name="Create product").click()
            heading = page.get_by_role("heading", name="Arc Desk Lamp 40 cm")
            expect(heading).to_be_visible(timeout=30_000)
            expect(heading).to_be_focused()
            product = page.locator("#product")
            expect(product.locator(".price .now")).to_contain_text("39.90")
            expect(product.locator(".description")).to_contain_text("The arm holds any angle.")
            expect(product.locator(".points li").first).to_be_visible()
            expect(product.locator(".source").first).to_be_visible()
            expect(product.locator(".media.main img")).to_be_visible()
            expect(product.locator(".media.main .size")).to_have_text("640 × 480 px")
            assert product.locator(".grid img").count() == 2
            expect(page.locator("#account-credits")).to_have_text("99")
            expect(page.locator("#product-list .item")).to_have_count(1)
            shot(page, "product")

            # --- edit and save: name, description, audience, and a video added to the media
            page.get_by_role("button", name="Edit", exact=True).click()
            expect(page.get_by_role("heading", name="Edit product")).to_be_focused()
            page.get_by_label("Name", exact=True).fill("Arc Desk Lamp (edited)")
            page.get_by_label("Description", exact=True).fill("Edited description.\n\nSecond paragraph.")
            page.get_by_label("Target audience").fill("Students who read at night")
            page.get_by_role("button", name="Add media").click()
            new_row = page.locator(".media-row").last
            new_row.get_by_label("Media type").select_option("2")
            new_row.get_by_label("Media URL").fill(shop_pages["video"])
            new_row.get_by_label("File name").fill("turntable.webm")
            shot(page, "edit")
            page.get_by_role("button", name="Save", exact=True).click()
            expect(page.get_by_role("heading", name="Arc Desk Lamp (edited)")).to_be_visible()
            expect(product.locator(".description p")).to_have_count(2)
            expect(product).to_contain_text("Students who read at night")
            expect(product.locator("video[controls]")).to_have_count(1)
            expect(page.get_by_role("status")).to_have_text("Saved.")
            shot(page, "saved")

            # --- a product with every offer field (stored directly: not every reader fills them yet)
            offer_id = store_full_offer(server, key, shop_pages["video"])
            page.get_by_role("button", name="Refresh").click()
            page.get_by_role("button", name="Trail Runner 2", exact=True).click()
            expect(page.get_by_role("heading", name="Trail Runner 2")).to_be_focused()
            expect(product.locator(".price .now")).to_contain_text("89.00")
            expect(product.locator(".price .was")).to_contain_text("120.00")
            expect(product.locator(".badge")).to_have_text("−25 %")
            expect(product.locator(".rating")).to_contain_text("4.4 / 5")
            expect(product.locator(".rating")).to_contain_text("(312 reviews)")
            expect(product.locator("table tbody tr")).to_have_count(2)
            expect(product.locator("table tbody tr").last).to_contain_text("OutOfStock")
            expect(product.locator(".specs")).to_contain_text("Drop")
            expect(product.locator(".facts")).to_contain_text("Apparel & Accessories > Shoes")
            expect(product.locator(".facts")).to_contain_text("female")
            expect(product.locator(".facts")).to_contain_text("adult")
            expect(product.locator(".points li")).to_have_count(3)
            expect(product.locator("video[controls]")).to_have_count(1)
            expect(product.locator(".source[title='price: from json-ld']")).to_have_count(1)
            shot(page, "full-offer")
            assert offer_id

            # --- a reload keeps the session; the list finds the product by search
            page.reload()
            expect(page.locator("#product-list .item")).to_have_count(2)
            page.get_by_label("Search products").fill("edited")
            expect(page.locator("#product-list .item")).to_have_count(1)
            page.get_by_label("Search products").fill("no such thing")
            expect(page.locator("#product-list .item")).to_have_count(0)
            page.get_by_label("Search products").fill("")

            # --- markup in shop text stays text
            page.get_by_label("Product URL").fill(shop_pages["evil"])
            page.get_by_label("Product URL").press("Enter")
            evil_heading = page.locator("#product-name")
            expect(evil_heading).to_contain_text("<script>", timeout=30_000)
            # the extractor reads a JSON-LD description as HTML (tags dropped): put the markup back by hand
            page.get_by_role("button", name="Edit", exact=True).click()
            page.get_by_label("Description", exact=True).fill(XSS_DESCRIPTION)
            page.get_by_role("button", name="Save", exact=True).click()
            expect(product.locator(".description")).to_contain_text("<img src=x onerror")
            expect(product.locator(".description")).to_contain_text("<script>window.__xss")
            assert page.evaluate("window.__xss") is None
            assert page.locator("#product img[src='x'], #product script, #product b").count() == 0
            shot(page, "markup-as-text")

            # --- narrow screen: nothing wider than the phone
            page.set_viewport_size({"width": 375, "height": 812})
            page.locator("#product-list .item button.link").filter(has_text="edited").click()
            expect(page.get_by_role("heading", name="Arc Desk Lamp (edited)")).to_be_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= 375
            shot(page, "product-375px")
            page.get_by_role("button", name="Edit", exact=True).click()
            assert page.evaluate("document.documentElement.scrollWidth") <= 375
            shot(page, "edit-375px")
            page.get_by_role("button", name="Cancel").click()

            # --- delete from the list (the browser's confirmation is accepted)
            page.set_viewport_size({"width": 1280, "height": 900})
            page.get_by_role("button", name="Delete Arc Desk Lamp (edited)").click()
            expect(page.get_by_role("status")).to_contain_text("Deleted")
            expect(page.locator("#product-list .item")).to_have_count(2)
            expect(page.locator("#product-list")).not_to_contain_text("Arc Desk Lamp")
            expect(page.locator("#product")).to_be_hidden()
            shot(page, "deleted")

            # --- sign out forgets the key
            page.get_by_role("button", name="Sign out").click()
            expect(page.get_by_label("API key")).to_be_visible()
            assert page.evaluate("sessionStorage.length") == 0
            context.close()
        finally:
            browser.close()

    assert problems == []
    assert server.stderr and all(key not in line for line in server.stderr)  # the logs never carry the key
    assert len(shots) >= 8

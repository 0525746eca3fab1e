"""Bot-wall recognition (pure function): vendors' challenge pages, many languages, and no false alarms.

The real product pages of the shared dataset must never be taken for a bot wall.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from fixtures.pages import (
    ACCESS_DENIED_JA,
    AKAMAI_ACCESS_DENIED,
    AMAZON_CAPTCHA,
    CLOUDFLARE_CHALLENGE,
    CONSENT_INTERSTITIAL_DE,
    DATADOME_CAPTCHA,
    PERIMETERX_CAPTCHA,
    ROBOT_CHECK_DE,
    product_page,
)
from prodex.errors import BotWall
from prodex.extract.charset import decode_html
from prodex.fetch.botwall import detect_bot_wall, raise_for_bot_wall


@pytest.mark.parametrize(
    ("document", "status", "expected"),
    [
        # vendors, recognised from the page alone (no tell-tale headers)
        (CLOUDFLARE_CHALLENGE, 403, "Cloudflare"),
        (CLOUDFLARE_CHALLENGE, 200, "Cloudflare"),
        (DATADOME_CAPTCHA, 403, "DataDome"),
        (PERIMETERX_CAPTCHA, 403, "PerimeterX"),
        (AKAMAI_ACCESS_DENIED, 403, "Akamai"),
        (AMAZON_CAPTCHA, 200, "Amazon"),
        (AMAZON_CAPTCHA, 503, "Amazon"),
        # generic pages in other languages
        (CONSENT_INTERSTITIAL_DE, 200, "consent"),
        (ROBOT_CHECK_DE, 200, "robot"),
        (ACCESS_DENIED_JA, 403, "access-denied"),
        (ACCESS_DENIED_JA, 200, "access-denied"),
    ],
)
def test_vendor_and_generic_walls(document: str, status: int, expected: str) -> None:
    what = detect_bot_wall(document, status=status)
    assert what is not None and expected in what


@pytest.mark.parametrize(
    ("title", "body", "kind"),
    [
        ("Are you a robot?", "<p>Please complete the check.</p>", "robot"),
        ("Êtes-vous un robot ?", "<p>Merci de cocher la case.</p>", "robot"),
        ("¿Eres un robot?", "<p>Completa la verificación.</p>", "robot"),
        ("Sei un robot?", "<p>Completa la verifica.</p>", "robot"),
        ("Você é um robô?", "<p>Conclua a verificação.</p>", "robot"),
        ("Ben je een robot?", "<p>Vink het vakje aan.</p>", "robot"),
        ("Czy jesteś robotem?", "<p>Zaznacz pole.</p>", "robot"),
        ("Проверка безопасности", "<p>Подтвердите, что вы не робот.</p>", "robot"),
        ("安全验证", "<p>请完成人机验证。</p>", "robot"),
        ("セキュリティチェック", "<p>ロボットではありません</p>", "robot"),
        ("Zugriff verweigert", "<p>Sie haben keine Berechtigung.</p>", "access-denied"),
        ("Accès refusé", "<p>Vous n'avez pas l'autorisation.</p>", "access-denied"),
        ("Acceso denegado", "<p>No tiene permiso.</p>", "access-denied"),
        ("Доступ запрещён", "<p>У вас нет доступа.</p>", "access-denied"),
        ("访问被拒绝", "<p>您没有权限。</p>", "access-denied"),
        ("Before you continue to Shop", "<p>We use cookies.</p>", "consent"),
        ("Avant de continuer", "<p>Nous utilisons des cookies.</p>", "consent"),
        ("Prima di continuare", "<p>Usiamo i cookie.</p>", "consent"),
    ],
)
def test_generic_walls_in_many_languages(title: str, body: str, kind: str) -> None:
    document = f"<!DOCTYPE html><html><head><title>{title}</title></head><body>{body}</body></html>"
    what = detect_bot_wall(document)
    assert what is not None and kind in what


def test_headers_alone_identify_a_challenge() -> None:
    plain = "<html><head><title>shop</title></head><body><div id='app'></div></body></html>"
    assert detect_bot_wall(plain) is None
    assert "Cloudflare" in (detect_bot_wall(plain, status=403, headers={"cf-mitigated": "challenge"}) or "")
    assert "AWS WAF" in (detect_bot_wall(plain, status=202, headers={"x-amzn-waf-action": "captcha"}) or "")


def test_consent_hosts_are_walls() -> None:
    plain = "<html><head><title>Google</title></head><body><form></form></body></html>"
    assert detect_bot_wall(plain, url="https://consent.google.com/ml?continue=x") == "a consent page"
    assert detect_bot_wall(plain, url="https://shop.example.com/p") is None


def test_raise_for_bot_wall_says_what_happened() -> None:
    with pytest.raises(BotWall) as wall:
        raise_for_bot_wall(DATADOME_CAPTCHA, status=403)
    assert "DataDome captcha instead of the product page" in wall.value.msg
    raise_for_bot_wall(product_page("https://shop.example.com"))  # no error for a product


FILLER = "<p>" + "A sturdy product description with plenty of words about materials and care. " * 80 + "</p>"


@pytest.mark.parametrize(
    "extra",
    [
        # a product page with a cookie banner, a reCAPTCHA on its review form, DataDome's and
        # PerimeterX's tag scripts and Cloudflare's injected script: all are normal pages.
        '<div id="onetrust-banner-sdk"><p>We use cookies. Accept all?</p><button>Accept</button></div>',
        '<form class="review"><div class="g-recaptcha" data-sitekey="x"></div><p>captcha</p></form>',
        '<script src="https://js.datadome.co/tags.js" async></script>',
        '<script src="//client.perimeterx.net/PXabc/main.min.js"></script>',
        '<script src="/cdn-cgi/challenge-platform/scripts/jsd/main.js"></script>',
        "<p>Reviews: \u201cI am not a robot, I am a happy customer\u201d</p>",
    ],
)
def test_product_pages_with_common_widgets_are_not_walls(extra: str) -> None:
    page = product_page("https://shop.example.com").replace("</main>", f"{FILLER}{extra}</main>")
    assert detect_bot_wall(page) is None


def test_a_product_titled_like_a_wall_is_not_a_wall() -> None:
    page = product_page("https://shop.example.com", name="Access Denied (DVD, 2024)").replace(
        "</main>", f"{FILLER}</main>"
    )
    assert detect_bot_wall(page) is None


@pytest.mark.dataset
def test_no_dataset_page_is_taken_for_a_bot_wall(dataset_dir: Path) -> None:
    labels = json.loads((dataset_dir / "labels.json").read_text(encoding="utf-8"))
    flagged = {}
    for page_id, label in labels.items():
        body = gzip.decompress((dataset_dir / "pages" / f"{page_id}.html.gz").read_bytes())
        text, _encoding = decode_html(body)
        what = detect_bot_wall(text, url=label.get("url") or "")
        if what is not None:
            flagged[page_id] = what
    assert flagged == {}
    assert len(labels) >= 50

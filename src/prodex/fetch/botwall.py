"""Recognising bot walls: captcha pages, consent interstitials, access-denied and "are you a robot" pages.

:func:`detect_bot_wall` is pure (no I/O) and cheap: vendor markers that only appear on challenge
pages, response headers, the ``<title>`` and first ``<h1>``, and, for pages with little visible text,
phrases in many languages. It must never flag a real product page, so the generic phrases count only
in the title of a small or error page, or in the text of a page with almost no text; the vendor
markers are the ones their challenge pages carry (not the scripts they inject into normal pages).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

from selectolax.lexbor import LexborHTMLParser

from prodex.errors import BotWall

# A page with less visible text than this is "small": challenge pages are a sentence or two.
SMALL_PAGE_CHARS = 4000
# Challenge pages are small (1-50 KB): vendor markers are looked for in the first 128 K characters,
# and only documents up to 100 K characters are parsed for their visible text. This keeps the check
# well under a millisecond on real product pages (hundreds of KB), which are never walls.
MARKER_WINDOW = 128 * 1024
TEXT_PARSE_LIMIT = 100_000

# (marker, what the page is): markers of challenge/block pages only, spelt as the vendors spell them
# (case-sensitive: lower-casing 128 K characters would cost more than the whole search).
VENDOR_MARKERS: tuple[tuple[str, str], ...] = (
    ("_cf_chl_opt", "a Cloudflare bot check"),
    ("cf-browser-verification", "a Cloudflare bot check"),
    ("cf-challenge-running", "a Cloudflare bot check"),
    ("Attention Required! | Cloudflare", "a Cloudflare block page"),
    ("cf-error-details", "a Cloudflare block page"),
    ("geo.captcha-delivery.com", "a DataDome captcha"),
    ("ct.captcha-delivery.com", "a DataDome captcha"),
    ('id="px-captcha"', 'a PerimeterX (HUMAN) "press and hold" check'),
    ("captcha.px-cdn.net", 'a PerimeterX (HUMAN) "press and hold" check'),
    ("errors.edgesuite.net", "an Akamai access-denied page"),
    ("errors&#46;edgesuite&#46;net", "an Akamai access-denied page"),
    ("sec-if-cpt-container", "an Akamai bot check"),
    ("/_sec/cp_challenge/", "an Akamai bot check"),
    ("/errors/validateCaptcha", "Amazon's captcha page (robot check)"),
    ("api-services-support@amazon.com", "Amazon's captcha page (robot check)"),
    ("Incapsula incident ID", "an Imperva (Incapsula) block page"),
    ("_Incapsula_Resource?SWJIYLWA", "an Imperva (Incapsula) bot check"),
    ("window.gokuProps", "an AWS WAF challenge"),
    ("Sucuri WebSite Firewall", "a Sucuri firewall block page"),
    ("unusual traffic from your computer network", "a bot check (unusual traffic)"),
)

# Response headers that only challenge responses carry: (header, value substring or "", what).
HEADER_MARKERS: tuple[tuple[str, str, str], ...] = (
    ("cf-mitigated", "challenge", "a Cloudflare bot check"),
    ("x-amzn-waf-action", "", "an AWS WAF challenge"),
)

ROBOT_PHRASES: tuple[str, ...] = (
    # English
    "are you a robot",
    "are you a human",
    "verify you are human",
    "verify you are a human",
    "verifying you are human",
    "confirm you are human",
    "confirm you are a human",
    "prove you are human",
    "i'm not a robot",
    "i am not a robot",
    "not a robot",
    "checking your browser",
    "checking if the site connection is secure",
    "press & hold",
    "press and hold to confirm",
    "type the characters you see",
    "enter the characters you see",
    "pardon our interruption",
    "one more step",
    "please complete the security check",
    "captcha",
    # German
    "bist du ein roboter",
    "sind sie ein roboter",
    "kein roboter",
    "dass sie ein mensch sind",
    "dass du ein mensch bist",
    "sicherheitsüberprüfung",
    "ungewöhnlichen datenverkehr",
    "geben sie die zeichen",
    "überprüfung ihres browsers",
    # French
    "êtes-vous un robot",
    "etes-vous un robot",
    "pas un robot",
    "que vous êtes humain",
    "que vous êtes un humain",
    "vérification de sécurité",
    "trafic inhabituel",
    "saisissez les caractères",
    # Spanish / Portuguese / Italian
    "eres un robot",
    "es usted un robot",
    "no soy un robot",
    "que eres humano",
    "que eres un humano",
    "comprobación de seguridad",
    "tráfico inusual",
    "introduce los caracteres",
    "você é um robô",
    "voce e um robo",
    "não sou um robô",
    "que você é humano",
    "verificação de segurança",
    "tráfego incomum",
    "digite os caracteres",
    "sei un robot",
    "non sono un robot",
    "di essere umano",
    "controllo di sicurezza",
    "traffico insolito",
    "inserisci i caratteri",
    # Dutch, Nordic, Polish, Czech, Turkish
    "ben je een robot",
    "bent u een robot",
    "geen robot",
    "beveiligingscontrole",
    "voer de tekens in",
    "är du en robot",
    "inte en robot",
    "er du en robot",
    "ikke en robot",
    "czy jesteś robotem",
    "nie jestem robotem",
    "weryfikacja bezpieczeństwa",
    "jste robot",
    "nejsem robot",
    "robot musunuz",
    "robot değilim",
    "güvenlik kontrolü",
    # Russian, Ukrainian
    "вы робот",
    "я не робот",
    "не робот",
    "проверка безопасности",
    "подозрительный трафик",
    "ви робот",
    "я не робот",
    # Japanese, Chinese, Korean
    "ロボットではありません",
    "ロボットではないこと",
    "セキュリティチェック",
    "文字を入力",
    "您是机器人吗",
    "我不是机器人",
    "不是机器人",
    "人机验证",
    "安全验证",
    "验证您是人类",
    "로봇이 아닙니다",
    "보안 확인",
)

ACCESS_DENIED_PHRASES: tuple[str, ...] = (
    "access denied",
    "access to this page has been denied",
    "you don't have permission to access",
    "you have been blocked",
    "request blocked",
    "request unsuccessful",
    "403 forbidden",
    "zugriff verweigert",
    "zugang verweigert",
    "accès refusé",
    "accès interdit",
    "acceso denegado",
    "accesso negato",
    "acesso negado",
    "toegang geweigerd",
    "odmowa dostępu",
    "dostęp zabroniony",
    "přístup odepřen",
    "åtkomst nekad",
    "adgang nægtet",
    "erişim engellendi",
    "erişim reddedildi",
    "доступ запрещён",
    "доступ запрещен",
    "доступ ограничен",
    "доступ заборонено",
    "アクセスが拒否されました",
    "アクセス拒否",
    "访问被拒绝",
    "拒绝访问",
    "存取被拒",
    "액세스가 거부되었습니다",
    "접근이 거부되었습니다",
)

CONSENT_PHRASES: tuple[str, ...] = (
    "before you continue",
    "cookie consent",
    "consent to cookies",
    "manage cookies",
    "bevor sie fortfahren",
    "bevor du fortfährst",
    "bevor sie zu",
    "avant de continuer",
    "antes de continuar",
    "antes de ir a",
    "prima di continuare",
    "voordat je verdergaat",
    "voordat u verdergaat",
    "zanim przejdziesz dalej",
    "прежде чем продолжить",
    "続行する前に",
    "继续之前",
    "계속하기 전에",
)

_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_H1 = re.compile(r"<h1[^>]*>(.*?)</h1\s*>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")


def _clean(fragment: str) -> str:
    text = html.unescape(_TAGS.sub(" ", fragment))
    return _SPACES.sub(" ", text).strip().lower()


def _first(pattern: re.Pattern[str], document: str) -> str:
    match = pattern.search(document, 0, MARKER_WINDOW)
    return _clean(match.group(1))[:300] if match else ""


def visible_text(document: str) -> str:
    """The page's visible text (scripts, styles and templates removed), spaces collapsed."""
    tree = LexborHTMLParser(document)
    tree.strip_tags(["script", "style", "template", "svg"])
    root = tree.body or tree.root
    text = root.text(separator=" ") if root is not None else ""
    return _SPACES.sub(" ", text).strip()


def _phrase_kind(text: str) -> str | None:
    if any(p in text for p in ROBOT_PHRASES):
        return 'a captcha ("are you a robot") page'
    if any(p in text for p in ACCESS_DENIED_PHRASES):
        return "an access-denied page"
    if any(p in text for p in CONSENT_PHRASES):
        return "a consent page"
    return None


def _is_consent_host(url: str) -> bool:
    host = re.sub(r"^[a-z]+://", "", url.lower()).split("/", 1)[0].split(":", 1)[0]
    return host.startswith(("consent.", "guce.", "consent-pref."))


def detect_bot_wall(
    document: str, *, status: int = 200, headers: Mapping[str, str] | None = None, url: str = ""
) -> str | None:
    """What kind of bot wall ``document`` is (e.g. ``"a DataDome captcha"``), or None for a normal page.

    ``document`` is the decoded HTML; ``status``, ``headers`` (lower-case names) and the final
    ``url`` of the response help. Pure and deterministic.
    """
    for name, value, what in HEADER_MARKERS:
        header = (headers or {}).get(name)
        if header is not None and value in header.lower():
            return what
    window = document[:MARKER_WINDOW]
    for marker, what in VENDOR_MARKERS:
        if marker in window:
            return what
    if _is_consent_host(url):
        return "a consent page"
    title = _first(_TITLE, document)
    if title.startswith("just a moment"):
        return "a Cloudflare bot check"
    title_kind = _phrase_kind(f"{title} | {_first(_H1, document)}")
    if len(document) > TEXT_PARSE_LIMIT:
        return title_kind if title_kind and status >= 400 else None
    text = visible_text(document)
    small = len(text) <= SMALL_PAGE_CHARS
    if title_kind and (small or status >= 400):
        return title_kind
    if len(text) <= SMALL_PAGE_CHARS // 2:
        return _phrase_kind(text.lower())
    return None


def raise_for_bot_wall(
    document: str, *, status: int = 200, headers: Mapping[str, str] | None = None, url: str = ""
) -> None:
    """Raise BotWall with a message saying what the shop answered, when the page is a bot wall."""
    what = detect_bot_wall(document, status=status, headers=headers, url=url)
    if what:
        raise BotWall(
            f"The shop answered with {what} instead of the product page, so prodex cannot read it "
            "automatically; try again later, or enter the product by hand."
        )

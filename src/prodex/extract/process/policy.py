"""Shop policy in product text: paragraphs about shipping, returns, payment, ordering, logging
in, colour disclaimers, price promotions and mandatory legal notices are the shop's, not the
product's; they are taken out of descriptions and never become selling points."""

from __future__ import annotations

import re

from prodex.extract.process.availability import fold
from prodex.extract.process.patterns import word_start_pattern

MAX_POLICY_CHARS = 300
"""A longer paragraph is about the product even when it mentions delivery in passing."""

_POLICY = re.compile(
    word_start_pattern(
        (
            # shipping and delivery
            "free shipping",
            "free delivery",
            "ships within",
            "dispatched within",
            "delivery within",
            "delivered within",
            "order before",
            "order by",
            "next day delivery",
            "shipping costs",
            "shipping fee",
            "delivery charge",
            "ready stock",
            "expedie sous",
            "expedie en",
            "expedition sous",
            "livraison gratuite",
            "livraison offerte",
            "livraison en",
            "frais de port",
            "envio gratis",
            "envio gratuito",
            "envio en",
            "se envia en",
            "spedizione gratuita",
            "spedizione in",
            "versandkostenfrei",
            "kostenloser versand",
            "versand innerhalb",
            "lieferung innerhalb",
            "lieferzeit",
            "gratis verzending",
            "voor 23:59 besteld",
            "darmowa dostawa",
            "wysylka w",
            "doprava zdarma",
            "送料",
            "お届け",
            "配送料",
            "包邮",
            "免运费",
            "免運",
            # returns
            "returns and exchanges",
            "free returns",
            "exchanged or returned",
            "may not be returned",
            "cannot be returned",
            "return policy",
            "days returns",
            "day returns",
            "retour gratuit",
            "retours gratuits",
            "devolucion gratuita",
            "devoluciones",
            "kostenlose rucksendung",
            "ruckgaberecht",
            "reso gratuito",
            "zwrot w ciagu",
            # ordering, accounts, payment
            "sign in to",
            "log in to",
            "login to",
            "loguearte",
            "iniciar sesion",
            "inicia sesion",
            "anmelden um",
            "connectez-vous",
            "maximum order",
            "max. order",
            "siparis verilebilir",
            "en fazla",
            "pay in 3",
            "pay in 4",
            "interest-free",
            "klarna",
            "afterpay",
            "price includes saving",
            "save up to",
            # disclaimers and legal notices
            "colour may differ",
            "colour may vary",
            "color may vary",
            "colors may vary",
            "colours may vary",
            "actual colour",
            "actual color",
            "farbe kann abweichen",
            "farben konnen abweichen",
            "couleur peut varier",
            "couleurs peuvent varier",
            "el color puede variar",
            "i colori possono variare",
            "tegelik varvus",
            "produkts var atskirties",
            "risiken und nebenwirkungen",
            "packungsbeilage",
            "clientes recomendam",
            "clients recommandent",
            "kunden empfehlen",
            "customers recommend",
        )
    )
)
_PRICE_PROMOTION = re.compile(r"(?i)\b(?:save|spare|sparen|economisez|ahorra|risparmia)\s+\d+\s?%")


def is_policy(paragraph: str) -> bool:
    """Whether a (short) paragraph is shop policy rather than the product's own text."""
    if len(paragraph) > MAX_POLICY_CHARS:
        return False
    return bool(_POLICY.search(fold(paragraph)) or _PRICE_PROMOTION.search(paragraph))


def without_policy(text: str) -> str:
    """A description without its shop-policy paragraphs (the text itself when all would go)."""
    paragraphs = text.split("\n\n")
    kept = [p for p in paragraphs if not is_policy(p)]
    return "\n\n".join(kept) if kept and len(kept) < len(paragraphs) else text

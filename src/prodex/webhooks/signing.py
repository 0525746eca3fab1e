"""Signing as JoggAI signs: HMAC-SHA256 of the raw request body with the endpoint's secret,
in lower-case hexadecimal, sent in the ``X-Webhook-Signature`` header.

A receiver recomputes it over the bytes it received (before parsing them) and compares in
constant time: :func:`verify` is that check.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Webhook-Signature"


def sign(secret: str, body: bytes) -> str:
    """The signature of ``body``: hex HMAC-SHA256 keyed with the secret's UTF-8 bytes."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    """Whether ``signature`` is the signature of ``body`` (constant-time comparison)."""
    return hmac.compare_digest(sign(secret, body), signature.strip().lower())

"""Request validation rules of the API schemas, checked on the models directly (no server)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from prodex.api.schemas import MediaIn, ProductCreate


@pytest.mark.parametrize(
    "url",
    [
        "https://cdn.example/a b.jpg",  # space
        "https://cdn.example/a\tb.jpg",  # tab
        "https://cdn.example/a\u00a0b.jpg",  # no-break space
        "https://cdn.example/a\u2028b.jpg",  # line separator
        "https://cdn.example/a\u3000b.jpg",  # ideographic space
        "https://cdn.example/a\x00b.jpg",  # NUL
        "https://cdn.example/a\x1fb.jpg",  # ASCII control
        "https://cdn.example/a\x7fb.jpg",  # DEL
        "https://cdn.example/\ud800.jpg",  # unpaired surrogate
        "ftp://cdn.example/a.jpg",
        "https:///a.jpg",
        "https://cdn.example:0/a.jpg",
        "https://cdn.example:99999/a.jpg",
        "/a.jpg",
    ],
)
def test_media_urls_must_be_clean_absolute_http_urls(url: str) -> None:
    with pytest.raises(ValidationError) as caught:
        MediaIn.model_validate({"type": 1, "url": url})
    assert caught.value.errors()[0]["loc"] == ("url",)


@pytest.mark.parametrize(
    "url",
    ["https://cdn.example/a.jpg", "http://cdn.example:8080/p?q=1#f", "https://bücher.example/ü.jpg"],
)
def test_clean_media_urls_are_accepted_as_given(url: str) -> None:
    assert MediaIn.model_validate({"type": 2, "url": url}).url == url


@pytest.mark.parametrize("text", ["a\x00b", "\udc80"])
def test_text_fields_refuse_what_no_database_can_store(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ProductCreate.model_validate({"name": "ok", "description": text})
    assert caught.value.errors()[0]["loc"] == ("description",)


def test_text_fields_keep_any_other_unicode() -> None:
    text = "Rouge à joues 💄\u00a0\u2028 \t\n"
    assert ProductCreate.model_validate({"name": text}).name == text

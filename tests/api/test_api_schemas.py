"""Request validation rules of the API schemas, checked on the models directly (no server)."""

from __future__ import annotations

import json
import re

import pytest
from pydantic import ValidationError

from prodex.api.schemas import PAGE_URI_PATTERN, TEXT_PATTERN, MediaIn, ProductCreate


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
        "https://bücher.example/a.jpg",  # not a URI: the name in punycode is
        "https://cdn.example/ü.jpg",  # not a URI: percent-encoded it is
        "https://cdn.example/a%zz.jpg",  # broken percent-encoding
        "https://user@cdn.example/a.jpg",  # credentials
        "https://[::1]/a.jpg",  # IPv6 literals are not accepted for media
        "https://cdn.example/a#b#c",  # two fragments
    ],
)
def test_media_urls_must_be_clean_absolute_http_urls(url: str) -> None:
    with pytest.raises(ValidationError) as caught:
        MediaIn.model_validate({"type": 1, "url": url})
    assert caught.value.errors()[0]["loc"] == ("url",)


@pytest.mark.parametrize(
    "url",
    [
        "https://cdn.example/a.jpg",
        "http://cdn.example:8080/p?q=1#f",
        "https://xn--bcher-kva.example/%C3%BC.jpg",
        "HTTPS://CDN.example:65535/a/b;c=d?e=f&g=h/i?j#k/l?",
    ],
)
def test_clean_media_urls_are_accepted_as_given(url: str) -> None:
    assert MediaIn.model_validate({"type": 2, "url": url}).url == url


@pytest.mark.parametrize(
    "text", ["a\x00b", "\udc80", "a\rb", "\x1b[31m", "a\x7fb", "a\x85b", "a\x9fb", "\x0b"]
)
def test_text_fields_refuse_control_characters_and_what_no_database_can_store(text: str) -> None:
    """C0 controls but tab and newline, DEL, C1 controls (U+0080-U+009F), unpaired surrogates."""
    with pytest.raises(ValidationError) as caught:
        ProductCreate.model_validate({"name": "ok", "description": text})
    assert caught.value.errors()[0]["loc"] == ("description",)


def test_text_fields_keep_any_other_unicode() -> None:
    text = "Rouge à joues 💄\u00a0\u2028 \t\n"
    assert ProductCreate.model_validate({"name": text}).name == text


@pytest.mark.parametrize("value", [1.0, True, "1", 2.0, False, 3, None])
def test_media_type_is_the_integer_1_or_2_only(value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        MediaIn.model_validate_json(json.dumps({"type": value, "url": "https://cdn.example/a.jpg"}))
    assert caught.value.errors()[0]["loc"] == ("type",)
    assert MediaIn.model_validate_json('{"type": 2, "url": "https://cdn.example/a.jpg"}').type == 2


@pytest.mark.parametrize(
    ("body", "valid"),
    [
        ({"name": "Kettle"}, True),
        ({"url": "https://shop.example/p/1"}, True),
        ({"url": "", "name": "Kettle"}, True),  # an empty url is no url
        ({"url": "https://shop.example/p/1", "render": True}, True),
        ({"url": "http://[::1]:8080/p", "name": "Kettle"}, True),  # the URL guard decides
        ({"url": "not a url", "name": "Kettle"}, False),
        ({"url": "https://shop.example/p/1", "render": 1}, False),
        ({"url": "https://shop.example/p/1", "render": "true"}, False),
    ],
)
def test_product_create_url_and_render(body: dict[str, object], valid: bool) -> None:
    if valid:
        ProductCreate.model_validate_json(json.dumps(body))
    else:
        with pytest.raises(ValidationError):
            ProductCreate.model_validate_json(json.dumps(body))


def test_the_openapi_document_states_the_rules() -> None:
    """``name`` is required without ``url``; URLs are URIs; text refuses control characters."""
    create = ProductCreate.model_json_schema()
    assert {"required": ["name"], "properties": {"name": {"type": "string", "pattern": "\\S"}}} in create[
        "anyOf"
    ]
    assert {"required": ["url"], "properties": {"url": {"type": "string", "minLength": 1}}} in create["anyOf"]
    url_forms = create["properties"]["url"]["anyOf"]
    assert url_forms[0]["format"] == "uri" and url_forms[0]["pattern"] == PAGE_URI_PATTERN
    media = MediaIn.model_json_schema()["properties"]
    assert media["url"]["format"] == "uri"
    assert media["type"] == {**media["type"], "type": "integer", "enum": [1, 2]}
    assert media["name"]["pattern"] == TEXT_PATTERN
    for text in ("a\tb\nc", "Rouge à joues 💄"):
        assert re.fullmatch(TEXT_PATTERN, text)
    for text in ("a\rb", "a\x85b", "a\x00b"):
        assert not re.fullmatch(TEXT_PATTERN, text)

"""The one charset decoder (prodex.extract.charset), used by the fetcher and by extract_product:
WHATWG labels, BOM, UTF-8, transport and document declarations, detection."""

from __future__ import annotations

import codecs

import pytest

from prodex.extract import extract_product
from prodex.extract.charset import decode_html, html_for_parser
from prodex.extract.encodings import _LABELS, codec_for_label
from prodex.fetch.page import FetchedPage

EURO = "Preis: 49,90 € – Größe M"
RUSSIAN = (
    "Электрический чайник из нержавеющей стали, объём 1,7 литра, мощность 2200 Вт. "
    "Автоматическое отключение при закипании, защита от перегрева и включения без воды. "
    "Цена: 2490 рублей, доставка по всей России в течение трёх дней."
)


def _page(body: str, name: str = "Kettle") -> str:
    return f"<html><head><title>{name}</title></head><body><h1>{name}</h1><p>{body}</p></body></html>"


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("utf-8", "utf-8"),
        ("UTF8", "utf-8"),
        ("latin1", "cp1252"),
        ("ISO-8859-1", "cp1252"),
        ("latin_1", "cp1252"),  # charset-normalizer's name for it
        ("us-ascii", "cp1252"),
        ("windows-1251", "cp1251"),
        ("gb2312", "gb18030"),
        ("Shift_JIS", "cp932"),
        ("euc-kr", "cp949"),
        ("'koi8-r'", "koi8-r"),
        ("ISO-8859-15", "iso8859-15"),
        ("utf-16", None),  # only a BOM selects UTF-16
        ("utf-7", None),
        ("base64", None),
        ("no-such-charset", None),
        ("", None),
        (None, None),
    ],
)
def test_charset_labels_are_read_like_browsers(label: str | None, codec: str | None) -> None:
    assert codec_for_label(label) == codec


def test_every_label_names_a_python_codec_by_its_own_name() -> None:
    assert all(codecs.lookup(codec).name == codec for codec in set(_LABELS.values()))


def test_latin1_declared_page_with_0x80_is_windows_1252() -> None:
    """0x80 is the euro sign in every browser, for pages that say ISO-8859-1."""
    body = _page("Prix", name="Café € 99").replace("<head>", '<head><meta charset="iso-8859-1">')
    data = body.encode("cp1252")
    assert b"\x80" in data
    assert decode_html(data) == (body, "cp1252")
    assert decode_html(data, "ISO-8859-1") == (body, "cp1252")
    assert html_for_parser(data) == body
    fetched = FetchedPage(
        "https://x.example/", "https://x.example/", 200, {}, data, "text/html", "iso-8859-1"
    )
    assert fetched.text == body and fetched.encoding == "cp1252"
    assert extract_product(data, "https://x.example/p").name == "Café € 99"


def test_undefined_windows_1252_bytes_are_c1_controls() -> None:
    data = b'<meta charset="windows-1252"><p>\x81caf\xe9</p>'
    assert decode_html(data) == ('<meta charset="windows-1252"><p>\x81café</p>', "cp1252")


def test_a_byte_order_mark_decides() -> None:
    assert decode_html(b"\xef\xbb\xbfhello", "latin1") == ("hello", "utf-8")
    assert decode_html(b"\xfe\xff" + "hé".encode("utf-16-be"), None) == ("hé", "utf-16-be")
    assert decode_html(b"\xff\xfe" + "<p>UTF-16</p>".encode("utf-16-le")) == ("<p>UTF-16</p>", "utf-16-le")
    utf8 = "\ufeff<p>BOM</p>".encode()
    assert html_for_parser(utf8) == b"<p>BOM</p>"


def test_valid_utf8_wins_over_any_declaration() -> None:
    declared = f'<meta charset="iso-8859-1"><p>{EURO}</p>'
    assert decode_html(declared.encode(), "windows-1251") == (declared, "utf-8")
    data = declared.encode()
    assert html_for_parser(data) is data  # the parser reads the bytes, nothing copied


def test_the_transport_charset_wins_over_the_meta_charset() -> None:
    """Header windows-1251, meta windows-1252: both decode the bytes, the header decides."""
    body = f'<meta charset="windows-1252"><p>{RUSSIAN}</p>'
    data = body.encode("cp1251")
    assert decode_html(data, "windows-1251") == (body, "cp1251")
    assert decode_html(data, None).encoding == "cp1252"  # the document alone: its own declaration


def test_a_declaration_that_does_not_decode_is_skipped() -> None:
    """A server that says UTF-8 and sends windows-1251; a meta that names an unknown charset."""
    body = f'<meta charset="x-no-such"><p>{RUSSIAN}</p>'
    assert decode_html(body.encode("cp1251"), "utf-8") == (body, "cp1251")


def test_shift_jis() -> None:
    body = '<meta charset="Shift_JIS"><h1>象印 圧力IH炊飯ジャー 5.5合 ～ ブラック</h1><p>価格 ￥39,800</p>'
    data = body.encode("cp932")
    assert decode_html(data) == (body, "cp932")
    assert html_for_parser(data) == body
    assert (
        extract_product(data, "https://shop.example.jp/p").name == "象印 圧力IH炊飯ジャー 5.5合 ～ ブラック"
    )


def test_undeclared_utf8() -> None:
    data = _page(EURO).encode()
    assert decode_html(data) == (data.decode(), "utf-8")
    assert html_for_parser(data) is data


def test_undeclared_windows_1251_is_detected() -> None:
    body = _page(RUSSIAN)
    assert decode_html(body.encode("cp1251")) == (body, "cp1251")
    assert html_for_parser(body.encode("cp1251")) == body


def test_meta_http_equiv_and_xml_declarations() -> None:
    equiv = f'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-15"><p>{EURO[:-9]}</p>'
    assert decode_html(equiv.encode("iso-8859-15")) == (equiv, "iso8859-15")
    xml = f'<?xml version="1.0" encoding="windows-1252"?><p>{EURO}</p>'
    assert decode_html(xml.encode("cp1252")) == (xml, "cp1252")
    assert decode_html(b'<meta charset="base64"><p>x</p>') == ('<meta charset="base64"><p>x</p>', "utf-8")


def test_undecodable_bytes_never_raise() -> None:
    text, encoding = decode_html(bytes(range(256)) * 4, "utf-8")
    assert isinstance(text, str) and encoding
    assert isinstance(html_for_parser(bytes(range(256)) * 4), str | bytes)


def test_a_document_that_declares_utf8_is_utf8_despite_broken_bytes() -> None:
    """As in browsers: one stray byte in a UTF-8 page does not turn the page into windows-1252."""
    body = f'<meta charset="utf-8"><p>{EURO}</p>'.encode() + b"<p>\xe9</p>"
    assert decode_html(body, "utf-8") == (f'<meta charset="utf-8"><p>{EURO}</p><p>\ufffd</p>', "utf-8")
    assert html_for_parser(body) is body  # the parser replaces the broken byte itself

"""The shared processors, as parametrised tables of real-world values: prices in many locales,
availability phrases, media URLs, site names, text clean-up, lenient JSON and byte decoding."""

from __future__ import annotations

import gc

import pytest
from selectolax.lexbor import LexborHTMLParser

from prodex.extract.fields.category import category_evidence
from prodex.extract.jsontools import load_json_at, loads_lenient
from prodex.extract.model import Product, Specification
from prodex.extract.page import struck_rule_classes
from prodex.extract.process.audience import (
    activity_in,
    age_group_from_ages,
    age_group_in,
    audience_phrase,
    audiences,
    gender_from_schema,
    gender_in,
)
from prodex.extract.process.availability import availability_from_phrase, fold, normalise_availability
from prodex.extract.process.axes import axis_of, settled_axis, shown_axis_of, without_axis_words
from prodex.extract.process.category import category_path
from prodex.extract.process.classify import Evidence, classify, index
from prodex.extract.process.media import (
    absolute_url,
    dedupe_pictures,
    is_junk_image,
    largest_from_srcset,
    picture_key,
    upgrade_image_url,
)
from prodex.extract.process.names import strip_site_name
from prodex.extract.process.patterns import is_spaced_script, may_hold_unspaced, trie_pattern
from prodex.extract.process.points import clean_points, feature_titles, is_titled_claim, points_in_text
from prodex.extract.process.policy import without_policy
from prodex.extract.process.price import normalise_currency, parse_price
from prodex.extract.process.taxonomy import taxonomy
from prodex.extract.process.text import html_to_text, to_plain_text
from prodex.extract.readers.dom.highlights import names_highlights
from prodex.extract.readers.dom.labels import find_labelled_values
from prodex.extract.readers.dom.option_offer import option_name, shown_text, split_price
from prodex.extract.readers.dom.rating import count_in_text
from prodex.extract.readers.dom.subtree import is_link


@pytest.mark.parametrize(
    ("raw", "currency", "expected"),
    [
        ("$34.990", "CLP", "34990"),  # a peso shop groups thousands with a full stop
        ("34.000", "CLP", "34000"),
        ("34.000", "ARS", "34000"),
        ("34.000", "EUR", "34"),  # machine notation elsewhere
        ("1.234,56 €", "EUR", "1234.56"),
        ("1 149,00 €", None, "1149"),
        ("£1,299.99", None, "1299.99"),
        ("R$ 1.759,99", "BRL", "1759.99"),
        ("12,5", None, "12.50"),
        ("206,-", "EUR", "206"),
        ("NT$2,320", None, "2320"),
        ("1.250", "KWD", "1.25"),  # three-decimal currency: a decimal amount
        (24.5, None, "24.50"),
        (2999, None, "2999"),
        ("CHF 1'234.50", None, "1234.50"),
        ("free", None, None),
        ("", None, None),
        (None, None, None),
        (True, None, None),
        ("-5", None, None),
        ("Niedrigster Preis der letzten 30 Tage: 149,99 €", "EUR", "149.99"),  # beside its sign
        ("Set of 2 $15.00", "USD", "15"),  # the amount written against its sign
        ("Pack 10 pcs 9,99 €", "EUR", "9.99"),  # "pcs" is no currency code
        ("EUR 9.90 statt 12,90", "EUR", "9.90"),
        ("49,90 statt 59,90 €", "EUR", "49.90"),  # the first amount is money: read as written
        ("Jetzt 49,- € statt 59,90 €", "EUR", "49"),
        ("499 kr Før 699 NOK", "NOK", "499"),
        ("149,99 inkl. MwSt., Versand 4,95 €", "EUR", "149.99"),
        ("12.99 / 1 PCS", "USD", "12.99"),
        ("3 x 10,00 €", "EUR", "10"),
        ("2 db 199 Ft", "HUF", "199"),
    ],
)
def test_parse_price(raw: object, currency: str | None, expected: str | None) -> None:
    """Prices in many notations become a decimal string with a full stop; of a text with several
    numbers, the amount beside a currency sign or code."""
    assert parse_price(raw, currency) == expected


@pytest.mark.parametrize(
    ("raw", "tld", "expected"),
    [
        ("EUR", "", "EUR"),
        ("€", "", "EUR"),
        ("$", "cl", "CLP"),
        ("$", "", "USD"),
        ("kr", "dk", "DKK"),
        ("zł", "", "PLN"),
        ("usd", "", "USD"),
        ("원", "", "KRW"),
        ("Rp", "", "IDR"),
        ("TL", "", "TRY"),
        ("грн", "", "UAH"),
        ("د.إ", "", "AED"),
        ("Euro Dollar", "", None),
        ("", "", None),
    ],
)
def test_normalise_currency(raw: str, tld: str, expected: str | None) -> None:
    """Codes and symbols become ISO 4217 codes; a bare dollar reads the country."""
    assert normalise_currency(raw, tld) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://schema.org/InStock", "InStock"),
        ("http://schema.org/OutOfStock", "OutOfStock"),
        ("SoldOut", "OutOfStock"),
        ("in_stock", "InStock"),
        ("Auf Lager.", "InStock"),
        ("Derzeit nicht verfügbar.", "OutOfStock"),
        ("Actuellement indisponible.", "OutOfStock"),
        ("En stock", "InStock"),
        ("Agotado", "OutOfStock"),
        ("Produkt niedostępny", "OutOfStock"),
        ("toode pole hetkel saadaval", "OutOfStock"),
        ("Disponibile presso questi venditori.", "InStock"),
        ("Vorbestellen", "PreOrder"),
        ("缺貨中", "OutOfStock"),
        (True, "InStock"),
        (False, "OutOfStock"),
        ("Lorem ipsum", None),
        ("", None),
    ],
)
def test_availability(raw: object, expected: str | None) -> None:
    """schema.org values, aliases and shop phrases in many languages."""
    assert normalise_availability(raw) == expected


@pytest.mark.parametrize(
    ("phrase", "expected"),
    [
        ("Dieser Artikel ist nicht mehr verfügbar.", "OutOfStock"),
        ("Leider nicht mehr lieferbar", "OutOfStock"),
        ("Ce produit n'est plus disponible", "OutOfStock"),
        ("Produit plus disponible", "OutOfStock"),
        ("Ya no está disponible", "OutOfStock"),
        ("Produto não disponível", "OutOfStock"),
        ("Non è più disponibile", "OutOfStock"),
        ("Niet beschikbaar", "OutOfStock"),
        ("Niet meer op voorraad", "OutOfStock"),
        ("Produkt nie jest dostępny", "OutOfStock"),
        ("Tovar není skladem", "OutOfStock"),
        ("Nedostupné", "OutOfStock"),
        ("Товар не в наличии", "OutOfStock"),
        ("無現貨", "OutOfStock"),
        ("Currently not in stock", "OutOfStock"),
        ("This item isn't available", "OutOfStock"),
        ("Online no longer available - in stores only", "OutOfStock"),
        ("Sofort lieferbar", "InStock"),
        ("Plus de 10 disponibles", "InStock"),
        ("Item no. 5 - in stock", "InStock"),
        ("No. 1 bestseller, available now", "InStock"),
        ("Available in 3 colours", "InStock"),
        ("Op voorraad", "InStock"),
        ("Beschikbaar", "InStock"),
        ("Na skladě", "InStock"),
        ("有现货", "InStock"),
        ("Trenutno nije dostupno za online kupnju", "OutOfStock"),
        ("Na zalihi", "InStock"),
        ("Немає в наявності", "OutOfStock"),
        ("В наявності", "InStock"),
        ("Stoc epuizat", "OutOfStock"),
        ("În stoc", "InStock"),
        ("Изчерпан", "OutOfStock"),
        ("Μη διαθέσιμο", "OutOfStock"),
        ("Produsul nu mai este în stoc", "OutOfStock"),
        ("Не е в наличност", "OutOfStock"),
        ("Nije na zalihi", "OutOfStock"),
    ],
)
def test_a_negated_availability_word_wins_over_the_bare_word(phrase: str, expected: str) -> None:
    """A negation before an in-stock word ("nicht mehr verfügbar", "plus disponible", "niet
    beschikbaar") or written with it ("niedostępny", "無現貨") reads as out of stock, in any of the
    table's languages; numbers, item labels and other clauses before the word do not negate it."""
    assert availability_from_phrase(phrase) == expected


@pytest.mark.parametrize(
    ("value", "base", "expected"),
    [
        ("/img/a.jpg", "https://shop.example/p/1", "https://shop.example/img/a.jpg"),
        ("../b.png", "https://shop.example/p/q/", "https://shop.example/p/b.png"),
        ("//cdn.example/c.jpg", "https://shop.example/", "https://cdn.example/c.jpg"),
        ("https://cdn.example/d e.jpg", "https://shop.example/", "https://cdn.example/d%20e.jpg"),
        ("data:image/gif;base64,R0lGOD", "https://shop.example/", None),
        ("javascript:void(0)", "https://shop.example/", None),
        ("ftp://x.example/a.jpg", "https://shop.example/", None),
        ("https://cdn.example/{size}/a.jpg", "https://shop.example/", None),
        ("", "https://shop.example/", None),
    ],
)
def test_absolute_url(value: str, base: str, expected: str | None) -> None:
    """Relative, protocol-relative and odd URLs resolve to absolute http(s) URLs or nothing."""
    assert absolute_url(value, base) == expected


def test_largest_from_srcset() -> None:
    """The widest candidate wins, by width or by density."""
    assert largest_from_srcset("a.jpg 300w, b.jpg 1200w, c.jpg 600w") == "b.jpg"
    assert largest_from_srcset("a.jpg, b.jpg 2x") == "b.jpg"
    assert largest_from_srcset("") is None


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://m.media-amazon.com/images/I/71abc._AC_SX300_.jpg",
            "https://m.media-amazon.com/images/I/71abc.jpg",
        ),
        (
            "https://cdn.shopify.com/s/files/1/kettle_300x300.jpg?v=12",
            "https://cdn.shopify.com/s/files/1/kettle.jpg?v=12",
        ),
        ("https://i.ebayimg.com/images/g/AbC/s-l64.jpg", "https://i.ebayimg.com/images/g/AbC/s-l1600.jpg"),
        ("https://ae01.alicdn.com/kf/Habc.jpg_50x50.jpg", "https://ae01.alicdn.com/kf/Habc.jpg"),
        ("https://shop.example/img/a_90x90.jpg", "https://shop.example/img/a_90x90.jpg"),
        (
            "https://shop.example/wp-content/uploads/2023/11/oil-500ml-300x300.jpg",
            "https://shop.example/wp-content/uploads/2023/11/oil-500ml.jpg",
        ),
        (  # a size-like name outside WordPress media, and WordPress's "-scaled" full-size copy
            "https://shop.example/img/poster-1920x1080.jpg",
            "https://shop.example/img/poster-1920x1080.jpg",
        ),
        (
            "https://shop.example/wp-content/uploads/2024/01/sofa-scaled.jpg?v=2",
            "https://shop.example/wp-content/uploads/2024/01/sofa-scaled.jpg?v=2",
        ),
    ],
)
def test_upgrade_image_url(url: str, expected: str) -> None:
    """Well-known CDN size tokens are removed; unknown conventions are left alone."""
    assert upgrade_image_url(url) == expected


def test_one_picture_in_several_sizes_counts_once_at_its_largest() -> None:
    """Sizes of one picture share a key; the deduped list keeps first-seen order and the largest."""
    assert picture_key("https://x.example/p/a_90x90.jpg") == picture_key(
        "https://x.example/p/a_1600x1600.jpg"
    )
    assert picture_key("https://x.example/r/2000x2000/p/a.jpg") == picture_key("https://x.example/p/a.jpg")
    assert picture_key("https://x.example/p/a.jpg") != picture_key("https://x.example/p/b.jpg")
    urls = [
        "https://x.example/p/a_90x90.jpg",
        "https://x.example/p/b_90x90.jpg",
        "https://x.example/p/a_1600x1600.jpg",
        "https://x.example/p/a-zoom.jpg",
    ]
    assert dedupe_pictures(urls) == ["https://x.example/p/a-zoom.jpg", "https://x.example/p/b_90x90.jpg"]


@pytest.mark.parametrize(
    ("url", "hint", "junk"),
    [
        ("https://shop.example/static/logo.png", "", True),
        ("https://shop.example/icons/cart.svg", "", True),
        ("https://www.facebook.com/tr?id=1", "", True),
        ("https://shop.example/img/sprite-2x.png", "", True),
        ("https://shop.example/img/p1.jpg", "payment badge", True),
        ("https://shop.example/img/red-swatch.jpg", "", True),
        ("https://shop.example/img/kettle-front.jpg", "Kettle", False),
        ("https://shop.example/media/star-wars-lego.jpg", "", False),
    ],
)
def test_junk_images(url: str, hint: str, junk: bool) -> None:
    """Logos, icons, tracking pixels, badges and swatches are not product pictures."""
    assert is_junk_image(url, hint) is junk


@pytest.mark.parametrize(
    ("name", "host", "site_names", "expected"),
    [
        ("Kettle Pro | OTTO", "www.otto.de", [], "Kettle Pro"),
        ("Amazon.com: Squirrel Buster Mini", "www.amazon.com", [], "Squirrel Buster Mini"),
        ("Lamp - Casa Bonita", "casabonita.example", ["Casa Bonita"], "Lamp"),
        ("Big Shop - Lamp", "bigshop.example", [], "Lamp"),
        (
            "Assassin's Creed (Exclusive to Amazon.co.uk)",
            "www.amazon.co.uk",
            [],
            "Assassin's Creed (Exclusive to Amazon.co.uk)",
        ),
        ("Tea - Green", "teahouse.example", [], "Tea - Green"),
        ("[Olive Young] Sun Cream 50 ml", "www.oliveyoung.co.kr", [], "Sun Cream 50 ml"),
        ("【楽天ブックス】 海辺の灯台守", "books.rakuten.co.jp", ["楽天ブックス"], "海辺の灯台守"),
        ("[Exclusive] Sun Cream 50 ml", "www.oliveyoung.co.kr", [], "[Exclusive] Sun Cream 50 ml"),
        ("[Acme] - Kettle", "acme.example", [], "Kettle"),
        ("[Acme Kettle] 2L", "acme.example", [], "[Acme Kettle] 2L"),
    ],
)
def test_strip_site_name(name: str, host: str, site_names: list[str], expected: str) -> None:
    """The shop's name goes; the product's own words stay."""
    assert strip_site_name(name, host, site_names) == expected


@pytest.mark.parametrize("serialized", [False, True])
def test_html_to_text_keeps_a_table_row_on_one_line_its_cells_apart(serialized: bool) -> None:
    """A table's row is one line and its cells stay apart ("Materiale Pelle di vitello", not
    "MaterialePelle di vitello"), whether the markup is a page's or the parser's own."""
    html = (
        "<table><tr><th>Materiale</th><td>Pelle di vitello</td></tr>"
        "<tr><td>Colore</td><td>Nero</td></tr></table><p>Una borsa.</p>"
    )
    assert (
        html_to_text(html, serialized=serialized) == "Materiale Pelle di vitello\n\nColore Nero\n\nUna borsa."
    )
    # a cell's end tag is optional
    assert html_to_text("<table><tr><td>Materiale<td>Pelle<tr><td>Colore<td>Nero</table>") == (
        "Materiale Pelle\n\nColore Nero"
    )


def test_html_to_text_keeps_paragraphs() -> None:
    """Block elements become paragraphs, inline markup and scripts do not break the text."""
    html = (
        "<p>First <b>bold</b> line.</p><ul><li>One</li><li>Two</li></ul>"
        "<script>x=1</script>Tail<br>End &amp; more"
    )
    assert html_to_text(html) == "First bold line.\n\nOne\n\nTwo\n\nTail\n\nEnd & more"
    assert to_plain_text("Line one\\nLine two") == "Line one\n\nLine two"
    assert to_plain_text("&lt;p&gt;Escaped&lt;/p&gt;") == "Escaped"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1}', [{"a": 1}]),
        ('{"a": [1, 2,],}', [{"a": [1, 2]}]),
        ('{"a": "x" /* note */, // line\n "b": 2}', [{"a": "x", "b": 2}]),
        ('{"a": "two\nlines"}', [{"a": "two\nlines"}]),
        ('{"a": 1}{"b": 2}', [{"a": 1}, {"b": 2}]),
        ('<!-- {"a": 1} -->', [{"a": 1}]),
        ("{&quot;a&quot;: &quot;b&quot;}", [{"a": "b"}]),
        ('{"a": "it\\\'s"}', [{"a": "it's"}]),
        ("not json", []),
        ("[" * 5000 + "]" * 5000, []),
        ("", []),
    ],
)
def test_loads_lenient(text: str, expected: list[object]) -> None:
    """JSON the way browsers tolerate it; hopeless or too deep input gives nothing, never an error."""
    assert loads_lenient(text) == expected


def test_load_json_at_reads_a_javascript_assignment() -> None:
    """The value of ``window.X = {...};`` is read up to where it ends, from text or bytes."""
    source = 'window.__STATE__ = {"p": {"n": "x"}}; window.other = 1;'
    start = source.index("{")
    assert load_json_at(source, start) == {"p": {"n": "x"}}
    assert load_json_at(source.encode(), start) == {"p": {"n": "x"}}
    assert load_json_at(source, 0) is None


@pytest.mark.parametrize(
    "source",
    [
        'window.__STATE__ = {"name": "Größe Übergröße — 雪", "n": ["é", "😀"]}; window.other = {"x": 1};',
        'var data = {"name": "Größe Übergröße — 雪", "n": ["é", "😀"]}\n</script><p>Café ü</p>',
    ],
)
def test_load_json_at_reads_non_ascii_json_from_text_and_utf8_bytes(source: str) -> None:
    """Non-ASCII JSON followed by more script is read whole, from text and from the page's UTF-8
    bytes alike (orjson's error position counts characters, the bytes' offsets count bytes)."""
    expected = {"name": "Größe Übergröße — 雪", "n": ["é", "😀"]}
    start = source.index("{")
    assert load_json_at(source, start) == expected
    data = source.encode()
    assert load_json_at(data, data.index(b"{")) == expected


def test_load_json_at_reads_utf8_bytes_with_bad_bytes_after_the_json() -> None:
    """A stray invalid byte after the JSON (or a chunk cut inside a character) loses nothing."""
    data = 'x = {"name": "Größe"};'.encode() + b" \xff\xc3"
    assert load_json_at(data, data.index(b"{")) == {"name": "Größe"}


def test_loads_lenient_reads_non_ascii_documents_in_a_row() -> None:
    """Several documents in a row with non-ASCII text are all read."""
    assert loads_lenient('{"a": "ä€"} {"b": "😀"}, [1]') == [{"a": "ä€"}, {"b": "😀"}, [1]]


def test_gender_and_age_group_from_schema_values() -> None:
    """schema.org audience values map to the product-feed gender and age group."""
    assert gender_from_schema("https://schema.org/Female") == "female"
    assert gender_from_schema("Unisex") == "unisex"
    assert gender_from_schema("purple") is None
    assert age_group_from_ages(16) == "adult"
    assert age_group_from_ages(None, 10) == "kids"
    assert age_group_from_ages(None, 3) == "toddler"
    assert age_group_from_ages() is None


def test_gender_and_age_group_from_words() -> None:
    """Words of the name or breadcrumbs say who a product is for; both genders make it unisex."""
    assert gender_in(["Men's leather boots"]) == "male"
    assert gender_in(["Trail shoe for men and women"]) == "unisex"
    assert gender_in(["Stainless steel kettle", "Kitchen"]) is None
    assert age_group_in(["Girls' butterfly watch set"]) == "kids"
    assert age_group_in(["Puzzle for ages 3+"]) == "toddler"
    assert age_group_in(["Electric kettle"]) is None
    assert age_group_in(["Kaffeevollautomat KV 640 Latte"], "de") is None  # not "40 lat" (Polish years)
    assert age_group_in(["Puzzle für Kinder ab 6 Jahren"], "de") == "kids"


def test_a_false_friend_of_english_is_no_audience_word() -> None:
    """A word of the page's language that an English list holds with another meaning (Turkish
    "boy", a length or a height) says no age on its pages; English pages still read it."""
    assert age_group_in(["Model ölçüleri: Boy 1.74, Göğüs 84"], "tr") is None
    assert age_group_in(["Çift sıra düğmeli klasik kesim, diz altı boy"], "tr") is None
    assert age_group_in(["Erkek çocuk kışlık mont"], "tr") == "kids"
    assert age_group_in(["Boys' winter jacket"], "en") == "kids"


def test_a_warranty_of_years_is_no_age() -> None:
    """A number of years beside a warranty's word, before or after it, is how long the warranty
    lasts ("Garanzia globale di 10 anni" is no ten-year-old's suitcase)."""
    assert age_group_in(["Trolley Arco 69 cm", "Garanzia globale di 10 anni"], "it") is None
    assert age_group_in(["Cordless drill, 5 years warranty"], "en") is None
    assert age_group_in(["Trolley per bambini dai 3 anni"], "it") == "toddler"
    assert age_group_in(["Ages 3 years and up. 1 year warranty included"], "en") == "toddler"
    assert age_group_in(["For children from 6 years. Warranty: 2 years"], "en") == "kids"


def test_gender_inside_longer_words() -> None:
    """A word said only inside a longer one of an unspaced script is not said ("メンズ" inside
    "ウィメンズ"); in a compounding language a gender word may begin a compound ("Damendüfte"),
    never in one that does not compound."""
    assert gender_in(["ウィメンズ", "アウター"], "ja") == "female"
    assert gender_in(["メンズ", "ウィメンズ"], "ja") == "unisex"
    assert gender_in(["Parfum", "Damendüfte"], "de") == "female"
    assert gender_in(["Herrenschuhe"], "de") == "male"
    assert gender_in(["Handtuch aus Baumwolle"], "de") is None
    assert gender_in(["Menswear-inspired blazer"], "en") is None


def test_audience_phrase_from_category_gender_and_age() -> None:
    """The marketer's phrase follows the category and, where they apply, gender and age."""
    tree = taxonomy()
    dress = tree.resolve("Clothing > Dresses")
    dog_food = tree.resolve("Dog Supplies > Dog Food")
    toy = tree.resolve("Toys & Games > Toys")
    assert audience_phrase(dress, "female", "adult") == "Fashion-conscious women"
    assert audience_phrase(dog_food, None, None) == "Dog owners and health-conscious pet parents"
    assert audience_phrase(toy, None, "kids").startswith("Parents shopping for kids")
    assert audience_phrase(None, None, None) == ""


def test_audience_table_names_categories_of_the_taxonomy() -> None:
    """Every key of the shipped audience table is a category path of the shipped taxonomy, and
    every phrase is short."""
    paths = {category.text for category in taxonomy().categories}
    table = audiences()
    assert len(table) > 200
    assert set(table) <= paths, sorted(set(table) - paths)
    assert all(groups and len(" ".join(groups).split()) <= 9 for groups in table.values())


def test_audience_phrase_of_the_nearest_category_listed() -> None:
    """A category takes its own phrase, else its nearest ancestor's; an activity and a gender lead
    it, and a phrase names at most three groups of people."""
    tree = taxonomy()
    espresso = tree.resolve("Coffee Makers & Espresso Machines > Espresso Machines")
    drip = tree.resolve("Drip Coffee Makers")
    jacket = tree.resolve("Outerwear > Coats & Jackets")
    assert audience_phrase(espresso, None, None) == "Home baristas and espresso lovers"
    assert audience_phrase(drip, None, None) == "Coffee lovers and home baristas"
    assert audience_phrase(jacket, "male", "adult") == "Men, commuters and hikers"
    assert audience_phrase(jacket, "male", "adult", "running") == "Male runners, commuters and hikers"
    assert audience_phrase(jacket, None, "kids") == "Parents shopping for kids"


def test_trie_pattern_matches_exactly_the_words() -> None:
    """The trie-shaped pattern accepts every word, its prefixes only when they are words."""
    import re

    pattern = re.compile(f"^(?:{trie_pattern(['art', 'artikel', 'brand', 'art.-nr.'])})$")
    for word in ("art", "artikel", "brand", "art.-nr."):
        assert pattern.match(word)
    for word in ("arti", "bran", "artikelx", ""):
        assert not pattern.match(word)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Home > Kitchen > Kettles", ["Home", "Kitchen", "Kettles"]),
        ("Craft Supplies &amp; Tools < Beads < Glass", ["Craft Supplies & Tools", "Beads", "Glass"]),
        ("Apparel &amp; Accessories &gt; Clothing", ["Apparel & Accessories", "Clothing"]),
        ("Damen › Schuhe", ["Damen", "Schuhe"]),
        ("Maison»Cuisine", ["Maison", "Cuisine"]),
        ("Women / Shoes / Sneakers", ["Women", "Shoes", "Sneakers"]),
        ("Femme » Sacs / Cabas", ["Femme", "Sacs / Cabas"]),
        ("Tops/T-Shirts", ["Tops/T-Shirts"]),
        ("Kettles", ["Kettles"]),
        (" > Home >> Garden > ", ["Home", "Garden"]),
        ("", []),
        (None, []),
    ],
)
def test_category_path(value: object, expected: list[str]) -> None:
    """A category written as one path splits at its separators; a slash only with spaces around."""
    assert category_path(value) == expected


def test_category_path_is_bounded() -> None:
    """A huge path gives at most 12 levels, none of them absurdly long."""
    levels = category_path(" > ".join(f"level {i}" for i in range(1000)))
    assert levels == [f"level {i}" for i in range(12)]
    assert category_path("x" * 500 + " > Kettles") == ["Kettles"]


@pytest.mark.parametrize(
    ("text", "sku", "brand", "gtin"),
    [
        ("Kettle\nSKU:\nAB-1234\nBrand\nAcme\nEAN: 4006381333931", "AB-1234", "Acme", "4006381333931"),
        ("Marke: Bosch\nArt.-Nr. 12345\nGTIN 1234567", "12345", "Bosch", None),
        ("Ref. see below\nRéférence : ZX-90\n(Brand: Hearth)", "ZX-90", None, None),
        ("Our brand story\nNo labels here", None, None, None),
        ("ISBN-13: 978-3-16-148410-0\nmodel number: WK2000", None, None, "9783161484100"),
    ],
)
def test_labelled_values_are_read_in_one_scan(
    text: str, sku: str | None, brand: str | None, gtin: str | None
) -> None:
    """Labels start a line (value on the same line or the next); the first valid code wins, and a
    label inside a sentence or after a bracket other than the table's is not a label."""
    values = find_labelled_values(text)
    assert (values.sku, values.brand, values.gtin) == (sku, brand, gtin)


@pytest.mark.parametrize(
    ("text", "sku", "mpn"),
    [
        ("Artikel-Nummer: 4711\nHerstellernummer: WK-2000", "4711", "WK-2000"),
        ("Model number: WK2000\nItem number: 88231", "88231", "WK2000"),
        ("Код товара: 55102\nМодель: X-5", "55102", "X-5"),
        ("Réf. fabricant : ABC-12\nRéf. : 778899", "778899", "ABC-12"),
    ],
)
def test_labelled_article_number_is_the_sku_and_model_number_the_mpn(text: str, sku: str, mpn: str) -> None:
    """The shop's own article number is the sku; a labelled model or part number is the mpn."""
    values = find_labelled_values(text)
    assert (values.sku, values.mpn) == (sku, mpn)


@pytest.mark.parametrize(
    ("name", "language", "expected"),
    [
        ("Damenwinterjacke Alpina", "de", "Apparel & Accessories > Clothing > Outerwear > Coats & Jackets"),
        ("남성 겨울패딩점퍼", "ko", "Apparel & Accessories > Clothing > Outerwear > Coats & Jackets"),
        ("Robot aspirapolvere con base", "it", "Home & Garden > Household Appliances > Vacuums"),
        (
            "Stainless Steel Cheese Slicer",
            "en",
            "Home & Garden > Kitchen & Dining > Kitchen Tools & Utensils > Kitchen Slicers",
        ),
        (
            "Vitalcane Adult Medium Salmone e Riso crocchette per cani",
            "it",
            "Animals & Pet Supplies > Pet Supplies > Dog Supplies > Dog Food",
        ),
        (
            "Waxed Cotton Jewelry Cord, 1 mm",
            "en",
            "Arts & Entertainment > Hobbies & Creative Arts > Arts & Crafts > Art & Crafting Materials"
            " > Crafting Fibers > Jewelry & Beading Cord",
        ),
        (
            "Orange hunting vest with pockets",
            "en",
            "Apparel & Accessories > Clothing > Activewear > Hunting Clothing > Hunting & Fishing Vests",
        ),
    ],
)
def test_category_from_a_name_in_its_language(name: str, language: str, expected: str) -> None:
    """A name's head noun names its category: compounds by their ending (German), Korean inside a
    longer word, the head first in Italian, last in English ("Cheese Slicer" is a kitchen tool);
    a product for an animal is a pet supply wherever its name says so (salmon is its flavour); a
    taxonomy name "A & B C" also names "A C" ("Jewelry & Beading Cord", "Hunting & Fishing Vests")."""
    category = classify([Evidence(name, 3.0, is_name=True)], language)
    assert category is not None and category.text == expected


def test_the_category_index_leaves_the_garbage_collector_alone() -> None:
    """The index's tens of thousands of entries share a few thousand sets of categories and are
    plain tuples, which the collector stops watching: a process that extracts keeps them for its
    life, and every full collection would walk each one it watches."""
    found = index()
    gc.collect()
    entries = [*found.phrases.values(), *found.heads.values(), *found.unspaced.values()]
    assert len(entries) > 10 * len(found.id_sets)
    assert not any(gc.is_tracked(entry) for entry in entries)


def test_no_category_from_weak_hints() -> None:
    """A lone one-word taxonomy name ("Altos") is too weak to decide a category."""
    assert classify([Evidence("Altos", 3.0)], "pt") is None


@pytest.mark.parametrize(
    ("gtin", "specifications"),
    [("9781473663978", []), (None, [Specification(name="ISBN", value="978-1-4736-6397-8")])],
)
def test_an_isbn_makes_a_book(gtin: str | None, specifications: list[Specification]) -> None:
    """A book about a phone is a book: an ISBN outweighs what the title names."""
    product = Product(
        name="The One Device: The Secret History of the iPhone",
        url="https://books.example/one-device",
        gtin=gtin,
        specifications=specifications,
    )
    category = classify(category_evidence(product), "en")
    assert category is not None
    assert category.text.startswith("Media > Books")
    plain = product.model_copy(update={"gtin": "4006381333931", "specifications": []})
    other = classify(category_evidence(plain), "en")
    assert other is None or not other.text.startswith("Media")


@pytest.mark.parametrize(
    ("name", "language", "activity"),
    [
        ("Chaussures imperméables de randonnée MH500", "fr", "hiking"),
        ("Herren Laufschuhe Tempo", "de", "running"),
        ("Men's Stormline Running Jacket", "en", "running"),
        ("Retro runner trainers in off white", "en", None),
        ("Stainless steel kettle 1.7 L", "en", None),
    ],
)
def test_activity_from_a_name(name: str, language: str, activity: str | None) -> None:
    """The activity a name says the product is made for, in the page's language (a German
    compound included); a style name ("runner trainers") is not an activity."""
    assert activity_in([name], language) == activity


def test_the_activity_leads_the_audience() -> None:
    """The people of the activity lead the phrase; a category phrase that names them stays."""
    shoes = taxonomy().resolve("Shoes")
    assert audience_phrase(shoes, "male", "adult", "hiking") == "Hikers and style-conscious men"
    skis = taxonomy().resolve("Winter Sports & Activities")
    assert audience_phrase(skis, None, None, "skiing") == "Skiers and snowboarders"
    assert audience_phrase(None, None, None, "running") == "Runners"


@pytest.mark.parametrize(
    ("line", "titled"),
    [
        ("Two-Way Audio: Enables communication through a built-in microphone and speaker.", True),
        ("No Hub Required - Works with any Wi-Fi router without a separate hub.", True),
        ("1080P HD with Pan Tilt - 360 rotational and 114 vertical views", True),
        ("Material: Cotton", False),
        ("Weight 200g.", False),
        ("A very long title that goes on and on for words: and then a sentence follows it here", False),
    ],
)
def test_titled_claims(line: str, titled: bool) -> None:
    """A feature written as a short title and a sentence about it is a titled claim; a
    specification row or a plain fact is not."""
    assert is_titled_claim(line) is titled


@pytest.mark.parametrize(
    "heading",
    ["Öne çıkan özellikler", "상품 특징", "Why you’ll love it", "Główne cechy", "主な特長", "Highlights"],
)
def test_highlight_headings_in_every_script(heading: str) -> None:
    """A highlight heading is found whatever letters its language uses: the headings are folded
    as the page's text is (Hangul, dotless i, ł, typographic apostrophes)."""
    assert names_highlights(fold(heading))


def test_no_character_below_the_unspaced_scripts_folds_into_one() -> None:
    """``may_hold_unspaced`` reads a text unfolded: it holds only if no character below U+0E00
    folds into a script without spaces."""
    assert all(is_spaced_script(fold(chr(code))) for code in range(0xE00))
    assert not may_hold_unspaced("Größe ½ ¼ Ⱥ naïve")
    assert may_hold_unspaced("Tシャツ") and may_hold_unspaced("เสื้อ")


_LONG_CLAIM = (
    "The walnut veneer frame is finished by hand and sealed with a natural oil that brings out the "
    "grain. Each shelf holds up to twelve kilograms, and the adjustable feet keep it level on uneven "
    "floors. Two cable holes at the back keep the wires of a lamp or a speaker out of sight, and the "
    "back panel can be fixed to the wall. "
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a long paragraph keeps its product sentences and loses the shop's disclaimer
        (
            _LONG_CLAIM + "The actual colour may differ from the pictures. Assembly takes ten minutes.",
            _LONG_CLAIM + "Assembly takes ten minutes.",
        ),
        # a short paragraph of policy goes whole; the product's paragraph stays as written
        (_LONG_CLAIM.strip() + "\n\nFree delivery on orders over 50 euros.", _LONG_CLAIM.strip()),
        # a long paragraph without policy is left as it is, line breaks included
        (_LONG_CLAIM + "\nSolid oak legs.", _LONG_CLAIM + "\nSolid oak legs."),
        # the line break after a sentence taken out stays; a long paragraph's saving is a claim
        (
            _LONG_CLAIM + "Free shipping on all orders.\nSave 20% on heating with the eco mode.",
            _LONG_CLAIM.rstrip() + "\nSave 20% on heating with the eco mode.",
        ),
        # nothing but policy: the text itself (nothing would be left)
        ("Free delivery on orders over 50 euros.", "Free delivery on orders over 50 euros."),
        # a regulator's disclaimer is the shop's, not the product's
        (
            _LONG_CLAIM.strip() + "\n\nThis medicine has not been evaluated by SAHPRA for its quality.",
            _LONG_CLAIM.strip(),
        ),
    ],
)
def test_without_policy_takes_out_policy_paragraphs_and_the_policy_sentences_of_long_ones(
    text: str, expected: str
) -> None:
    assert without_policy(text) == expected


@pytest.mark.parametrize(
    "markup",
    [
        '<a href="/red">Red</a>',
        '<svg><a xlink:href="?color=red"><rect/></a></svg>',  # lexbor files it under href
        '<a xlink:href="/red">Red</a>',  # outside svg: no href at all
        "<a>Red</a>",
        '<span href="/red">Red</span>',
    ],
)
def test_is_link_answers_as_the_css_selector_a_href(markup: str) -> None:
    tree = LexborHTMLParser(f"<div>{markup}</div>")
    for node in tree.css("div *"):
        matches = {match.mem_id for match in node.css("a[href]")}  # (its subtree, itself included)
        assert is_link(node) == (node.mem_id in matches)


def test_a_flattened_specification_table_gives_no_points() -> None:
    """A description that is a table laid out one cell under the other (group titles, names,
    values) is no list of claims; a run of as many short claims still is."""
    cells = [
        "General", "Brand", "Oakline", "Model", "Hanna", "Size", "Bed size", "Single", "Measures",
        "Width", "105 cm", "Length", "200 cm", "Material", "Material", "Oak wood", "Legs or wheels",
        "4 legs", "Type", "Product type", "Bed frame", "Bed class", "Mid range", "Base type",
        "Slatted base", "Includes", "Extras", "Drawer set",
    ]  # fmt: skip
    assert points_in_text("\n\n".join(cells)) == []
    claims = [
        "Solid oak frame that lasts for decades",
        "Slatted base lets the mattress breathe",
        "Two deep drawers for bedding and pillows",
        "Rounded corners keep small children safe",
        "Assembles in about twenty minutes with one tool",
        "Natural oil finish that is easy to refresh",
        "Legs lift the bed for easy cleaning under it",
        "Headboard padded for reading in bed",
        "Fits standard mattresses of 105 x 200 cm",
        "Quiet joints that never creak at night",
        "Wood from forests managed for the long term",
        "Ten year guarantee on the frame",
    ]
    assert points_in_text("\n\n".join(claims)) == claims[:10]  # (ten at most)


def test_a_press_quote_is_no_point_even_with_apostrophes_inside() -> None:
    """A quotation followed by who said it is a press or review quote; an apostrophe inside a
    word ("d'une", "It’s") does not end the quotation."""
    claim = "Three generations of gardeners pass on what they know"
    quotes = [
        "« Une écriture lumineuse, d'une justesse rare. » – Le Devoir",
        "“It’s the warmest novel of the year” — The Times",
        "'Tender, wise and quietly devastating' Sarah Winman",
    ]
    assert clean_points([*quotes, claim]) == [claim]


def test_the_titles_of_a_description_written_as_features_are_its_points() -> None:
    """Three short titles or more, each over a paragraph of sentences that takes up one of its
    words, are the features' titles; a section's name ("About the author") or a title its
    paragraph does not speak of is none, and fewer than three titles make no list."""
    features = [
        "Obstacle avoidance",
        "Multi-sensors detect obstacles in the mower's path and steer it around them without a stop.",
        "Quiet enough for the night",
        "At 58 dB the mower runs quietly while you sleep, and the neighbours will not hear it.",
        "Mulches as it mows",
        "Short clippings fall back onto the lawn as mulch, so there is nothing left to collect.",
    ]
    others = [
        "About the author",
        "Jane Moor grew up by the sea and has written about gardens for twenty years now.",
        "Made for you",
        "Every batch is checked by hand before it leaves the workshop, one by one, every day.",
    ]
    text = "\n\n".join(["Built for small gardens", *features, *others])
    assert feature_titles(text) == ["Obstacle avoidance", "Quiet enough for the night", "Mulches as it mows"]
    assert feature_titles("\n\n".join([*features[:4], *others])) == []


def test_a_page_controls_text_is_taken_out_of_descriptions() -> None:
    """A paragraph that is only a page control's text ("Read more ›", "Ver toda la descripción")
    leaves the description; a paragraph that says more with those words stays."""
    text = (
        "A soft cotton shirt.\n\nRead more ›\n\nVer toda la descripción\n\n"
        "Read more about the cotton we grow for it.\n\nMachine washable."
    )
    assert without_policy(text) == (
        "A soft cotton shirt.\n\nRead more about the cotton we grow for it.\n\nMachine washable."
    )


def test_struck_rules_of_a_style_sheet() -> None:
    """A style sheet strikes a bare class through, or a class inside another one ("outer inner");
    a rule with a state, a tag or more levels in its selector names no class to strike."""
    css = (
        ".a{color:red}.price-was{text-decoration:line-through}.prod-price .mrp{text-decoration:line-through}"
        ".btn:hover{text-decoration:line-through}.x .y .z{text-decoration:line-through}"
        "div .old{text-decoration:line-through}"
    )
    assert list(struck_rule_classes(css)) == ["price-was", "prod-price mrp"]


@pytest.mark.parametrize(
    ("label", "axis"),
    [
        ("Größe wählen", "size"),
        ("Pakkauskoko", "size"),
        ("Rahmenfarbe:", "color"),
        ("Schuhgröße", "size"),
        ("purchaseType", None),
        ("Lieferzeit", None),
        ("Inhoud", "capacity"),
        ("Pojemność:", "capacity"),
        ("Presentación", "size"),
        ("インク色", "color"),
        ("本体カラー：ホワイト", "color"),
        ("替芯サイズ", "size"),
        ("颜色分类", "color"),
        ("お届け日", None),
        ("ボール径", None),
        ("商品特色", None),  # a one-character axis word after an ideograph: an everyday word
        ("趣味", None),
        ("ボディ色", "color"),
    ],
)
def test_axis_of_a_label(label: str, axis: str | None) -> None:
    """A label names its axis, also as the end of one compound word of a compounding language
    ("Pakkauskoko", package size) or of a label in kana, ideographs or Hangul ("インク色", the ink's
    colour); an English form field's name ("purchaseType") names none."""
    assert axis_of(label) == axis


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("60 ml 2 199 Kč", "60 ml"),
        ("1000 ml – 549 kr", "1000 ml"),
        ("Forest Green - ฿1,290.00", "Forest Green"),
        ("4-lb bag $21.99 $5.50/lb", "4-lb bag"),
        ("30-lb bag $78.99 Out of Stock", "30-lb bag"),
        ("2 x 500 g 12,99 €", "2 x 500 g"),
        ("250 ml - Pack of 2", "250 ml - Pack of 2"),
        ("Midnight - sold out", "Midnight"),
        ("€12", "€12"),
        ("100 ml", "100 ml"),
        ("XL", "XL"),
    ],
)
def test_an_option_is_named_without_its_price_and_notes(text: str, name: str) -> None:
    """The price written after an option's name, and a sold-out note, are not part of its name;
    a unit or a count after it is ("2 x 500 g", "Pack of 2"), and an option that is only a price
    keeps it."""
    assert option_name(text) == name


@pytest.mark.parametrize(
    ("name", "option"),
    [
        ("Seleziona Colore Blu navy", "Blu navy"),
        ("Select size: 10", "10"),
        ("Colour: Navy", "Navy"),
        ("Colour", "Colour"),
        ("Sizeable", "Sizeable"),
        ("Red", "Red"),
        ("Cor-de-rosa", "Cor-de-rosa"),
        ("Pack of 6", "Pack of 6"),
        ("Storage Box", "Storage Box"),
    ],
)
def test_a_swatch_name_without_its_prompt_and_axis(name: str, option: str) -> None:
    """A swatch's accessible name ("Select Colour Navy") names the option after its prompt and
    axis words (a prompt before them or a colon after them says they are a label); a name that is
    only an axis word, begins with one as a word of its own ("Cor-de-rosa", "Pack of 6") or merely
    begins like one stays."""
    assert without_axis_words(name) == option


def test_a_weight_label_names_the_size_only_where_the_page_shows_it() -> None:
    """A selector labelled "Peso" or "Gewicht" offers sizes when its options are weights (bags of
    1 kg and 3 kg); below "Net weight: 500 g" a row of buttons is no size. The same word as a key
    of a variant's JSON is its shipping weight, no axis; a longer label is no weight's."""
    assert settled_axis(shown_axis_of("Peso") or "", ["1 kg", "3 kg", "10,1 kg"]) == "size"
    assert settled_axis(shown_axis_of("Gewicht:") or "", ["Add to cart", "Add to wishlist"]) is None
    assert axis_of("weight") is None
    assert shown_axis_of("Peso suportado por cada lado") is None


@pytest.mark.parametrize(
    ("text", "split"),
    [
        ("60 ml 2 199 Kč", ("60 ml", "2199")),
        ("Forest Green - ฿1,290.00", ("Forest Green", "1290")),
        ("1 Ream $7.49", ("1 Ream", "7.49")),
        ("2 x 500 g 12,99 €", ("2 x 500 g", "12.99")),
        ("250 ml - Pack of 2", ("250 ml - Pack of 2", None)),
        ("€12", ("€12", None)),
        ("Set of 2 $15.00", ("Set of 2", "15")),
        ("Pack of 6 12,99 €", ("Pack of 6", "12.99")),
        ("Velikost 42 1 299 Kč", ("Velikost 42", "1299")),
        ("Size 10 $120.00", ("Size 10", "120")),
    ],
)
def test_an_options_price_is_the_amount_written_after_its_name(
    text: str, split: tuple[str, str | None]
) -> None:
    """The price after an option's name is the variant's price; an option that is only a price
    names itself and gives none."""
    assert split_price(text) == split


def test_an_options_text_for_screen_readers_only_is_not_its_name() -> None:
    """A theme's "Variant sold out or unavailable" hidden in every label is not part of a size's
    name; a swatch named only for screen readers keeps that name."""
    tree = LexborHTMLParser(
        '<label id="a">XS<span class="visually-hidden">Variant sold out or unavailable</span></label>'
        '<a id="b" class="chip"><span class="u-visually-hidden">Navy</span></a>'
    )
    first, second = tree.css_first("#a"), tree.css_first("#b")
    assert first is not None and second is not None
    assert shown_text(first) == "XS"
    assert shown_text(second) == "Navy"


def _product_of(body: str, head: str = "") -> Product:
    html = f"<html><head>{head}</head><body>{body}</body></html>"
    from prodex.extract import extract_product

    return extract_product(html.encode(), "https://shop.example/p/1")


def test_a_list_word_belongs_to_the_price_right_after_it() -> None:
    """ "49,99 € statt 64,99 €" in one block: the list word names the second price."""
    product = _product_of(
        '<h1>Wanderrucksack Talwind 30</h1><div class="price-box"><span class="price">49,99 €</span> '
        '<span>statt</span> <span class="price">64,99 €</span></div>'
    )
    assert (product.price, product.regular_price) == ("49.99", "64.99")


def test_a_share_is_no_amount_and_full_width_signs_are_money() -> None:
    """ "(15,39% gespart)" beside a price is no price; "￥1,620" is 1620 yen."""
    assert parse_price("１，６２０円") == "1620"
    assert normalise_currency("￥") == "JPY"
    product = _product_of(
        '<h1>Matcha Unkaku 30 g</h1><div class="price"><span class="price-now">￥1,620</span></div>'
    )
    assert (product.price, product.currency) == ("1620", "JPY")


def test_rdfa_is_read_where_microdata_gives_only_breadcrumbs() -> None:
    """A page marking its breadcrumbs in microdata and its product in RDFa Lite gives both."""
    crumbs = (
        '<ol itemscope itemtype="https://schema.org/BreadcrumbList"><li itemprop="itemListElement" itemscope '
        'itemtype="https://schema.org/ListItem"><span itemprop="name">Pens</span>'
        '<meta itemprop="position" content="1"></li></ol>'
    )
    item = (
        '<article vocab="https://schema.org/" typeof="Product"><h1 property="name">Riva Fountain Pen</h1>'
        '<div property="offers" typeof="Offer"><meta property="price" content="24.50">'
        '<meta property="priceCurrency" content="EUR"></div></article>'
    )
    product = _product_of(crumbs + item)
    assert (product.name, product.price, product.source.get("price")) == (
        "Riva Fountain Pen",
        "24.50",
        "rdfa",
    )


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("4.8 (2,300)", 2300),
        ("4.2 stelle su 5 (41)", 41),
        ("4,5 von 5 Sternen (23)", 23),
        ("Rated 4.7 out of 5 (88)", 88),
        ("4.5 (2 of 5)", None),
        ("Größe 4,5 (EU 38)", None),
    ],
)
def test_a_count_in_brackets_after_an_average(text: str, count: int | None) -> None:
    """A count in brackets after an average counts its reviews, with the average's stars and
    scale between them or not; a bracket of other words does not."""
    assert count_in_text(text) == count


@pytest.mark.parametrize(
    "warning",
    [
        "Ne convient pas aux enfants de moins de 3 ans.",
        "Achtung: Nicht für Kinder unter 36 Monaten geeignet.",
        "Warning: not suitable for children under 3 years. Contains small parts.",
        "No apto para menores de 3 años.",
    ],
)
def test_a_toy_safety_warning_is_a_legal_notice(warning: str) -> None:
    """The mandatory warning of a toy's packaging is a legal notice, not the product's text."""
    text = f"La caserne des pompiers avec garage et sirène.\n\n{warning}"
    assert without_policy(text) == "La caserne des pompiers avec garage et sirène."


def test_an_article_is_a_prompt_only_after_a_verb() -> None:
    """ "Choisissez la taille" is a size's label; "Il Colore Rosso" and "Le Style Parisien" are
    names (an article alone is no prompt)."""
    assert axis_of("Choisissez la taille") == "size"
    assert axis_of("Scegli il colore") == "color"
    assert axis_of("Il Colore Rosso") is None
    assert without_axis_words("Le Style Parisien") == "Le Style Parisien"
    assert without_axis_words("De Kleur van de zee") == "De Kleur van de zee"


def test_an_audience_group_with_and_in_it_stays_whole() -> None:
    """The table lists groups, so a group that says "and" ("Sports and outdoor enthusiasts",
    "People with hypertension and their caregivers") is never split; only a group of "...
    people" is said of women or men."""
    tree = taxonomy()
    assert audience_phrase(tree.resolve("Sporting Goods"), "male", "kids") == (
        "Parents of boys and sports and outdoor enthusiasts"
    )
    assert audience_phrase(tree.resolve("Blood Pressure Monitors"), "male", None) == (
        "Men and people with hypertension and their caregivers"
    )
    assert (
        audience_phrase(tree.resolve("Activewear"), "female", "adult")
        == "Active women and fitness enthusiasts"
    )

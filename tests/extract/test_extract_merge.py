"""The merge's text comparisons: the fast paths give exactly what their definitions say."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from prodex.extract.fields import merge
from prodex.extract.fields.description import HEAD_CHARS, _folded_head
from prodex.extract.fields.description import contains as _contains
from prodex.extract.found import Found
from prodex.extract.model import Specification
from prodex.extract.page import Page
from prodex.extract.process.availability import fold

# Characters that fold in every way: case, accents (precomposed and combining), ligatures and other
# compatibility forms, no-break and repeated spaces, line breaks, non-Latin scripts.
_TEXT = st.text(alphabet=st.sampled_from(list("abcDEF éÉèß\u0301ﬁ²ΣσǄ\u00a0\n\t한글")), max_size=1200)


def _contains_by_definition(longer: str, shorter: str) -> bool:
    head = fold(shorter)[:HEAD_CHARS]
    return bool(head) and head in fold(longer)


@settings(max_examples=400, deadline=None)
@given(_TEXT)
def test_folded_head_is_the_head_of_the_fold(text: str) -> None:
    """Folding only a long text's beginning gives the beginning of its fold."""
    assert _folded_head(text) == fold(text)[:HEAD_CHARS]


@settings(max_examples=400, deadline=None)
@given(_TEXT, st.data())
def test_contains_agrees_with_its_definition(longer: str, data: st.DataObject) -> None:
    """Whether one description already says another: the word-for-word shortcut never changes
    the answer, for parts of the text and for unrelated text alike."""
    if data.draw(st.booleans()):
        start = data.draw(st.integers(0, len(longer)))
        shorter = longer[start : data.draw(st.integers(start, len(longer)))]
    else:
        shorter = data.draw(_TEXT)
    assert _contains(longer, shorter) == _contains_by_definition(longer, shorter)


def test_contains_on_descriptions() -> None:
    """The page's description block holding the structured one (other spacing and case) says it;
    a different text does not."""
    structured = "Ein robuster Wasserkocher aus Edelstahl. " * 5
    visible = "Produktbeschreibung\n\n" + structured.upper().replace(" ", "  ") + "\n\nMaße: 20 cm"
    assert _contains(visible, structured)
    assert not _contains(visible, "Ein leichter Wasserkocher aus Kunststoff. " * 5)


def test_folded_head_of_a_text_that_starts_with_much_space() -> None:
    """A long run of spaces and marks at the start folds to almost nothing: the head is then read
    further into the text."""
    text = " \u0301" * 230 + "Kettle " * 100  # the first 480 characters fold to about 20
    assert _folded_head(text) == fold(text)[:HEAD_CHARS]
    assert len(_folded_head(text)) == HEAD_CHARS


def test_a_site_modules_short_text_gives_way_to_the_page_that_holds_it() -> None:
    """A site module's description and points stand, unless its state kept only their start
    (one bullet) and the page shows all of it and much more: then the page's fuller text and list
    are taken."""
    page = Page.parse("<html><body><h1>Motor Oil 5W-30</h1></body></html>", "https://shop.example/ip/1")
    lines = [
        "Up to 10,000 miles of protection between oil changes",
        "Meets API SP and ILSAC GF-6A performance standards",
        "Advanced detergents help keep pistons clean and reduce sludge",
    ]
    site = Found(source="site:demo", name="Motor Oil 5W-30", description=lines[0], selling_points=lines[:1])
    dom = Found(
        source="dom",
        description=(
            "Full synthetic oil formulated to protect modern gasoline engines between oil changes; its"
            " synthetic base stocks flow fast at cold start and resist thermal breakdown under load.\n\n"
            + "\n\n".join(lines)
        ),
        selling_points=lines,
    )
    product = merge(page, [site, dom])
    assert product.description == dom.description and product.source["description"] == "dom"
    assert product.selling_points == lines and product.source["selling_points"] == "dom"
    other = Found(source="dom", description="A different text about oil changes.", selling_points=lines[1:])
    product = merge(page, [site, other])
    assert product.description == lines[0] and product.source["selling_points"] == "site:demo"


def test_a_specification_table_flattened_into_the_description_gives_no_selling_points() -> None:
    """A description that holds the specification table's rows ("Material Gusseisen") as lines
    gives its claim sentences as points, not the rows: the rows are facts already listed as
    specifications."""
    page = Page.parse("<html><body><h1>Kyoto Teapot</h1></body></html>", "https://shop.example/p/kyoto")
    rows = [("Material", "Cast iron, enamelled inside"), ("Capacity", "1.2 litres"), ("Weight", "1.6 kg")]
    claims = [
        "The Kyoto is cast in a small foundry in Iwate by the traditional Nambu method.",
        "The heavy cast iron keeps the tea warm for a long time and releases the heat evenly.",
        "The fine stainless steel strainer lifts out for cleaning in a moment.",
    ]
    dom = Found(
        source="dom",
        name="Kyoto Teapot",
        description=" ".join(claims) + "\n\n" + "\n\n".join(f"{name} {value}" for name, value in rows),
        specifications=[Specification(name=name, value=value) for name, value in rows],
    )
    product = merge(page, [dom])
    assert product.selling_points == claims
    assert product.source["selling_points"] == "description"

"""The DOM description finder on its own: selling points, labelled sections, several blocks."""

from __future__ import annotations

from prodex.extract import extract_product
from prodex.extract.page import Page
from prodex.extract.readers.dom.description import (
    descriptions_text,
    find_description_nodes,
    find_rich_text_blocks,
    labelled_sections,
    section_content,
)
from prodex.extract.readers.dom.highlights import find_selling_points
from prodex.extract.readers.dom.specifications import find_specifications


def _page(body: str) -> Page:
    page = Page.parse(f"<html><body>{body}</body></html>", "https://shop.example/p/1")
    page.strip_hidden_markup()
    return page


def test_list_items_that_are_links_are_not_selling_points() -> None:
    page = _page(
        '<div class="product-description"><p>A kettle that boils a litre in three minutes flat.</p><ul>'
        "<li>1.7 litre capacity</li>"
        '<li><a href="/delivery">More about delivery &amp; collection</a></li>'
        '<li>Auto shut-off, see <a href="/safety">safety notes</a></li>'
        "</ul></div>"
    )
    nodes = find_description_nodes(page)
    assert find_selling_points(page, [], nodes) == ["1.7 litre capacity", "Auto shut-off, see safety notes"]


def test_a_heading_opens_the_block_after_it_or_the_panel_it_names() -> None:
    page = _page(
        "<section><h2>Product details</h2><div id=after><p>Solid oak, oiled by hand in our workshop.</p>"
        "</div></section>"
        '<button role="tab" aria-controls="panel-9 other">Beschreibung</button>'
        '<div id="panel-9"><p>Der Tisch ist aus massiver Eiche gefertigt und geölt.</p></div>'
        '<h3>Shipping &amp; returns</h3><div id="ship"><p>Free delivery on orders over 50 euros.</p></div>'
    )
    headings = page.tree.css("h2, h3, button")
    assert [node.attrs.get("id") for node in labelled_sections(page, headings)] == ["after", "panel-9"]
    bad = _page('<button role="tab" aria-controls="a&quot;b">Description</button><div id="x">text</div>')
    assert section_content(bad, bad.tree.css_first("button")) is not None  # falls back to what follows


def test_several_blocks_each_once_the_best_first() -> None:
    page = _page(
        '<div class="short-description"><p>Sturdy oak table for six, oiled by hand.</p></div>'
        '<div class="tabs"><h2>Description</h2><div class="panel"><p>This table is made of solid oak. '
        "Every board is chosen by hand. The top is oiled three times. It seats six people easily. "
        "The legs can be unscrewed for moving.</p></div></div>"
    )
    text = descriptions_text(find_description_nodes(page))
    assert text.startswith("This table is made of solid oak.")
    assert text.endswith("Sturdy oak table for six, oiled by hand.")
    assert text.count("Sturdy oak table") == 1


def _titled_page(under_title: str, head: str = "") -> str:
    return (
        '<html lang="en"><head><meta name="description" content="Fresh food delivered to your door by '
        f'the best grocer in town, order today and get it tomorrow.">{head}</head><body>'
        '<nav><a href="/">Home</a></nav><div class="product"><img src="/img/jerky.jpg" alt="Jerky">'
        f'<h1>Smoked Pork Jerky</h1>{under_title}<div class="price">$12.90</div>'
        '<button type="submit">Add to cart</button></div></body></html>'
    )


def test_the_text_under_the_title_is_the_description_where_nothing_else_is() -> None:
    """A page that marks and labels no description block but writes its product's lines right
    under the title: those lines are the description (not the shop's meta blurb), and their claims
    the selling points; a line of prices or codes there is none, and a structured description
    stands."""
    summary = (
        "Made from locally raised pork legs, lean with little fat. Slow roasted for a rich aroma and "
        "a tender bite. Each strip is vacuum packed for hygiene and convenience."
    )
    product = extract_product(_titled_page(f'<div class="info">{summary}</div>'), "https://shop.example/p/1")
    assert product.description == summary
    assert product.source["description"] == "dom"
    assert "Slow roasted for a rich aroma and a tender bite." in product.selling_points
    figures = '<div class="info">Current Price $12.90 Previous Price $19.95, 35% off until 31.12.2026</div>'
    product = extract_product(_titled_page(figures), "https://shop.example/p/1")
    assert product.source["description"] == "meta"
    structured = (
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Product", '
        '"name": "Smoked Pork Jerky", "description": "Jerky from our own smokehouse."}</script>'
    )
    product = extract_product(
        _titled_page(f'<div class="info">{summary}</div>', structured), "https://shop.example/p/1"
    )
    assert product.description == "Jerky from our own smokehouse."


def test_a_rating_spread_is_no_specification_table() -> None:
    """A table of how many reviews gave five, four, three... stars is the rating's spread: the
    product's specifications are the rows under its "Specifications" heading."""
    page = _page(
        "<main><h1>Motor Oil 5W-30</h1>"
        "<table><tr><td>5 stars</td><td>812</td></tr><tr><td>4 stars</td><td>301</td></tr>"
        "<tr><td>3 stars</td><td>97</td></tr><tr><td>2 stars</td><td>40</td></tr></table>"
        '<section><h2>Specifications</h2><div><div class="row"><h3>Brand</h3><div>Duraglide</div></div>'
        '<div class="row"><h3>Viscosity Grade</h3><div>5W-30</div></div>'
        '<div class="row"><h3>Fluid Volume</h3><div>5 qt</div></div></div></section></main>'
    )
    names = [row.name for row in find_specifications(page)]
    assert names[:3] == ["Brand", "Viscosity Grade", "Fluid Volume"]


def test_a_button_at_a_blocks_end_opens_no_description() -> None:
    """A "Read the full description" button closing a block is a link-like control, not a tab:
    the next block (the brand's story) is no description; an accordion toggle is a heading."""
    page = _page(
        '<div class="summary"><p>Short.</p><button>Read the full description</button></div>'
        '<div class="story"><p>Our brand was founded in 1921 by two brothers who loved the sea.</p>'
        "</div>"
    )
    assert labelled_sections(page, page.tree.css("button")) == []
    accordion = _page(
        '<div class="acc"><button aria-expanded="true">Description</button>'
        "<div><p>A wool blanket woven in Wales from undyed yarn, soft from the first night.</p></div></div>"
    )
    sections = labelled_sections(accordion, accordion.tree.css("button"))
    assert [descriptions_text(sections)] == [
        "A wool blanket woven in Wales from undyed yarn, soft from the first night."
    ]


def test_a_tabs_panel_keeps_its_own_subheadings() -> None:
    """The block after a strip is the first tab's panel even with its own subheadings ("Care
    instructions"); it is not when it holds another tab's heading (one container of every tab)."""
    strip = (
        '<div class="tabs"><button class="tab active">Description</button>'
        '<button class="tab">Reviews (3)</button></div>'
    )
    own = _page(
        f'{strip}<div class="tab-body"><p>A linen shirt cut loose for hot days in the city and by the sea.'
        "</p><h3>Care instructions</h3><p>Wash at 30 degrees and hang it to dry in the shade.</p></div>"
    )
    assert "Care instructions" in descriptions_text(find_description_nodes(own))
    every = _page(
        f'{strip}<div class="tab-body"><p>A linen shirt cut loose for hot days in the city and by the sea.'
        "</p><h3>Reviews</h3><p>Great shirt, I bought it in two colours and wear them every week.</p></div>"
    )
    assert "Great shirt" not in descriptions_text(find_description_nodes(every))


def test_specification_rows_start_after_their_heading() -> None:
    """Rows of one class right after a heading that leads its block are the specifications; lines
    before the heading in the same block are not."""
    rows = "".join(
        f'<div class="param"><span>{name}</span><span>{value}</span></div>'
        for name, value in (("Capacity", "2 people"), ("Weight", "1.9 kg"), ("Poles", "Aluminium"))
    )
    led = _page(f"<section><h2>Specifications</h2>{rows}</section>")
    assert [row.name for row in find_specifications(led)] == ["Capacity", "Weight", "Poles"]
    preceded = _page(
        "<section><p>Shipping: free over 50 €</p><p>Note: order before 2pm</p>"
        f"<h2>Specifications</h2>{rows}</section>"
    )
    assert "Shipping" not in [row.name for row in find_specifications(preceded)]


def test_a_quote_in_a_headings_target_is_no_selector() -> None:
    """A heading naming its panel by an id with a quote in it does not break the search."""
    page = _page("<a href='#specs\"x'>Specifications</a><ul><li>Weight: 2 kg</li><li>Colour: Red</li></ul>")
    assert isinstance(find_specifications(page), list)


def test_a_rich_text_block_under_another_section_is_no_description() -> None:
    """The merchant's rich text is read for a description only where no heading or accordion
    summary names another section ("Shipping & Returns")."""
    html = """<html lang="en"><body><main><h1>Trail Runner 2</h1>
<details><summary><h2>Shipping &amp; Returns</h2></summary><div class="accordion__content rte">
<p>We ship all orders within two working days from our warehouse. Returns are free for thirty days.</p></div>
</details>
<details><summary><h2>Materials</h2></summary><div class="accordion__content rte">
<p>A recycled mesh upper over a foam midsole, with a rubber outsole cut for wet rock and mud.</p></div>
</details></main></body></html>"""
    page = Page.parse(html, "https://shop.example/products/trail-runner-2")
    page.strip_hidden_markup()
    blocks = find_rich_text_blocks(page)
    assert [block.text(deep=True).strip()[:20] for block in blocks] == ["A recycled mesh uppe"]

"""Pages for the URL-analysis tests: an app shell, a listing, an article (no product)."""

from __future__ import annotations

APP_SHELL = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Shop</title>
<script src="/static/app.js" defer></script></head>
<body><noscript>You need to enable JavaScript to run this app.</noscript><div id="root"></div></body></html>
"""


def listing_page(count: int = 12) -> str:
    """A category page: a grid of product cards and an ItemList of products in JSON-LD."""
    cards = "\n".join(
        f"""<li class="product-card"><a href="/p/{i}"><img src="/img/{i}.jpg" alt="Mug {i}">
        <h2 class="product-name">Ceramic mug no. {i}</h2></a><span class="price">€{9 + i}.99</span>
        <button class="add-to-cart">Add to cart</button></li>"""
        for i in range(count)
    )
    items = ",".join(
        f'{{"@type": "ListItem", "position": {i + 1}, "item": {{"@type": "Product", '
        f'"name": "Ceramic mug no. {i}", "url": "/p/{i}", '
        f'"offers": {{"@type": "Offer", "price": "{9 + i}.99", "priceCurrency": "EUR"}}}}}}'
        for i in range(count)
    )
    return f"""<!DOCTYPE html><html lang="en"><head><title>Mugs | Kitchen shop</title>
<script type="application/ld+json">{{"@context": "https://schema.org", "@type": "ItemList",
"itemListElement": [{items}]}}</script></head>
<body><h1>Mugs</h1><p>{count} products</p><ul class="product-grid">{cards}</ul></body></html>"""


ARTICLE = """<!DOCTYPE html><html lang="en"><head><title>How we roast our coffee | Blog</title>
<meta property="og:type" content="article"></head>
<body><article><h1>How we roast our coffee</h1>
<p>Every morning our roaster starts at six. The beans come from three farms we visit every year,
and we roast in small batches so that every bag is fresh when it reaches you.</p>
<p>In this post we explain the difference between light and dark roasts, and why we prefer
medium roasts for espresso. Temperature, time and airflow all matter.</p></article></body></html>
"""

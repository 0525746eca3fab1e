"""Readers: each reads one kind of markup from a :class:`~prodex.extract.page.Page` into a
:class:`~prodex.extract.found.Found` (JSON-LD, microdata, meta tags, app state, DOM heuristics)."""

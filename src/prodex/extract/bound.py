"""Bounded markup for pathological pages: one linear pass that caps what makes HTML parsing slow.

An HTML5 tree builder (lexbor's, a browser's) does work proportional to the depth of its stack
of open elements for many tags, so tens of thousands of unclosed ``<div>`` cost seconds; an
element with tens of thousands of attributes costs seconds (duplicate checks); misnested
formatting elements (``<b id=1><p>x<b id=2><p>x``...) are cloned again for every paragraph. This
module rewrites such markup before it reaches the parser, the way Chromium caps its tree depth:

- elements deeper than :data:`MAX_DEPTH` are dropped (their text stays, in their parent);
- at most :data:`MAX_FORMATTING` formatting elements (``a``, ``b``, ``font``...) are open at once;
- end tags that close nothing open are dropped;
- an element keeps its first :data:`MAX_ATTRIBUTES` attributes;
- after :data:`MAX_TAGS` tags the rest of the page is dropped, except its JSON-LD scripts.

Ordinary pages pass unchanged in structure (the 134 shared and platform pages extract exactly
the same after it); :func:`bound_markup` is used for a page whose analysis overran its CPU budget
(see :mod:`prodex.analysis.workers`) and, without a first try, for a page with more tags than
the bound (:func:`needs_bounds`), so the normal path pays nothing for it. Raw-text elements
(scripts, styles, ``textarea``, ``title``) are copied as they are.
"""

from __future__ import annotations

import re
from collections import Counter

MAX_DEPTH = 256
MAX_FORMATTING = 6
MAX_ATTRIBUTES = 64
MAX_TAGS = 100_000
LONG_ATTRIBUTES = 256
"""Attribute text longer than this is split into attributes to count them."""

_TOKEN = re.compile(
    r"<!--.*?(?:-->|\Z)|<[!?][^>]*>?|<(/?)([A-Za-z][^\s/>]*)((?:[^>\"']+|\"[^\"]*\"|'[^']*')*)(>?)",
    re.S,
)
_ATTRIBUTE = re.compile(r"""[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?""")
_JSON_LD = re.compile(r"<script[^>]*ld\+json[^>]*>.*?</script\s*>", re.S | re.I)
RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"})
VOID = frozenset(
    {"area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "image", "input",
     "keygen", "link", "meta", "param", "source", "track", "wbr"}
)  # fmt: skip
FORMATTING = frozenset(
    {"a", "b", "big", "code", "em", "font", "i", "nobr", "s", "small", "strike", "strong", "tt", "u"}
)
SIBLINGS = frozenset({"p", "li", "option", "optgroup", "dt", "dd", "tr", "td", "th", "rb", "rt", "rp", "rtc"})
"""Elements that a start tag of the same name closes (``<li>a<li>b``)."""
FOREIGN = frozenset({"svg", "math"})


class _Bounder:
    """The state of one pass: the stack of open elements and what was dropped."""

    def __init__(self, html: str) -> None:
        self.html = html
        self.out: list[str] = []
        self.stack: list[str] = []
        self.open: Counter[str] = Counter()
        self.dropped: Counter[str] = Counter()
        self.foreign = 0

    def start(self, name: str, attributes: str, whole: str) -> None:
        """Handle a start tag: keep it, or drop it beyond the depth or formatting bound."""
        self_closing = attributes.rstrip().endswith("/")
        if name in VOID or (self.foreign and self_closing):
            self.out.append(self._bounded(name, attributes, whole))
            return
        if name in SIBLINGS and self.stack and self.stack[-1] == name:
            self._pop()
        formatting = name in FORMATTING and sum(self.open[f] for f in FORMATTING) >= MAX_FORMATTING
        if name not in RAW_TEXT and (formatting or len(self.stack) >= MAX_DEPTH):
            self.dropped[name] += 1
            return
        self.stack.append(name)
        self.open[name] += 1
        self.foreign += name in FOREIGN
        self.out.append(self._bounded(name, attributes, whole))

    def end(self, name: str, whole: str) -> None:
        """Handle an end tag: drop it when it closes a dropped or no open element."""
        if self.dropped[name]:
            self.dropped[name] -= 1
            return
        if not self.open[name]:
            return
        while self.stack:
            if self._pop() == name:
                break
        self.out.append(whole)

    def _pop(self) -> str:
        name = self.stack.pop()
        self.open[name] -= 1
        self.foreign -= name in FOREIGN
        return name

    @staticmethod
    def _bounded(name: str, attributes: str, whole: str) -> str:
        if len(attributes) <= LONG_ATTRIBUTES:
            return whole
        kept = _ATTRIBUTE.findall(attributes)
        if len(kept) <= MAX_ATTRIBUTES:
            return whole
        return f"<{name} {' '.join(kept[:MAX_ATTRIBUTES])}>"

    def run(self) -> str:
        html, out = self.html, self.out
        position, tags = 0, 0
        while True:
            match = _TOKEN.search(html, position)
            if match is None:
                out.append(html[position:])
                break
            out.append(html[position : match.start()])
            position = match.end()
            slash, name = match.group(1), match.group(2)
            if name is None:  # a comment, doctype or processing instruction
                out.append(match.group(0))
                continue
            tags += 1
            if tags > MAX_TAGS:
                out.extend(_JSON_LD.findall(html, match.start()))
                break
            name = name.lower()
            if slash:
                self.end(name, match.group(0))
                continue
            self.start(name, match.group(3), match.group(0))
            if name in RAW_TEXT:  # always kept (a leaf for the parser): copy its text as it is
                close = re.compile(rf"</{name}\b", re.I).search(html, position)
                stop = close.start() if close is not None else len(html)
                out.append(html[position:stop])
                position = stop
        return "".join(out)


def needs_bounds(html: str) -> bool:
    """A cheap test (one count over the text) for markup certain to be bounded anyway: more
    ``<`` than :data:`MAX_TAGS` (the largest of 134 real product pages has under 32,000)."""
    return html.count("<") > MAX_TAGS


def bound_markup(html: str) -> str:
    """``html`` with its depth, formatting elements, stray end tags, attributes per element and tag
    count bounded (see the module docstring); linear in the length of ``html``."""
    return _Bounder(html).run()

"""Lenient, bounded JSON: what browsers and shops tolerate (trailing commas, comments, control
characters, HTML entities, several objects in a row) parsed with orjson, within size limits."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import orjson

MAX_JSON_CHARS = 8 * 1024 * 1024
MAX_REPAIR_CHARS = 1024 * 1024
MAX_DOCUMENTS = 32
MAX_WALK_DEPTH = 40
MAX_WALK_NODES = 50_000

_TOKENS = re.compile(
    r'"(?:[^"\\]|\\.)*"'  # a string
    r"|//[^\n]*"  # a line comment
    r"|/\*.*?\*/"  # a block comment
    r"|,(?=\s*[}\]])",  # a trailing comma
    re.DOTALL,
)
_CONTROL_IN_STRING = re.compile(r"[\x00-\x1f]")
_BAD_ESCAPE = re.compile(r"\\([^\"\\/bfnrtu])")
_WRAPPERS = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(?://\s*\]\]>|\]\]>|-->)\s*$")
_CONTROL_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _fix_token(match: re.Match[str]) -> str:
    token = match.group(0)
    if token.startswith('"'):
        if _CONTROL_IN_STRING.search(token):
            token = _CONTROL_IN_STRING.sub(lambda m: _CONTROL_ESCAPES.get(m.group(0), " "), token)
        if "\\" in token:
            token = _BAD_ESCAPE.sub(r"\1", token)
        return token
    return ""


def repair_json(text: str) -> str:
    """``text`` with comments, trailing commas, raw control characters and bad escapes fixed."""
    text = _WRAPPERS.sub("", text.strip())
    if "&quot;" in text and '"' not in text.replace("&quot;", ""):
        text = html.unescape(text)
    return _TOKENS.sub(_fix_token, text)


def _is_trailing_content(error: orjson.JSONDecodeError) -> bool:
    message = str(error).lower()
    return "trailing" in message or "after document" in message


def _is_invalid_utf8(error: orjson.JSONDecodeError) -> bool:
    return "utf-8" in str(error).lower()


def _document_ends(chunk: str | bytes, position: int) -> list[int]:
    """Where the first document of ``chunk`` may end, given orjson's error ``position``.

    orjson counts characters, also when it reads UTF-8 bytes; the other unit is tried second, so
    a change of unit in orjson cannot make a document unreadable.
    """
    if isinstance(chunk, bytes):
        in_bytes = len(chunk[: position * 4].decode("utf-8", "ignore")[:position].encode("utf-8"))
        ends = [in_bytes, position]
    else:
        in_chars = len(chunk[:position].encode("utf-8", "surrogatepass")[:position].decode("utf-8", "ignore"))
        ends = [position, in_chars]
    return [end for index, end in enumerate(ends) if 0 < end < len(chunk) and end not in ends[:index]]


def _first_document(chunk: str | bytes) -> tuple[Any, int]:
    """The first JSON document of ``chunk`` and where it ends (``len(chunk)`` when nothing follows);
    raises :class:`orjson.JSONDecodeError` when there is none.

    UTF-8 bytes that are not valid UTF-8 throughout (a chunk cut inside a character, a stray byte
    after the document) are read as text with the bad bytes replaced.
    """
    try:
        return orjson.loads(chunk), len(chunk)
    except orjson.JSONDecodeError as error:
        if isinstance(chunk, bytes) and _is_invalid_utf8(error):
            return _first_document(chunk.decode("utf-8", "replace"))
        position = getattr(error, "pos", 0) or 0
        if not (0 < position < len(chunk) and _is_trailing_content(error)):
            raise
        for end in _document_ends(chunk, position):
            try:
                return orjson.loads(chunk[:end]), end
            except orjson.JSONDecodeError:
                continue
        raise


def _load_all(text: str) -> list[Any]:
    """Every JSON document in ``text`` (several may follow each other); raises on the first bad one."""
    documents: list[Any] = []
    rest = text.strip()
    while rest and len(documents) < MAX_DOCUMENTS:
        document, end = _first_document(rest)
        documents.append(document)
        rest = rest[end:].lstrip().lstrip(",;").lstrip()
    return documents


def loads_lenient(text: str) -> list[Any]:
    """The JSON documents in ``text`` (usually one), or ``[]`` when nothing can be read."""
    if not text or len(text) > MAX_JSON_CHARS:
        return []
    try:
        return _load_all(text)
    except (orjson.JSONDecodeError, RecursionError, ValueError):
        pass
    if len(text) > MAX_REPAIR_CHARS:
        return []
    try:
        return _load_all(repair_json(text))
    except (orjson.JSONDecodeError, RecursionError, ValueError):
        return []


def walk_dicts(data: Any, max_depth: int = MAX_WALK_DEPTH) -> Iterator[dict[str, Any]]:
    """Every dict inside ``data`` (breadth first), bounded in depth and in the number of nodes."""
    queue: list[tuple[Any, int]] = [(data, 0)]
    index = 0
    while index < len(queue) and index < MAX_WALK_NODES:
        node, depth = queue[index]
        index += 1
        if isinstance(node, dict):
            yield node
            if depth < max_depth:
                queue.extend((value, depth + 1) for value in node.values() if isinstance(value, dict | list))
        elif isinstance(node, list) and depth < max_depth:
            queue.extend((value, depth + 1) for value in node if isinstance(value, dict | list))


def as_list(value: Any) -> list[Any]:
    """``value`` as a list (``None`` -> ``[]``, a scalar or dict -> ``[value]``)."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def load_json_at(text: str | bytes, start: int) -> Any:
    """The JSON value that begins at ``text[start]`` and ends wherever it ends, or ``None``.

    Made for JavaScript assignments such as ``window.__STATE__ = {...};``; works on text or on
    the page's UTF-8 bytes (``start`` is then a byte offset), whatever characters the JSON holds.
    """
    first = text[start : start + 1]
    if first not in ("{", "[", b"{", b"["):
        return None
    try:
        return _first_document(text[start : start + MAX_JSON_CHARS])[0]
    except (orjson.JSONDecodeError, RecursionError, ValueError):
        return None

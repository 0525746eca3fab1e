"""The merge's text comparisons: the fast paths give exactly what their definitions say."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from prodex.extract.fields.description import HEAD_CHARS, _folded_head
from prodex.extract.fields.description import contains as _contains
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

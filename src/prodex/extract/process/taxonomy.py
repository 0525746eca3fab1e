"""Google's product taxonomy (version 2021-09-21, shipped as ``extract/data/google_product_taxonomy.txt``,
the file Google publishes for product feeds): every category's id and path, loaded once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

PATH_SEPARATOR = " > "
TAXONOMY_FILE = "google_product_taxonomy.txt"


@dataclass(frozen=True, slots=True)
class Category:
    """One category of the taxonomy: its id and its path of English names, broadest first."""

    id: int
    path: tuple[str, ...]

    @property
    def top(self) -> str:
        """The top-level category ("Home & Garden")."""
        return self.path[0]

    @property
    def text(self) -> str:
        """The path as Google writes it ("Home & Garden > Kitchen & Dining")."""
        return PATH_SEPARATOR.join(self.path)

    def within(self, other: Category) -> bool:
        """Whether this category is ``other`` or lies under it."""
        return self.path[: len(other.path)] == other.path


class Taxonomy:
    """Every category by id and by path; :meth:`resolve` finds one by the end of its path."""

    def __init__(self, categories: list[Category]) -> None:
        self.categories = categories
        self.by_id = {c.id: c for c in categories}
        self.by_path = {c.path: c for c in categories}
        self._by_leaf: dict[str, list[Category]] = {}
        for category in categories:
            self._by_leaf.setdefault(category.path[-1].casefold(), []).append(category)

    def resolve(self, suffix: str) -> Category:
        """The one category whose path ends with ``suffix`` ("Outerwear > Coats & Jackets");
        ``KeyError`` when none or several do."""
        levels = tuple(level.strip() for level in suffix.split(">"))
        matches = [
            c
            for c in self._by_leaf.get(levels[-1].casefold(), [])
            if tuple(level.casefold() for level in c.path[-len(levels) :])
            == tuple(level.casefold() for level in levels)
        ]
        if len(matches) != 1:
            raise KeyError(f"{suffix!r} names {len(matches)} categories of the taxonomy")
        return matches[0]


def parse_taxonomy(text: str) -> Taxonomy:
    """The taxonomy from the text of Google's ``taxonomy-with-ids`` file."""
    categories: list[Category] = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        number, _, path = line.partition(" - ")
        categories.append(Category(int(number), tuple(path.split(PATH_SEPARATOR))))
    return Taxonomy(categories)


@lru_cache(maxsize=1)
def taxonomy() -> Taxonomy:
    """The shipped taxonomy (read once per process)."""
    text = resources.files("prodex.extract").joinpath("data", TAXONOMY_FILE).read_text(encoding="utf-8")
    return parse_taxonomy(text)

"""One declaration per field: every field of Product has exactly one merge rule, one column of
the products table and one field of the API's ProductInfo, all following Product's declaration."""

from __future__ import annotations

from collections import Counter

from prodex.api.schemas import CONTRACT_FIELDS, ProductInfo
from prodex.extract.fields import NOT_MERGED, RULES
from prodex.extract.model import Product
from prodex.store.products import INSERT_COLUMNS
from prodex.store.tables import products


def test_every_field_has_exactly_one_rule() -> None:
    """The rules set every Product field once (the URL and the source record are not merged)."""
    set_by_rules = Counter(name for rule in RULES for name in rule.fields)
    assert all(count == 1 for count in set_by_rules.values()), set_by_rules
    assert set(set_by_rules) | set(NOT_MERGED) == set(Product.model_fields)
    assert not set(set_by_rules) & set(NOT_MERGED)


def test_the_table_and_the_insert_follow_the_declaration() -> None:
    """Every Product field is a column, in declaration order in the insert."""
    fields = list(Product.model_fields)
    assert set(fields) <= set(products.columns.keys())
    assert list(INSERT_COLUMNS) == ["id", "account_id", *fields, "created_at", "updated_at"]


def test_the_api_product_follows_the_declaration() -> None:
    """ProductInfo has every Product field with its description; additions say so."""
    info = ProductInfo.model_fields
    for name, declared in Product.model_fields.items():
        assert name in info, name
        description = info[name].description or ""
        if name not in CONTRACT_FIELDS:
            assert description.startswith("Addition."), name
        assert (declared.description or "") in description, name
    assert {"product_id", "created_at", "updated_at"} <= set(info)

"""Request and response shapes of the API (they also make the OpenAPI document).

Requests are validated here, and the OpenAPI document states every rule: strings have maximum
lengths and no control characters but tab and newline, URLs are absolute http(s) URIs, media
``type`` is the integer 1 or 2, ``name`` is required without ``url``; unknown JSON fields are
ignored. Responses are built as plain dicts by
:func:`product_info` (fast to serialise); the response models below document them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Generic, Literal, TypeVar, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    WithJsonSchema,
    create_model,
)

from prodex.extract.model import Media, Product
from prodex.extract.model import MediaType as StoredMediaType
from prodex.service.products import ManualFields
from prodex.store.records import ProductRecord
from prodex.store.tables import REQUIRED_TEXT_FIELDS

MAX_URL_LENGTH = 2048
MAX_NAME_LENGTH = 500
MAX_DESCRIPTION_LENGTH = 20_000
MAX_AUDIENCE_LENGTH = 1000
MAX_MEDIA_ITEMS = 50
MAX_MEDIA_NAME_LENGTH = 500
MAX_MEDIA_DESCRIPTION_LENGTH = 2000
MAX_PRODUCT_ID_LENGTH = 64
MAX_PAGE_SIZE = 100
MAX_PAGE = 1_000_000


#: Control characters refused in text: C0 but tab and newline, DEL and C1 (U+0080-U+009F).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
#: The same rule as a JSON Schema pattern (stated in the OpenAPI document).
_ALLOWED = "[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]"
TEXT_PATTERN = f"^{_ALLOWED}*$"
#: Text with at least one character that is not whitespace (a name that is not blank).
NON_BLANK_TEXT_PATTERN = f"^{_ALLOWED}*[^\\s\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]{_ALLOWED}*$"

_PCHAR = r"(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})"
_PORT = r"(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
#: An absolute http(s) URI (RFC 3986, ASCII: other characters percent-encoded) with a host
#: name or IPv4 address, an optional port 1-65535, path, query and fragment.
_HOST = r"(?:[A-Za-z0-9._~!$&'()*+,;=-]|%[0-9A-Fa-f]{2})+"
_REST = rf"(?::{_PORT})?(?:/{_PCHAR}*)*(?:\?(?:{_PCHAR}|[/?])*)?(?:#(?:{_PCHAR}|[/?])*)?$"
HTTP_URI_PATTERN = rf"^[Hh][Tt][Tt][Pp][Ss]?://{_HOST}{_REST}"
#: The same with IPv6 literals (``http://[2001:db8::1]/``): product page URLs, which the URL guard
#: checks further (media URLs are stored as given, so they keep to the stricter form).
PAGE_URI_PATTERN = rf"^[Hh][Tt][Tt][Pp][Ss]?://(?:{_HOST}|\[[0-9A-Fa-f:.]+\]){_REST}"
_HTTP_URI = re.compile(HTTP_URI_PATTERN)
_PAGE_URI = re.compile(PAGE_URI_PATTERN)


def _http_url(value: str) -> str:
    """Accept only an absolute http(s) URI with a host (ASCII, no spaces or control characters)."""
    if not _HTTP_URI.match(value):
        raise ValueError(
            "URL must be an absolute http(s) URI with a host, without spaces or control characters "
            "(percent-encode other characters)"
        )
    return value


def _optional_page_url(value: str | None) -> str | None:
    """An http(s) URI, or nothing (``None`` or the empty string: no URL given)."""
    if value and not _PAGE_URI.match(value):
        raise ValueError(
            "URL must be an absolute http(s) URI with a host, without spaces or control characters "
            "(percent-encode other characters)"
        )
    return value


def _storable_text(value: str) -> str:
    """Refuse control characters but tab and newline (C0, DEL, C1; NUL among them) and unpaired
    UTF-16 surrogates: text every database can store and every client can show."""
    if _CONTROL.search(value):
        raise ValueError("text must not contain control characters (other than tab and newline)")
    _check_encodable(value)
    return value


def _check_encodable(value: str) -> None:
    """Refuse unpaired UTF-16 surrogates (ASCII text, the common case, is checked in O(1))."""
    if value.isascii():
        return
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("text must be valid Unicode (no unpaired surrogates)") from exc


def _exact_media_type(value: object) -> object:
    """Only the JSON integers 1 and 2 (not 1.0, not true)."""
    if type(value) is not int:
        raise ValueError("media type must be the integer 1 (image) or 2 (video)")
    return value


#: Text that can be stored on every backend.
Text = Annotated[str, AfterValidator(_storable_text), Field(json_schema_extra={"pattern": TEXT_PATTERN})]
NonBlankText = Annotated[
    str, AfterValidator(_storable_text), Field(json_schema_extra={"pattern": NON_BLANK_TEXT_PATTERN})
]
HttpUrlText = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_URL_LENGTH,
        json_schema_extra={"format": "uri", "pattern": HTTP_URI_PATTERN},
    ),
    AfterValidator(_http_url),
]
MediaType = Annotated[Literal[1, 2], BeforeValidator(_exact_media_type)]


class _Request(BaseModel):
    """Base of request bodies: unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore")


class MediaIn(_Request):
    """One image or video given by hand."""

    type: MediaType = Field(description="Media type: the integer 1 (image) or 2 (video).")
    url: HttpUrlText = Field(description="Absolute http(s) URL of the file.")
    name: Text = Field(default="", max_length=MAX_MEDIA_NAME_LENGTH, description="File name.")
    description: Text = Field(
        default="", max_length=MAX_MEDIA_DESCRIPTION_LENGTH, description="What it shows."
    )

    def to_media(self) -> Media:
        """As the stored media type."""
        return Media(
            type=StoredMediaType(self.type), url=self.url, name=self.name, description=self.description
        )


class _ProductFields(_Request):
    name: Text | None = Field(default=None, max_length=MAX_NAME_LENGTH, description="Product name.")
    description: Text | None = Field(
        default=None, max_length=MAX_DESCRIPTION_LENGTH, description="Product description and selling points."
    )
    target_audience: Text | None = Field(
        default=None, max_length=MAX_AUDIENCE_LENGTH, description="Target audience."
    )
    media: list[MediaIn] | None = Field(
        default=None, max_length=MAX_MEDIA_ITEMS, description="Images and videos, main image first."
    )

    store_media: StrictBool = Field(
        default=False,
        description="Addition: fetch, check and store the given media as prodex does for a URL "
        "(the media then point at prodex's stored copies; items that cannot be used are dropped and "
        "listed in media_dropped). A create from a url always stores its media.",
    )

    def manual_fields(self) -> ManualFields:
        """The hand-entered fields for the service layer."""
        return ManualFields(
            name=self.name,
            description=self.description,
            target_audience=self.target_audience,
            media=[m.to_media() for m in self.media] if self.media is not None else None,
        )


#: ``POST /v2/product``'s rule in JSON Schema: a ``url`` (non-empty), or a ``name`` that is not blank.
NAME_OR_URL_RULE: dict[str, Any] = {
    "anyOf": [
        {"required": ["url"], "properties": {"url": {"type": "string", "minLength": 1}}},
        {"required": ["name"], "properties": {"name": {"type": "string", "pattern": "\\S"}}},
    ]
}
OptionalHttpUrl = Annotated[
    Annotated[str, Field(max_length=MAX_URL_LENGTH)] | None,
    AfterValidator(_optional_page_url),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "format": "uri", "pattern": PAGE_URI_PATTERN, "maxLength": MAX_URL_LENGTH},
                {"type": "string", "maxLength": 0},
                {"type": "null"},
            ]
        }
    ),
]


class ProductCreate(_ProductFields):
    """``POST /v2/product``: a product page ``url`` to analyse, or a product entered by hand:
    ``name`` (not blank) is required when there is no ``url``."""

    model_config = ConfigDict(extra="ignore", json_schema_extra=NAME_OR_URL_RULE)

    url: OptionalHttpUrl = Field(
        default=None,
        description="Product page URL to create the product from: an absolute http(s) URI. "
        "Absent, null or empty: the product is entered by hand and name is required.",
    )
    render: StrictBool = Field(
        default=False,
        description=(
            "Addition: render the page in a browser before extracting (for shops that only show "
            "the product after JavaScript runs). Without it, pages are rendered only when their "
            "static HTML carries no product and the server's PRODEX_RENDER allows it."
        ),
    )


class ProductUpdate(_ProductFields):
    """``PUT /v2/product``: replace the given fields of a product (``media`` as a whole)."""

    product_id: Text = Field(min_length=1, max_length=MAX_PRODUCT_ID_LENGTH, description="Product id.")
    name: NonBlankText | None = Field(
        default=None, max_length=MAX_NAME_LENGTH, description="Product name (not blank)."
    )


class MediaOut(BaseModel):
    """One image or video of a product: once stored by prodex, ``url`` is the stored copy and the
    additions describe it (all null for a URL kept as found)."""

    type: Literal[1, 2] = Field(description="Media type: 1 image, 2 video.")
    url: str
    name: str
    description: str
    original_url: str | None = Field(default=None, description="Addition: the shop's URL of a stored copy.")
    width: int | None = Field(default=None, description="Addition: pixels (pictures).")
    height: int | None = Field(default=None, description="Addition: pixels (pictures).")
    bytes: int | None = Field(default=None, description="Addition: size of the stored file.")
    mime: str | None = Field(default=None, description="Addition: the type sniffed from the bytes.")
    sha256: str | None = Field(default=None, description="Addition: SHA-256 of the stored file, hex.")


class MediaDroppedOut(BaseModel):
    """A media item prodex did not keep."""

    original_url: str
    reason: str = Field(
        description="refused, unreachable, http_error, timeout, too_large, empty, not_media, "
        "unsupported_type, broken, too_many_pixels, tracking_pixel, too_small, duplicate, "
        "same_picture, too_many or error (the server failed to check the file)."
    )
    detail: str = Field(description="What was wrong, in words.")


#: ProductInfo fields of the JoggAI contract; every other field is a compatible addition.
CONTRACT_FIELDS = frozenset({"product_id", "url", "name", "description", "target_audience", "media"})


def _info_annotation(name: str, annotation: Any) -> Any:
    """A Product field's type as the API returns it (required text is ``""`` when absent)."""
    if name == "media":
        return list[MediaOut]
    if name in REQUIRED_TEXT_FIELDS:
        return str
    return annotation


def product_info_model() -> type[BaseModel]:
    """The ``ProductInfo`` response model, derived from :class:`Product`'s declared fields."""
    fields: dict[str, Any] = {"product_id": (str, Field(description="Opaque product id."))}
    for name, info in Product.model_fields.items():
        doc = info.description or ""
        description = doc if name in CONTRACT_FIELDS else f"Addition. {doc}".strip()
        fields[name] = (_info_annotation(name, info.annotation), Field(description=description))
    fields["media_dropped"] = (
        list[MediaDroppedOut] | None,
        Field(
            default=None,
            description="Addition: on the answer of a create or update that stored media, the items "
            "that were not kept and why (absent otherwise).",
        ),
    )
    fields["created_at"] = (str, Field(description="Addition: ISO 8601 UTC time of creation."))
    fields["updated_at"] = (str, Field(description="Addition: ISO 8601 UTC time of the last change."))
    return create_model(
        "ProductInfo",
        __doc__="A product: the contract's fields plus compatible additions (clients may ignore them).",
        **fields,
    )


if TYPE_CHECKING:

    class ProductInfo(BaseModel):
        """A product (type checkers see a plain model; its fields are derived at run time)."""

else:
    ProductInfo = product_info_model()


class ProductPage(BaseModel):
    """One page of products, newest first."""

    products: list[ProductInfo]
    total: int = Field(description="How many products the account has.")
    page: int
    page_size: int


class DeletedProduct(BaseModel):
    """The id of the deleted product."""

    product_id: str


class WhoAmI(BaseModel):
    """The account behind the API key."""

    email: str
    username: str = Field(description="The account name.")
    account_id: int = Field(description="Addition.")
    plan: str = Field(description="Addition: the account's plan.")


class RemainingQuota(BaseModel):
    """The account's remaining credits."""

    remaining_quota: int


class Health(BaseModel):
    """Health of the service and of each component it depends on."""

    status: Literal["ok", "error"]
    components: dict[str, str]


DataT = TypeVar("DataT")


class Envelope(BaseModel, Generic[DataT]):
    """Every response: business ``code`` (0 on success), ``msg``, ``data`` and the request id."""

    code: int = Field(description="Business code: 0 success; the API reference lists the others.")
    msg: str
    data: DataT | None = None
    rid: str = Field(description="Request id, also in the X-Request-ID header.")


class ErrorData(BaseModel):
    """``data`` of a 40000 parameter error: the first invalid field and every problem."""

    field: str
    errors: list[dict[str, str]]


def _iso(record_time: datetime) -> str:
    return record_time.isoformat().replace("+00:00", "Z")


def _info_value(name: str) -> Callable[[Any], Any]:
    """How one Product field's value is written into a ProductInfo object."""
    if name in REQUIRED_TEXT_FIELDS:
        return _text_or_empty
    annotation = Product.model_fields[name].annotation
    if get_origin(annotation) is list and any(
        isinstance(arg, type) and issubclass(arg, BaseModel) for arg in get_args(annotation)
    ):
        return _models_as_json
    return _as_is


def _text_or_empty(value: str | None) -> str:
    return value or ""


def _models_as_json(values: list[BaseModel]) -> list[dict[str, Any]]:
    return [value.model_dump(mode="json") for value in values]


def _as_is(value: Any) -> Any:
    return value


#: ``(field name, converter)`` for every Product field, in declaration order.
_INFO_VALUES: tuple[tuple[str, Callable[[Any], Any]], ...] = tuple(
    (name, _info_value(name)) for name in Product.model_fields
)


def product_info(record: ProductRecord) -> dict[str, Any]:
    """A stored product as the JSON object of :class:`ProductInfo`."""
    created_at = _iso(record.created_at)
    updated_at = created_at if record.updated_at == record.created_at else _iso(record.updated_at)
    values = record.product.__dict__
    info: dict[str, Any] = {"product_id": record.id}
    for name, convert in _INFO_VALUES:
        info[name] = convert(values[name])
    if record.media_dropped is not None:
        info["media_dropped"] = [
            {"original_url": d.original_url, "reason": d.reason, "detail": d.detail}
            for d in record.media_dropped
        ]
    info["created_at"] = created_at
    info["updated_at"] = updated_at
    return info

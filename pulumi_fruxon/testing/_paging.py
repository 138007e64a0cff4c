"""List query parsing: every parameter spelling the docs and SDK use, and opaque page tokens."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass

from ._wire import Problem, dump, invalid

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100

# Lower-case spellings; ASP.NET query binding is case-insensitive, so the emulator is too.
_SEARCH = ("query", "search")
_PAGE_TOKEN = ("pagetoken", "page_token", "paging.pagetoken.cursor")
_PAGE_SKIP = ("paging.pagetoken.skip",)
_PAGE_SIZE = ("pagesize", "page_size", "paging.pagesize")
_HAS = {
    "has_configs": ("has_configs", "hasconfigs"),
    "has_triggers": ("has_triggers", "hastriggers"),
    "has_channels": ("has_channels", "haschannels"),
}
_TOKEN_PREFIX = "offset:"


@dataclass(frozen=True)
class ListQuery:
    """A list request's filters and page window, normalised."""

    search: str | None = None
    types: tuple[str, ...] = ()  # upper case
    tags: tuple[str, ...] = ()  # lower case
    has_configs: bool | None = None
    has_triggers: bool | None = None
    has_channels: bool | None = None
    page_token: str | None = None  # as sent, for the echo fault
    offset: int = 0
    page_size: int = DEFAULT_PAGE_SIZE

    def filter_key(self) -> tuple[object, ...]:
        """What decides the matching set (not the window): a cache key."""
        return (
            self.search,
            self.types,
            self.tags,
            self.has_configs,
            self.has_triggers,
            self.has_channels,
        )


def encode_page_token(offset: int) -> str:
    """An opaque cursor: urlsafe base64 of the offset, without padding."""
    raw = base64.urlsafe_b64encode(f"{_TOKEN_PREFIX}{offset}".encode()).decode("ascii")
    return raw.rstrip("=")


def decode_page_token(token: str) -> int:
    """The offset inside a token; 400 when it is not one of ours."""
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
    except (binascii.Error, ValueError, UnicodeDecodeError):
        text = ""
    digits = text[len(_TOKEN_PREFIX) :] if text.startswith(_TOKEN_PREFIX) else ""
    if not digits.isdigit():
        raise Problem(400, "The page token is not valid.", code="invalid_page_token")
    return int(digits)


def _values(lowered: dict[str, list[str]], names: Sequence[str]) -> list[str]:
    return [v for name in names for v in lowered.get(name, []) if v != ""]


def _bool(lowered: dict[str, list[str]], names: Sequence[str]) -> bool | None:
    values = _values(lowered, names)
    if not values:
        return None
    value = values[0].lower()
    if value not in ("true", "false"):
        raise invalid(names[0], f"The value '{values[0]}' is not valid.")
    return value == "true"


def _int(lowered: dict[str, list[str]], names: Sequence[str]) -> int | None:
    values = _values(lowered, names)
    if not values:
        return None
    try:
        return int(values[0])
    except ValueError:
        raise invalid(names[0], f"The value '{values[0]}' is not valid.") from None


def parse_list_query(query: dict[str, list[str]]) -> ListQuery:
    """Normalise a list request's query string; unknown parameters are ignored."""
    lowered: dict[str, list[str]] = {}
    for name, values in query.items():
        lowered.setdefault(name.lower(), []).extend(values)
    search = _values(lowered, _SEARCH)
    tokens = _values(lowered, _PAGE_TOKEN)
    token = tokens[0] if tokens else None
    if token is not None:
        offset = decode_page_token(token)
    else:
        offset = _int(lowered, _PAGE_SKIP) or 0
        if offset < 0:
            raise invalid("Paging.PageToken.Skip", "Must be zero or more.")
    size = _int(lowered, _PAGE_SIZE)
    if size is None or size < 1:
        size = DEFAULT_PAGE_SIZE
    return ListQuery(
        search=search[0].lower() if search else None,
        types=tuple(v.upper() for v in _values(lowered, ("types",))),
        tags=tuple(v.lower() for v in _values(lowered, ("tags",))),
        has_configs=_bool(lowered, _HAS["has_configs"]),
        has_triggers=_bool(lowered, _HAS["has_triggers"]),
        has_channels=_bool(lowered, _HAS["has_channels"]),
        page_token=token,
        offset=offset,
        page_size=min(size, MAX_PAGE_SIZE),
    )


def list_page(matches: Sequence[bytes], query: ListQuery, *, mode: str | None = None) -> bytes:
    """The ListPage envelope around pre-serialised items: joins bytes, encodes nothing twice.

    `mode` is a broken server's list fault: `echo_page_tokens` sends the requested token back as
    the next one; `page_cycle` answers every page with the first page's items and a new token,
    so the list never ends.
    """
    end = query.offset + query.page_size
    window = matches[query.offset : end]
    next_token = encode_page_token(end) if end < len(matches) else ""
    if mode == "echo_page_tokens" and query.page_token:
        next_token = query.page_token
    elif mode == "page_cycle":
        window = matches[: query.page_size]
        next_token = encode_page_token(end)  # the offset keeps growing: always a new token
    return b"".join(
        (
            b'{"items":[',
            b",".join(window),
            b'],"nextPageToken":',
            dump(next_token),
            b',"totalCount":',
            str(len(matches)).encode("ascii"),
            b"}",
        )
    )

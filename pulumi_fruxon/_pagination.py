"""List walks: fetching a list page by page, reading each page, and vouching for the whole.

`walk` sends the first request when it is called, so a failure surfaces where the list was asked
for, and returns an iterator that fetches the further pages as it is consumed. Each page is
validated straight from the body's bytes, in one call: as a `Page`, or, for the two lists that
come in more than one shape (`config_shapes`, `revision_shapes`), as an object or a bare array.

A walk that cannot vouch for its result raises `PaginationError` instead of returning part of a
list as all of it: a data source's partial list would plan deletions of everything it missed.
`WalkGuard` notices the known server faults (a page token sent back as the next one, or repeated
from an earlier page; a page of items already listed, as in a walk that cycles), a `totalCount`
the walk ends short of, and a walk longer than `max_pages` (`MAX_PAGES` unless given). An empty
page with a next token is not a fault: AIP-158 allows it (https://google.aip.dev/158), and the
page limit bounds it.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Generic, TypeVar

import httpx
from pydantic import AliasChoices, Field, TypeAdapter, ValidationError

from pulumi_fruxon import _constants
from pulumi_fruxon._responses import invalid, parse
from pulumi_fruxon._transport import Params, Transport
from pulumi_fruxon.errors import PaginationError
from pulumi_fruxon.models import ConfigRecord, Listed, Page, Revision

log = logging.getLogger("pulumi_fruxon")

ItemT = TypeVar("ItemT", bound=Listed)


class WalkGuard(Generic[ItemT]):
    """Follows one walk of `GET path`. Call `admit` with each page, in order."""

    def __init__(self, path: str, *, max_pages: int = _constants.MAX_PAGES) -> None:
        self.path = path
        self.max_pages = max_pages
        self.pages = 0
        self.total_count: int | None = None
        self._ids: set[str] = set()
        self._token_pages: dict[str, int] = {}  # a next token -> the page that returned it

    @property
    def items(self) -> int:
        """How many distinct items the walk has seen."""
        return len(self._ids)

    def admit(
        self, page: Page[ItemT], sent_token: str | None
    ) -> tuple[list[ItemT], str | None, PaginationError | None]:
        """Take the page fetched with `sent_token`.

        Returns the items not seen before (in order), the token of the next page (None at the
        end), and the problem that makes the walk untrustworthy, if any. After a problem the
        next token is None: the walk must not go on.
        """
        self.pages += 1
        if page.total_count is not None:
            self.total_count = page.total_count
        fresh = self._fresh(page.items)
        next_token = page.next_page_token or None
        problem: str | None = None
        if page.items and not fresh:
            problem = f"page {self.pages} held only items already listed ({len(page.items)})"
        elif next_token is None:
            if self.total_count is not None and self.items < self.total_count:
                problem = (
                    f"the last page (page {self.pages}) ends the list at {self.items} items, "
                    f"but totalCount says {self.total_count}"
                )
        elif next_token == sent_token:
            problem = f"page {self.pages} sent back the page token it was asked for"
        elif next_token in self._token_pages:
            earlier = self._token_pages[next_token]
            problem = f"page {self.pages} returned the same next page token as page {earlier}"
        elif self.pages >= self.max_pages:
            problem = f"the list did not end within {self.max_pages} pages"
        if problem is not None:
            return fresh, None, self._error(problem)
        if next_token is not None:
            self._token_pages[next_token] = self.pages
        return fresh, next_token, None

    def _fresh(self, items: Sequence[ItemT]) -> list[ItemT]:
        fresh: list[ItemT] = []
        for item in items:
            if item.id not in self._ids:
                self._ids.add(item.id)
                fresh.append(item)
        return fresh

    def _error(self, problem: str) -> PaginationError:
        total = "none" if self.total_count is None else str(self.total_count)
        return PaginationError(
            f"Fruxon's pages for GET {self.path} do not add up: {problem} (read {self.pages} "
            f"pages, {self.items} distinct items; totalCount {total}), so the list may be "
            "missing items. This is a fault of the server; a later retry may succeed.",
            path=self.path,
            pages=self.pages,
            items=self.items,
            total_count=self.total_count,
        )


def follow(
    guard: WalkGuard[ItemT],
    page: Page[ItemT],
    fetch: Callable[[str | None], Page[ItemT]],
    *,
    best_effort: bool,
) -> Iterator[ItemT]:
    """The walk from its first `page` on: each fresh item, until the end or a problem.

    `fetch(token)` gets the page after `token`. When `guard` finds that the pages do not add up,
    the iterator raises its `PaginationError` after the items it could vouch for, or, with
    `best_effort`, logs a warning and ends there.
    """
    token: str | None = None
    while True:
        fresh, token, problem = guard.admit(page, token)
        yield from fresh
        if problem is not None:
            if not best_effort:
                raise problem
            log.warning("%s best_effort: returning the %d items read so far.", problem, guard.items)
            return
        if token is None:
            return
        page = fetch(token)


class Shapes(Generic[ItemT]):
    """The shapes a list answer may take, each validated straight from the body's bytes: an
    object (`page`, which names where its items may be) or a bare array of items."""

    def __init__(self, page: type[Page[ItemT]], item: type[ItemT]) -> None:
        self.page = page
        self.array: TypeAdapter[list[ItemT]] = TypeAdapter(list[item])  # type: ignore[valid-type]

    def validate_json(self, content: bytes) -> Page[ItemT]:
        # JSON's first character other than whitespace gives the type of the whole document.
        if content.lstrip(b" \t\r\n")[:1] == b"[":
            return self.page(items=self.array.validate_json(content))
        return self.page.model_validate_json(content)


# Built on first use: their schemas would add about 10 ms to importing the client.
@functools.cache
def config_shapes() -> Shapes[ConfigRecord]:
    """A config list: a bare array, `{items}` or `{configs}`, as the official SDK accepts."""

    class ConfigPage(Page[ConfigRecord]):
        """A config list as an object: its items under `items`, else under `configs`."""

        items: list[ConfigRecord] = Field(
            default=[], validation_alias=AliasChoices("items", "configs")
        )

    return Shapes(ConfigPage, ConfigRecord)


@functools.cache
def revision_shapes() -> Shapes[Revision]:
    """A revision list (an undocumented envelope): the same shapes as a config list."""

    class RevisionPage(Page[Revision]):
        """A revision list as an object: its items under `items`, else under `revisions`."""

        items: list[Revision] = Field(
            default=[], validation_alias=AliasChoices("items", "revisions")
        )

    return Shapes(RevisionPage, Revision)


def walk(
    transport: Transport,
    path: str,
    model: type[ItemT],
    params: Params = (),
    *,
    page_size: int | None = None,
    best_effort: bool = False,
    shapes: Shapes[ItemT] | None = None,
) -> Iterator[ItemT]:
    """Every item of a `ListPage` endpoint, each once; the first page is fetched now.

    `params` go with every page. `page_size` is clamped to `MAX_PAGE_SIZE`; None sends none.
    Each page is read as a `Page` of `model`, or in one of `shapes`; `follow` and a `WalkGuard`
    do the rest.
    """
    page_model: type[Page[ItemT]] = Page[model]  # type: ignore[valid-type]

    def read(response: httpx.Response) -> Page[ItemT]:
        if shapes is None:
            return parse(response, page_model)
        try:
            return shapes.validate_json(response.content)
        except ValidationError as exc:
            # As these two lists always have, a body that does not parse is "not JSON".
            raise invalid(response, exc, malformed="a body that is not JSON") from None

    def fetch(token: str | None) -> Page[ItemT]:
        query = list(params)
        if page_size is not None:
            query.append(("pageSize", str(max(1, min(page_size, _constants.MAX_PAGE_SIZE)))))
        if token:
            query.append(("pageToken", token))
        return read(transport.request("GET", path, params=query))

    first = fetch(None)  # now: a failure surfaces where the list was asked for
    return follow(WalkGuard(path), first, fetch, best_effort=best_effort)

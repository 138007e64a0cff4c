"""The list walk's guard: page by page, whether the pages still add up to one whole list.

A walk that cannot vouch for its result raises `PaginationError` instead of returning part of a
list as all of it: a data source's partial list would plan deletions of everything it missed.
The guard notices the known server faults (a page token sent back as the next one, or repeated
from an earlier page; a page of items already listed, as in a walk that cycles), a `totalCount`
the walk ends short of, and a walk longer than `MAX_PAGES`. An empty page with a next token is
not a fault: AIP-158 allows it (https://google.aip.dev/158), and the page limit bounds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from pulumi_fruxon import _constants as c
from pulumi_fruxon.errors import PaginationError
from pulumi_fruxon.models import Listed, Page

ItemT = TypeVar("ItemT", bound=Listed)


class WalkGuard(Generic[ItemT]):
    """Follows one walk of `GET path`. Call `admit` with each page, in order."""

    def __init__(self, path: str, *, max_pages: int | None = None) -> None:
        self.path = path
        self.max_pages = c.MAX_PAGES if max_pages is None else max_pages
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

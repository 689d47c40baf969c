"""Checkpoint-cursor paging of the members list (Auth0's `from`/`take`, no 1,000-record cap):
the address keeps the last MAX_TRAIL cursors (for Previous) and the page number, so a link can
be handed over and paging has no end but the organization's."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.http import QueryDict

from .forms import PAGE_SIZES

MAX_TRAIL = 20
DEFAULT_SIZE = 25


@dataclass(frozen=True)
class Position:
    """Where a person is in a list: the cursors that led here, the page number, its size."""

    trail: tuple[str, ...] = ()
    number: int = 1
    take: int = DEFAULT_SIZE

    @classmethod
    def of(cls, query: QueryDict) -> Position:
        """The position an address asks for; anything malformed falls back to its default."""
        trail = tuple(c for c in query.getlist("after") if c)[-MAX_TRAIL:]
        number = max(_number(query.get("page"), default=len(trail) + 1), len(trail) + 1)
        return cls(trail, number, page_size(query.get("per_page")))

    @property
    def cursor(self) -> str | None:
        """The cursor this page starts from (None: the first page)."""
        return self.trail[-1] if self.trail else None

    def first(self) -> Position:
        return replace(self, trail=(), number=1)


@dataclass(frozen=True)
class Links:
    refresh: str
    first: str | None
    previous: str | None
    next: str | None


def links(base: str, position: Position, next_cursor: str | None, shown: int, search: str) -> Links:
    """The addresses around a page that showed `shown` rows. Auth0 still sends a next cursor
    on the last page: a short page is the last one. Previous needs the cursor before this
    page's, kept unless the trail was trimmed. A search has one page."""
    trail, number = list(position.trail), position.number

    def at(cursors: list[str], page: int, q: str = "") -> str:
        return f"{base}?{query(q, cursors[-MAX_TRAIL:], position.take, page)}"

    has_next = bool(next_cursor) and shown == position.take and not search
    has_previous = number == 2 or len(trail) >= 2
    return Links(
        refresh=at(trail, number, search),
        first=at([], 1) if number > 2 else None,
        previous=at(trail[:-1], number - 1) if number > 1 and has_previous else None,
        next=at([*trail, next_cursor or ""], number + 1) if has_next else None,
    )


LIST_KEYS = ("q", "after", "page", "per_page")
"""What an address of the list holds (query() writes them)."""


def list_query(query: QueryDict) -> str:
    """The list's own part of a query (search, cursors, page, size), to come back to."""
    kept = QueryDict(mutable=True)
    for key in LIST_KEYS:
        kept.setlist(key, [value[:1000] for value in query.getlist(key)[:25]])
    return kept.urlencode()


def query(search: str, trail: list[str], per_page: int, page_number: int) -> str:
    found = QueryDict(mutable=True)
    if search:
        found["q"] = search
    found.setlist("after", trail)
    found["per_page"] = str(per_page)
    if page_number > 1:
        found["page"] = str(page_number)
    return found.urlencode()


def page_size(value: str | None) -> int:
    try:
        size = int(value or DEFAULT_SIZE)
    except ValueError:
        return DEFAULT_SIZE
    return size if size in PAGE_SIZES else DEFAULT_SIZE


def _number(value: str | None, *, default: int) -> int:
    try:
        number = int(value or default)
    except ValueError:
        return default
    return number if 1 <= number <= 1_000_000 else default

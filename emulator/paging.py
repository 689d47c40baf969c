"""Offset and checkpoint pagination with the response shapes Auth0 records.

Offset (page/per_page): a bare array, or with include_totals=true
{"<collection>": [...], "start", "limit", "total"}; nothing past the first 1000 records.

Checkpoint (from/take): {"<collection>": [...], "next": "<opaque>"}; include_totals is ignored.
The token is base64 of "<timestamp>UTC,<id>" (as observed), without padding. Two "next" policies
are recorded: the organizations (and role users) list omits `next` on its last page, while the
members list keeps sending `next` until a call returns an empty page.
"""

from __future__ import annotations

import base64
import binascii
import bisect
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from . import errors
from .validation import Bool, Int, Spec, Str, query_error

T = TypeVar("T")
OFFSET_LIMIT = 1000

OFFSET_PARAMS: dict[str, Spec] = {
    "page": Int(0, 1000),
    "per_page": Int(1, 100),
    "include_totals": Bool(),
}
CHECKPOINT_PARAMS: dict[str, Spec] = {
    "from": Str(),
    "take": Int(1, 100),
}

NextPolicy = Literal["more", "nonempty"]


def offset_page(
    items: Sequence[Any],
    query: dict[str, Any],
    collection: str,
    *,
    render: Callable[[Any], Any] | None = None,
    paging_error: str = errors.PAGING_CAP,
    extra: dict[str, Any] | None = None,
) -> Any:
    """Only the page's own items are rendered (`render`, if given): a page costs its size."""
    page = query.get("page", 0)
    per_page = query.get("per_page", 50)
    if (page + 1) * per_page > OFFSET_LIMIT:
        raise errors.invalid_paging(paging_error)
    start = page * per_page
    chunk = list(items[start : start + per_page])
    if render is not None:
        chunk = [render(item) for item in chunk]
    if not query.get("include_totals", False):
        return chunk
    body: dict[str, Any] = {collection: chunk, "start": start, "limit": per_page}
    body.update(extra or {})
    body["total"] = len(items)
    return body


def encode_cursor(created_us: int, item_id: str) -> str:
    stamp = datetime.fromtimestamp(created_us / 1_000_000, UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    raw = f"{stamp}UTC,{item_id}".encode()
    return base64.b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str) -> tuple[int, str]:
    try:
        raw = base64.b64decode(token + "=" * (-len(token) % 4), validate=True).decode()
        stamp, item_id = raw.split("UTC,", 1)
        moment = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=UTC)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise query_error("Invalid pagination cursor", "from") from None
    return int(round(moment.timestamp() * 1_000_000)), item_id


def checkpoint_page(
    items: Sequence[T],
    query: dict[str, Any],
    collection: str,
    *,
    key: Callable[[T], tuple[int, str]],
    render: Callable[[T], Any],
    next_policy: NextPolicy,
) -> dict[str, Any]:
    """`items` must be sorted by `key` (created stamp, id), the order the cursor walks: the
    page starts after the cursor's key, found by bisection (a sequence with an
    `index_after(key)` method, such as the store's members view, finds it itself)."""
    take = query.get("take", 50)
    start = 0
    if query.get("from"):
        after = decode_cursor(query["from"])
        index_after = getattr(items, "index_after", None)
        if index_after is not None:
            start = index_after(after)
        else:
            start = bisect.bisect_right(items, after, key=key)
    chunk = list(items[start : start + take])
    body: dict[str, Any] = {collection: [render(item) for item in chunk]}
    has_more = len(items) - start > take
    if chunk and (has_more or next_policy == "nonempty"):
        body["next"] = encode_cursor(*key(chunk[-1]))
    return body


def is_checkpoint(query: dict[str, Any]) -> bool:
    return "take" in query or "from" in query

"""A message may offer one link, such as "Restore" after a removal. It travels in the message's
extra_tags as one token (so it survives the redirect after a plain form post) and is shown as a
real <a>, its text escaped: by templates/includes/messages.html on full pages and by
static/js/app.js (textContent, href) for htmx answers (orgs.middleware puts it in HX-Trigger).
Only adminportal's own paths are links."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import quote, unquote

from django.contrib import messages
from django.contrib.messages.storage.base import Message
from django.http import HttpRequest

PREFIX = "link:"


@dataclass(frozen=True)
class Link:
    url: str
    """A path of adminportal ("/…"), opened in the confirmation dialog (a page without JS)."""
    label: str


def add(request: HttpRequest, level: int, text: str, link: Link | None = None) -> None:
    token = PREFIX + quote(json.dumps([link.url, link.label]), safe="") if link else ""
    messages.add_message(request, level, text, extra_tags=token)


def split(message: Message) -> tuple[str, Link | None]:
    """The message's tags without its link, and its link (None without one, or a bad one)."""
    tags, link = [], None
    for tag in message.tags.split():
        if tag.startswith(PREFIX):
            link = _parsed(tag[len(PREFIX) :])
        else:
            tags.append(tag)
    return " ".join(tags), link


def _parsed(token: str) -> Link | None:
    try:
        url, label = json.loads(unquote(token))
    except (ValueError, TypeError):
        return None
    own = isinstance(url, str) and url.startswith("/") and not url.startswith(("//", "/\\"))
    return Link(url, label) if own and isinstance(label, str) and label else None

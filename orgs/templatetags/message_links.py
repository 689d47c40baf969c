"""{% with toast=message|toast %}: a message's tags (for its class) and the link it offers
(orgs.message_links), for templates/includes/messages.html."""

from __future__ import annotations

from django import template
from django.contrib.messages.storage.base import Message

from .. import message_links

register = template.Library()


@register.filter
def toast(message: Message) -> dict[str, object]:
    tags, link = message_links.split(message)
    return {"tags": tags, "link": link}

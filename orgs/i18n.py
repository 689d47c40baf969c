"""Words in the staff member's language (Django's i18n: locale/ja holds the Japanese).

What a person reads is translated when it is said. What adminportal keeps is English: an
error's message is lazy (gettext_lazy, or lazy_text below), so the audit trail stores it in
English (`english`) while the person who met it reads it in their own language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from django.utils.functional import Promise, lazy
from django.utils.translation import gettext, override, pgettext

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _formatted(message: StrOrPromise, params: Mapping[str, object]) -> str:
    return str(message) % {
        name: str(value) if isinstance(value, Promise) else value for name, value in params.items()
    }


_lazy_formatted = lazy(_formatted, str)


def lazy_text(message: StrOrPromise, **params: object) -> StrOrPromise:
    """`message % params`, worded when it is read, in the language active then: `message` is
    gettext_lazy("… %(name)s …") or ngettext_lazy(…, number), and params may be lazy too."""
    return _lazy_formatted(message, params)


def english(text: StrOrPromise) -> str:
    """A (lazy) text in English, as the audit trail and the logs keep it."""
    with override("en"):
        return str(text)


def comma_list(items: Iterable[object]) -> str:
    """“a, b, c” in the active language (“a、b、c” in Japanese)."""
    return _separator().join(str(item) for item in items)


def and_list(items: Iterable[object]) -> str:
    """“a, b and c” in the active language (“a、b、c” in Japanese)."""
    words = [str(item) for item in items]
    if len(words) < 2:
        return "".join(words)
    return gettext("%(items)s and %(last)s") % {
        "items": _separator().join(words[:-1]),
        "last": words[-1],
    }


def _separator() -> str:
    return pgettext("between the items of a list", ", ")


# Worded when they are read (for an error's message).
lazy_comma_list = lazy(comma_list, str)
lazy_and_list = lazy(and_list, str)

"""Just enough of a browser for the benchmark: the forms and the htmx addresses of a page, so a
step sends what the page itself would send (its hidden fields included), not a guess."""

from __future__ import annotations

from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser


@dataclass
class Form:
    attrs: dict[str, str]
    fields: list[tuple[str, str, str, bool]] = field(default_factory=list)
    """(name, value, input type, checked)"""

    @property
    def action(self) -> str:
        return self.attrs.get("hx-post") or self.attrs.get("hx-get") or self.attrs.get("action", "")

    def hidden(self) -> list[tuple[str, str]]:
        return [
            (name, value)
            for name, value, kind, _checked in self.fields
            if kind == "hidden" and name != "csrfmiddlewaretoken"
        ]

    def values(self, name: str) -> list[str]:
        return [value for n, value, _kind, _checked in self.fields if n == name]


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.elements: list[tuple[str, dict[str, str]]] = []
        self._form: Form | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: unescape(value or "") for name, value in attrs}
        self.elements.append((tag, values))
        if tag == "form":
            self._form = Form(values)
            self.forms.append(self._form)
        elif tag in ("input", "textarea", "select", "button") and self._form and "name" in values:
            kind = values.get("type", "text" if tag == "input" else tag)
            checked = "checked" in values
            self._form.fields.append((values["name"], values.get("value", ""), kind, checked))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


@dataclass
class Page:
    forms: list[Form]
    elements: list[tuple[str, dict[str, str]]]

    def form(self, **match: str) -> Form:
        """The first form whose attributes contain each of `match` (id=…, action-part=…)."""
        for form in self.forms:
            if all(
                (value in form.action) if key == "action_part" else form.attrs.get(key) == value
                for key, value in match.items()
            ):
                return form
        raise LookupError(f"no form with {match}")

    def hx_get(self, *, element_id: str | None = None, contains: str = "") -> str:
        """The hx-get address of the element with that id, or of the first that contains text."""
        for _tag, attrs in self.elements:
            address = attrs.get("hx-get")
            if not address:
                continue
            if element_id is not None and attrs.get("id") != element_id:
                continue
            if contains in address:
                return address
        raise LookupError(f"no hx-get {element_id or ''} {contains}")

    def link(self, rel: str) -> str | None:
        for tag, attrs in self.elements:
            if tag == "a" and attrs.get("rel") == rel:
                return attrs.get("hx-get") or attrs.get("href")
        return None

    def checkboxes(self, name: str) -> list[str]:
        return [
            value
            for form in self.forms
            for n, value, kind, _checked in form.fields
            if n == name and kind == "checkbox"
        ]


def parse(html: str) -> Page:
    parser = _Parser()
    parser.feed(html)
    return Page(parser.forms, parser.elements)

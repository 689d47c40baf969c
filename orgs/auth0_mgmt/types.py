"""Typed, frozen values for what the Management API returns; nothing above the client sees a raw
dict or a response."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypedDict, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Role:
    id: str
    name: str
    description: str = ""

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Role:
        return cls(
            id=_id(data["id"]),
            name=str(data.get("name") or data["id"]),
            description=str(data.get("description") or ""),
        )


@dataclass(frozen=True)
class Organization:
    id: str
    name: str
    display_name: str = ""
    logo_url: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.display_name or self.name

    @property
    def metadata_items(self) -> tuple[tuple[str, str], ...]:
        """For templates: `metadata.items` would look up a key named "items" first."""
        return tuple(self.metadata.items())

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Organization:
        branding = data.get("branding") or {}
        logo_url = branding.get("logo_url")
        return cls(
            id=_id(data["id"]),
            name=str(data.get("name") or ""),
            display_name=str(data.get("display_name") or ""),
            logo_url=logo_url if isinstance(logo_url, str) else None,
            metadata={str(k): str(v) for k, v in (data.get("metadata") or {}).items()},
        )


class PersonFields(TypedDict):
    user_id: str
    name: str
    email: str
    picture: str


@dataclass(frozen=True, kw_only=True)
class Person:
    """Who a member or a user is: the fields both Auth0 answers carry, and how to name them.
    Keyword-only, here and in the subclasses: their fields follow these."""

    user_id: str
    name: str = ""
    email: str = ""
    picture: str = ""

    @property
    def label(self) -> str:
        return self.name or self.email or self.user_id

    @staticmethod
    def fields_from_api(data: Mapping[str, Any]) -> PersonFields:
        return {
            "user_id": _id(data["user_id"]),
            "name": str(data.get("name") or ""),
            "email": str(data.get("email") or ""),
            "picture": str(data.get("picture") or ""),
        }


@dataclass(frozen=True, kw_only=True)
class Member(Person):
    """An organization member, with the roles held in that organization (direct assignments)."""

    roles: tuple[Role, ...] = ()
    roles_shown: bool = True
    """False for a search hit whose roles were not read (each would cost a call)."""

    def as_user(self) -> User:
        return User(user_id=self.user_id, email=self.email, name=self.name, picture=self.picture)

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Member:
        person = Person.fields_from_api(data)
        return cls(**person, roles=tuple(Role.from_api(r) for r in data.get("roles") or ()))


@dataclass(frozen=True, kw_only=True)
class User(Person):
    """A tenant user, as the Users API answers."""

    nickname: str = ""
    given_name: str = ""
    family_name: str = ""
    email_verified: bool = False
    blocked: bool = False
    created_at: str = ""
    last_login: str = ""
    logins_count: int = 0
    connections: tuple[str, ...] = ()

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> User:
        return cls(
            **Person.fields_from_api(data),
            nickname=str(data.get("nickname") or ""),
            given_name=str(data.get("given_name") or ""),
            family_name=str(data.get("family_name") or ""),
            email_verified=bool(data.get("email_verified")),
            blocked=bool(data.get("blocked")),
            created_at=str(data.get("created_at") or ""),
            last_login=str(data.get("last_login") or ""),
            logins_count=int(data.get("logins_count") or 0),
            connections=tuple(
                str(i.get("connection"))
                for i in data.get("identities") or ()
                if i.get("connection")
            ),
        )


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: offset pages carry start/limit/total, checkpoint pages `next_cursor`
    (None once Auth0 sent no `next`, or sent an empty page)."""

    items: tuple[T, ...]
    total: int | None = None
    start: int = 0
    limit: int | None = None
    next_cursor: str | None = None

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def _id(value: Any) -> str:
    """Ids are non-empty strings; anything else is an answer of another shape (the client
    turns the TypeError into Auth0ServerError)."""
    if not isinstance(value, str) or not value:
        raise TypeError(f"an id that is a {type(value).__name__}")
    return value


@dataclass(frozen=True)
class RateLimit:
    """The latest x-ratelimit-* figures Auth0 sent."""

    limit: int
    remaining: int
    reset_at: float
    observed_at: float

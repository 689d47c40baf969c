"""The tenant's state: organizations, users, roles, memberships and role assignments.

Everything lives in memory behind one lock; a change is visible to the next read, except where
the tenant is told to lag like Auth0 does (a removed member stays in the members list for
`member_removal_lag` seconds).

A page of members, a member's roles, a user and a user's organizations cost the same at any
organization or tenant size: each organization keeps its members in a list ordered by
(created_us, user_id), maintained on add/remove with bisection, so a members page finds its
start by bisection and never sorts; lagging removals wait in a small heap per organization.
The organizations are kept in the same (created_us, id) order for checkpoint paging. E-mail,
organization-name and role-name uniqueness use indexes, and a user's organizations come from a
user -> organizations index. Still linear in the tenant: user search (`q`) and the sign-in
page's e-mail lookup, the offset-paged organizations list (a copy of the list), deleting a
role, and dumping the state.
"""

from __future__ import annotations

import heapq
import secrets
import string
import threading
import time
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, overload

from . import errors

ALPHANUMERIC = string.ascii_letters + string.digits
MAX_MEMBER_ROLES = 100  # "Maximum of 100 roles per user" (add-member-roles doc)


def new_id(prefix: str, length: int = 16) -> str:
    return prefix + "".join(secrets.choice(ALPHANUMERIC) for _ in range(length))


def new_user_id() -> str:
    return "auth0|" + secrets.token_hex(12)


class Clock:
    """Wall-clock time plus an offset that tests move forward instead of sleeping."""

    def __init__(self) -> None:
        self.offset = 0.0
        self._iso_second: tuple[int, str] = (-1, "")

    def now(self) -> float:
        return time.time() + self.offset

    def now_us(self) -> int:
        return int(self.now() * 1_000_000)

    def iso(self) -> str:
        t = self.now()
        second = int(t)
        if self._iso_second[0] != second:  # formatting the date once per second is enough
            self._iso_second = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)))
        return self._iso_second[1] + f".{int(t * 1000) % 1000:03d}Z"


@dataclass
class Organization:
    id: str
    name: str
    display_name: str | None = None
    branding: dict[str, Any] | None = None
    metadata: dict[str, str] | None = None
    created_us: int = 0

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"id": self.id, "name": self.name}
        if self.display_name is not None:
            body["display_name"] = self.display_name
        if self.branding is not None:
            body["branding"] = self.branding
        if self.metadata:
            body["metadata"] = self.metadata
        return body


@dataclass
class Role:
    id: str
    name: str
    description: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "description": self.description}


@dataclass(slots=True)
class Membership:
    org_id: str
    user_id: str
    created_us: int
    removed_at: float | None = None
    roles_at_removal: list[str] = field(default_factory=list)


Key = tuple[int, str]  # (created_us, id): the order of the members and organizations lists
T = TypeVar("T")


class OrgMembers:
    """One organization's memberships: a dict by user id for lookups and a list of
    (created_us, user_id) keys kept sorted (the members list's order), maintained on every add
    and remove by bisection. Removals that lag (see Tenant.member_removal_lag) wait in a heap
    of (removed_at, created_us, user_id) until they expire."""

    __slots__ = ("by_user", "order", "pending")

    def __init__(self) -> None:
        self.by_user: dict[str, Membership] = {}
        self.order: list[Key] = []
        self.pending: list[tuple[float, int, str]] = []

    def __len__(self) -> int:
        return len(self.by_user)

    def get(self, user_id: str) -> Membership | None:
        return self.by_user.get(user_id)

    def add(self, membership: Membership) -> None:
        """Add (or replace) a membership; its key goes to its place in the order."""
        self.discard(membership.user_id)
        self.by_user[membership.user_id] = membership
        key = (membership.created_us, membership.user_id)
        if not self.order or self.order[-1] < key:
            self.order.append(key)  # the usual case: the newest member
        else:
            insort(self.order, key)

    def discard(self, user_id: str) -> Membership | None:
        membership = self.by_user.pop(user_id, None)
        if membership is not None:
            _remove_key(self.order, (membership.created_us, membership.user_id))
        return membership

    def mark_removed(self, membership: Membership, now: float, roles: list[str]) -> None:
        membership.removed_at = now
        membership.roles_at_removal = roles
        heapq.heappush(self.pending, (now, membership.created_us, membership.user_id))

    def expire(self, now: float, lag: float) -> list[str]:
        """Drop the lagging removals whose lag is over; returns their user ids."""
        gone: list[str] = []
        pending = self.pending
        while pending and now >= pending[0][0] + lag:
            removed_at, created_us, user_id = heapq.heappop(pending)
            current = self.by_user.get(user_id)
            if (
                current is not None
                and current.removed_at == removed_at
                and current.created_us == created_us
            ):
                self.discard(user_id)
                gone.append(user_id)
        return gone

    def view(self) -> OrderedView[Membership]:
        return OrderedView(self.order, self.by_user)


class OrderedView(Sequence[T]):
    """Items in the order of a sorted list of (created_us, id) keys, read without copying:
    indexing and slicing cost what they return, `index_after` finds a cursor's place by
    bisection. Read it under the tenant's lock."""

    __slots__ = ("_by_id", "_order")

    def __init__(self, order: list[Key], by_id: dict[str, T]) -> None:
        self._order = order
        self._by_id = by_id

    def __len__(self) -> int:
        return len(self._order)

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        by_id = self._by_id
        if isinstance(index, slice):
            return [by_id[item_id] for _, item_id in self._order[index]]
        return by_id[self._order[index][1]]

    def __iter__(self) -> Iterator[T]:
        by_id = self._by_id
        return (by_id[item_id] for _, item_id in self._order)

    def index_after(self, key: Key) -> int:
        """The position of the first item whose (created_us, id) is after `key`."""
        return bisect_right(self._order, key)


@dataclass
class Client:
    """A machine-to-machine application allowed to ask for Management API tokens."""

    client_id: str
    client_secret: str
    scopes: list[str]
    name: str = ""
    is_global: bool = True
    token_lifetime: int = 86400
    callbacks: list[str] = field(default_factory=list)
    """Allowed sign-in redirect URIs; none means any on 127.0.0.1/localhost."""

    @classmethod
    def from_spec(cls, spec: dict[str, Any], default_scopes: list[str] | None = None) -> Client:
        return cls(
            client_id=spec["client_id"],
            client_secret=spec["client_secret"],
            scopes=list(spec.get("scopes", default_scopes or [])),
            name=spec.get("name", ""),
            is_global=spec.get("is_global", True),
            token_lifetime=int(spec.get("token_lifetime", 86400)),
            callbacks=list(spec.get("callbacks", [])),
        )

    def to_spec(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "name": self.name,
            "scopes": self.scopes,
            "is_global": self.is_global,
            "token_lifetime": self.token_lifetime,
            "callbacks": self.callbacks,
        }


class Tenant:
    def __init__(self, domain: str, clock: Clock | None = None) -> None:
        self.domain = domain
        self.clock = clock or Clock()
        self.lock = threading.RLock()
        self.member_removal_lag = 0.0
        self.clear()

    @property
    def audience(self) -> str:
        return f"https://{self.domain}/api/v2/"

    def clear(self) -> None:
        with self.lock:
            self.organizations: dict[str, Organization] = {}
            self.users: dict[str, dict[str, Any]] = {}
            self.roles: dict[str, Role] = {}
            self.memberships: dict[str, OrgMembers] = {}
            # organization id -> user id -> the member's role ids (roles may precede joining)
            self.member_roles: dict[str, dict[str, list[str]]] = {}
            self.user_roles: dict[str, list[str]] = {}
            self.role_users_added: dict[tuple[str, str], int] = {}
            self.clients: dict[str, Client] = {}
            # Indexes, kept in step with the data above.
            self.user_ids_by_email: dict[str, str] = {}
            self.org_ids_by_name: dict[str, str] = {}
            self.role_ids_by_name: dict[str, str] = {}
            self.user_orgs: dict[str, set[str]] = {}  # user -> orgs with a membership record
            self.user_role_orgs: dict[str, set[str]] = {}  # user -> orgs in member_roles
            self.org_seq: dict[str, int] = {}  # creation order of organizations
            self.org_order: list[Key] = []  # (created_us, id), sorted: the checkpoint order
            self._next_org_seq = 0

    # --- organizations ------------------------------------------------------------------------

    def add_organization(
        self,
        *,
        name: str,
        display_name: str | None = None,
        branding: dict[str, Any] | None = None,
        metadata: dict[str, str] | None = None,
        org_id: str | None = None,
        created_us: int | None = None,
    ) -> Organization:
        with self.lock:
            if name in self.org_ids_by_name:
                raise errors.conflict(
                    "An organization with this name already exists.", "organization_conflict"
                )
            org = Organization(
                id=org_id or new_id("org_"),
                name=name,
                display_name=display_name,
                branding=branding,
                metadata=metadata,
                created_us=created_us if created_us is not None else self._tick(),
            )
            replaced = self.organizations.get(org.id)
            if replaced is not None:  # the same id again: the new organization replaces it
                self.org_ids_by_name.pop(replaced.name, None)
                self._forget_members(org.id)
                _remove_key(self.org_order, (replaced.created_us, replaced.id))
            self.organizations[org.id] = org
            insort(self.org_order, (org.created_us, org.id))
            self.org_ids_by_name[name] = org.id
            self.memberships[org.id] = OrgMembers()
            self.org_seq[org.id] = self._next_org_seq
            self._next_org_seq += 1
            return org

    def organization(self, org_id: str) -> Organization:
        org = self.organizations.get(org_id)
        if org is None:
            raise errors.organization_not_found()
        return org

    def organizations_view(self) -> OrderedView[Organization]:
        """Organizations ordered by (created_us, id), the checkpoint order, without a copy."""
        return OrderedView(self.org_order, self.organizations)

    def organization_by_name(self, name: str) -> Organization:
        org_id = self.org_ids_by_name.get(name)
        if org_id is None:
            raise errors.organization_not_found()
        return self.organizations[org_id]

    def delete_organization(self, org_id: str) -> None:
        with self.lock:
            org = self.organization(org_id)
            del self.organizations[org_id]
            _remove_key(self.org_order, (org.created_us, org.id))
            if self.org_ids_by_name.get(org.name) == org_id:
                del self.org_ids_by_name[org.name]
            self.org_seq.pop(org_id, None)
            self._forget_members(org_id)
            del self.memberships[org_id]
            for user_id in self.member_roles.pop(org_id, {}):
                _unlink(self.user_role_orgs, user_id, org_id)

    def _forget_members(self, org_id: str) -> None:
        members = self.memberships.get(org_id)
        if members is not None:
            for user_id in members.by_user:
                _unlink(self.user_orgs, user_id, org_id)

    # --- users --------------------------------------------------------------------------------

    def add_user(self, user: dict[str, Any], *, created_us: int | None = None) -> dict[str, Any]:
        with self.lock:
            email = user.get("email")
            if email and self._email_taken(email):
                raise errors.conflict("The user already exists.", "auth0_idp_error")
            user_id = user.get("user_id") or new_user_id()
            stamp = self.clock.iso()
            record = {
                "user_id": user_id,
                "email": email,
                "email_verified": bool(user.get("email_verified", False)),
                "name": user.get("name") or email or user_id,
                "nickname": user.get("nickname") or (email or user_id).split("@")[0],
                "picture": user.get("picture") or "https://cdn.auth0.com/avatars/default.png",
                "created_at": user.get("created_at") or stamp,
                "updated_at": user.get("updated_at") or stamp,
                "identities": user.get("identities")
                or [
                    {
                        "connection": user.get("connection", "Username-Password-Authentication"),
                        "user_id": user_id.split("|", 1)[-1],
                        "provider": user_id.split("|", 1)[0],
                        "isSocial": False,
                    }
                ],
                "blocked": bool(user.get("blocked", False)),
            }
            for key in ("given_name", "family_name", "username", "last_login", "logins_count"):
                if user.get(key) is not None:
                    record[key] = user[key]
            for key in ("app_metadata", "user_metadata"):
                if user.get(key) is not None:
                    record[key] = user[key]
            # Emulator-only: a password for the login page and custom ID-token claims.
            record["_password"] = user.get("password")
            record["_claims"] = user.get("claims") or {}
            record["_created_us"] = created_us if created_us is not None else self._tick()
            replaced = self.users.get(user_id)
            if replaced is not None:  # the same id again: the new record replaces it
                self._unindex_email(replaced)
            self.users[user_id] = record
            if isinstance(email, str) and email:
                self.user_ids_by_email[email] = user_id
            return record

    def _email_taken(self, email: Any) -> bool:
        if isinstance(email, str):
            return email in self.user_ids_by_email
        # Not a string (a malformed body): compare as before, by value.
        return any(u.get("email") == email for u in self.users.values())

    def _unindex_email(self, user: dict[str, Any]) -> None:
        email = user.get("email")
        if isinstance(email, str) and self.user_ids_by_email.get(email) == user["user_id"]:
            del self.user_ids_by_email[email]

    def user(self, user_id: str) -> dict[str, Any]:
        user = self.users.get(user_id)
        if user is None:
            raise errors.user_not_found()
        return user

    def user_by_email(self, email: str) -> dict[str, Any] | None:
        user_id = self.user_ids_by_email.get(email)
        return None if user_id is None else self.users[user_id]

    def delete_user(self, user_id: str) -> None:
        with self.lock:
            user = self.users.pop(user_id, None)
            if user is not None:
                self._unindex_email(user)
            for role_id in self.user_roles.pop(user_id, None) or []:
                self.role_users_added.pop((role_id, user_id), None)
            for org_id in self.user_orgs.pop(user_id, ()):
                self.memberships[org_id].discard(user_id)
            for org_id in self.user_role_orgs.pop(user_id, ()):
                self.member_roles[org_id].pop(user_id, None)

    # --- roles --------------------------------------------------------------------------------

    def add_role(self, *, name: str, description: str = "", role_id: str | None = None) -> Role:
        with self.lock:
            if name in self.role_ids_by_name:
                raise errors.conflict("The role already exists.")
            role = Role(id=role_id or new_id("rol_"), name=name, description=description)
            replaced = self.roles.get(role.id)
            if replaced is not None:  # the same id again: the new role replaces it
                self.role_ids_by_name.pop(replaced.name, None)
            self.roles[role.id] = role
            self.role_ids_by_name[name] = role.id
            return role

    def role(self, role_id: str) -> Role:
        role = self.roles.get(role_id)
        if role is None:
            raise errors.role_not_found()
        return role

    def delete_role(self, role_id: str) -> None:
        """Walks every role assignment: a rare administrative call, not a dashboard path."""
        with self.lock:
            role = self.role(role_id)
            del self.roles[role_id]
            if self.role_ids_by_name.get(role.name) == role_id:
                del self.role_ids_by_name[role.name]
            member_lists = (held for org in self.member_roles.values() for held in org.values())
            for assigned in [*member_lists, *self.user_roles.values()]:
                if role_id in assigned:
                    assigned.remove(role_id)
            for key in [k for k in self.role_users_added if k[0] == role_id]:
                del self.role_users_added[key]

    def roles_sorted(self, role_ids: list[str]) -> list[Role]:
        return sorted((self.roles[r] for r in role_ids if r in self.roles), key=lambda r: r.name)

    def assign_user_roles(self, user_id: str, role_ids: list[str]) -> None:
        with self.lock:
            self.user(user_id)
            self.check_roles_exist(role_ids)
            held = self.user_roles.setdefault(user_id, [])
            for role_id in dict.fromkeys(role_ids):
                if role_id not in held:
                    held.append(role_id)
                    self.role_users_added[(role_id, user_id)] = self._tick()

    def remove_user_roles(self, user_id: str, role_ids: list[str]) -> None:
        with self.lock:
            self.user(user_id)
            held = self.user_roles.get(user_id, [])
            held[:] = [r for r in held if r not in role_ids]
            for role_id in role_ids:
                self.role_users_added.pop((role_id, user_id), None)

    def check_roles_exist(self, role_ids: list[str]) -> None:
        missing = [r for r in role_ids if r not in self.roles]
        if missing:
            raise errors.invalid_body(f"One or more of the roles do not exist: {missing[0]}")

    # --- organization members -----------------------------------------------------------------

    def add_members(
        self, org_id: str, user_ids: list[str], *, created_us: int | None = None
    ) -> None:
        with self.lock:
            self.organization(org_id)
            unknown = [u for u in user_ids if u not in self.users]
            if unknown:
                raise errors.invalid_body(f"User not found: {unknown[0]}")
            stamp = created_us if created_us is not None else self._tick()
            members = self.memberships[org_id]
            for user_id in user_ids:
                current = members.get(user_id)
                if current is None or current.removed_at is not None:
                    members.add(Membership(org_id, user_id, stamp))
                    self.user_orgs.setdefault(user_id, set()).add(org_id)

    def seed_members(self, org_id: str, members: Iterable[tuple[str, list[str]]]) -> None:
        """Seed loading: for each (user id, role ids) in turn, what add_members(org, [user])
        then assign_member_roles (when there are roles) do, without repeating the checks
        that hold for the whole list."""
        with self.lock:
            self.organization(org_id)
            org_members = self.memberships[org_id]
            org_roles = self.member_roles.setdefault(org_id, {})
            users, user_orgs, user_role_orgs = self.users, self.user_orgs, self.user_role_orgs
            known_roles: set[str] = set()
            for user_id, role_ids in members:
                if user_id not in users:
                    raise errors.invalid_body(f"User not found: {user_id}")
                stamp = self._tick()
                current = org_members.by_user.get(user_id)
                if current is None or current.removed_at is not None:
                    org_members.add(Membership(org_id, user_id, stamp))
                    user_orgs.setdefault(user_id, set()).add(org_id)
                if not role_ids:
                    continue
                if not known_roles.issuperset(role_ids):
                    self.check_roles_exist(role_ids)
                    known_roles.update(role_ids)
                held = org_roles.get(user_id)
                if held is None:
                    held = org_roles[user_id] = []
                    user_role_orgs.setdefault(user_id, set()).add(org_id)
                new = [r for r in dict.fromkeys(role_ids) if r not in held]
                if len(held) + len(new) > MAX_MEMBER_ROLES:
                    raise errors.conflict(errors.MEMBER_ROLES_CAP)
                held.extend(new)

    def remove_members(self, org_id: str, user_ids: list[str]) -> None:
        with self.lock:
            self.organization(org_id)
            members = self.memberships[org_id]
            now = self.clock.now()
            for user_id in user_ids:
                membership = members.get(user_id)
                if membership is None or membership.removed_at is not None:
                    continue
                roles = self._drop_member_roles(org_id, user_id)
                if self.member_removal_lag > 0:
                    members.mark_removed(membership, now, roles)
                else:
                    members.discard(user_id)
                    _unlink(self.user_orgs, user_id, org_id)

    def is_member(self, org_id: str, user_id: str) -> bool:
        members = self.memberships.get(org_id)
        membership = members.get(user_id) if members is not None else None
        return membership is not None and membership.removed_at is None

    def members_view(self, org_id: str) -> OrderedView[Membership]:
        """Members as the (eventually consistent) members list shows them, oldest first: a
        view in order (no copy, no sort); read it under the tenant's lock."""
        with self.lock:
            self.organization(org_id)
            members = self.memberships[org_id]
            if members.pending:
                for user_id in members.expire(self.clock.now(), self.member_removal_lag):
                    _unlink(self.user_orgs, user_id, org_id)
            return members.view()

    def listed_members(self, org_id: str) -> list[Membership]:
        """Members as the (eventually consistent) members list shows them, oldest first."""
        with self.lock:
            return list(self.members_view(org_id))

    def assign_member_roles(
        self, org_id: str, user_id: str, role_ids: list[str], *, limit: int = MAX_MEMBER_ROLES
    ) -> None:
        """Roles may be given before the user joins (as recorded); at most `limit` in all."""
        with self.lock:
            self.organization(org_id)
            self.user(user_id)
            self.check_roles_exist(role_ids)
            org_roles = self.member_roles.setdefault(org_id, {})
            held = org_roles.get(user_id)
            if held is None:
                held = org_roles[user_id] = []
                self.user_role_orgs.setdefault(user_id, set()).add(org_id)
            new = [r for r in dict.fromkeys(role_ids) if r not in held]
            if len(held) + len(new) > limit:
                raise errors.conflict(errors.MEMBER_ROLES_CAP)
            held.extend(new)

    def remove_member_roles(self, org_id: str, user_id: str, role_ids: list[str]) -> None:
        with self.lock:
            self.organization(org_id)
            self.user(user_id)
            held = self.member_roles.get(org_id, {}).get(user_id, [])
            held[:] = [r for r in held if r not in role_ids]

    def member_role_ids(self, org_id: str, user_id: str) -> list[str]:
        org_roles = self.member_roles.get(org_id)
        if org_roles is None:
            return []
        return org_roles.get(user_id, [])

    def _drop_member_roles(self, org_id: str, user_id: str) -> list[str]:
        org_roles = self.member_roles.get(org_id)
        if org_roles is None or user_id not in org_roles:
            return []
        _unlink(self.user_role_orgs, user_id, org_id)
        return org_roles.pop(user_id)

    def listed_role_ids(self, membership: Membership) -> list[str]:
        """A member's roles as the (lagging) members list shows them."""
        if membership.removed_at is not None:
            return membership.roles_at_removal
        return self.member_role_ids(membership.org_id, membership.user_id)

    def organizations_of_user(self, user_id: str) -> list[Organization]:
        """The user's organizations in creation order (from the user -> organizations index)."""
        org_ids = sorted(self.user_orgs.get(user_id, ()), key=self.org_seq.__getitem__)
        return [self.organizations[o] for o in org_ids if self.is_member(o, user_id)]

    # --- helpers ------------------------------------------------------------------------------

    def _tick(self) -> int:
        """A creation stamp in microseconds, strictly increasing so orderings are stable."""
        stamp = self.clock.now_us()
        last = getattr(self, "_last_stamp", 0)
        stamp = max(stamp, last + 1)
        self._last_stamp = stamp
        return stamp


def _unlink(index: dict[str, set[str]], key: str, value: str) -> None:
    """Remove `value` from the set at `key`, and the key once its set is empty."""
    values = index.get(key)
    if values is not None:
        values.discard(value)
        if not values:
            del index[key]


def _remove_key(order: list[Key], key: Key) -> None:
    """Remove `key` from the sorted list `order` (found by bisection), if it is there."""
    index = bisect_left(order, key)
    if index < len(order) and order[index] == key:
        del order[index]

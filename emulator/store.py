"""The tenant's state: organizations, users, roles, memberships and role assignments.

Everything lives in memory behind one lock; a change is visible to the next read, except where
the tenant is told to lag like Auth0 does (a removed member stays in the members list for
`member_removal_lag` seconds).
"""

from __future__ import annotations

import secrets
import string
import threading
import time
from dataclasses import dataclass, field
from typing import Any

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

    def now(self) -> float:
        return time.time() + self.offset

    def now_us(self) -> int:
        return int(self.now() * 1_000_000)

    def iso(self) -> str:
        t = self.now()
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t * 1000) % 1000:03d}Z"


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


@dataclass
class Membership:
    org_id: str
    user_id: str
    created_us: int
    removed_at: float | None = None
    roles_at_removal: list[str] = field(default_factory=list)


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
            self.memberships: dict[str, dict[str, Membership]] = {}
            self.member_roles: dict[tuple[str, str], list[str]] = {}
            self.user_roles: dict[str, list[str]] = {}
            self.role_users_added: dict[tuple[str, str], int] = {}
            self.clients: dict[str, Client] = {}

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
            if any(o.name == name for o in self.organizations.values()):
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
            self.organizations[org.id] = org
            self.memberships[org.id] = {}
            return org

    def organization(self, org_id: str) -> Organization:
        org = self.organizations.get(org_id)
        if org is None:
            raise errors.organization_not_found()
        return org

    def organization_by_name(self, name: str) -> Organization:
        for org in self.organizations.values():
            if org.name == name:
                return org
        raise errors.organization_not_found()

    def delete_organization(self, org_id: str) -> None:
        with self.lock:
            self.organization(org_id)
            del self.organizations[org_id]
            del self.memberships[org_id]
            for key in [k for k in self.member_roles if k[0] == org_id]:
                del self.member_roles[key]

    # --- users --------------------------------------------------------------------------------

    def add_user(self, user: dict[str, Any], *, created_us: int | None = None) -> dict[str, Any]:
        with self.lock:
            email = user.get("email")
            if email and any(u.get("email") == email for u in self.users.values()):
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
            self.users[user_id] = record
            return record

    def user(self, user_id: str) -> dict[str, Any]:
        user = self.users.get(user_id)
        if user is None:
            raise errors.user_not_found()
        return user

    def delete_user(self, user_id: str) -> None:
        with self.lock:
            self.users.pop(user_id, None)
            self.user_roles.pop(user_id, None)
            for members in self.memberships.values():
                members.pop(user_id, None)
            for key in [k for k in self.member_roles if k[1] == user_id]:
                del self.member_roles[key]
            for key in [k for k in self.role_users_added if k[1] == user_id]:
                del self.role_users_added[key]

    # --- roles --------------------------------------------------------------------------------

    def add_role(self, *, name: str, description: str = "", role_id: str | None = None) -> Role:
        with self.lock:
            if any(r.name == name for r in self.roles.values()):
                raise errors.conflict("The role already exists.")
            role = Role(id=role_id or new_id("rol_"), name=name, description=description)
            self.roles[role.id] = role
            return role

    def role(self, role_id: str) -> Role:
        role = self.roles.get(role_id)
        if role is None:
            raise errors.role_not_found()
        return role

    def delete_role(self, role_id: str) -> None:
        with self.lock:
            self.role(role_id)
            del self.roles[role_id]
            for assigned in [*self.member_roles.values(), *self.user_roles.values()]:
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
                    members[user_id] = Membership(org_id, user_id, stamp)

    def remove_members(self, org_id: str, user_ids: list[str]) -> None:
        with self.lock:
            self.organization(org_id)
            members = self.memberships[org_id]
            now = self.clock.now()
            for user_id in user_ids:
                membership = members.get(user_id)
                if membership is None or membership.removed_at is not None:
                    continue
                roles = self.member_roles.pop((org_id, user_id), [])
                if self.member_removal_lag > 0:
                    membership.removed_at = now
                    membership.roles_at_removal = roles
                else:
                    del members[user_id]

    def is_member(self, org_id: str, user_id: str) -> bool:
        membership = self.memberships.get(org_id, {}).get(user_id)
        return membership is not None and membership.removed_at is None

    def listed_members(self, org_id: str) -> list[Membership]:
        """Members as the (eventually consistent) members list shows them, oldest first."""
        with self.lock:
            self.organization(org_id)
            now = self.clock.now()
            members = self.memberships[org_id]
            for user_id, m in list(members.items()):
                if m.removed_at is not None and now >= m.removed_at + self.member_removal_lag:
                    del members[user_id]
            return sorted(members.values(), key=lambda m: (m.created_us, m.user_id))

    def assign_member_roles(
        self, org_id: str, user_id: str, role_ids: list[str], *, limit: int = MAX_MEMBER_ROLES
    ) -> None:
        """Roles may be given before the user joins (as recorded); at most `limit` in all."""
        with self.lock:
            self.organization(org_id)
            self.user(user_id)
            self.check_roles_exist(role_ids)
            held = self.member_roles.setdefault((org_id, user_id), [])
            new = [r for r in dict.fromkeys(role_ids) if r not in held]
            if len(held) + len(new) > limit:
                raise errors.conflict(errors.MEMBER_ROLES_CAP)
            held.extend(new)

    def remove_member_roles(self, org_id: str, user_id: str, role_ids: list[str]) -> None:
        with self.lock:
            self.organization(org_id)
            self.user(user_id)
            held = self.member_roles.get((org_id, user_id), [])
            held[:] = [r for r in held if r not in role_ids]

    def member_role_ids(self, org_id: str, user_id: str) -> list[str]:
        return self.member_roles.get((org_id, user_id), [])

    def listed_role_ids(self, membership: Membership) -> list[str]:
        """A member's roles as the (lagging) members list shows them."""
        if membership.removed_at is not None:
            return membership.roles_at_removal
        return self.member_role_ids(membership.org_id, membership.user_id)

    def organizations_of_user(self, user_id: str) -> list[Organization]:
        return [o for o in self.organizations.values() if self.is_member(o.id, user_id)]

    # --- helpers ------------------------------------------------------------------------------

    def _tick(self) -> int:
        """A creation stamp in microseconds, strictly increasing so orderings are stable."""
        stamp = self.clock.now_us()
        last = getattr(self, "_last_stamp", 0)
        stamp = max(stamp, last + 1)
        self._last_stamp = stamp
        return stamp

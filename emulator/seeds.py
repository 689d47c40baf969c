"""Seeds: a JSON description of a tenant, loaded into (and dumped from) the emulator.

Format (every list optional):
{
  "clients": [{"client_id", "client_secret", "scopes": [...], "name", "is_global",
               "token_lifetime"}],
  "roles": [{"id", "name", "description"}],
  "users": [{"user_id", "email", "name", ...any Auth0 user field}],
  "organizations": [{"id", "name", "display_name", "branding", "metadata",
                     "members": [{"user_id", "roles": ["rol_…"]}],
                     "generated_members": {"count": 100000, "roles": ["rol_…"],
                                           "email_domain": "big.example.com"}}],
  "user_roles": {"<user_id>": ["rol_…"]}
}

`generated_members` describes a big organization compactly: `count` users are created and made
members (after the listed `members`, oldest first in index order), each holding `roles` (default
none). They are deterministic: member i (from 0) has the e-mail `member<i>@<email_domain>`
(default domain `<organization name>.example.com`), the user id `auth0|` + the first 24 hex
digits of the SHA-256 of that e-mail, and the name `Member <i>`; `generated_member(...)` gives
the same user. Seed users are created first, so a generated e-mail that a listed user already
has makes the seed not fit (as a second user with one e-mail does).

Loading costs time linear in the seed (e-mail, organization-name and role-name uniqueness use
indexes): 20,000 users load in a fraction of a second, a 100,000-member organization in a few
seconds (bench/emulator_scale.py measures both).
"""

from __future__ import annotations

import gc
import hashlib
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from .store import Client, Tenant

# Every Management API scope the dashboard (and the recorded exchanges) use.
ALL_SCOPES = [
    "read:organizations",
    "create:organizations",
    "delete:organizations",
    "read:organization_members",
    "create:organization_members",
    "delete:organization_members",
    "read:organization_member_roles",
    "create:organization_member_roles",
    "delete:organization_member_roles",
    "read:users",
    "create:users",
    "update:users",
    "delete:users",
    "read:roles",
    "create:roles",
    "update:roles",
    "delete:roles",
    "read:role_members",
    "create:role_members",
    "delete:role_members",
]
READ_SCOPES = [s for s in ALL_SCOPES if s.startswith("read:")]

DEMO_CLIENTS = [
    {
        "client_id": "adminportal-demo",
        "client_secret": "demo-client-secret",
        "name": "adminportal (demo)",
        "scopes": ALL_SCOPES,
    },
    {
        "client_id": "adminportal-readonly",
        "client_secret": "demo-readonly-secret",
        "name": "adminportal read-only",
        "scopes": READ_SCOPES,
    },
    {
        "client_id": "adminportal-no-member-delete",
        "client_secret": "demo-no-member-delete-secret",
        "name": "adminportal without delete:organization_members",
        "scopes": [s for s in ALL_SCOPES if s != "delete:organization_members"],
    },
    {
        # Regular Web Application for signing staff in to adminportal (OIDC; ./scripts/demo).
        "client_id": "adminportal-sso",
        "client_secret": "demo-sso-secret",
        "name": "adminportal sign-in",
        "scopes": [],
    },
    {
        "client_id": "legacy-non-global",
        "client_secret": "demo-non-global-secret",
        "name": "a non-global legacy client",
        "scopes": ALL_SCOPES,
        "is_global": False,
    },
]


def load(tenant: Tenant, seed: dict[str, Any]) -> None:
    """Replace the tenant's data with the seed's."""
    with tenant.lock, _gc_paused():
        tenant.clear()
        for spec in seed.get("clients", []):
            client = Client.from_spec(spec)
            tenant.clients[client.client_id] = client
        for role in seed.get("roles", []):
            tenant.add_role(
                name=role["name"], description=role.get("description", ""), role_id=role.get("id")
            )
        for user in seed.get("users", []):
            tenant.add_user(user)
        for org in seed.get("organizations", []):
            created = tenant.add_organization(
                name=org["name"],
                display_name=org.get("display_name"),
                branding=org.get("branding"),
                metadata=org.get("metadata"),
                org_id=org.get("id"),
            )
            tenant.seed_members(
                created.id, ((m["user_id"], m.get("roles")) for m in org.get("members", []))
            )
            if org.get("generated_members") is not None:
                _generate_members(tenant, created.id, org["name"], org["generated_members"])
        for user_id, role_ids in seed.get("user_roles", {}).items():
            tenant.assign_user_roles(user_id, role_ids)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Loading creates objects by the hundred thousand, none of them garbage: the cyclic
    collector would walk the growing heap again and again for nothing."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def generated_member(org_name: str, index: int, email_domain: str | None = None) -> dict[str, Any]:
    """Member `index` of an organization's `generated_members` (the user as seeded)."""
    email = f"member{index}@{email_domain or f'{org_name}.example.com'}"
    return {
        "user_id": "auth0|" + hashlib.sha256(email.encode()).hexdigest()[:24],
        "email": email,
        "email_verified": True,
        "name": f"Member {index}",
    }


def _generate_members(tenant: Tenant, org_id: str, org_name: str, spec: dict[str, Any]) -> None:
    if not isinstance(spec, dict) or set(spec) - {"count", "roles", "email_domain"}:
        raise ValueError('generated_members is {"count", "roles"?, "email_domain"?}')
    count = spec.get("count")
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise ValueError("generated_members.count must be a whole number, 0 or more")
    roles = list(spec.get("roles") or [])
    tenant.check_roles_exist(roles)
    domain = spec.get("email_domain")
    user_ids = [
        tenant.add_user(generated_member(org_name, index, domain))["user_id"]
        for index in range(count)
    ]
    tenant.seed_members(org_id, ((user_id, roles) for user_id in user_ids))


def dump(tenant: Tenant) -> dict[str, Any]:
    """The tenant as a seed (what `load` takes back)."""
    with tenant.lock:
        return {
            "domain": tenant.domain,
            "clients": [c.to_spec() for c in tenant.clients.values()],
            "roles": [r.to_json() for r in tenant.roles.values()],
            "users": [_seed_user(u) for u in tenant.users.values()],
            "organizations": [
                {
                    **org.to_json(),
                    "members": [
                        {"user_id": m.user_id, "roles": tenant.member_role_ids(org.id, m.user_id)}
                        for m in tenant.listed_members(org.id)
                        if m.removed_at is None
                    ],
                }
                for org in tenant.organizations.values()
            ],
            "user_roles": {u: list(r) for u, r in tenant.user_roles.items() if r},
        }


def _seed_user(user: dict[str, Any]) -> dict[str, Any]:
    seed = {k: v for k, v in user.items() if not k.startswith("_")}
    if user.get("_password"):
        seed["password"] = user["_password"]
    if user.get("_claims"):
        seed["claims"] = user["_claims"]
    return seed


# --- the demo tenant -------------------------------------------------------------------------

ORG_ROLES = [
    ("org-owner", "Owns the organization's account and billing relationship"),
    ("org-admin", "Manages the organization's settings and members"),
    ("support-agent", "Answers the organization's support tickets"),
    ("billing-admin", "Manages invoices and payment methods"),
    ("billing-viewer", "Reads invoices"),
    ("developer", "Manages the organization's API keys and integrations"),
    ("analyst", "Reads reports and dashboards"),
    ("auditor", "Reads audit logs"),
    ("editor", "Edits the organization's content"),
    ("viewer", "Read-only access to the organization"),
]
TENANT_ROLES = [
    ("tenant-admin", "Tenant-wide administrator (all organizations)"),
    ("security-officer", "Tenant-wide security reviews and incident response"),
    ("support-lead", "Tenant-wide support escalations"),
    ("beta-tester", "Sees features behind the beta flag in every organization"),
    ("api-partner", "Tenant-wide partner API access"),
]
COMPANIES = [
    ("acme", "Acme Corporation", "us"),
    ("globex", "Globex", "us"),
    ("initech", "Initech", "us"),
    ("umbrella", "Umbrella Health", "eu"),
    ("hooli", "Hooli", "us"),
    ("stark-industries", "Stark Industries", "us"),
    ("wayne-enterprises", "Wayne Enterprises", "us"),
    ("wonka", "Wonka Confectionery", "eu"),
    ("tyrell", "Tyrell Corporation", "apac"),
    ("cyberdyne", "Cyberdyne Systems", "us"),
    ("soylent", "Soylent Foods", "eu"),
    ("oscorp", "Oscorp", "us"),
    ("aperture", "Aperture Science", "us"),
    ("black-mesa", "Black Mesa Research", "us"),
    ("vandelay", "Vandelay Industries", "us"),
    ("gringotts", "Gringotts Banking", "eu"),
    ("monsters-inc", "Monsters, Inc.", "us"),
    ("dunder-mifflin", "Dunder Mifflin Paper", "us"),
    ("pied-piper", "Pied Piper", "us"),
    ("massive-dynamic", "Massive Dynamic", "us"),
    ("nakatomi", "Nakatomi Trading", "apac"),
    ("weyland-yutani", "Weyland-Yutani", "apac"),
    ("blue-sun", "Blue Sun Corporation", "apac"),
    ("krusty-krab", "Krusty Krab", "us"),
    ("los-pollos", "Los Pollos Hermanos", "us"),
    ("prestige", "Prestige Worldwide", "eu"),
    ("sterling-cooper", "Sterling Cooper", "us"),
    ("bluth", "Bluth Company", "us"),
    ("duff", "Duff Brewery", "eu"),
    ("zorg", "Zorg Industries", "eu"),
    ("ollivanders", 'Ollivanders <Wands> & "Sons"', "eu"),
]
BIG_ORG = "globex"
BIG_ORG_MEMBERS = 2500
FIRST_NAMES = [
    "Ana",
    "Ben",
    "Chloé",
    "Dmitri",
    "Eve",
    "Farah",
    "Giulia",
    "Hiro",
    "Ines",
    "Jamal",
    "Kofi",
    "Lena",
    "Mateo",
    "Nadia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tariq",
    "Uma",
    "Viktor",
    "Wen",
    "Ximena",
    "Yusuf",
    "Zoë",
    "Aiko",
    "Bruno",
    "Carmen",
    "Diego",
]
LAST_NAMES = [
    "Lee",
    "Okafor",
    "García",
    "Novak",
    "Schmidt",
    "Haddad",
    "Rossi",
    "Tanaka",
    "Silva",
    "Johnson",
    "Mensah",
    "Fischer",
    "López",
    "Petrova",
    "Farouk",
    "Patel",
    "O'Brien",
    "Costa",
    "Larsen",
    "Khan",
    "Iyer",
    "Kowalski",
    "Zhang",
    "Herrera",
    "Demir",
    "Dubois",
    "Sato",
    "Moreau",
    "Ruiz",
    "Nguyen",
]


CLAIMS = "https://adminportal.example.com"
DEMO_SSO_PASSWORD = "demo-sso-password"
DEMO_SSO_STAFF: list[tuple[str, str, str, dict[str, str | list[str]]]] = [
    ("sso.admin", "Sam Admin", "admin", {f"{CLAIMS}/organizations": ["*"]}),
    ("sso.support", "Sky Support", "support", {f"{CLAIMS}/organization_rule": "region=eu"}),
]


def demo_seed(rng_seed: int = 2026) -> dict[str, Any]:
    """About 30 organizations (one with 2,500 members), 15 roles, ~3,000 users."""
    rng = random.Random(rng_seed)
    roles = [
        {"id": f"rol_{_token(rng)}", "name": name, "description": description}
        for name, description in ORG_ROLES + TENANT_ROLES
    ]
    org_role_ids = {r["name"]: r["id"] for r in roles[: len(ORG_ROLES)]}
    tenant_role_ids = [r["id"] for r in roles[len(ORG_ROLES) :]]
    users: list[dict[str, Any]] = []
    organizations: list[dict[str, Any]] = []
    user_roles: dict[str, list[str]] = {}

    def make_user(company: str, index: int) -> dict[str, Any]:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        local = f"{_ascii(first)}.{_ascii(last)}{index}".lower().replace("'", "")
        email = f"{local}@{company}.example.com"
        user = {
            "user_id": f"auth0|{rng.getrandbits(96):024x}",
            "email": email,
            "email_verified": rng.random() > 0.1,
            "name": f"{first} {last}",
            "given_name": first,
            "family_name": last,
            "nickname": local.split(".")[0],
            "picture": f"https://cdn.auth0.com/avatars/{_ascii(first)[0]}{_ascii(last)[0]}.png".lower(),
            "logins_count": rng.randint(0, 400),
        }
        users.append(user)
        return user

    for company, display_name, region in COMPANIES:
        org: dict[str, Any] = {
            "id": f"org_{_token(rng)}",
            "name": company,
            "display_name": display_name,
            "branding": {"logo_url": f"https://{company}.example.com/logo.png"},
            "metadata": {"region": region, "plan": rng.choice(["team", "business", "enterprise"])},
            "members": [],
        }
        size = BIG_ORG_MEMBERS if company == BIG_ORG else rng.randint(3, 18)
        for index in range(size):
            user = make_user(company, index)
            if index == 0:
                member_roles = [org_role_ids["org-owner"], org_role_ids["org-admin"]]
            else:
                member_roles = rng.sample(list(org_role_ids.values()), rng.randint(0, 3))
                member_roles = [r for r in member_roles if r != org_role_ids["org-owner"]]
            org["members"].append({"user_id": user["user_id"], "roles": member_roles})
        organizations.append(org)

    # People who belong to two organizations (contractors, consultants).
    for org in organizations[:6]:
        guest = rng.choice(organizations[-1]["members"])
        org["members"].append({"user_id": guest["user_id"], "roles": [org_role_ids["viewer"]]})
    # Users in no organization at all.
    for index in range(10):
        make_user("freelance", index)
    # Staff who sign in to adminportal with the tenant (single sign-on); their staff role and
    # reach travel as custom claims, as an Auth0 Action would add them.
    for local, name, role, reach in DEMO_SSO_STAFF:
        users.append(
            {
                "user_id": f"auth0|{rng.getrandbits(96):024x}",
                "email": f"{local}@adminportal.example.com",
                "email_verified": True,
                "name": name,
                "password": DEMO_SSO_PASSWORD,
                "claims": {f"{CLAIMS}/staff_role": role, **reach},
            }
        )
    # Tenant-wide roles for a few dozen users.
    for user in rng.sample(users, 40):
        user_roles[user["user_id"]] = rng.sample(tenant_role_ids, rng.randint(1, 2))

    return {
        "clients": DEMO_CLIENTS,
        "roles": roles,
        "users": users,
        "organizations": organizations,
        "user_roles": user_roles,
    }


def _token(rng: random.Random) -> str:
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "".join(rng.choice(alphabet) for _ in range(16))


def _ascii(text: str) -> str:
    table = str.maketrans("éëçíóñ", "eecion")
    return text.translate(table)


NAMED_SEEDS: dict[str, Callable[[], dict[str, Any]]] = {
    "demo": demo_seed,
    "empty": lambda: {"clients": DEMO_CLIENTS},
}

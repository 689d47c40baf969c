"""The Management API v2 endpoints the dashboard uses (contract sections 2.1-2.9), plus the
create/delete calls the recorded exchanges make to set up and tear down their objects."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from . import errors, paging
from .paging import CHECKPOINT_PARAMS, OFFSET_PARAMS
from .search import compile_query
from .store import Membership, Organization, Tenant
from .tokens import Grant, require_scopes
from .validation import (
    Bool,
    Int,
    Spec,
    Str,
    object_body,
    parse_query,
    payload_error,
    string_array_body,
)

MEMBER_FIELDS = ("user_id", "email", "picture", "name", "roles")
_MEMBER_FIELD = r"((user_id)|(email)|(picture)|(name)|(roles))"
MEMBER_FIELDS_PATTERN = rf"^{_MEMBER_FIELD}(,{_MEMBER_FIELD})*$"
ORG_SORT_PATTERN = r"^((display_name)|(created_at)|(name)):(1|-1)$"
ORG_NAME_PATTERN = r"^[a-z0-9]([a-z0-9_-]*[a-z0-9])?$"


@dataclass
class Call:
    tenant: Tenant
    params: dict[str, str]
    raw_query: str
    body: Any
    grant: Grant

    def query(self, spec: dict[str, Spec]) -> dict[str, Any]:
        return parse_query(self.raw_query, spec)


@dataclass
class Reply:
    status: int
    body: Any = None


Handler = Callable[[Call], Reply]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    group: str | None
    scopes: list[str]
    all_scopes: bool = False


def no_query(call: Call) -> None:
    call.query({})


def render_members(tenant: Tenant, org_id: str, query: dict[str, Any]) -> Callable[..., Any]:
    listed = set(query["fields"].split(",")) if query.get("fields") else None
    include = query.get("include_fields", True)
    if listed is None:
        shown = {"user_id", "email", "picture", "name"}
    elif include:
        shown = listed
    else:
        shown = {"user_id", "email", "picture", "name"} - listed

    def render(m: Membership) -> dict[str, Any]:
        user = tenant.users.get(m.user_id, {})
        row: dict[str, Any] = {}
        for name in MEMBER_FIELDS:
            if name not in shown:
                continue
            if name == "roles":
                row["roles"] = [
                    {"id": r.id, "name": r.name}
                    for r in tenant.roles_sorted(tenant.listed_role_ids(m))
                ]
            elif name == "user_id":
                row["user_id"] = m.user_id
            elif user.get(name) is not None:
                row[name] = user[name]
        return row

    return render


def list_collection(
    call: Call,
    items: Sequence[Any],
    collection: str,
    *,
    key: Callable[[Any], tuple[int, str]],
    render: Callable[[Any], Any],
    next_policy: paging.NextPolicy,
    query: dict[str, Any],
) -> Reply:
    if paging.is_checkpoint(query):
        return Reply(
            200,
            paging.checkpoint_page(
                items, query, collection, key=key, render=render, next_policy=next_policy
            ),
        )
    return Reply(200, paging.offset_page(items, query, collection, render=render))


# --- organizations ---------------------------------------------------------------------------


def organizations_list(call: Call) -> Reply:
    query = call.query(
        {
            **OFFSET_PARAMS,
            **CHECKPOINT_PARAMS,
            "sort": Str(15, ORG_SORT_PATTERN),
            "include_client_association_for": Str(),
        }
    )
    orgs: Sequence[Organization]
    if paging.is_checkpoint(query):
        orgs = call.tenant.organizations_view()  # in (created_us, id) order: no copy, no sort
    else:
        orgs = list(call.tenant.organizations.values())
        if query.get("sort"):
            field_name, direction = query["sort"].split(":")
            attr = "created_us" if field_name == "created_at" else field_name
            orgs.sort(key=lambda o: getattr(o, attr) or "", reverse=direction == "-1")
    return list_collection(
        call,
        orgs,
        "organizations",
        key=lambda o: (o.created_us, o.id),
        render=Organization.to_json,
        next_policy="more",
        query=query,
    )


def organization_get(call: Call) -> Reply:
    no_query(call)
    return Reply(200, call.tenant.organization(call.params["id"]).to_json())


def organization_get_by_name(call: Call) -> Reply:
    no_query(call)
    return Reply(200, call.tenant.organization_by_name(call.params["name"]).to_json())


def organization_create(call: Call) -> Reply:
    body = object_body(
        call.body,
        {"name", "display_name", "branding", "metadata", "enabled_connections", "token_quota"},
        {"name"},
    )
    name = body["name"]
    if not isinstance(name, str) or not re.fullmatch(ORG_NAME_PATTERN, name) or len(name) > 50:
        raise payload_error(f"String does not match pattern {ORG_NAME_PATTERN}: {name}", "name")
    org = call.tenant.add_organization(
        name=name,
        display_name=body.get("display_name"),
        branding=body.get("branding"),
        metadata=body.get("metadata"),
    )
    # Auth0 answers with the fields it was sent, then the id (recorded key order).
    created = {k: v for k, v in body.items() if k != "enabled_connections"}
    created["id"] = org.id
    return Reply(201, created)


def organization_delete(call: Call) -> Reply:
    call.tenant.delete_organization(call.params["id"])
    return Reply(204)


# --- organization members --------------------------------------------------------------------


def members_list(call: Call) -> Reply:
    query = call.query(
        {
            **OFFSET_PARAMS,
            **CHECKPOINT_PARAMS,
            "fields": Str(pattern=MEMBER_FIELDS_PATTERN),
            "include_fields": Bool(),
        }
    )
    org_id = call.params["id"]
    wants_roles = "roles" in (query.get("fields") or "").split(",") and query.get(
        "include_fields", True
    )
    if wants_roles:
        require_scopes(call.grant, ["read:organization_member_roles"])
    members = call.tenant.members_view(org_id)  # in order: a page costs its size, not the org's
    return list_collection(
        call,
        members,
        "members",
        key=lambda m: (m.created_us, m.user_id),
        render=render_members(call.tenant, org_id, query),
        next_policy="nonempty",
        query=query,
    )


def members_add(call: Call) -> Reply:
    no_query(call)
    user_ids = string_array_body(call.body, "members")
    call.tenant.add_members(call.params["id"], user_ids)
    return Reply(204)


def members_remove(call: Call) -> Reply:
    no_query(call)
    user_ids = string_array_body(call.body, "members")
    call.tenant.remove_members(call.params["id"], user_ids)
    return Reply(204)


# --- organization member roles ---------------------------------------------------------------


def _org_and_user(call: Call) -> tuple[str, str]:
    org_id, user_id = call.params["id"], call.params["user_id"]
    call.tenant.organization(org_id)
    call.tenant.user(user_id)
    return org_id, user_id


def roles_page(call: Call, role_ids: list[str]) -> Reply:
    query = call.query(OFFSET_PARAMS)
    rendered = [r.to_json() for r in call.tenant.roles_sorted(role_ids)]
    return Reply(200, paging.offset_page(rendered, query, "roles"))


def member_roles_list(call: Call) -> Reply:
    org_id, user_id = _org_and_user(call)
    return roles_page(call, call.tenant.member_role_ids(org_id, user_id))


def member_roles_assign(call: Call) -> Reply:
    no_query(call)
    role_ids = string_array_body(call.body, "roles")
    org_id, user_id = call.params["id"], call.params["user_id"]
    call.tenant.assign_member_roles(org_id, user_id, role_ids)
    return Reply(204)


def member_roles_remove(call: Call) -> Reply:
    no_query(call)
    role_ids = string_array_body(call.body, "roles")
    call.tenant.remove_member_roles(call.params["id"], call.params["user_id"], role_ids)
    return Reply(204)


# --- tenant-wide user roles ------------------------------------------------------------------


def user_roles_list(call: Call) -> Reply:
    user_id = call.params["id"]
    call.tenant.user(user_id)
    return roles_page(call, call.tenant.user_roles.get(user_id, []))


def user_roles_assign(call: Call) -> Reply:
    no_query(call)
    call.tenant.assign_user_roles(call.params["id"], string_array_body(call.body, "roles"))
    return Reply(204)


def user_roles_remove(call: Call) -> Reply:
    no_query(call)
    call.tenant.remove_user_roles(call.params["id"], string_array_body(call.body, "roles"))
    return Reply(204)


# --- roles -----------------------------------------------------------------------------------


def roles_list(call: Call) -> Reply:
    query = call.query({**OFFSET_PARAMS, "name_filter": Str()})
    roles = sorted(call.tenant.roles.values(), key=lambda r: r.name)
    if query.get("name_filter"):
        needle = query["name_filter"].lower()
        roles = [r for r in roles if needle in r.name.lower()]
    return Reply(200, paging.offset_page([r.to_json() for r in roles], query, "roles"))


def role_get(call: Call) -> Reply:
    no_query(call)
    return Reply(200, call.tenant.role(call.params["id"]).to_json())


def role_create(call: Call) -> Reply:
    body = object_body(call.body, {"name", "description"}, {"name"})
    role = call.tenant.add_role(name=body["name"], description=body.get("description", ""))
    return Reply(200, role.to_json())


def role_delete(call: Call) -> Reply:
    call.tenant.delete_role(call.params["id"])
    return Reply(200, {})


def role_users_list(call: Call) -> Reply:
    query = call.query({**OFFSET_PARAMS, **CHECKPOINT_PARAMS})
    tenant = call.tenant
    role = tenant.role(call.params["id"])
    holders = sorted(
        (stamp, user_id)
        for (role_id, user_id), stamp in tenant.role_users_added.items()
        if role_id == role.id
    )

    def render(item: tuple[int, str]) -> dict[str, Any]:
        user = tenant.users[item[1]]
        return {k: user[k] for k in ("user_id", "email", "picture", "name") if k in user}

    return list_collection(
        call, holders, "users", key=lambda i: i, render=render, next_policy="more", query=query
    )


def role_users_assign(call: Call) -> Reply:
    no_query(call)
    user_ids = string_array_body(call.body, "users")
    tenant = call.tenant
    role = tenant.role(call.params["id"])
    for user_id in user_ids:
        tenant.user(user_id)
    for user_id in user_ids:
        tenant.assign_user_roles(user_id, [role.id])
    return Reply(200, {})


# --- users -----------------------------------------------------------------------------------

USER_FIELDS_SPEC: dict[str, Spec] = {"fields": Str(), "include_fields": Bool()}


def public_user(user: dict[str, Any], query: dict[str, Any]) -> dict[str, Any]:
    visible = {k: v for k, v in user.items() if not k.startswith("_")}
    if not query.get("fields"):
        return visible
    listed = set(query["fields"].split(","))
    if query.get("include_fields", True):
        return {k: v for k, v in visible.items() if k in listed}
    return {k: v for k, v in visible.items() if k not in listed}


def user_get(call: Call) -> Reply:
    query = call.query(USER_FIELDS_SPEC)
    return Reply(200, public_user(call.tenant.user(call.params["id"]), query))


def users_search(call: Call) -> Reply:
    query = call.query(
        {
            "page": Int(0),
            "per_page": Int(0, 100),
            "include_totals": Bool(),
            "sort": Str(pattern=r"^(([a-zA-Z0-9_\.]+))\:(1|-1)$"),
            "connection": Str(),
            "fields": Str(),
            "include_fields": Bool(),
            "q": Str(),
            "search_engine": Str(pattern=r"^(v1|v2|v3)$"),
            "primary_order": Bool(),
        }
    )
    tenant = call.tenant
    matches = compile_query(tenant, query.get("q", ""))
    users = [u for u in tenant.users.values() if matches(u)]
    users.sort(key=lambda u: u["_created_us"])
    if query.get("sort"):
        field_name, direction = query["sort"].split(":")
        users.sort(key=lambda u: str(u.get(field_name) or ""), reverse=direction == "-1")
    if query.get("per_page") == 0:
        query["per_page"] = 50
    page = paging.offset_page(
        users,
        query,
        "users",
        render=lambda u: public_user(u, query),
        paging_error=errors.USERS_PAGING_CAP,
        extra={"length": 0},
    )
    if isinstance(page, dict):
        page["length"] = len(page["users"])
        # Auth0's recorded key order: start, limit, length, users, total.
        page = {k: page[k] for k in ("start", "limit", "length", "users", "total")}
    return Reply(200, page)


def users_by_email(call: Call) -> Reply:
    query = call.query({"email": Str(), **USER_FIELDS_SPEC})
    email = query.get("email", "")
    if not re.fullmatch(r"[^@\s]+@[^@\s]+", email):
        raise errors.invalid_query(
            "Query validation error: 'Object didn't pass validation for format email: "
            f"{email}' on property email (Email address to search for (case-sensitive))."
        )
    user = call.tenant.user_by_email(email)  # e-mails are unique (add_user refuses a second)
    return Reply(200, [] if user is None else [public_user(user, query)])


def user_create(call: Call) -> Reply:
    body = object_body(
        call.body,
        {
            "connection",
            "email",
            "given_name",
            "family_name",
            "username",
            "nickname",
            "password",
            "user_metadata",
            "verify_email",
            "app_metadata",
            "picture",
            "blocked",
            "email_verified",
            "name",
            "user_id",
            "phone_number",
            "phone_verified",
        },
        {"connection"},
    )
    user = call.tenant.add_user(body)
    return Reply(201, public_user(user, {}))


def user_delete(call: Call) -> Reply:
    call.tenant.delete_user(call.params["id"])
    return Reply(204)


def user_organizations(call: Call) -> Reply:
    query = call.query(OFFSET_PARAMS)
    user_id = call.params["id"]
    call.tenant.user(user_id)
    orgs = [o.to_json() for o in call.tenant.organizations_of_user(user_id)]
    return Reply(200, paging.offset_page(orgs, query, "organizations"))


# --- the route table -------------------------------------------------------------------------

SEGMENT = r"(?P<{}>[^/]+)"


def _route(
    method: str,
    template: str,
    handler: Handler,
    group: str | None,
    scopes: list[str],
    *,
    all_scopes: bool = False,
) -> Route:
    pattern = re.sub(r"\{(\w+)\}", lambda m: SEGMENT.format(m.group(1)), template)
    return Route(method, re.compile(f"^/api/v2{pattern}$"), handler, group, scopes, all_scopes)


ROUTES: list[Route] = [
    _route(
        "GET",
        "/organizations",
        organizations_list,
        "read_organizations",
        ["read:organizations", "read:organizations_summary"],
    ),
    _route(
        "POST",
        "/organizations",
        organization_create,
        "write_organizations",
        ["create:organizations"],
    ),
    _route(
        "GET",
        "/organizations/name/{name}",
        organization_get_by_name,
        "read_organization_by_name",
        ["read:organizations"],
    ),
    _route(
        "GET",
        "/organizations/{id}",
        organization_get,
        "read_organization",
        ["read:organizations", "read:organizations_summary"],
    ),
    _route(
        "DELETE",
        "/organizations/{id}",
        organization_delete,
        "write_organizations",
        ["delete:organizations"],
    ),
    _route(
        "GET",
        "/organizations/{id}/members",
        members_list,
        "read_organization_members",
        ["read:organization_members"],
    ),
    _route(
        "POST",
        "/organizations/{id}/members",
        members_add,
        "write_organization_members",
        ["create:organization_members"],
    ),
    _route(
        "DELETE",
        "/organizations/{id}/members",
        members_remove,
        "write_organization_members",
        ["delete:organization_members"],
    ),
    _route(
        "GET",
        "/organizations/{id}/members/{user_id}/roles",
        member_roles_list,
        "read_organization_member_roles",
        ["read:organization_member_roles"],
    ),
    _route(
        "POST",
        "/organizations/{id}/members/{user_id}/roles",
        member_roles_assign,
        "write_organization_member_roles",
        ["create:organization_member_roles"],
    ),
    _route(
        "DELETE",
        "/organizations/{id}/members/{user_id}/roles",
        member_roles_remove,
        "write_organization_member_roles",
        ["delete:organization_member_roles"],
    ),
    _route(
        "GET",
        "/users/{id}/roles",
        user_roles_list,
        "read_users",
        ["read:users", "read:roles", "read:role_members"],
        all_scopes=True,
    ),
    _route(
        "POST",
        "/users/{id}/roles",
        user_roles_assign,
        "write_users",
        ["update:users", "create:role_members"],
    ),
    _route(
        "DELETE",
        "/users/{id}/roles",
        user_roles_remove,
        "write_users",
        ["update:users", "delete:role_members"],
    ),
    _route(
        "GET",
        "/users/{id}/organizations",
        user_organizations,
        "read_user_organizations",
        ["read:users", "read:organizations"],
    ),
    _route("GET", "/users", users_search, "read_users", ["read:users"]),
    _route("POST", "/users", user_create, "write_users", ["create:users"]),
    _route("GET", "/users-by-email", users_by_email, "read_users", ["read:users"]),
    _route(
        "GET",
        "/users/{id}",
        user_get,
        "read_users",
        ["read:users", "read:current_user", "read:user_idp_tokens"],
    ),
    _route("DELETE", "/users/{id}", user_delete, "write_users", ["delete:users"]),
    _route("GET", "/roles", roles_list, None, ["read:roles"]),
    _route("POST", "/roles", role_create, None, ["create:roles"]),
    _route("GET", "/roles/{id}", role_get, None, ["read:roles"]),
    _route("DELETE", "/roles/{id}", role_delete, None, ["delete:roles"]),
    _route("GET", "/roles/{id}/users", role_users_list, None, ["read:roles", "read:role_members"]),
    _route(
        "POST",
        "/roles/{id}/users",
        role_users_assign,
        None,
        ["update:roles", "create:role_members"],
    ),
]

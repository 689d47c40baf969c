"""A signed-in staff member's groups, permissions and reach, read once per request with two
plain queries.

Django's ModelBackend reads a user's own permissions and their groups' permissions with two
queries, the header's staff role (the highest of their groups) took a third, and their reach
(StaffAccess) a fourth, each built by the ORM. Here one query reads the first three; the
permissions go where ModelBackend keeps them for the request (the user object's
_user_perm_cache, _group_perm_cache and _perm_cache, which it fills the same way), so
has_perm() answers as before; and the reach is read as written and cached on the user as
`user.staff_access` would. Nothing outlives the request: a change of role or reach shows on
the next page."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.models import User as StaffUser
from django.contrib.contenttypes.models import ContentType
from django.db import connections, router

from ..models import StaffAccess
from .access import ROLES, role_of

GROUP_NAMES = "_staff_group_names"


def load(user: StaffUser) -> None:
    """Read the user's groups and permissions (once per request: kept on the user object)."""
    if hasattr(user, GROUP_NAMES) or not user.is_authenticated:
        return
    using = router.db_for_read(Permission)
    with connections[using].cursor() as cursor:
        cursor.execute(_query(using), [user.pk, user.pk])
        rows = cursor.fetchall()
    setattr(user, GROUP_NAMES, frozenset(group for group, _, _ in rows if group is not None))
    reach = StaffAccess._meta.get_field("user")
    access = next(iter(StaffAccess.objects.raw(_reach_query(), [user.pk])), None)
    reach.remote_field.set_cached_value(user, access)  # user.staff_access (None: DoesNotExist)
    if access is not None:
        reach.set_cached_value(access, user)  # and its .user
    if user.is_active and not user.is_superuser:  # a superuser has every permission anyway
        own = {f"{app}.{code}" for group, app, code in rows if group is None}
        grouped = {f"{app}.{code}" for group, app, code in rows if group is not None and code}
        user._user_perm_cache = own  # type: ignore[attr-defined]
        user._group_perm_cache = grouped  # type: ignore[attr-defined]
        user._perm_cache = own | grouped  # type: ignore[attr-defined]


def staff_role(user: StaffUser) -> str | None:
    """access.role_of, from what load() read when it did."""
    names = getattr(user, GROUP_NAMES, None)
    if names is None:
        return role_of(user)
    return next((role for role in reversed(ROLES) if role in names), None)


@cache
def _reach_query() -> str:
    meta = StaffAccess._meta
    qn = connections[router.db_for_read(StaffAccess)].ops.quote_name
    return f"SELECT * FROM {qn(meta.db_table)} WHERE {qn(_column(meta, 'user'))} = %s"


def _column(meta: Any, name: str) -> str:
    """The database column of a model's field (meta: a model's _meta)."""
    return str(meta.get_field(name).column)


def _through(model: Any, name: str) -> Any:
    """The _meta of a many-to-many field's table."""
    return model._meta.get_field(name).remote_field.through._meta


@cache
def _query(using: str) -> str:
    """(group name, app label, codename) of each of the user's groups (a group without
    permissions too: codename NULL), then (NULL, app label, codename) of their own
    permissions. Table and column names come from the models."""
    qn = connections[using].ops.quote_name
    user_model = get_user_model()
    user = user_model._meta.model_name or "user"
    member = _through(user_model, "groups")
    own = _through(user_model, "user_permissions")
    grant = _through(Group, "permissions")
    names = {
        "member": qn(member.db_table),
        "member_user": qn(_column(member, user)),
        "member_group": qn(_column(member, "group")),
        "group": qn(Group._meta.db_table),
        "group_id": qn(Group._meta.pk.column),
        "group_name": qn(_column(Group._meta, "name")),
        "grant": qn(grant.db_table),
        "grant_group": qn(_column(grant, "group")),
        "grant_permission": qn(_column(grant, "permission")),
        "own": qn(own.db_table),
        "own_user": qn(_column(own, user)),
        "own_permission": qn(_column(own, "permission")),
        "permission": qn(Permission._meta.db_table),
        "permission_id": qn(Permission._meta.pk.column),
        "codename": qn(_column(Permission._meta, "codename")),
        "permission_type": qn(_column(Permission._meta, "content_type")),
        "type": qn(ContentType._meta.db_table),
        "type_id": qn(ContentType._meta.pk.column),
        "app_label": qn(_column(ContentType._meta, "app_label")),
    }
    query = """
        SELECT g.{group_name}, ct.{app_label}, p.{codename}
        FROM {member} m
        INNER JOIN {group} g ON g.{group_id} = m.{member_group}
        LEFT OUTER JOIN {grant} gp ON gp.{grant_group} = g.{group_id}
        LEFT OUTER JOIN {permission} p ON p.{permission_id} = gp.{grant_permission}
        LEFT OUTER JOIN {type} ct ON ct.{type_id} = p.{permission_type}
        WHERE m.{member_user} = %s
        UNION ALL
        SELECT NULL, ct.{app_label}, p.{codename}
        FROM {own} o
        INNER JOIN {permission} p ON p.{permission_id} = o.{own_permission}
        INNER JOIN {type} ct ON ct.{type_id} = p.{permission_type}
        WHERE o.{own_user} = %s
    """
    return " ".join(query.format(**names).split())

"""A signed-in staff member's groups, permissions and reach, read once per request with two
queries (each built by the ORM once, then run as plain SQL).

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

from django.contrib.auth.models import Group, Permission
from django.contrib.auth.models import User as StaffUser
from django.db import connections, router
from django.db.models import CharField, QuerySet, Value

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
    reach_sql = _reach_query(router.db_for_read(StaffAccess))
    access = next(iter(StaffAccess.objects.raw(reach_sql, [user.pk])), None)
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
def _reach_query(using: str) -> str:
    """The staff member's StaffAccess row, by the user's pk: built by the ORM once."""
    return _compiled(StaffAccess.objects.filter(user=0), using, 1)


@cache
def _query(using: str) -> str:
    """(group name, app label, codename) of each of the user's groups (a group without
    permissions too: codename NULL), then (NULL, app label, codename) of their own
    permissions: one query, built by the ORM once per database; both parameters are the
    user's pk."""
    nothing = Value(None, output_field=CharField())  # the group of one's own permissions
    groups = Group.objects.filter(user=0).order_by()
    own = Permission.objects.filter(user=0).order_by()
    rows = groups.values_list(
        "name", "permissions__content_type__app_label", "permissions__codename"
    ).union(own.values_list(nothing, "content_type__app_label", "codename"), all=True)
    return _compiled(rows, using, 2)


def _compiled(rows: QuerySet[Any, Any], using: str, user_pks: int) -> str:
    """The SQL of a query built for the user pk 0: its parameters are `user_pks` times the
    user's pk, given when it runs."""
    sql, params = rows.query.get_compiler(using).as_sql()
    if list(params) != [0] * user_pks:
        raise ValueError(f"unexpected parameters {params!r}")
    return str(sql)

"""Writes to the Auth0 Management API. Keyword-only, typed, named <entity>_<action>; each checks
its input before calling Auth0 (raising InvalidInput) and returns the X-Correlation-ID it sent."""

from __future__ import annotations

from .auth0_mgmt import get_client
from .ids import check_org_id, check_role_ids, check_user_id, check_user_ids


def members_remove(*, org_id: str, user_ids: list[str], correlation_id: str | None = None) -> str:
    """Remove members from an organization in one call. The users stay in the tenant; Auth0
    takes a few seconds to stop listing them."""
    return get_client().remove_members(
        check_org_id(org_id), check_user_ids(user_ids), correlation_id=correlation_id
    )


def member_remove(*, org_id: str, user_id: str, correlation_id: str | None = None) -> str:
    return members_remove(org_id=org_id, user_ids=[user_id], correlation_id=correlation_id)


def member_roles_assign(
    *, org_id: str, user_id: str, role_ids: list[str], correlation_id: str | None = None
) -> str:
    return get_client().assign_member_roles(
        check_org_id(org_id),
        check_user_id(user_id),
        check_role_ids(role_ids),
        correlation_id=correlation_id,
    )


def member_roles_remove(
    *, org_id: str, user_id: str, role_ids: list[str], correlation_id: str | None = None
) -> str:
    return get_client().remove_member_roles(
        check_org_id(org_id),
        check_user_id(user_id),
        check_role_ids(role_ids),
        correlation_id=correlation_id,
    )


def user_roles_remove(
    *, user_id: str, role_ids: list[str], correlation_id: str | None = None
) -> str:
    """Remove tenant-wide roles (not organization roles) from a user."""
    return get_client().remove_user_roles(
        check_user_id(user_id), check_role_ids(role_ids), correlation_id=correlation_id
    )

"""Writes to the Auth0 Management API. Keyword-only, typed, named <entity>_<action>.

Each write is one audited attempt (orgs.staff.audit): the AuditEvent is written first, then the
actor's permission and reach, the input and the guardrails are checked, what is about to change
is noted (names, roles before), the call is made with the event's X-Correlation-ID, and the
event is completed with the outcome. Every refusal and failure raises an auth0_mgmt error (or
GuardrailRefused), which the views turn into a message. Usable from a management command: no
request, no messages."""

from __future__ import annotations

from contextlib import AbstractContextManager

from django.conf import settings
from django.contrib.auth.models import User as StaffUser
from django.utils.translation import gettext_lazy, ngettext_lazy

from . import holders, member_cache, restorations, selectors
from .auth0_mgmt import Member, Organization, Role, User, errors, get_client
from .i18n import lazy_and_list, lazy_text
from .ids import check_role_ids, check_user_id, check_user_ids
from .member_cache import MemberDetail
from .models import AuditEvent
from .selectors import ListedPage
from .staff import audit
from .staff.access import check_user_reach
from .staff.guardrails import (
    check_admin_only,
    check_not_self,
    check_not_self_ids,
    check_organization_roles,
    keeping_protected_holders,
    require,
)

Action = AuditEvent.Action


def members_remove(
    *,
    actor: StaffUser,
    org_id: str,
    user_ids: list[str],
    reason: str = "",
    page: ListedPage | None = None,
) -> AuditEvent:
    """Remove members from an organization in one call. The users stay in the tenant; Auth0
    takes a few seconds to stop listing them. Anyone named who is not a member is refused
    (MemberNotFound, naming only the id given) before anything is written.

    `page`: the members page (cursor, size) they were picked from, read again (one call) for
    their roles; without it one member's roles are read directly, and several are read again
    from the members pages that showed them lately (else by a walk of the list)."""
    with audit.attempt(
        actor=actor,
        action=Action.MEMBERS_REMOVE,
        org_id=org_id,
        reason=reason,
        targets=[{"user_id": u} for u in user_ids[:100]],
    ) as event:
        require(actor, "orgs.remove_members", gettext_lazy("remove members"))
        _check_reason(reason)
        organization = selectors.organization_in_reach(user=actor, org_id=org_id)
        check_user_ids(user_ids)
        check_not_self_ids(actor, user_ids)
        members = _members_to_remove(organization, user_ids, page)
        check_not_self(actor, members.values())
        before = {user_id: list(members[user_id].roles) for user_id in user_ids}
        held = {role.id: role for roles in before.values() for role in roles}
        audit.note(
            event,
            org_name=organization.label,
            # e-mail and role ids too: a restore (members_restore) gives them back from these
            targets=[
                {"user_id": u, "label": members[u].label, "email": members[u].email}
                for u in user_ids
            ],
            roles=_role_list(sorted(held.values(), key=lambda r: r.name.lower())),
            roles_before=_names(before),
        )
        member_cache.forget_members(org_id, user_ids)  # no write may rely on them being members
        with keeping_protected_holders(org_id, before):
            get_client().remove_members(org_id, user_ids, correlation_id=event.correlation_id)
        holders.forget(org_id, user_ids)
        event.roles_after = {user_id: [] for user_id in user_ids}
    return event


def member_remove(*, actor: StaffUser, org_id: str, user_id: str, reason: str = "") -> AuditEvent:
    return members_remove(actor=actor, org_id=org_id, user_ids=[user_id], reason=reason)


def members_restore(
    *, actor: StaffUser, org_id: str, event_id: int, reason: str = ""
) -> AuditEvent:
    """Undo a removal of members (its audit event; orgs.restorations): with the removal's
    permission, reach and guardrails, add back in one call those who are not members again,
    then give each the organization roles they held (one call per member who had roles: Auth0
    assigns roles one member at a time). Who is a member again is asked (one user search) only
    when the removal is over a minute old. Members already back are skipped."""
    with audit.attempt(
        actor=actor, action=Action.MEMBERS_RESTORE, org_id=org_id, reason=reason
    ) as event:
        removal = restorations.removal_of(org_id, event_id)
        audit.note(event, restores=removal)
        require(actor, "orgs.remove_members", gettext_lazy("restore members"))
        _check_reason(reason)
        organization = selectors.organization_in_reach(user=actor, org_id=org_id)
        restoration = restorations.restorable(removal, excluding=event.pk)
        user_ids = restoration.user_ids
        audit.note(
            event,
            org_name=organization.label,
            targets=[{"user_id": m.user_id, "label": m.label} for m in restoration.members],
            roles=restoration.removal.roles,
        )
        check_not_self_ids(actor, user_ids)
        check_not_self(actor, restorations.people(restoration))
        restorations.check_roles(actor, restoration)
        back = (
            selectors.members_among(org_id=org_id, user_ids=user_ids)
            if restoration.ask_who_is_back
            else set()
        )
        coming = [m for m in restoration.members if m.user_id not in back]
        audit.note(event, roles_before={m.user_id: [] for m in coming})
        member_cache.forget_members(org_id, user_ids)
        event.roles_after = {}  # as far as it got, should a call fail
        if coming:
            ids = [m.user_id for m in coming]
            get_client().add_members(org_id, ids, correlation_id=event.correlation_id)
            event.roles_after = dict.fromkeys(ids, [])
            _give_roles_back(org_id, coming, event.correlation_id, event.roles_after)
    return event


def _give_roles_back(
    org_id: str, coming: list[Member], correlation_id: str, roles_after: dict[str, list[str]]
) -> None:
    """One POST of roles per member who had roles (Auth0 assigns roles one member at a time).
    Should one fail, they are all members again, some without their roles: PartlyRestored."""
    for member in coming:
        if member.roles:
            try:
                get_client().assign_member_roles(
                    org_id,
                    member.user_id,
                    [r.id for r in member.roles],
                    correlation_id=correlation_id,
                )
            except errors.Auth0Error as exc:
                without = [m for m in coming if m.roles and not roles_after[m.user_id]]
                raise restorations.PartlyRestored(exc, added=coming, without=without) from exc
        holders.note_roles(org_id, member.user_id, member.roles)
        roles_after[member.user_id] = [r.name for r in member.roles]


def member_roles_assign(
    *, actor: StaffUser, org_id: str, user_id: str, role_ids: list[str], reason: str = ""
) -> AuditEvent:
    """Membership as the page showed it moments ago (else read now) and the roles held, read
    now: one read and the write."""
    with _roles_attempt(
        actor, Action.MEMBER_ROLES_ASSIGN, user_id, role_ids, reason, org_id=org_id
    ) as event:
        require(actor, "orgs.change_member_roles", gettext_lazy("assign roles"))
        organization = selectors.organization_in_reach(user=actor, org_id=org_id)
        check_user_id(user_id)
        check_not_self_ids(actor, [user_id])
        check_role_ids(role_ids)
        roles = _roles(role_ids)
        # Named before the guardrails, so that a refusal reads with names too.
        audit.note(event, org_name=organization.label, roles=_role_list(roles))
        check_organization_roles(roles)
        check_admin_only(actor, roles)
        detail = _member_now(organization, user_id)
        check_not_self(actor, [detail.user])
        audit.note(
            event,
            targets=[{"user_id": user_id, "label": detail.user.label}],
            roles_before={user_id: [r.name for r in detail.roles]},
        )
        try:
            get_client().assign_member_roles(
                org_id, user_id, role_ids, correlation_id=event.correlation_id
            )
        except errors.Auth0Error:
            member_cache.forget_members(org_id, [user_id])
            raise
        held = {r.id: r for r in (*detail.roles, *roles)}
        after = tuple(sorted(held.values(), key=lambda r: r.name.lower()))
        _roles_changed(detail, after)
        event.roles_after = {user_id: sorted(r.name for r in after)}
    return event


def member_roles_remove(
    *, actor: StaffUser, org_id: str, user_id: str, role_ids: list[str], reason: str = ""
) -> AuditEvent:
    """The roles held, read now (one call), then the write."""
    with _roles_attempt(
        actor, Action.MEMBER_ROLES_REMOVE, user_id, role_ids, reason, org_id=org_id
    ) as event:
        require(actor, "orgs.change_member_roles", gettext_lazy("remove roles"))
        _check_reason(reason)
        organization = selectors.organization_in_reach(user=actor, org_id=org_id)
        check_user_id(user_id)
        check_not_self_ids(actor, [user_id])
        check_role_ids(role_ids)
        user = selectors.user_profile(user_id=user_id, org_id=org_id)
        check_not_self(actor, [user])
        before = selectors.member_roles_list(org_id=org_id, user_id=user_id)
        removing = _note_removal(event, user, before, role_ids, org_name=organization.label)
        try:
            with keeping_protected_holders(org_id, {user_id: removing}):
                get_client().remove_member_roles(
                    org_id, user_id, role_ids, correlation_id=event.correlation_id
                )
        except errors.Auth0Error:
            member_cache.forget_members(org_id, [user_id])
            raise
        after = tuple(r for r in before if r.id not in role_ids)
        _roles_changed(MemberDetail(organization, user, before), after)
        event.roles_after = {user_id: [r.name for r in after]}
    return event


def user_roles_remove(
    *, actor: StaffUser, user_id: str, role_ids: list[str], reason: str = ""
) -> AuditEvent:
    """Remove tenant-wide roles (not organization roles) from a user."""
    with _roles_attempt(actor, Action.USER_ROLES_REMOVE, user_id, role_ids, reason) as event:
        require(actor, "orgs.remove_tenant_roles", gettext_lazy("remove tenant-wide roles"))
        _check_reason(reason)
        user = _user(user_id)
        check_user_reach(actor, lambda: selectors.user_organizations_list(user_id=user_id))
        check_role_ids(role_ids)
        check_not_self(actor, [user])
        before = selectors.user_roles_list(user_id=user_id)
        _note_removal(event, user, before, role_ids)
        get_client().remove_user_roles(user_id, role_ids, correlation_id=event.correlation_id)
        event.roles_after = {user_id: [r.name for r in before if r.id not in role_ids]}
    return event


# --- helpers ---------------------------------------------------------------------------------


def _roles_attempt(
    actor: StaffUser,
    action: str,
    user_id: str,
    role_ids: list[str],
    reason: str,
    org_id: str = "",
) -> AbstractContextManager[AuditEvent]:
    """The audit attempt of a change of one user's roles."""
    return audit.attempt(
        actor=actor,
        action=action,
        org_id=org_id,
        reason=reason,
        targets=[{"user_id": user_id}],
        roles=[{"id": r} for r in role_ids[:100]],
    )


def _check_reason(reason: str) -> None:
    if settings.REQUIRE_REASON and not reason.strip():
        raise errors.InvalidInput(
            gettext_lazy("Give a reason (for example the ticket id) for the audit trail.")
        )


def _user(user_id: str) -> User:
    return selectors.user_profile(user_id=check_user_id(user_id))


def _roles(role_ids: list[str]) -> list[Role]:
    by_id = {role.id: role for role in selectors.role_list()}
    unknown = [r for r in role_ids if r not in by_id]
    if unknown:
        said = gettext_lazy("The role %(role)s does not exist.")
        raise errors.RoleNotFound(lazy_text(said, role=unknown[0]))
    return [by_id[r] for r in role_ids]


def _member_now(
    organization: Organization, user_id: str, *, listed_will_do: bool = False
) -> MemberDetail:
    """A member: their membership as the member page showed it moments ago (or, when
    `listed_will_do`, as a members page listed them), else read now; their roles read now."""
    recalled = member_cache.recall_member(organization.id, user_id)
    if recalled is None and listed_will_do:
        row = member_cache.recall_listed(organization.id, [user_id]).get(user_id)
        if row is not None:
            recalled = MemberDetail(organization, row.member.as_user(), row.member.roles)
    if recalled is None:
        return selectors.member_get(organization=organization, user_id=user_id)
    roles = selectors.member_roles_list(org_id=organization.id, user_id=user_id)
    return MemberDetail(organization, recalled.user, roles)


def _roles_changed(detail: MemberDetail, after: tuple[Role, ...]) -> None:
    """What adminportal now knows of the member, for the refresh that follows."""
    member = detail.user.user_id
    holders.note_roles(detail.organization.id, member, after)
    if member_cache.recall_member(detail.organization.id, member) is not None:
        member_cache.remember_member(MemberDetail(detail.organization, detail.user, after))


def _members_to_remove(
    organization: Organization, user_ids: list[str], page: ListedPage | None
) -> dict[str, Member]:
    """The members named, with their roles in the organization: from the page they were picked
    from (one call); one member without a page: membership and roles read directly; else a walk
    of the members list. Anyone not a member: MemberNotFound, naming only the ids."""
    if page is not None:
        listed = selectors.members_on_page(
            org_id=organization.id, user_ids=user_ids, cursor=page.cursor, take=page.size
        )
        if listed is not None:
            return listed
    if len(user_ids) == 1:  # removing someone no longer a member changes nothing: listed will do
        detail = _member_now(organization, user_ids[0], listed_will_do=True)
        user = detail.user
        member = Member(
            user_id=user.user_id,
            name=user.name,
            email=user.email,
            picture=user.picture,
            roles=detail.roles,
        )
        return {member.user_id: member}
    found = selectors.members_listed(
        org_id=organization.id, user_ids=user_ids
    ) or selectors.members_by_id(org_id=organization.id, user_ids=user_ids)
    strangers = [user_id for user_id in user_ids if user_id not in found]
    if strangers:
        said = ngettext_lazy(
            "%(who)s is not a member of %(org)s.",
            "%(who)s are not members of %(org)s.",
            len(strangers),
        )
        raise errors.MemberNotFound(
            lazy_text(said, who=lazy_and_list(strangers), org=organization.label)
        )
    return found


def _note_removal(
    event: AuditEvent, user: User, before: tuple[Role, ...], role_ids: list[str], **fields: str
) -> list[Role]:
    """Note the roles about to go (RoleNotFound when one is not held any more)."""
    removing = [r for r in before if r.id in role_ids]
    audit.note(
        event,
        targets=[{"user_id": user.user_id, "label": user.label}],
        roles=_role_list(removing) or [{"id": r} for r in role_ids],
        roles_before={user.user_id: [r.name for r in before]},
        **fields,
    )
    if len(removing) < len(role_ids):
        said = gettext_lazy("%(who)s does not hold that role any more.")
        raise errors.RoleNotFound(lazy_text(said, who=user.label))
    return removing


def _names(roles_by_user: dict[str, list[Role]]) -> dict[str, list[str]]:
    return {user_id: [r.name for r in roles] for user_id, roles in roles_by_user.items()}


def _role_list(roles: list[Role]) -> list[dict[str, str]]:
    return [{"id": r.id, "name": r.name} for r in roles]

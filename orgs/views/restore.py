"""Restore a removal of members, from the audit trail (an Activity row, or the message of the
removal): confirm (who, which roles), then add them back with their roles (orgs.restorations)."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import reverse
from django.utils.text import get_text_list
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from .. import restorations, selectors, services
from ..access import check_reach
from ..auth0_mgmt import errors
from ..htmx import HtmxHttpRequest
from ..message_links import Link
from ..models import AuditEvent
from ..pending import forget_removed
from .confirm import Confirmation, cannot, confirm_then_act, reason_of
from .permissions import requires


def restore_offer(event: AuditEvent) -> Link:
    """The "Restore" link a removal's success message offers."""
    return Link(reverse("orgs:members_restore", args=[event.org_id, event.pk]), "Restore")


@require_http_methods(["GET", "POST"])
@requires("orgs.remove_members", "restore members")
def members_restore(request: HtmxHttpRequest, org_id: str, event_id: int) -> HttpResponse:
    back = reverse("orgs:organization_detail", kwargs={"org_id": org_id})
    try:
        organization = check_reach(request.user, selectors.organization_get_cached(org_id=org_id))
        restoration = restorations.restorable(restorations.removal_of(org_id, event_id))
    except errors.Auth0Error as exc:
        return cannot(
            request,
            exc,
            action="restore the removed members",
            back_url=back,
            refresh_event="membersChanged",
        )

    members, removal, where = restoration.members, restoration.removal, organization.label
    count = len(members)
    who = get_text_list([m.label for m in members], "and")
    removed = f"Removed by {removal.staff_username} on {restorations.when(removal)}"
    consequences = [
        f"{removed}{f' (reason: {removal.reason})' if removal.reason else ''}.",
        f"They are added back to {where} with the organization roles they held then.",
    ]
    if restoration.ask_who_is_back:
        consequences.append("Anyone who is a member again already is skipped.")
    return confirm_then_act(
        request,
        Confirmation(
            title=ngettext("Restore member", "Restore members", count),
            question=ngettext(
                "Restore %(who)s to %(org)s?", "Restore %(count)d members to %(org)s?", count
            )
            % {"who": who, "count": count, "org": where},
            details=[_with_roles(m) for m in members],
            consequences=consequences,
            submit_label=ngettext("Restore member", "Restore %(count)d members", count)
            % {"count": count},
            action_url=reverse("orgs:members_restore", args=[org_id, event_id]),
            cancel_url=back,
        ),
        call=lambda: services.members_restore(
            actor=request.user, org_id=org_id, event_id=event_id, reason=reason_of(request)
        ),
        success=_restored,
        action=f"restore {who} to {where}",
        refresh_event="membersChanged",
        back_url=back,
        on_success=lambda: forget_removed(request.session, org_id, restoration.user_ids),
    )


def _with_roles(member: restorations.RestoredMember) -> str:
    return f"{member.label}: {', '.join(r.name for r in member.roles) or 'no roles'}"


def _restored(event: AuditEvent) -> str:
    """“Restored Ben Okafor (billing-admin, support-agent) and Mallory to Acme.”, and who was
    skipped (a member again already)."""
    after: dict[str, list[str]] = event.roles_after or {}
    restored = [t for t in event.targets if t["user_id"] in after]
    skipped = [t["label"] for t in event.targets if t["user_id"] not in after]
    said = []
    if restored:
        names = [
            t["label"] + (f" ({', '.join(after[t['user_id']])})" if after[t["user_id"]] else "")
            for t in restored
        ]
        said.append(f"Restored {get_text_list(names, 'and')} to {event.org_name}.")
    else:
        said.append(f"Nobody needed restoring to {event.org_name}.")
    if skipped:
        said.append(
            ngettext(
                "%(who)s is a member again already: skipped.",
                "%(who)s are members again already: skipped.",
                len(skipped),
            )
            % {"who": get_text_list(skipped, "and")}
        )
    return " ".join(said)

"""Restore a removal of members, from the audit trail (an Activity row, or the message of the
removal): confirm (who, which roles), then add them back with their roles (orgs.restorations)."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy, ngettext, npgettext
from django.views.decorators.http import require_http_methods

from .. import restorations, services
from ..auth0_mgmt import Member, errors
from ..htmx import HtmxHttpRequest
from ..i18n import and_list, comma_list
from ..message_links import Link
from ..models import AuditEvent
from ..pending import forget_removed
from .confirm import Behind, Confirmation, cannot, confirm_then_act
from .permissions import organization_in_reach, requires


def restore_offer(event: AuditEvent) -> Link:
    """The "Restore" link a removal's success message offers."""
    return Link(reverse("orgs:members_restore", args=[event.org_id, event.pk]), gettext("Restore"))


@require_http_methods(["GET", "POST"])
@requires("orgs.remove_members", gettext_lazy("restore members"))
def members_restore(request: HtmxHttpRequest, org_id: str, event_id: int) -> HttpResponse:
    back = reverse("orgs:organization_detail", kwargs={"org_id": org_id})
    behind = Behind(back, "membersChanged")
    try:
        organization = organization_in_reach(request, org_id)
        restoration = restorations.restorable(restorations.removal_of(org_id, event_id))
        if request.method == "GET":  # a POST is refused by the service, on the record
            restorations.check_roles(request.user, restoration)
    except errors.Auth0Error as exc:
        return cannot(request, exc, gettext("restore the removed members"), behind)

    where = organization.label
    who = and_list(m.label for m in restoration.members)
    return confirm_then_act(
        request,
        _confirmation(restoration, where, back),
        behind,
        call=partial(_restore, request, org_id, event_id),
        success=_restored,
        action=gettext("restore %(who)s to %(org)s") % {"who": who, "org": where},
        on_done=lambda: forget_removed(request.session, org_id, restoration.user_ids),
    )


def _restore(request: HtmxHttpRequest, org_id: str, event_id: int, **who: Any) -> AuditEvent:
    """The restore; those it added back are no longer being removed, even should giving
    their roles back fail."""
    try:
        return services.members_restore(org_id=org_id, event_id=event_id, **who)
    except restorations.PartlyRestored as exc:
        forget_removed(request.session, org_id, exc.added)
        raise


def _confirmation(restoration: restorations.Restoration, where: str, back: str) -> Confirmation:
    """Who comes back, with which roles, after what removal."""
    members = restoration.members
    count = len(members)
    question = (
        gettext("Restore %(who)s to %(org)s?")
        if count == 1  # by name
        else ngettext(
            "Restore %(count)d member to %(org)s?", "Restore %(count)d members to %(org)s?", count
        )
    )
    who = and_list(m.label for m in members)
    removal = restoration.removal
    return Confirmation(
        title=ngettext("Restore member", "Restore members", count),
        question=question % {"who": who, "count": count, "org": where},
        details=[_with_roles(m) for m in members],
        consequences=_consequences(restoration, where),
        submit_label=npgettext("button", "Restore member", "Restore %(count)d members", count)
        % {"count": count},
        action_url=reverse("orgs:members_restore", args=[removal.org_id, removal.pk]),
        cancel_url=back,
    )


def _consequences(restoration: restorations.Restoration, where: str) -> list[str]:
    """Who removed them, when and why; what comes back."""
    removal = restoration.removal
    removed = {
        "who": removal.staff_username,
        "when": restorations.when(removal),
        "reason": removal.reason,
    }
    consequences = [
        gettext("Removed by %(who)s on %(when)s (reason: %(reason)s).") % removed
        if removal.reason
        else gettext("Removed by %(who)s on %(when)s.") % removed,
        gettext("They are added back to %(org)s with the organization roles they held then.")
        % {"org": where},
    ]
    if restoration.ask_who_is_back:
        consequences.append(gettext("Anyone who is a member again already is skipped."))
    return consequences


def _with_roles(member: Member) -> str:
    roles = comma_list(r.name for r in member.roles) or gettext("no roles")
    return gettext("%(who)s: %(roles)s") % {"who": member.label, "roles": roles}


def _restored(event: AuditEvent) -> str:
    """“Restored Ben Okafor (billing-admin, support-agent) and Mallory to Acme.”, and who was
    skipped (a member again already)."""
    after: dict[str, list[str]] = event.roles_after or {}
    restored = [t for t in event.targets if t["user_id"] in after]
    skipped = [t["label"] for t in event.targets if t["user_id"] not in after]
    said = []
    where = {"org": event.org_name}
    if restored:
        names = [
            gettext("%(who)s (%(roles)s)")
            % {"who": t["label"], "roles": comma_list(after[t["user_id"]])}
            if after[t["user_id"]]
            else t["label"]
            for t in restored
        ]
        said.append(gettext("Restored %(who)s to %(org)s.") % {**where, "who": and_list(names)})
    else:
        said.append(gettext("Nobody needed restoring to %(org)s.") % where)
    if skipped:
        said.append(
            ngettext(
                "%(who)s is a member again already: skipped.",
                "%(who)s are members again already: skipped.",
                len(skipped),
            )
            % {"who": and_list(skipped)}
        )
    return " ".join(said)

"""Staff management for Admins: who may use adminportal, with which role and reach. Every
change is recorded in the audit trail."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User as StaffUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext, gettext_lazy, gettext_noop
from django.views.decorators.http import require_GET, require_http_methods

from ..forms import StaffForm
from ..htmx import HtmxHttpRequest
from ..staff.access import ROLES, describe_reach, reaches_all, role_of
from ..staff.accounts import StaffChange, account_fields, fingerprint, staff_save
from .permissions import refuse, requires

# Marked for translation (gettext_noop): said with gettext() in the staff member's language.
STAFF_NEEDS_ALL = gettext_noop(
    "Only an Admin who reaches every organization may manage staff, so that nobody grants more "
    "reach than they have. Nothing was changed."
)
ONLY_SUPERUSERS_EDIT = gettext_noop(
    "%(username)s is a superuser or may use Django admin: only a superuser may change this "
    "account here. Nothing was changed."
)
IDENTITY_FIELDS = ("email", "auth0_user_id")
"""What names a staff member's own Auth0 user, whose memberships and roles they may not change
(orgs.staff.guardrails): on one's own record, only another Admin or a superuser changes them."""
OWN_IDENTITY_HELP = gettext_noop(
    "Your own e-mail address and Auth0 user id are how adminportal keeps you from changing your "
    "own Auth0 user: only another Admin or a superuser may change them."
)
OWN_IDENTITY_REFUSED = gettext_noop(
    "You cannot change your own e-mail address or Auth0 user id: they keep you from changing "
    "your own Auth0 user's memberships and roles. Ask another Admin. Nothing was changed."
)


def reaching_everything(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def guarded(request: HtmxHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not reaches_all(request.user):
            return refuse(request, gettext(STAFF_NEEDS_ALL))
        return view(request, *args, **kwargs)

    return guarded


@require_GET
@requires("orgs.manage_staff", gettext_lazy("manage staff"))
@reaching_everything
def staff_list(request: HtmxHttpRequest) -> HttpResponse:
    people = get_user_model().objects.order_by("username").select_related("staff_access")
    rows = [
        (
            person,
            role_of(person),
            describe_reach(getattr(person, "staff_access", None)),
            may_edit(request.user, person),
        )
        for person in people
    ]
    return TemplateResponse(request, "orgs/staff_list.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@requires("orgs.manage_staff", gettext_lazy("manage staff"))
@reaching_everything
def staff_edit(request: HtmxHttpRequest, pk: int | None = None) -> HttpResponse:
    person = get_object_or_404(get_user_model(), pk=pk) if pk is not None else None
    if person is not None and not may_edit(request.user, person):
        return refuse(request, gettext(ONLY_SUPERUSERS_EDIT) % {"username": person.username})
    initial = _initial(person)
    form = StaffForm(request.POST or None, initial=initial)
    status = 200
    if person is not None:
        form.fields["username"].disabled = True
    own_identity = person is not None and not may_edit_identity(request.user, person)
    if own_identity:
        for name in IDENTITY_FIELDS:  # shown, never taken from the form
            form.fields[name].disabled = True
            form.fields[name].help_text = gettext(OWN_IDENTITY_HELP)
    if own_identity and _identity_posted(request, initial):
        form.add_error(None, gettext(OWN_IDENTITY_REFUSED))
        status = 403
    elif request.method == "POST" and form.is_valid():
        problem = _problem(request, form, person)
        if problem:
            form.add_error(None, problem)
        else:
            person = _save(request, form)
            saved = {"username": person.username, "role": form.cleaned_data["role"]}
            messages.success(request, gettext("Saved %(username)s: %(role)s.") % saved)
            return redirect("orgs:staff_list")
    return TemplateResponse(
        request,
        "orgs/staff_form.html",
        {"form": form, "person": person, "roles": ROLES},
        status=status,
    )


def may_edit(editor, person) -> bool:
    """Superuser and Django-admin accounts are changed by superusers only (or by themselves):
    an Admin setting their password or e-mail address would take them over."""
    if editor.is_superuser or editor.pk == person.pk:
        return True
    return not (person.is_superuser or person.is_staff)


def may_edit_identity(editor, person) -> bool:
    """Nobody changes the fields naming their own Auth0 user (IDENTITY_FIELDS) on their own
    record, except a superuser (who may do anything in Django admin anyway): clearing them would
    switch off the guardrail that keeps staff from changing their own memberships and roles."""
    return editor.pk != person.pk or editor.is_superuser


def _identity_posted(request: HtmxHttpRequest, initial: dict[str, object]) -> bool:
    """A POST that sets an identity field to anything but its value (a browser sends none)."""
    return request.method == "POST" and any(
        name in request.POST and request.POST[name].strip() != initial[name]
        for name in IDENTITY_FIELDS
    )


def _initial(person) -> dict[str, object]:
    if person is None:
        return {"role": "Viewer", "is_active": True}
    fields = account_fields(person)
    stored = fingerprint(person, fields)
    return {**fields, "role": fields["role"] or "Viewer", "fingerprint": stored}


def _problem(request: HtmxHttpRequest, form: StaffForm, person) -> str | None:
    data = form.cleaned_data
    users = get_user_model().objects
    if person is None and users.filter(username__iexact=data["username"]).exists():
        said = gettext("There is already a staff account named %(username)s.")
        return said % {"username": data["username"]}
    if person is not None and data["fingerprint"] and data["fingerprint"] != fingerprint(person):
        return gettext(
            "Someone else changed this account since you opened it: reload the page to see "
            "what they saved, then make your change again."
        )
    if person is not None and person.pk == request.user.pk:
        if data["role"] != "Admin" or not data["is_active"]:
            return gettext("You cannot take away your own Admin role or deactivate yourself.")
        if not data["all_organizations"]:
            return gettext(
                "You cannot limit your own reach: managing staff needs all organizations."
            )
    if data["password"]:
        # A new account is checked as it will be (the password must not resemble its name).
        candidate = person or users.model(username=data["username"], email=data["email"])
        try:
            validate_password(data["password"], user=candidate)
        except ValidationError as exc:
            return " ".join(exc.messages)
    return None


def _save(request: HtmxHttpRequest, form: StaffForm) -> StaffUser:
    data = form.cleaned_data
    person, _ = staff_save(
        request.user,
        StaffChange(
            username=data["username"],
            role=data["role"],
            all_organizations=data["all_organizations"],
            organization_ids=tuple(data["organization_ids"]),
            organization_rule=data["organization_rule"] or "",
            email=data["email"],
            auth0_user_id=data["auth0_user_id"],
            is_active=data["is_active"],
            password=data["password"],
        ),
    )
    return person

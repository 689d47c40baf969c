"""Plain Django forms: what a person may submit, checked before any service is called."""

from __future__ import annotations

from typing import TypedDict

from django import forms
from django.utils.translation import gettext, gettext_lazy

from .auth0_mgmt import Role
from .i18n import comma_list
from .ids import MAX_ROLES_PER_CALL, ROLE_ID
from .roles import role_key
from .selectors import ListedPage

PAGE_SIZES = (10, 25, 50)
ORG_SORT_CHOICES = (
    ("name:1", gettext_lazy("Name (A–Z)")),
    ("name:-1", gettext_lazy("Name (Z–A)")),
    ("display_name:1", gettext_lazy("Display name (A–Z)")),
    ("display_name:-1", gettext_lazy("Display name (Z–A)")),
)


class ListState(TypedDict):
    q: str
    sort: str
    per_page: int
    page: int


class OrganizationListForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label=gettext_lazy("Search organizations"))
    sort = forms.ChoiceField(
        choices=ORG_SORT_CHOICES,
        required=False,
        label=gettext_lazy("Sort by"),
        widget=forms.Select(attrs={"id": "org-sort"}),
    )
    per_page = forms.TypedChoiceField(
        choices=[(n, n) for n in PAGE_SIZES],
        coerce=int,
        required=False,
        label=gettext_lazy("Per page"),
    )
    page = forms.IntegerField(min_value=1, max_value=1000, required=False)

    def values(self) -> ListState:
        """The list's state, with defaults for anything missing or malformed."""
        self.is_valid()
        data = self.cleaned_data  # only the fields that are valid: one bad value keeps the rest
        return {
            "q": (data.get("q") or "").strip(),
            "sort": data.get("sort") or "name:1",
            "per_page": data.get("per_page") or 25,
            "page": data.get("page") or 1,
        }


def choice(field: forms.Field) -> forms.ChoiceField:
    """A form's choice field, to set its choices."""
    assert isinstance(field, forms.ChoiceField)
    return field


class AssignRolesForm(forms.Form):
    """Roles for a member, picked from the tenant's roles they do not hold yet, or typed by
    name (comma-separated)."""

    roles = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Roles"),
        error_messages={
            "invalid_choice": gettext_lazy(
                "The chosen role %(value)s cannot be added: they hold it already, or it no "
                "longer exists. The list below is up to date."
            )
        },
    )
    names = forms.CharField(
        required=False,
        max_length=2000,
        label=gettext_lazy("Or type role names"),
        help_text=gettext_lazy("Separate names with commas, e.g. support-agent, billing-admin"),
    )

    def __init__(self, *args: object, available: tuple[Role, ...] = (), **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.available = available
        choice(self.fields["roles"]).choices = [(r.id, r.name) for r in available]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        by_name = {role_key(r.name): r for r in self.available}
        chosen = dict.fromkeys(data.get("roles") or [])
        unknown = []
        for name in (data.get("names") or "").split(","):
            name = name.strip()
            if not name:
                continue
            role = by_name.get(role_key(name))
            if role is None:
                unknown.append(name)
            else:
                chosen[role.id] = None
        if unknown:
            quoted = comma_list(gettext("“%(name)s”") % {"name": n} for n in unknown[:5])
            self.add_error(
                "names",
                gettext(
                    "No role to assign is named %(names)s (it does not exist, or they already "
                    "hold it)."
                )
                % {"names": quoted},
            )
        if not chosen and not unknown and not (self.has_error("roles") or self.has_error("names")):
            raise forms.ValidationError(gettext("Choose at least one role to add."))
        if len(chosen) > MAX_ROLES_PER_CALL:
            raise forms.ValidationError(
                gettext("Choose at most %(most)d roles at once.") % {"most": MAX_ROLES_PER_CALL}
            )
        data["role_ids"] = list(chosen)
        return data

    def chosen_roles(self) -> list[Role]:
        wanted = set(self.cleaned_data["role_ids"])
        return [r for r in self.available if r.id in wanted]


class RoleChoiceForm(forms.Form):
    """The role a confirmation is about."""

    role = forms.RegexField(regex=rf"^{ROLE_ID.pattern}$", max_length=50)


class RoleHoldersForm(forms.Form):
    """Which organization role's holders to list, and from where in the members list."""

    role = forms.RegexField(regex=rf"^{ROLE_ID.pattern}$", max_length=50, required=False)
    after = forms.CharField(required=False, max_length=1000)

    def chosen(self, roles: tuple[Role, ...] | list[Role]) -> Role | None:
        """The chosen role among `roles`, or None (none chosen, malformed, or not offered)."""
        if not self.is_valid() or not self.cleaned_data["role"]:
            return None
        return next((r for r in roles if r.id == self.cleaned_data["role"]), None)


class BulkMembersForm(forms.Form):
    user = forms.MultipleChoiceField(required=True)
    cursor = forms.CharField(required=False, max_length=1000)
    """The members page they were picked from: its checkpoint cursor ("" for the first)…"""
    page_size = forms.TypedChoiceField(
        required=False, coerce=int, choices=[(n, n) for n in PAGE_SIZES], empty_value=None
    )
    """…and its size; without it, the members are looked up on their own."""

    def listed_page(self) -> ListedPage | None:
        size = self.cleaned_data.get("page_size")
        return ListedPage(self.cleaned_data.get("cursor") or None, size) if size else None

    def page_fields(self) -> dict[str, list[str]]:
        """The page, as hidden fields for the confirmation."""
        page = self.listed_page()
        return {"cursor": [page.cursor or ""], "page_size": [str(page.size)]} if page else {}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        picked = self.data.getlist("user") if hasattr(self.data, "getlist") else []
        choice(self.fields["user"]).choices = [(u, u) for u in picked]
        self.fields["user"].error_messages["required"] = gettext(
            "Select at least one member first."
        )


class ActivityFilterForm(forms.Form):
    staff = forms.ChoiceField(required=False, label=gettext_lazy("Staff member"))
    action = forms.ChoiceField(required=False, label=gettext_lazy("Action"))
    outcome = forms.ChoiceField(required=False, label=gettext_lazy("Outcome"))
    since = forms.DateField(
        required=False, label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        required=False, label=gettext_lazy("To"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: object, staff_names: list[str] = (), **kwargs: object) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        from .models import AuditEvent

        choice(self.fields["staff"]).choices = [
            ("", gettext("Anyone")),
            *[(n, n) for n in staff_names],
        ]
        choice(self.fields["action"]).choices = [
            ("", gettext("Any action")),
            *AuditEvent.Action.choices,
        ]
        choice(self.fields["outcome"]).choices = [
            ("", gettext("Any outcome")),
            *AuditEvent.Outcome.choices,
        ]


class StaffForm(forms.Form):
    """A staff account: role, reach, own Auth0 user, and (for password sign-in) a password."""

    username = forms.RegexField(
        regex=r"^[\w.@+-]+$",
        max_length=150,
        label=gettext_lazy("Username"),
        error_messages={"invalid": gettext_lazy("Use letters, digits and @ . + - _ only.")},
    )
    email = forms.EmailField(required=False, label=gettext_lazy("E-mail"))
    role = forms.ChoiceField(
        # the staff roles' names, as the Django groups are named
        choices=[("Viewer", "Viewer"), ("Support", "Support"), ("Admin", "Admin")],
        label=gettext_lazy("Role"),
    )
    all_organizations = forms.BooleanField(required=False, label=gettext_lazy("All organizations"))
    organization_ids = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=gettext_lazy("Organization ids"),
        help_text=gettext_lazy("One per line or comma-separated (org_…)."),
    )
    organization_rule = forms.RegexField(
        regex=r"^\s*[\w.-]+\s*=\s*[^,=]*(,\s*[\w.-]+\s*=\s*[^,=]*)*$",
        required=False,
        max_length=200,
        label=gettext_lazy("Metadata rule"),
        help_text=gettext_lazy("e.g. region=eu or region=eu,plan=pro"),
        error_messages={"invalid": gettext_lazy("Write the rule as key=value, comma-separated.")},
    )
    auth0_user_id = forms.CharField(
        required=False,
        max_length=255,
        label=gettext_lazy("Their own Auth0 user id"),
        help_text=gettext_lazy("They may not change this user's memberships or roles."),
    )
    is_active = forms.BooleanField(required=False, initial=True, label=gettext_lazy("Active"))
    password = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        label=gettext_lazy("New password"),
        help_text=gettext_lazy("Leave empty to keep the current one (or for single sign-on only)."),
    )

    fingerprint = forms.CharField(required=False, widget=forms.HiddenInput)
    """The account as the form showed it (staff.accounts.fingerprint): a save over someone
    else's change since is refused."""

    def clean_username(self) -> str:
        """As Django's sign-in form will read it (NFKC: "ｂｏｂ" is bob)."""
        from django.contrib.auth.models import AbstractBaseUser

        return AbstractBaseUser.normalize_username(self.cleaned_data["username"])

    def clean_organization_ids(self) -> list[str]:
        raw = self.cleaned_data.get("organization_ids") or ""
        ids = [part.strip() for part in raw.replace(",", "\n").splitlines() if part.strip()]
        from .ids import ORG_ID
        from .staff.accounts import MAX_LISTED_ORGANIZATIONS

        bad = [value for value in ids if not ORG_ID.fullmatch(value)]
        if bad:
            raise forms.ValidationError(
                gettext("Not organization ids: %(ids)s") % {"ids": ", ".join(bad[:5])}
            )
        ids = list(dict.fromkeys(ids))
        if len(ids) > MAX_LISTED_ORGANIZATIONS:
            said = gettext("List at most %(most)d organizations; a metadata rule reaches more.")
            raise forms.ValidationError(said % {"most": MAX_LISTED_ORGANIZATIONS})
        return ids

    def clean_auth0_user_id(self) -> str:
        value = (self.cleaned_data.get("auth0_user_id") or "").strip()
        from .ids import USER_ID

        if value and not USER_ID.fullmatch(value):
            raise forms.ValidationError(gettext("An Auth0 user id looks like provider|id."))
        return value

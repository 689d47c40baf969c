"""Create (or update) a staff account with a role and a reach, recorded in the audit trail
(by "manage.py create_staff (OS user)"; never the password). It acts with the server's rights
(whoever runs it may run any manage.py command), as a superuser on the Staff page would: it may
change any account's e-mail address and Auth0 user id, which staff may not change on their own
record in the dashboard (orgs.views.staff.may_edit_identity).

manage.py create_staff ana --email ana@example.com --role support --orgs org_1,org_2
manage.py create_staff ops --role admin --all-orgs --password-env OPS_PASSWORD
manage.py create_staff eu-desk --role viewer --org-rule region=eu --sso-only
"""

from __future__ import annotations

import getpass
import os
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...forms import StaffForm
from ...ids import ORG_ID, USER_ID
from ...models import StaffAccess
from ...staff.access import ROLES, describe_reach
from ...staff.accounts import KEEP, MAX_LISTED_ORGANIZATIONS, StaffChange, staff_save


class Command(BaseCommand):
    help = "Create or update a staff account with a role (viewer, support, admin) and a reach."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--role", required=True, choices=[r.lower() for r in ROLES])
        reach = parser.add_argument_group("reach (combinable, except --all-orgs)")
        reach.add_argument("--all-orgs", action="store_true", help="every organization")
        reach.add_argument("--orgs", default="", help="comma-separated organization ids")
        reach.add_argument("--org-rule", default="", help="metadata rule, e.g. region=eu")
        parser.add_argument("--auth0-user-id", default="", help="their own Auth0 user id")
        password = parser.add_mutually_exclusive_group()
        password.add_argument("--password-env", help="read the password from this variable")
        password.add_argument("--sso-only", action="store_true", help="no password: SSO only")

    def handle(self, *args: Any, **options: Any) -> None:
        org_ids = list(dict.fromkeys(o.strip() for o in options["orgs"].split(",") if o.strip()))
        if len(org_ids) > MAX_LISTED_ORGANIZATIONS:
            raise CommandError(f"--orgs lists at most {MAX_LISTED_ORGANIZATIONS}; use --org-rule.")
        bad = [o for o in org_ids if not ORG_ID.fullmatch(o)]
        if bad:
            raise CommandError(f"Not organization ids: {', '.join(bad)}")
        if options["all_orgs"] and (org_ids or options["org_rule"]):
            raise CommandError("--all-orgs cannot be combined with --orgs or --org-rule.")
        field = StaffForm.base_fields["organization_rule"]  # what the Staff page accepts
        assert isinstance(field, forms.RegexField)
        rule = field.regex
        if options["org_rule"] and not rule.fullmatch(options["org_rule"]):
            raise CommandError("--org-rule looks like key=value, e.g. region=eu")
        if options["auth0_user_id"] and not USER_ID.fullmatch(options["auth0_user_id"]):
            raise CommandError("--auth0-user-id looks like provider|id, e.g. auth0|123")
        username = get_user_model().normalize_username(options["username"])  # as sign-in will
        exists = get_user_model().objects.filter(username=username).exists()
        password = self._password(options, keep_current=exists)
        user, created = staff_save(
            command_actor(),
            StaffChange(
                username=username,
                role=options["role"].capitalize(),
                all_organizations=options["all_orgs"],
                organization_ids=tuple(org_ids),
                organization_rule=options["org_rule"],
                email=options["email"] or KEEP,
                auth0_user_id=options["auth0_user_id"] or KEEP,
                password=password,
            ),
        )
        access = StaffAccess.objects.get(user=user)
        verb = "Created" if created else "Updated"
        self.stdout.write(
            f"{verb} {user.username}: {options['role']} for {describe_reach(access)}."
        )

    def _password(self, options: dict[str, Any], *, keep_current: bool) -> str | None:
        password = self._given_password(options, keep_current=keep_current)
        if password:
            try:
                validate_password(password)
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
        return password

    def _given_password(self, options: dict[str, Any], *, keep_current: bool) -> str | None:
        """None: no usable password (SSO only); "": keep the current one."""
        if options["sso_only"]:
            return None
        if options["password_env"]:
            value = os.environ.get(options["password_env"], "")
            if not value:
                raise CommandError(f"${options['password_env']} is empty or not set.")
            return value
        if keep_current:
            return ""
        if not options.get("interactive", True) or not os.isatty(0):
            raise CommandError("Give --password-env VARIABLE or --sso-only (no terminal).")
        first = getpass.getpass("Password: ")
        if not first or first != getpass.getpass("Password (again): "):
            raise CommandError("The passwords were empty or did not match.")
        return first


def command_actor() -> str:
    """Who the audit trail names: the command and the operating-system user running it."""
    try:
        return f"manage.py create_staff ({getpass.getuser()})"
    except (OSError, KeyError):  # no user name in this environment
        return "manage.py create_staff"

"""Demo staff accounts for ./scripts/demo (known passwords: refused unless DEBUG or --force)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...models import StaffAccess
from ...staff.access import set_role

DEMO_STAFF: list[tuple[str, str, str, dict[str, object]]] = [
    # username, password, role, reach
    ("admin", "demo-admin-password", "Admin", {"all_organizations": True}),
    ("support", "demo-support-password", "Support", {"all_organizations": True}),
    ("eu-viewer", "demo-viewer-password", "Viewer", {"organization_rule": "region=eu"}),
]


class Command(BaseCommand):
    help = "Create the demo staff accounts (admin, support, eu-viewer) with known passwords."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="even when DEBUG is off")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError("Demo accounts have public passwords: only with DEBUG (or --force).")
        users = get_user_model().objects
        for username, password, role, reach in DEMO_STAFF:
            user, _ = users.get_or_create(
                username=username, defaults={"email": f"{username}@adminportal.example.com"}
            )
            user.set_password(password)
            user.save()
            set_role(user, role)
            StaffAccess.objects.update_or_create(user=user, defaults=reach)
            self.stdout.write(f"  {username:<10} {password:<24} {role}")

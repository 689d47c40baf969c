"""Walk organizations' members lists into adminportal's index of protected-role holders
(orgs.holders). Run it on a schedule (e.g. every 15 minutes from cron or a systemd timer) so
that roles given outside adminportal are known; adminportal also does it by itself when an
organization's index is missing or old."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from ... import holders
from ...auth0_mgmt import errors, get_client
from ...models import HolderIndexState


class Command(BaseCommand):
    help = "Read organizations' members into the index of protected-role holders."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("org_ids", nargs="*", help="organization ids (default: every one)")
        parser.add_argument(
            "--older-than",
            type=int,
            default=0,
            metavar="MINUTES",
            help="only organizations whose index is older than this (or missing)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        org_ids = options["org_ids"] or [o.id for o in get_client().iter_organizations(take=100)]
        if options["older_than"]:
            since = timezone.now() - timedelta(minutes=options["older_than"])
            fresh = set(
                HolderIndexState.objects.filter(
                    org_id__in=org_ids, reconciled_at__gte=since
                ).values_list("org_id", flat=True)
            )
            org_ids = [o for o in org_ids if o not in fresh]
        failed = 0
        for org_id in org_ids:
            try:
                seen = holders.reconcile(org_id)
            except errors.Auth0Error as exc:
                failed += 1
                self.stderr.write(f"{org_id}: {exc.message}")
                continue
            self.stdout.write(f"{org_id}: {seen} members read")
        if failed:
            raise CommandError(f"{failed} of {len(org_ids)} organizations could not be read.")

"""Django's makemessages for adminportal: what is translated is the dashboard (orgs, templates,
static/js), never the tests, benchmarks, the Auth0 emulator or collected static files; each
entry names its files without line numbers, so a catalogue changes only when its words do.

    .venv/bin/python manage.py makemessages -l ja --settings=tests.settings
    .venv/bin/python manage.py makemessages -d djangojs -l ja --settings=tests.settings
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import makemessages

NOT_THE_DASHBOARD = ["tests", "bench", "emulator", "staticfiles", "test-artifacts", "scripts"]


class Command(makemessages.Command):
    def handle(self, *args: Any, **options: Any) -> str | None:
        options["ignore_patterns"] = [*options.get("ignore_patterns", []), *NOT_THE_DASHBOARD]
        options["add_location"] = options.get("add_location") or "file"
        return super().handle(*args, **options)

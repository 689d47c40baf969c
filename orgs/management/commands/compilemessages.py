"""Django's compilemessages for adminportal's own catalogues (locale/): never the virtualenv's
or the other folders makemessages leaves out.

    .venv/bin/python manage.py compilemessages --settings=tests.settings
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import compilemessages

from .makemessages import NOT_THE_DASHBOARD


class Command(compilemessages.Command):
    def handle(self, *args: Any, **options: Any) -> None:
        options["ignore_patterns"] = [*options.get("ignore_patterns", []), ".*", *NOT_THE_DASHBOARD]
        super().handle(*args, **options)

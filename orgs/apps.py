from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OrgsConfig(AppConfig):
    name = "orgs"
    verbose_name = "Auth0 Organizations"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the system checks
        from .staff.access import create_staff_groups

        post_migrate.connect(create_staff_groups, sender=self)

"""The three staff roles as groups with their permissions; a deployment may adjust them."""

from django.db import migrations

ROLES = {
    "Viewer": ["view_organizations"],
    "Support": ["view_organizations", "change_member_roles", "remove_members"],
    "Admin": [
        "view_organizations",
        "change_member_roles",
        "remove_members",
        "remove_tenant_roles",
        "assign_admin_only_roles",
        "manage_staff",
        "view_all_activity",
    ],
}


def create_groups(apps, schema_editor) -> None:
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after all migrations; the groups need them now.
    app_config = apps.get_app_config("orgs")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = group_model.objects.get_or_create(name=name)
        group.permissions.set(
            permission_model.objects.filter(content_type__app_label="orgs", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("orgs", "0002_staff_and_audit"),
    ]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]

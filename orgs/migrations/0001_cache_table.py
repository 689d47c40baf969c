"""Creates the table(s) of any database cache in CACHES (the default shares the Management API
token between worker processes). A no-op for other cache backends."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor) -> None:
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies: list = []
    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]

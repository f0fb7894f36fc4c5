"""Reference data of the customer domain (see ``kams.customers.reference_data``) and the
customer permissions of the built-in roles."""

from django.db import migrations

from kams.customers.reference_data import ensure_reference_data
from kams.org.builtin_roles import refresh_roles_migration


def load(apps, schema_editor):
    ensure_reference_data(
        apps.get_model("customers", "Industry"), apps.get_model("customers", "LevelCategory"), apps.get_model("customers", "Level")
    )
    refresh_roles_migration(apps, schema_editor)


def unload(apps, schema_editor):
    apps.get_model("customers", "Level").objects.all().delete()
    apps.get_model("customers", "LevelCategory").objects.all().delete()
    apps.get_model("customers", "Industry").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("customers", "0001_initial"), ("org", "0003_roles_backup_permission")]
    operations = [migrations.RunPython(load, unload)]

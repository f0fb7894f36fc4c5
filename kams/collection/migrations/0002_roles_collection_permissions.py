from django.db import migrations

from kams.org.builtin_roles import refresh_roles_migration


class Migration(migrations.Migration):
    dependencies = [("collection", "0001_initial"), ("customers", "0009_roles_level_config_permissions")]
    operations = [migrations.RunPython(refresh_roles_migration, migrations.RunPython.noop)]

"""The roles get the resource inventory permissions (kams.org.builtin_roles)."""

from django.db import migrations

from kams.org.builtin_roles import refresh_roles_migration


class Migration(migrations.Migration):
    dependencies = [("resources", "0001_initial"), ("org", "0003_roles_backup_permission")]
    operations = [migrations.RunPython(refresh_roles_migration, migrations.RunPython.noop)]

from django.db import migrations

from kams.org.builtin_roles import refresh_roles_migration


class Migration(migrations.Migration):
    dependencies = [("org", "0002_builtin_roles"), ("system", "0002_backup_permission")]
    operations = [migrations.RunPython(refresh_roles_migration, migrations.RunPython.noop)]

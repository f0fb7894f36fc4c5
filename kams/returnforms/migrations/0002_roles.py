"""The roles get the return-form permissions (channel managers work, directors read)."""

from django.db import migrations

from kams.org.builtin_roles import refresh_roles_migration


class Migration(migrations.Migration):
    dependencies = [("returnforms", "0001_initial")]
    operations = [migrations.RunPython(refresh_roles_migration, migrations.RunPython.noop)]

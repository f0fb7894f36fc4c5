"""The roles get the mobile terminal permissions (channel managers work, directors read)."""

from django.db import migrations

from kams.org.builtin_roles import refresh_roles_migration


class Migration(migrations.Migration):
    dependencies = [("terminals", "0001_initial")]
    operations = [migrations.RunPython(refresh_roles_migration, migrations.RunPython.noop)]

"""The roles get the permission to read headquarters' requests (club staff, province directors,
system administrators)."""

from django.db import migrations

from kams.org.builtin_roles import refresh_roles_migration


class Migration(migrations.Migration):
    dependencies = [("clubapi", "0001_initial")]
    operations = [migrations.RunPython(refresh_roles_migration, migrations.RunPython.noop)]

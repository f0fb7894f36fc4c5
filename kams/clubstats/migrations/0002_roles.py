"""The roles get the club statistics and points cost permissions (CLUBSTATS_* in
kams.org.builtin_roles)."""

from django.db import migrations

from kams.org.builtin_roles import refresh_roles_migration


class Migration(migrations.Migration):
    dependencies = [("clubstats", "0001_initial"), ("org", "0001_initial"), ("club", "0001_initial")]
    operations = [migrations.RunPython(refresh_roles_migration, migrations.RunPython.noop)]

"""The roles get the partner permissions (club staff, province directors, finance, leaders)."""

from django.db import migrations

from kams.org.builtin_roles import refresh_roles_migration


class Migration(migrations.Migration):
    dependencies = [("partners", "0001_initial")]
    operations = [migrations.RunPython(refresh_roles_migration, migrations.RunPython.noop)]

"""The registry's variables, enabled everywhere; the roles get the settlement permissions."""

from django.db import migrations

from kams.org.builtin_roles import refresh_roles_migration


def variables(apps, schema_editor):
    from kams.settlement.variables import ensure_variables

    ensure_variables(apps.get_model("settlement", "SettlementVariable"))


class Migration(migrations.Migration):
    dependencies = [("settlement", "0001_initial")]
    operations = [
        migrations.RunPython(variables, migrations.RunPython.noop),
        migrations.RunPython(refresh_roles_migration, migrations.RunPython.noop),
    ]

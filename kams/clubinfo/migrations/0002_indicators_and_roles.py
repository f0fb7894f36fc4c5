"""The default evaluation indicators; the roles get the club service-information permissions."""

from django.db import migrations

from kams.org.builtin_roles import refresh_roles_migration


def indicators(apps, schema_editor):
    from kams.clubinfo.reference_data import ensure_reference_data

    ensure_reference_data(apps.get_model("clubinfo", "EvaluationIndicator"))


class Migration(migrations.Migration):
    dependencies = [("clubinfo", "0001_initial")]
    operations = [
        migrations.RunPython(indicators, migrations.RunPython.noop),
        migrations.RunPython(refresh_roles_migration, migrations.RunPython.noop),
    ]

"""Default service classes and quality indicators; the support permissions granted to the
built-in roles."""

from django.db import migrations

from kams.org.builtin_roles import refresh_roles_migration
from kams.support.reference_data import ensure_reference_data


def reference_data(apps, schema_editor):
    ensure_reference_data(apps.get_model("support", "ServiceClass"), apps.get_model("support", "QualityIndicator"))


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0001_initial"),
    ]
    operations = [
        migrations.RunPython(reference_data, migrations.RunPython.noop),
        migrations.RunPython(refresh_roles_migration, migrations.RunPython.noop),
    ]

from django.db import migrations

from kams.org.builtin_roles import refresh_roles_migration


class Migration(migrations.Migration):
    dependencies = [("credit", "0002_reference_data_and_append_only_log")]
    operations = [migrations.RunPython(refresh_roles_migration, migrations.RunPython.noop)]

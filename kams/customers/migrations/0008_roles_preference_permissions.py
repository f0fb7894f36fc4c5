from django.db import migrations

from kams.org.builtin_roles import refresh_roles_migration


class Migration(migrations.Migration):
    dependencies = [("customers", "0007_preferences_and_care")]
    operations = [migrations.RunPython(refresh_roles_migration, migrations.RunPython.noop)]

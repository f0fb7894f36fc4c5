from django.db import migrations

from kams.org.builtin_roles import refresh_roles_migration


class Migration(migrations.Migration):
    dependencies = [("customers", "0008_roles_preference_permissions")]
    operations = [migrations.RunPython(refresh_roles_migration, migrations.RunPython.noop)]

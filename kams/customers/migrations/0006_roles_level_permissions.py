from django.db import migrations

from kams.org.builtin_roles import refresh_roles_migration


class Migration(migrations.Migration):
    dependencies = [("customers", "0005_level_evaluation"), ("billing", "0002_roles_billing_permissions")]
    operations = [migrations.RunPython(refresh_roles_migration, migrations.RunPython.noop)]

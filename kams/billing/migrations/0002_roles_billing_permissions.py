from django.db import migrations

from kams.org.builtin_roles import refresh_roles_migration


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial"), ("customers", "0004_roles_contract_permissions")]
    operations = [migrations.RunPython(refresh_roles_migration, migrations.RunPython.noop)]

from django.db import migrations

from kams.org.builtin_roles import refresh_roles_migration


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0001_initial"),
        ("customers", "0009_roles_level_config_permissions"),
        ("credit", "0003_roles_credit_permissions"),
        ("collection", "0002_roles_collection_permissions"),
    ]
    operations = [migrations.RunPython(refresh_roles_migration, migrations.RunPython.noop)]

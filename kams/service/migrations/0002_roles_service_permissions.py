from django.db import migrations

from kams.org.builtin_roles import refresh_roles_migration


class Migration(migrations.Migration):
    dependencies = [
        ("service", "0001_initial"),
        ("notify", "0002_roles_notify_permissions"),
    ]
    operations = [migrations.RunPython(refresh_roles_migration, migrations.RunPython.noop)]

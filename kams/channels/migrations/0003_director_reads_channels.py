"""Department directors read the agents of their unit (the role table gained CHANNEL_READ)."""

from django.db import migrations

from kams.org.builtin_roles import refresh_roles_migration


class Migration(migrations.Migration):
    dependencies = [("channels", "0002_ledger_append_only_and_roles")]
    operations = [migrations.RunPython(refresh_roles_migration, migrations.RunPython.noop)]

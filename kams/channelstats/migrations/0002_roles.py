"""The roles get the channel evaluation and statistics permissions."""

from django.db import migrations

from kams.org.builtin_roles import refresh_roles_migration


class Migration(migrations.Migration):
    dependencies = [("channelstats", "0001_initial")]
    operations = [migrations.RunPython(refresh_roles_migration, migrations.RunPython.noop)]

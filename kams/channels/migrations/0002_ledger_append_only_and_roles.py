"""The agent account ledger made append-only in the database itself (UPDATE refused by a
trigger, and on PostgreSQL DELETE too); the roles get the channel permissions."""

from django.db import migrations

from kams.org.builtin_roles import refresh_roles_migration

SQLITE_UP = """
CREATE TRIGGER channels_ledgerentry_no_update BEFORE UPDATE ON channels_ledgerentry
BEGIN SELECT RAISE(ABORT, 'agent account ledger is append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS channels_ledgerentry_no_update;"
PG_UP = """
CREATE OR REPLACE FUNCTION channels_ledgerentry_refuse() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'agent account ledger is append-only'; END; $$ LANGUAGE plpgsql;
CREATE TRIGGER channels_ledgerentry_no_update BEFORE UPDATE OR DELETE ON channels_ledgerentry
FOR EACH ROW EXECUTE FUNCTION channels_ledgerentry_refuse();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS channels_ledgerentry_no_update ON channels_ledgerentry;
DROP FUNCTION IF EXISTS channels_ledgerentry_refuse();
"""


def trigger_up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor in ("sqlite", "postgresql"):
        schema_editor.execute(SQLITE_UP if vendor == "sqlite" else PG_UP)


def trigger_down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor in ("sqlite", "postgresql"):
        schema_editor.execute(SQLITE_DOWN if vendor == "sqlite" else PG_DOWN)


class Migration(migrations.Migration):
    dependencies = [("channels", "0001_initial")]
    operations = [
        migrations.RunPython(trigger_up, trigger_down),
        migrations.RunPython(refresh_roles_migration, migrations.RunPython.noop),
    ]

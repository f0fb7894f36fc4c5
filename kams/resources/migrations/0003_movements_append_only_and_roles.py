"""The movement ledger made append-only in the database itself (UPDATE refused by a trigger,
and on PostgreSQL DELETE too); the roles get the resource permissions."""

from django.db import migrations

from kams.org.builtin_roles import refresh_roles_migration

SQLITE_UP = """
CREATE TRIGGER resources_movement_no_update BEFORE UPDATE ON resources_movement
BEGIN SELECT RAISE(ABORT, 'resource movement ledger is append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS resources_movement_no_update;"
PG_UP = """
CREATE OR REPLACE FUNCTION resources_movement_refuse() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'resource movement ledger is append-only'; END; $$ LANGUAGE plpgsql;
CREATE TRIGGER resources_movement_no_update BEFORE UPDATE OR DELETE ON resources_movement
FOR EACH ROW EXECUTE FUNCTION resources_movement_refuse();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS resources_movement_no_update ON resources_movement;
DROP FUNCTION IF EXISTS resources_movement_refuse();
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
    dependencies = [("resources", "0002_stock_and_pickups")]
    operations = [
        migrations.RunPython(trigger_up, trigger_down),
        migrations.RunPython(refresh_roles_migration, migrations.RunPython.noop),
    ]

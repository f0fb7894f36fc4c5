"""The gift stock ledger made append-only in the database itself (an UPDATE is refused by a
trigger, as for the audit and credit logs); the roles get the care permissions."""

from django.db import migrations

from kams.org.builtin_roles import refresh_roles_migration

SQLITE_UP = """
CREATE TRIGGER care_giftmove_no_update BEFORE UPDATE ON care_giftmove
BEGIN SELECT RAISE(ABORT, 'gift stock ledger is append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS care_giftmove_no_update;"
PG_UP = """
CREATE OR REPLACE FUNCTION care_giftmove_refuse_update() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'gift stock ledger is append-only'; END; $$ LANGUAGE plpgsql;
CREATE TRIGGER care_giftmove_no_update BEFORE UPDATE ON care_giftmove
FOR EACH ROW EXECUTE FUNCTION care_giftmove_refuse_update();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS care_giftmove_no_update ON care_giftmove;
DROP FUNCTION IF EXISTS care_giftmove_refuse_update();
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
    dependencies = [("care", "0001_initial")]
    operations = [
        migrations.RunPython(trigger_up, trigger_down),
        migrations.RunPython(refresh_roles_migration, migrations.RunPython.noop),
    ]

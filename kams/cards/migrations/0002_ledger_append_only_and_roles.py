"""The card stock ledger made append-only in the database itself (an UPDATE is refused by a
trigger, as for the gift and points ledgers); the roles get the card permissions."""

from django.db import migrations

from kams.org.builtin_roles import refresh_roles_migration

SQLITE_UP = """
CREATE TRIGGER cards_blankmove_no_update BEFORE UPDATE ON cards_blankmove
BEGIN SELECT RAISE(ABORT, 'card stock ledger is append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS cards_blankmove_no_update;"
PG_UP = """
CREATE OR REPLACE FUNCTION cards_blankmove_refuse_update() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'card stock ledger is append-only'; END; $$ LANGUAGE plpgsql;
CREATE TRIGGER cards_blankmove_no_update BEFORE UPDATE ON cards_blankmove
FOR EACH ROW EXECUTE FUNCTION cards_blankmove_refuse_update();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS cards_blankmove_no_update ON cards_blankmove;
DROP FUNCTION IF EXISTS cards_blankmove_refuse_update();
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
    dependencies = [("cards", "0001_initial")]
    operations = [
        migrations.RunPython(trigger_up, trigger_down),
        migrations.RunPython(refresh_roles_migration, migrations.RunPython.noop),
    ]

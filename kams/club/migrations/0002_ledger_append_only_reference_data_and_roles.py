"""The points ledger made append-only in the database itself: UPDATE refused by a trigger, and
on PostgreSQL DELETE too (SQLite's test flush deletes row by row; PostgreSQL's truncates); the levels, default rules and expiry rule of headquarters;
the roles get the club permissions."""

from django.db import migrations

from kams.org.builtin_roles import refresh_roles_migration

SQLITE_UP = """
CREATE TRIGGER club_pointsentry_no_update BEFORE UPDATE ON club_pointsentry
BEGIN SELECT RAISE(ABORT, 'points ledger is append-only'); END;
"""
SQLITE_DOWN = """
DROP TRIGGER IF EXISTS club_pointsentry_no_update;
"""
PG_UP = """
CREATE OR REPLACE FUNCTION club_pointsentry_refuse() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'points ledger is append-only'; END; $$ LANGUAGE plpgsql;
CREATE TRIGGER club_pointsentry_no_update BEFORE UPDATE OR DELETE ON club_pointsentry
FOR EACH ROW EXECUTE FUNCTION club_pointsentry_refuse();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS club_pointsentry_no_update ON club_pointsentry;
DROP FUNCTION IF EXISTS club_pointsentry_refuse();
"""


def trigger_up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor in ("sqlite", "postgresql"):
        schema_editor.execute(SQLITE_UP if vendor == "sqlite" else PG_UP)


def trigger_down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor in ("sqlite", "postgresql"):
        schema_editor.execute(SQLITE_DOWN if vendor == "sqlite" else PG_DOWN)


def reference_data(apps, schema_editor):
    from kams.club.reference_data import ensure_reference_data

    ensure_reference_data(apps.get_model("club", "ClubLevel"), apps.get_model("club", "PointsRule"),
                          apps.get_model("club", "ExpiryRule"))


class Migration(migrations.Migration):
    dependencies = [("club", "0001_initial")]
    operations = [
        migrations.RunPython(trigger_up, trigger_down),
        migrations.RunPython(reference_data, migrations.RunPython.noop),
        migrations.RunPython(refresh_roles_migration, migrations.RunPython.noop),
    ]

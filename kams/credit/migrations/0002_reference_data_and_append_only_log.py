"""Default credit standards and initial grade rules; the credit log made append-only in the
database itself (an UPDATE is refused by a trigger, as for the audit log)."""

from django.db import migrations

from kams.credit.reference_data import ensure_reference_data

SQLITE_UP = """
CREATE TRIGGER credit_creditchange_no_update BEFORE UPDATE ON credit_creditchange
BEGIN SELECT RAISE(ABORT, 'credit log is append-only'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS credit_creditchange_no_update;"
PG_UP = """
CREATE OR REPLACE FUNCTION credit_creditchange_refuse_update() RETURNS trigger AS $$
BEGIN RAISE EXCEPTION 'credit log is append-only'; END; $$ LANGUAGE plpgsql;
CREATE TRIGGER credit_creditchange_no_update BEFORE UPDATE ON credit_creditchange
FOR EACH ROW EXECUTE FUNCTION credit_creditchange_refuse_update();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS credit_creditchange_no_update ON credit_creditchange;
DROP FUNCTION IF EXISTS credit_creditchange_refuse_update();
"""


def reference_data(apps, schema_editor):
    ensure_reference_data(apps.get_model("credit", "CreditStandard"), apps.get_model("credit", "InitialGradeRule"))


def trigger_up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor in ("sqlite", "postgresql"):
        schema_editor.execute(SQLITE_UP if vendor == "sqlite" else PG_UP)


def trigger_down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor in ("sqlite", "postgresql"):
        schema_editor.execute(SQLITE_DOWN if vendor == "sqlite" else PG_DOWN)


class Migration(migrations.Migration):
    dependencies = [("credit", "0001_initial")]
    operations = [
        migrations.RunPython(reference_data, migrations.RunPython.noop),
        migrations.RunPython(trigger_up, trigger_down),
    ]

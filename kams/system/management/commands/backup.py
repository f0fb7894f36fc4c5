"""``kams backup FILE``: a consistent backup of the database while the server runs (ORG-08)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from kams.system.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the whole database to FILE (a zip of JSON lines, "
        "portable between SQLite and PostgreSQL). Safe while the server runs."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup file to write, e.g. kams-2025-01-31.zip")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="database alias to back up")

    def handle(self, *args, file: str, database: str, **options) -> None:
        try:
            manifest = create_backup(file, using=database, echo=options["verbosity"] > 0)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        tables = manifest["tables"].values()
        self.stdout.write(
            f"Backed up {sum(t['rows'] for t in tables)} rows in {len(tables)} tables to {file}."
        )

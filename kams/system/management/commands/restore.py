"""``kams restore FILE``: restore a backup into an empty, migrated database (ORG-08)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from kams.system.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by 'kams backup' into a migrated database holding no data "
        "yet (run 'kams migrate' first, with the KAMS version that made the backup). Stop "
        "the server while restoring into the database it uses."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the backup file to restore")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="database alias to restore into")
        parser.add_argument(
            "--force", action="store_true", help="replace the data already in the target database"
        )

    def handle(self, *args, file: str, database: str, force: bool, **options) -> None:
        try:
            manifest = restore_backup(file, using=database, force=force, echo=options["verbosity"] > 0)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        tables = manifest["tables"].values()
        self.stdout.write(
            f"Restored {sum(t['rows'] for t in tables)} rows in {len(tables)} tables "
            f"(backup of {manifest['created_at']}, from {manifest['vendor']})."
        )

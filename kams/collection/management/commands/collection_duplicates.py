"""``kams collection_duplicates``: possible duplicate customers (CUS-04)."""

from django.core.management.base import BaseCommand

from kams.collection.services import duplicates_find
from kams.system.jobs import job_run


class Command(BaseCommand):
    help = "Find possible duplicate customers (same certificate or phone, similar names)."

    def handle(self, *args, **options):
        with job_run("collection.duplicates_find", label="Duplicate detection", echo=True) as job:
            result = duplicates_find(progress=job)
            job.run.result = result
        self.stdout.write(
            f"{result['customers']} customers compared: {result['pairs']} possible duplicates, "
            f"{result['new']} new, {result['rescored']} rescored"
        )

"""``kams collection_candidates``: key-account candidates from the admission rules (CUS-03)."""

from django.core.management.base import BaseCommand

from kams.collection.services import candidates_generate
from kams.system.jobs import job_run


class Command(BaseCommand):
    help = "Propose potential customers whose latest bills meet an active admission rule."

    def handle(self, *args, **options):
        with job_run("collection.candidates_generate", label="Key-account candidates", echo=True) as job:
            result = candidates_generate(progress=job)
            job.run.result = result
        self.stdout.write(f"{result['rules']} rules judged: {result['candidates']} new candidates")

"""``kams levels_evaluate``: the monthly customer level evaluation (CUS-07), for schedulers."""

from django.core.management.base import BaseCommand

from kams.customers.levels import levels_evaluate
from kams.system.jobs import job_run


class Command(BaseCommand):
    help = "Evaluate every current customer's level from the latest billed months."

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=None, help="months averaged (default: the system parameter)")

    def handle(self, *args, months, **options):
        with job_run("customers.levels_evaluate", label="Customer level evaluation", echo=True) as job:
            evaluation = levels_evaluate(months=months, progress=job)
            job.run.result = {"evaluation": evaluation.pk, "upgrades": evaluation.upgrades, "downgrades": evaluation.downgrades}
        self.stdout.write(
            f"evaluated {evaluation.evaluated} customers up to {evaluation.period:%Y-%m}: "
            f"{evaluation.upgrades} upgrades, {evaluation.downgrades} downgrades"
            + (" (awaiting approval)" if evaluation.needs_approval else "")
        )

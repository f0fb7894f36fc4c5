"""``kams credit_regrade``: the automatic credit re-grading (CUS-08), for schedulers. Safe to
run twice: the second run changes nothing."""

from django.core.management.base import BaseCommand

from kams.credit.regrade import credit_regrade_run
from kams.system.jobs import job_run


class Command(BaseCommand):
    help = "Give ungraded accounts their initial credit grade, then re-grade every billed account from its payment history."

    def handle(self, *args, **options):
        with job_run("credit.regrade", label="Credit re-grading", echo=True) as job:
            run = credit_regrade_run(progress=job, job=job.run)
            job.run.result = {
                "run": run.pk, "initial": run.initial, "evaluated": run.evaluated, "to_red": run.to_red,
                "to_grey": run.to_grey, "to_black": run.to_black, "kept_manual": run.kept_manual,
            }
        period = f"{run.period:%Y-%m}" if run.period else "-"
        self.stdout.write(
            f"initial grades: {run.initial}; judged {run.evaluated} accounts up to {period}: "
            f"{run.to_red} to red, {run.to_grey} to grey, {run.to_black} to black, {run.kept_manual} manual grades kept"
        )

"""``kams club_levels --period YYYY-MM``: the club's monthly upgrade/downgrade (CLUB-02)."""

from django.core.management.base import BaseCommand, CommandError

from kams.core.errors import KamsError


class Command(BaseCommand):
    help = "Judge every active club member on the bills up to a month and move those whose level changes."

    def add_arguments(self, parser):
        parser.add_argument("--period", default="", help="the billed month, YYYY-MM (default: the latest that has ended)")

    def handle(self, *args, period, **options):
        from kams.club import levels
        from kams.club.tasks_members import club_levels_run
        from kams.system.jobs import job_run

        try:
            with job_run("club.levels_evaluate", label="Club level evaluation", echo=True) as job:
                if period:
                    run = levels.levels_evaluate(actor=None, period=period, progress=job)
                    result = {"period": f"{run.period:%Y-%m}", "evaluated": run.evaluated, "upgrades": run.upgrades,
                              "downgrades": run.downgrades}
                else:
                    result = club_levels_run(progress=job)
                job.run.result = result
        except KamsError as exc:
            raise CommandError(exc.text) from None
        self.stdout.write(
            f"judged {result['evaluated']} members on {result['period'] or '—'}: "
            f"{result['upgrades']} upgrades, {result['downgrades']} downgrades"
        )

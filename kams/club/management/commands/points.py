"""``kams points run --period YYYY-MM`` and friends (CLUB-11, CLUB-12, CLUB-16)."""

from django.core.management.base import BaseCommand, CommandError

from kams.core.errors import KamsError


class Command(BaseCommand):
    help = "Points: the monthly run, the daily expiry and warnings, automatic redemption, the ledger check."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["run", "expire", "warn", "auto-redeem", "statements", "check"])
        parser.add_argument("--period", help="The month, YYYY-MM (run, auto-redeem); default: last month.")

    def handle(self, *args, action, period=None, **options):
        from kams.club.jobs import expire_today, expiry_warnings, last_month
        from kams.club.redemption import auto_redeem
        from kams.club.run import parse_period, points_run, run_report
        from kams.club.selectors import ledger_check
        from kams.system.jobs import job_run

        try:
            month = parse_period(period) if period else last_month()
            if action == "run":
                with job_run("club.points_run", label=f"Points run {month:%Y-%m}", echo=True,
                             params={"period": f"{month:%Y-%m}"}) as job:
                    run = points_run(period=month, progress=job, job=job.run)
                    job.run.result = {"members": run.members, "totals": run.totals}
                report = run_report(run)
                self.stdout.write(f"{month:%Y-%m}: {report['members']} members credited")
                for row in report["by_category"]:
                    self.stdout.write(f"  {row['category']:<16} {row['points']:>14,}")
            elif action == "expire":
                self.stdout.write(f"expired lots: {expire_today()}")
            elif action == "warn":
                self.stdout.write(f"warnings queued: {expiry_warnings()}")
            elif action == "statements":
                from kams.club.jobs import monthly_statements

                self.stdout.write(f"statements queued for {month:%Y-%m}: {monthly_statements(period=month)}")
            elif action == "auto-redeem":
                self.stdout.write(f"automatic redemptions for {month:%Y-%m}: {auto_redeem(period=month)}")
            else:
                wrong = ledger_check()
                for row in wrong[:50]:
                    self.stdout.write(str(row))
                if wrong:
                    raise CommandError(f"{len(wrong)} accounts do not reconcile")
                self.stdout.write("every account reconciles: balance = Σ entries = Σ remaining of lots")
        except KamsError as exc:
            raise CommandError(exc.text) from exc

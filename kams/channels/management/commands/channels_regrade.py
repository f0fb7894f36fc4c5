"""``kams channels_regrade --period YYYY-MM``: the periodic re-grading of channel levels (CH-04)."""

from django.core.management.base import BaseCommand, CommandError

from kams.core.errors import KamsError


class Command(BaseCommand):
    help = "Re-grade every registered agent on the months up to a month and apply the level changes."

    def add_arguments(self, parser):
        parser.add_argument("--period", default="", help="the last month judged, YYYY-MM (default: last month)")
        parser.add_argument("--dry-run", action="store_true", help="show the proposals, change nothing")

    def handle(self, *args, period, dry_run, **options):
        from kams.channels import levels

        try:
            result = levels.regrade(period=period or levels.last_month(), apply=not dry_run)
        except KamsError as exc:
            raise CommandError(exc.text) from None
        for p in result.changes:
            self.stdout.write(f"{p.agent.code} {p.from_level} -> {p.to_level} "
                              f"({p.subscribers} subscribers, {p.revenue} yuan, credit {p.credit_score})")
        self.stdout.write(
            f"{'proposed' if dry_run else 'applied'} for {result.period:%Y-%m}: judged {result.evaluated} agents, "
            f"{result.upgrades} up, {result.downgrades} down"
        )

"""``kams settle --period YYYY-MM [--agent CODE | --unit CODE] [--kind unified|single|special|realtime]``
(CH-15): settle a marketing department (default: every first-level unit given) or one agent."""

from django.core.management.base import BaseCommand, CommandError

from kams.core.errors import KamsError


class Command(BaseCommand):
    help = "Channel settlement: settle one agent or a marketing department for a billing period."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="The billing month, YYYY-MM.")
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--agent", help="An agent code: a single-agent settlement.")
        target.add_argument("--unit", help="A marketing department code: all its agents (unified settlement).")
        parser.add_argument("--kind", choices=["unified", "single", "special", "realtime"])

    def handle(self, *args, period, agent=None, unit=None, kind=None, **options):
        from kams.channels.models import Agent
        from kams.org.models import OrgUnit
        from kams.settlement.run import parse_period, settle_with_progress

        try:
            month = parse_period(period)
            target_agent = target_unit = None
            if agent:
                target_agent = Agent.objects.filter(code=agent).first()
                if target_agent is None:
                    raise CommandError(f"no agent {agent}")
            else:
                target_unit = OrgUnit.objects.filter(code=unit).first()
                if target_unit is None:
                    raise CommandError(f"no unit {unit}")
            kind = kind or ("single" if agent else "unified")
            run = settle_with_progress(label=f"Settlement {month:%Y-%m}", echo=True,
                                       params={"period": f"{month:%Y-%m}", "agent": agent, "unit": unit, "kind": kind},
                                       period=month, kind=kind, agent=target_agent, unit=target_unit)
            self.stdout.write(f"run #{run.number} {month:%Y-%m}: {run.bills.count()} agent bills, total {run.total}")
            for row in run.without_scheme:
                self.stdout.write(f"  without scheme, not settled: {row['code']} {row['name']}")
        except KamsError as exc:
            raise CommandError(exc.text) from exc

"""``kams channels_evaluate --period YYYY-MM --model CODE [--model-version N] [--unit CODE]``: evaluate
the agents for a month with an evaluation model (渠道评估, CH-10). Running it again for the
same month, model version and unit replaces that run's results."""

from django.core.management.base import BaseCommand, CommandError

from kams.core.errors import KamsError


class Command(BaseCommand):
    help = "Evaluate every agent for a month with an evaluation model and rank them."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="the month, YYYY-MM")
        parser.add_argument("--model", required=True, help="the evaluation model code (its active version)")
        parser.add_argument("--model-version", dest="model_version", type=int, default=None, help="a given version of the model")
        parser.add_argument("--unit", default="", help="the org unit code of the subtree (default: the province)")

    def handle(self, *args, period, model, model_version, unit, **options):
        from kams.channelstats import services
        from kams.org.models import OrgUnit

        try:
            evaluation_model = services.model_current(model, model_version)
            org_unit = None
            if unit:
                org_unit = OrgUnit.objects.filter(code=unit).first()
                if org_unit is None:
                    raise CommandError(f"no org unit {unit}")
            run = services.evaluation_run(actor=None, model=evaluation_model, period=period, org_unit=org_unit)
        except KamsError as exc:
            raise CommandError(exc.text) from None
        self.stdout.write(f"evaluated {run.agent_count} agents for {run.period:%Y-%m} with {evaluation_model.code} "
                          f"v{evaluation_model.version} in {run.org_unit.code} (run {run.pk}, times run {run.times_run})")

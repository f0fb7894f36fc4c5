from django.core.management.base import BaseCommand

from kams.service.sla import sla_sweep


class Command(BaseCommand):
    help = "Deadline warnings and escalations of open steps (SVC-13); the scheduler runs it every 5 minutes."

    def handle(self, *args, **options):
        counts = sla_sweep()
        self.stdout.write(f"warned {counts['warned']}, escalated {counts['escalated']}")

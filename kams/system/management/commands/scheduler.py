"""``kams scheduler``: the one process that enqueues periodic jobs (run beside the workers)."""

import time

from django.core.management.base import BaseCommand

from kams.system.schedule import periodic_jobs, schedule_tick


class Command(BaseCommand):
    help = "Enqueue due periodic jobs for `kams worker` (safe with several schedulers)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one tick, then exit (for cron)")
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between ticks")

    def handle(self, *args, once, interval, **options):
        self.stdout.write("periodic jobs: " + ", ".join(j.name for j in periodic_jobs()))
        while True:
            for name in schedule_tick():
                self.stdout.write(f"enqueued {name}")
            if once:
                return
            time.sleep(interval)

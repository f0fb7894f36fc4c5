"""``kams worker``: runs background jobs (ARCHITECTURE §3) from the database queue."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background job worker (django-tasks database backend)."

    def add_arguments(self, parser):
        parser.add_argument("--queue-name", default="*", help="queue to take jobs from ('*' for all)")
        parser.add_argument("--batch", action="store_true", help="process the waiting jobs, then exit")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")

    def handle(self, *args, queue_name, batch, interval, **options):
        argv = ["--queue-name", queue_name, "--interval", str(interval)]
        if batch:
            argv.append("--batch")
        call_command("db_worker", *argv)

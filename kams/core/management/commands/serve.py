"""``kams serve``: the production web server (waitress, pure Python, threads).

Static files are collected and served by WhiteNoise from the same process, so a closed
network needs nothing else; put a reverse proxy with TLS in front in production.
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve KAMS over HTTP with waitress."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument("--no-migrate", action="store_true", help="do not apply pending migrations first")

    def handle(self, *args, host, port, threads, no_migrate, **options):
        from waitress import serve

        if not no_migrate:
            call_command("migrate", interactive=False, verbosity=0)
        if not settings.DEBUG:
            call_command("collectstatic", interactive=False, verbosity=0)
        from kams.wsgi import application

        self.stdout.write(f"KAMS listening on http://{host}:{port}/")
        serve(application, host=host, port=port, threads=threads, ident="KAMS")

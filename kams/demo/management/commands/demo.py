"""``kams demo``: migrate, load the demo province into an empty database, serve it."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from kams.demo.generator import DEMO_LOGINS, DEMO_PASSWORD, SIZES, demo_is_loaded, load_demo


class Command(BaseCommand):
    help = "Set up the database, load the demo province if it is empty, and start the web server."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--size", choices=list(SIZES), default="small")
        parser.add_argument("--no-serve", action="store_true", help="load the data, do not start the server")

    def handle(self, *args, host, port, size, no_serve, **options):
        call_command("migrate", interactive=False, verbosity=0)
        if demo_is_loaded():
            self.stdout.write("The database already holds data: the demo is not loaded again.")
        else:
            self.stdout.write(f"Loading the demo province (size {size}) …")
            try:
                counts = load_demo(size=size, echo=True)
            except (ValueError, RuntimeError) as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(", ".join(f"{name}: {n}" for name, n in counts.items()))
        db = settings.DATABASES["default"]
        self.stdout.write(self.style.SUCCESS(f"\nKAMS demo: http://{host}:{port}/  (database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']})"))
        self.stdout.write(f"Demo logins, all with password {DEMO_PASSWORD!r} (demo only):")
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.username:<13} {login.name}  — {login.description}")
        from kams.demo.club import DEMO_CHANNEL_CODE, DEMO_CHANNEL_TOKEN

        self.stdout.write(f"Member portal: http://{host}:{port}/m/  (card 8600000001, password {DEMO_PASSWORD!r})")
        self.stdout.write(f"Channel API token of {DEMO_CHANNEL_CODE} (demo only): {DEMO_CHANNEL_TOKEN}")
        self.stdout.write(f"  curl -H 'Authorization: Bearer {DEMO_CHANNEL_TOKEN}' http://{host}:{port}/api/v1/club/cards/8600000001/")
        if not no_serve:
            call_command("serve", host=host, port=port, no_migrate=True)

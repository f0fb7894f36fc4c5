from django.core.management.base import BaseCommand

from kams.service.services import definitions_sync_package


class Command(BaseCommand):
    help = "Install the process files shipped with KAMS (a new version of each one that changed). Runs after migrate."

    def handle(self, *args, **options):
        created = definitions_sync_package()
        for definition in created:
            self.stdout.write(f"installed {definition.key} v{definition.version}")
        self.stdout.write(f"{len(created)} process versions installed")

"""``kams contracts_expiry_warn``: daily, warn account managers of contracts ending soon."""

from django.core.management.base import BaseCommand

from kams.customers.services import contracts_expiry_warn


class Command(BaseCommand):
    help = "Queue e-mail and SMS warnings for contracts ending within the warning window (warns once each)."

    def handle(self, *args, **options):
        self.stdout.write(f"{contracts_expiry_warn()} warnings queued")

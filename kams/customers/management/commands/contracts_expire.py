"""``kams contracts_expire``: daily, contracts in force past their period become expired."""

from django.core.management.base import BaseCommand

from kams.customers.services import contracts_expire


class Command(BaseCommand):
    help = "Mark contracts whose period has ended as expired (safe to run twice)."

    def handle(self, *args, **options):
        self.stdout.write(f"{contracts_expire()} contracts expired")

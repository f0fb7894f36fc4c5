"""Member portal logins for the demo (CLUB-06): the first 20 members in member-number order
get the portal password ``kams-demo`` (one hash, made once and shared), so that a visitor
can log in at ``/m/`` with one of their card numbers. The password satisfies the portal's
own rules (at least 8 characters, not only digits).

Members (``ClubMember``) must exist before this step; cards that cannot be used (applied,
lost, cancelled) still cannot log in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.hashers import make_password

from kams.club.models import ClubMember
from kams.portal.services import check_password_rules

if TYPE_CHECKING:
    from kams.demo.generator import DemoContext

DEMO_PORTAL_PASSWORD = "kams-demo"
MEMBERS = 20


def build(ctx: DemoContext) -> int:
    check_password_rules(DEMO_PORTAL_PASSWORD)
    ids = list(ClubMember.objects.order_by("member_no").values_list("pk", flat=True)[:MEMBERS])
    if not ids:
        return 0
    return ClubMember.objects.filter(pk__in=ids).update(portal_password=make_password(DEMO_PORTAL_PASSWORD))

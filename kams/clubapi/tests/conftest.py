"""Fixtures of the club interfaces' tests: the HQ shared secret, certificate numbers on the
test members and a catalogue item."""

from decimal import Decimal

import pytest

SECRET = "hq-test-secret-5f1c"
CERTIFICATES = {"diamond": "32010219800101123X", "emerald": "320500198502024567", "sapphire": "321100199003037890"}


@pytest.fixture
def hq_link(settings, club):
    """The club fixture with certificate numbers on file and the shared secret configured."""
    from kams.club.models import ClubMember

    settings.KAMS_HQ_SHARED_SECRET = SECRET
    for key, number in CERTIFICATES.items():
        ClubMember.objects.filter(pk=club.members[key].pk).update(certificate_no=number)
        club.members[key].refresh_from_db()
    return club


@pytest.fixture
def fee10(club):
    """10 yuan of phone credit for 1,000 points."""
    from kams.club.models import RedemptionItem

    return RedemptionItem.objects.create(code="FEE10", name="10元话费", kind="fee", points=1000,
                                         face_value=Decimal("10"), unit_cost=Decimal("9.50"))

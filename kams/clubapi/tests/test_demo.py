"""The demo step of headquarters' requests runs on the club's members."""

import pytest

from kams.clubapi.models import HqRequest

pytestmark = pytest.mark.django_db


def test_demo_makes_hq_requests_through_the_real_service(club, fee10):
    from kams.club.testing import give_points
    from kams.demo.club_hq import build
    from kams.demo.generator import DemoContext

    give_points(club.members["diamond"], 3000)

    made = build(DemoContext(size="small"))

    assert made == HqRequest.objects.count() > 0
    assert HqRequest.objects.filter(kind="authenticate", status="done").exists()
    # Every business request names a successful authentication of its card.
    for record in HqRequest.objects.exclude(kind="authenticate"):
        assert record.auth_request.status == "done" and record.auth_request.card_no == record.card_no

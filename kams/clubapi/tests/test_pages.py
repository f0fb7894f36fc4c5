"""The club staff's list of headquarters requests (CLUB-21)."""

from __future__ import annotations

import io

import openpyxl
import pytest

from kams.clubapi.models import HqRequest
from kams.clubapi.tests.test_hq import authenticate, business
from kams.web.menu import menu_for

pytestmark = pytest.mark.django_db

PAGE = "/club/hq/"


@pytest.fixture
def requests_made(hq_link):
    authenticate(hq_link)  # HQ-A-1, diamond, done
    authenticate(hq_link, "sapphire", request_id="HQ-A-2")  # refused: roaming
    business(hq_link, "points_query")  # HQ-B-1
    return hq_link


def test_page_lists_requests_for_club_staff(requests_made, page_client_for):
    response = page_client_for("js_club").get(PAGE)

    assert response.status_code == 200
    page = response.content.decode()
    for request_id in ("HQ-A-1", "HQ-A-2", "HQ-B-1"):
        assert request_id in page
    assert "roaming_not_allowed" in page


@pytest.mark.parametrize(("params", "expected"), [
    ({"kind": "authenticate"}, {"HQ-A-1", "HQ-A-2"}),
    ({"status": "refused"}, {"HQ-A-2"}),
    ({"code": "roaming_not_allowed"}, {"HQ-A-2"}),
    ({"q": "HQ-B-1"}, {"HQ-B-1"}),
    ({"q": "钱进"}, {"HQ-A-2"}),
])
def test_page_filters(requests_made, page_client_for, params, expected):
    page = page_client_for("js_director").get(PAGE, params).content.decode()

    shown = {request_id for request_id in ("HQ-A-1", "HQ-A-2", "HQ-B-1") if f">{request_id}<" in page}
    assert shown == expected


def test_page_exports_to_excel(requests_made, page_client_for):
    response = page_client_for("js_club").get(PAGE, {"export": "xlsx", "kind": "authenticate"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    ids = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert ids == {"HQ-A-1", "HQ-A-2"}


def test_detail_page_shows_request_and_answer(requests_made, page_client_for):
    record = HqRequest.objects.get(request_id="HQ-B-1")

    response = page_client_for("js_club").get(f"{PAGE}{record.pk}/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "HQ-A-1" in page  # its authentication
    assert "&quot;balance&quot;: 0" in page  # the answer, escaped in the page
    assert requests_made.members["diamond"].member_no in page


@pytest.mark.parametrize("username", ["nj_manager1", "nj_director", "norole"])
def test_page_needs_the_permission(requests_made, page_client_for, username):
    client = page_client_for(username)
    record = HqRequest.objects.get(request_id="HQ-A-1")

    assert client.get(PAGE).status_code == 403
    assert client.get(f"{PAGE}{record.pk}/").status_code == 403


def test_unknown_request_page_is_404(requests_made, page_client_for):
    assert page_client_for("js_club").get(f"{PAGE}999999/").status_code == 404


def test_menu_offers_the_page_to_club_staff_only(requests_made, province):
    def urls(username):
        return {item["url"] for section in menu_for(province.user(username)) for item in section["items"]}

    assert PAGE in urls("js_club")
    assert PAGE not in urls("nj_manager1")

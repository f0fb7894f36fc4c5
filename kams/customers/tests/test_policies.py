"""CUS-12 preferential policies with approval limits per level; CUS-13 training/feedback."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from kams.audit.models import AuditEntry
from kams.core.errors import InvalidInput
from kams.customers import services
from kams.customers.enums import ApprovalLevel, PreferenceState
from kams.customers.errors import ApprovalLevelTooLow, OwnRequest, PreferenceNotAllowed, ReasonRequired
from kams.customers.models import CareRecord, Preference
from kams.org.enums import RoleCode
from kams.org.testing import assert_scoped, make_staff
from kams.system.services import parameter_set

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def _preference(province, customer, *, actor="nj_manager1", kind="percent", value="4", monthly="1000"):
    return services.preference_create(
        actor=province.user(actor), customer=customer, title="专线资费优惠", business="leased_line", kind=kind,
        value=Decimal(value), monthly_value=Decimal(monthly), valid_from=TODAY, valid_to=TODAY + datetime.timedelta(days=365),
    )


@pytest.mark.parametrize(
    "kind,value,monthly,level",
    [
        ("percent", "4", "1000", ApprovalLevel.DISTRICT),
        ("percent", "12", "1000", ApprovalLevel.CITY),
        ("percent", "4", "50000", ApprovalLevel.PROVINCE),
        ("percent", "30", "1000", ApprovalLevel.PROVINCE),
        ("amount", "15000", "15000", ApprovalLevel.CITY),
    ],
)
def test_submit_fixes_the_approval_level_from_the_limits(province, customers, kind, value, monthly, level):
    preference = _preference(province, customers["nj_m1"], kind=kind, value=value, monthly=monthly)

    services.preference_submit(actor=province.user("nj_manager1"), preference=preference)

    preference.refresh_from_db()
    assert (preference.state, preference.approval_level) == (PreferenceState.PENDING, level)


def test_limits_are_system_parameters(province, customers):
    parameter_set(actor=province.user("admin"), key="customers.preference_limit_city_percent", value="40")
    preference = _preference(province, customers["nj_m1"], value="30")

    services.preference_submit(actor=province.user("nj_manager1"), preference=preference)

    preference.refresh_from_db()
    assert preference.approval_level == ApprovalLevel.CITY


def test_city_director_approves_city_level_but_not_province_level(province, customers):
    director = province.user("nj_director")
    city = _preference(province, customers["nj_m1"], value="12")
    big = _preference(province, customers["nj_m1"], value="30")
    for p in (city, big):
        services.preference_submit(actor=province.user("nj_manager1"), preference=p)

    services.preference_decide(actor=director, preference=city, approve=True, note="同意")
    with pytest.raises(ApprovalLevelTooLow):
        services.preference_decide(actor=director, preference=big, approve=True)
    services.preference_decide(actor=province.user("js_director"), preference=big, approve=True)

    city.refresh_from_db()
    big.refresh_from_db()
    assert city.state == big.state == PreferenceState.APPROVED
    assert AuditEntry.objects.filter(action="customers.preference_approve").count() == 2


def test_district_director_cannot_approve_city_level(province, customers):
    district_director = make_staff("nj_d1_director", province.units["NJ-D01"], (RoleCode.DIRECTOR,))
    customer = services.customer_create(
        actor=province.user("js_director"), name="江宁科技", customer_type="group", org_unit=province.units["NJ-D01"]
    )
    small = _preference(province, customer, actor="js_director", value="3")
    city = _preference(province, customer, actor="js_director", value="12")
    for p in (small, city):
        services.preference_submit(actor=province.user("js_director"), preference=p)

    services.preference_decide(actor=district_director.user, preference=small, approve=True)
    with pytest.raises(ApprovalLevelTooLow):
        services.preference_decide(actor=district_director.user, preference=city, approve=True)


def test_rules_of_deciding(province, customers):
    preference = _preference(province, customers["nj_m1"], actor="nj_director")
    with pytest.raises(PreferenceNotAllowed):
        services.preference_decide(actor=province.user("js_director"), preference=preference, approve=True)
    services.preference_submit(actor=province.user("nj_director"), preference=preference)

    with pytest.raises(OwnRequest):
        services.preference_decide(actor=province.user("nj_director"), preference=preference, approve=True)
    with pytest.raises(PermissionDenied):
        services.preference_decide(actor=province.user("nj_manager1"), preference=preference, approve=True)
    with pytest.raises(Http404):
        services.preference_decide(actor=province.user("sz_director"), preference=preference, approve=True)
    with pytest.raises(ReasonRequired):
        services.preference_decide(actor=province.user("js_director"), preference=preference, approve=False)
    preference.refresh_from_db()
    assert preference.state == PreferenceState.PENDING


def test_bad_preferences_are_refused(province, customers):
    with pytest.raises(InvalidInput):
        _preference(province, customers["nj_m1"], value="120")
    with pytest.raises(Http404):
        _preference(province, customers["sz"])
    assert not Preference.objects.exists()


def test_preference_pages_and_api(province, customers, page_client_for, api_client_for):
    client = page_client_for("nj_manager1")
    response = client.post(
        f"/customers/{customers['nj_m1'].pk}/preferences/new/",
        {"title": "数据业务八折", "business": "data", "kind": "percent", "value": "20", "monthly_value": "3000",
         "valid_from": TODAY.isoformat(), "valid_to": TODAY.isoformat()},
    )
    preference = Preference.objects.get()
    assert response.status_code == 302
    client.post(f"/customers/preferences/{preference.pk}/action/", {"action": "submit"})
    preference.refresh_from_db()
    assert preference.approval_level == ApprovalLevel.PROVINCE

    api = api_client_for("js_director")
    approved = api.post(f"/api/v1/customers/preferences/{preference.pk}/approve/", {"note": "特批"}, format="json")
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    again = api.post(f"/api/v1/customers/preferences/{preference.pk}/approve/", {}, format="json")
    assert again.status_code == 409

    other = _preference(province, customers["sz"], actor="sz_manager1")
    assert_scoped(
        api_client_for,
        list_url="/api/v1/customers/preferences/",
        detail_url=lambda p: f"/api/v1/customers/preferences/{p.pk}/",
        objects={"nj": preference, "sz": other},
        expected={"nj_manager1": {"nj"}, "nj_manager2": set(), "sz_director": {"sz"}, "js_director": {"nj", "sz"}},
    )
    detail = page_client_for("nj_manager1").get(f"/customers/{customers['nj_m1'].pk}/").content.decode()
    assert "数据业务八折" in detail


def test_training_and_feedback_records(province, customers, page_client_for, api_client_for):
    client = page_client_for("nj_manager1")
    response = client.post(
        f"/customers/{customers['nj_m1'].pk}/care/new/",
        {"kind": "training", "title": "专线故障申告培训", "happened_on": TODAY.isoformat(), "attendees": "12",
         "content": "讲解故障申告流程", "satisfaction": "5"},
    )
    assert response.status_code == 302
    record = CareRecord.objects.get()
    assert record.recorded_by == province.staff["nj_manager1"]
    assert AuditEntry.objects.filter(action="customers.care_record_add").count() == 1

    bad = client.post(f"/customers/{customers['nj_m1'].pk}/care/new/", {"kind": "feedback", "title": "x", "happened_on": TODAY.isoformat(), "content": "y", "satisfaction": "9"})
    assert bad.status_code == 200 and CareRecord.objects.count() == 1

    created = api_client_for("nj_manager1").post(
        "/api/v1/customers/care-records/",
        {"customer": customers["nj_m1"].pk, "kind": "feedback", "title": "客户建议", "happened_on": TODAY.isoformat(), "content": "希望提升带宽"},
        format="json",
    )
    assert created.status_code == 201
    listing = page_client_for("nj_director").get("/customers/care/").content.decode()
    assert "专线故障申告培训" in listing and "客户建议" in listing
    assert "专线故障申告培训" not in page_client_for("sz_director").get("/customers/care/").content.decode()

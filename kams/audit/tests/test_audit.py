"""ORG-05: the audit log is complete, append-only and searchable."""

import pytest
from django.db import DatabaseError, connection, transaction

from kams.audit.errors import AuditLogIsAppendOnly
from kams.audit.models import AuditEntry
from kams.audit.services import audit_record

pytestmark = pytest.mark.django_db


def _entry(province, **kwargs):
    with transaction.atomic():
        return audit_record(actor=province.user("nj_director"), action="test.change", **kwargs)


def test_audit_record_keeps_actor_unit_and_values(province):
    entry = _entry(province, target=province.staff["nj_manager1"], before={"mobile": ""}, after={"mobile": "139"}, reason="更正")

    entry.refresh_from_db()
    assert entry.actor_name == "李明华 (%s)" % province.staff["nj_director"].employee_no
    assert entry.org_unit == province.units["NJ-DKH-T1"]  # the target's unit
    assert entry.target_type == "org.staff" and entry.target_id == str(province.staff["nj_manager1"].pk)
    assert entry.changed_fields() == [("mobile", "", "139")]


@pytest.mark.django_db(transaction=True)
def test_audit_record_outside_a_transaction_is_refused(province):
    with pytest.raises(RuntimeError):
        audit_record(actor=province.user("admin"), action="test.loose")


def test_audit_entry_cannot_be_changed_or_deleted_through_the_orm(province):
    entry = _entry(province)

    with pytest.raises(AuditLogIsAppendOnly):
        entry.save()
    with pytest.raises(AuditLogIsAppendOnly):
        entry.delete()
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).delete()


def test_audit_entry_update_is_refused_by_the_database(province):
    entry = _entry(province)

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET action = %s WHERE id = %s", ["forged", entry.pk])

    assert AuditEntry.objects.get(pk=entry.pk).action == "test.change"


def test_audit_page_searches_by_action_actor_and_date(province, page_client_for):
    _entry(province, target_repr="第一条")
    with transaction.atomic():
        audit_record(actor=province.user("nj_manager1"), action="other.thing", target_repr="第二条")
    client = page_client_for("nj_director")

    by_action = client.get("/audit/", {"action": "test."}).content.decode()
    by_actor = client.get("/audit/", {"actor": "张晓燕"}).content.decode()
    future = client.get("/audit/", {"since": "2999-01-01"}).content.decode()

    assert "第一条" in by_action and "第二条" not in by_action
    assert "第二条" in by_actor and "第一条" not in by_actor
    assert "第一条" not in future and "第二条" not in future


def test_audit_detail_page_shows_before_and_after(province, page_client_for):
    entry = _entry(province, before={"name": "旧名"}, after={"name": "新名"})

    body = page_client_for("nj_director").get(f"/audit/{entry.pk}/").content.decode()

    assert "旧名" in body and "新名" in body


def test_audit_api_filters_by_target(province, api_client_for):
    target = province.staff["nj_manager1"]
    _entry(province, target=target)
    _entry(province, target=province.staff["nj_manager2"])

    rows = api_client_for("nj_director").get(
        "/api/v1/audit/entries/", {"target_type": "org.staff", "target_id": target.pk}
    ).json()["results"]

    assert [r["target_id"] for r in rows] == [str(target.pk)]


def test_request_id_and_ip_are_recorded_from_the_request(province, api_client_for):
    response = api_client_for("admin").patch(
        f"/api/v1/org/staff/{province.staff['nj_manager2'].pk}/",
        {"mobile": "13600000000"},
        format="json",
        HTTP_X_REQUEST_ID="req-123",
        REMOTE_ADDR="10.1.2.3",
    )

    assert response["X-Request-ID"] == "req-123"
    entry = AuditEntry.objects.get(action="org.staff_update")
    assert (entry.request_id, entry.ip) == ("req-123", "10.1.2.3")

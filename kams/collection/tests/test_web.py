"""Pages and API of collection and merge: rules, candidates with review, my first contacts,
the duplicates queue, merge; scoping and permissions on every path."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from kams.collection import services
from kams.collection.enums import CandidateState, PairState
from kams.collection.models import AdmissionRule, Candidate, DuplicatePair, FirstContactTask, Merge
from kams.collection.testing import bill_customer, load_all, make_potential
from kams.customers.enums import CustomerStatus, CustomerType
from kams.customers.models import Customer, PayingAccount
from kams.customers.testing import customers  # noqa: F401  (fixture)
from kams.org.testing import assert_scoped, result_rows
from kams.system.models import JobRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(province, customers, tmp_path):  # noqa: F811
    """Open candidates in Nanjing (managed by nj_manager1) and Suzhou, and duplicate pairs in
    both cities."""
    rows: dict = {}
    people = {
        "nj_pot": make_potential(province, "南京新材料科技有限公司", manager="nj_manager1"),
        "sz_pot": make_potential(province, "苏州精密制造有限公司", unit="SZ", manager="sz_manager1"),
        "nj_twin": make_potential(province, "南京\u3000银行股份有限公司"),
        "sz_twin": make_potential(province, "苏州工业园区某科技有限公司（苏州）", unit="SZ", manager="sz_manager1"),
    }
    bill_customer(province, rows, people["nj_pot"], "5001", ["20000", "20000", "20000"])
    bill_customer(province, rows, people["sz_pot"], "5002", ["30000", "30000", "30000"])
    load_all(tmp_path, rows)
    services.rule_save(
        actor=province.user("js_director"), name="集团≥1万", customer_type=CustomerType.GROUP,
        min_monthly_revenue=Decimal("10000"), months=3,
    )
    services.candidates_generate()
    services.duplicates_find()
    everything = {**customers, **people}
    everything["nj_candidate"] = Candidate.objects.get(customer=people["nj_pot"])
    everything["sz_candidate"] = Candidate.objects.get(customer=people["sz_pot"])
    everything["nj_pair"] = DuplicatePair.objects.get(b=people["nj_twin"])
    everything["sz_pair"] = DuplicatePair.objects.get(b=people["sz_twin"])
    return everything


def listed(response) -> set[int]:
    assert response.status_code == 200, response.status_code
    return {row.pk for row in response.context["page_obj"].object_list}


# --- Pages ---------------------------------------------------------------------------------------------


def test_candidate_list_is_scoped_filtered_and_exported(province, page_client_for, world):
    nj, sz = world["nj_candidate"].pk, world["sz_candidate"].pk
    assert listed(page_client_for("nj_manager1").get("/collection/candidates/")) == {nj}
    assert listed(page_client_for("nj_director").get("/collection/candidates/")) == {nj}
    assert listed(page_client_for("js_director").get("/collection/candidates/")) == {nj, sz}
    assert listed(page_client_for("js_director").get("/collection/candidates/", {"q": "苏州"})) == {sz}
    assert listed(page_client_for("js_director").get("/collection/candidates/", {"state": "rejected"})) == set()
    assert page_client_for("nj_manager1").get(f"/collection/candidates/{sz}/").status_code == 404

    response = page_client_for("js_director").get("/collection/candidates/", {"export": "xlsx", "state": ""})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    names = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert names == {"南京新材料科技有限公司", "苏州精密制造有限公司"}


def test_admit_from_the_page_then_the_manager_sees_the_first_contact(province, page_client_for, world):
    candidate = world["nj_candidate"]
    page = page_client_for("nj_director").get(f"/collection/candidates/{candidate.pk}/")
    assert page.status_code == 200 and b'id="admit-form"' in page.content
    assert b"20000.00" in page.content  # the evidence

    response = page_client_for("nj_director").post(
        f"/collection/candidates/{candidate.pk}/",
        {"action": "admit", "manager": province.staff["nj_manager1"].pk, "note": "同意"},
    )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.state == CandidateState.ADMITTED
    task = FirstContactTask.objects.get()

    mine = page_client_for("nj_manager1").get("/collection/first-contacts/")
    assert listed(mine) == {task.pk}
    assert listed(page_client_for("nj_manager2").get("/collection/first-contacts/")) == set()
    assert listed(page_client_for("nj_director").get("/collection/first-contacts/", {"all": "1"})) == {task.pk}

    done = page_client_for("nj_manager1").post(f"/collection/first-contacts/{task.pk}/done/", {"result": "已上门拜访"})
    assert done.status_code == 302
    task.refresh_from_db()
    assert task.done and task.result == "已上门拜访"


def test_reject_on_the_page_needs_a_reason_and_changes_nothing_without(province, page_client_for, world):
    candidate = world["nj_candidate"]
    client = page_client_for("nj_director")

    response = client.post(f"/collection/candidates/{candidate.pk}/", {"action": "reject", "reason": ""})
    assert response.status_code == 200 and b"form-errors" in response.content
    candidate.refresh_from_db()
    assert candidate.state == CandidateState.OPEN

    assert client.post(f"/collection/candidates/{candidate.pk}/", {"action": "reject", "reason": "规模太小"}).status_code == 302
    candidate.refresh_from_db()
    assert (candidate.state, candidate.reason) == (CandidateState.REJECTED, "规模太小")


def test_a_manager_cannot_review_candidates(province, page_client_for, world):
    candidate = world["nj_candidate"]
    response = page_client_for("nj_manager1").post(
        f"/collection/candidates/{candidate.pk}/", {"action": "reject", "reason": "x"}
    )
    assert response.status_code == 403
    page = page_client_for("nj_manager1").get(f"/collection/candidates/{candidate.pk}/")
    assert page.status_code == 200 and b'id="admit-form"' not in page.content


def test_rules_pages_create_edit_and_show_history(province, page_client_for, world):
    client = page_client_for("js_director")
    assert client.get("/collection/rules/").status_code == 200
    created = client.post(
        "/collection/rules/new/",
        {"name": "高端个人", "customer_type": "high_end", "min_monthly_revenue": "800", "months": "6", "is_active": "on"},
    )
    assert created.status_code == 302
    rule = AdmissionRule.objects.get(name="高端个人")
    edited = client.post(
        f"/collection/rules/{rule.pk}/",
        {"name": "高端个人", "customer_type": "high_end", "min_monthly_revenue": "1000", "months": "6", "reason": "调整"},
    )
    assert edited.status_code == 302
    rule.refresh_from_db()
    assert (rule.min_monthly_revenue, rule.is_active) == (Decimal("1000.00"), False)
    page = client.get(f"/collection/rules/{rule.pk}/")
    assert b'id="rule-history"' in page.content and "调整".encode() in page.content

    assert page_client_for("nj_director").get(f"/collection/rules/{rule.pk}/").status_code == 200
    assert page_client_for("nj_director").post(f"/collection/rules/{rule.pk}/", {"name": "x"}).status_code == 403
    assert page_client_for("nj_director").get("/collection/rules/new/").status_code == 403
    assert page_client_for("nj_manager1").get("/collection/rules/").status_code == 403


def test_jobs_are_started_from_the_pages(province, page_client_for, world, django_capture_on_commit_callbacks):
    client = page_client_for("js_director")
    with django_capture_on_commit_callbacks(execute=False):
        assert client.post("/collection/candidates/generate/").status_code == 302
        assert client.post("/collection/duplicates/find/").status_code == 302
    assert set(JobRun.objects.values_list("name", flat=True)) >= {"collection.candidates_generate", "collection.duplicates_find"}
    assert page_client_for("nj_director").post("/collection/candidates/generate/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_jobs_started_from_the_pages_run_in_the_worker(province, world, page_client_for):
    Candidate.objects.all().delete()
    client = page_client_for("js_director")
    client.post("/collection/candidates/generate/")
    client.post("/collection/duplicates/find/")

    call_command("worker", "--batch")

    runs = {run.name: run for run in JobRun.objects.filter(name__startswith="collection.")}
    assert runs["collection.candidates_generate"].state == "succeeded", runs["collection.candidates_generate"].error
    assert runs["collection.candidates_generate"].result["candidates"] == 2
    assert runs["collection.duplicates_find"].state == "succeeded", runs["collection.duplicates_find"].error
    assert Candidate.objects.count() == 2


def test_duplicates_queue_comparison_dismiss_and_merge_pages(province, page_client_for, world):
    nj_pair, sz_pair = world["nj_pair"], world["sz_pair"]
    assert listed(page_client_for("nj_director").get("/collection/duplicates/")) == {nj_pair.pk}
    assert listed(page_client_for("js_director").get("/collection/duplicates/")) >= {nj_pair.pk, sz_pair.pk}
    assert page_client_for("nj_director").get(f"/collection/duplicates/{sz_pair.pk}/").status_code == 404
    assert page_client_for("nj_manager1").get("/collection/duplicates/").status_code == 403

    detail = page_client_for("nj_director").get(f"/collection/duplicates/{nj_pair.pk}/")
    assert detail.status_code == 200 and b'id="comparison"' in detail.content
    assert "南京银行股份有限公司".encode() in detail.content and b'id="merge-link"' not in detail.content
    assert page_client_for("nj_director").get(f"/collection/duplicates/{nj_pair.pk}/merge/").status_code == 403

    no_reason = page_client_for("sz_director").post(f"/collection/duplicates/{sz_pair.pk}/", {"reason": ""})
    assert no_reason.status_code == 200 and b"form-errors" in no_reason.content
    sz_pair.refresh_from_db()
    assert sz_pair.state == PairState.OPEN

    client = page_client_for("js_director")
    confirm = client.get(f"/collection/duplicates/{nj_pair.pk}/merge/")
    assert confirm.status_code == 200 and b'id="merge-preview"' in confirm.content
    bank = world["nj_m1"]
    response = client.post(f"/collection/duplicates/{nj_pair.pk}/merge/", {"survivor": bank.pk, "reason": "同一单位"})
    assert response.status_code == 302 and response["Location"] == f"/customers/{bank.pk}/"
    nj_pair.refresh_from_db()
    assert nj_pair.state == PairState.MERGED
    assert Customer.objects.get(pk=world["nj_twin"].pk).status == CustomerStatus.HISTORICAL


def test_menu_shows_collection_pages_by_permission(province, page_client_for, world):
    home = page_client_for("js_director").get("/")
    for url in (b"/collection/candidates/", b"/collection/duplicates/", b"/collection/rules/", b"/collection/first-contacts/"):
        assert url in home.content
    manager = page_client_for("nj_manager1").get("/")
    assert b"/collection/first-contacts/" in manager.content and b"/collection/duplicates/" not in manager.content


# --- API -------------------------------------------------------------------------------------------------


def test_api_candidates_and_duplicates_are_scoped(province, api_client_for, world):
    assert_scoped(
        api_client_for,
        list_url="/api/v1/collection/candidates/",
        detail_url=lambda c: f"/api/v1/collection/candidates/{c.pk}/",
        objects={"nj": world["nj_candidate"], "sz": world["sz_candidate"]},
        expected={"nj_manager1": {"nj"}, "nj_director": {"nj"}, "sz_director": {"sz"}, "js_director": {"nj", "sz"}},
    )
    assert_scoped(
        api_client_for,
        list_url="/api/v1/collection/duplicates/",
        detail_url=lambda p: f"/api/v1/collection/duplicates/{p.pk}/",
        objects={"nj": world["nj_pair"], "sz": world["sz_pair"]},
        expected={"nj_director": {"nj"}, "sz_director": {"sz"}, "js_director": {"nj", "sz"}},
    )
    assert api_client_for("nj_manager1").get("/api/v1/collection/duplicates/").status_code == 403


def test_api_admit_reject_and_first_contacts(province, api_client_for, world):
    director = api_client_for("nj_director")
    nj = world["nj_candidate"]

    refused = director.post(f"/api/v1/collection/candidates/{nj.pk}/reject/", {"reason": ""}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "collection.reason_required"
    no_manager = director.post(f"/api/v1/collection/candidates/{nj.pk}/admit/", {}, format="json")
    assert no_manager.status_code == 400 and no_manager.json()["code"] == "collection.manager_required"
    assert api_client_for("nj_manager1").post(f"/api/v1/collection/candidates/{nj.pk}/admit/", {}, format="json").status_code == 403
    sz = world["sz_candidate"]
    assert director.post(f"/api/v1/collection/candidates/{sz.pk}/reject/", {"reason": "x"}, format="json").status_code == 404

    admitted = director.post(
        f"/api/v1/collection/candidates/{nj.pk}/admit/", {"manager": province.staff["nj_manager1"].pk}, format="json"
    )
    assert admitted.status_code == 200 and admitted.json()["state"] == "admitted"
    again = director.post(f"/api/v1/collection/candidates/{nj.pk}/admit/", {"manager": province.staff["nj_manager1"].pk}, format="json")
    assert again.status_code == 409

    manager = api_client_for("nj_manager1")
    tasks = result_rows(manager.get("/api/v1/collection/first-contacts/", {"mine": "true"}))
    assert [t["customer"]["id"] for t in tasks] == [world["nj_pot"].pk]
    assert result_rows(api_client_for("sz_manager1").get("/api/v1/collection/first-contacts/")) == []
    done = manager.post(f"/api/v1/collection/first-contacts/{tasks[0]['id']}/done/", {"result": "电话联系"}, format="json")
    assert done.status_code == 200 and done.json()["done"] is True


def test_api_rules(province, api_client_for, world):
    director = api_client_for("js_director")
    created = director.post(
        "/api/v1/collection/rules/",
        {"name": "重点个人", "customer_type": "key_individual", "min_monthly_revenue": "500", "months": 3},
        format="json",
    )
    assert created.status_code == 201, created.content
    rule_id = created.json()["id"]
    patched = director.patch(f"/api/v1/collection/rules/{rule_id}/", {"months": 6, "reason": "延长"}, format="json")
    assert patched.status_code == 200 and patched.json()["months"] == 6
    bad = director.post("/api/v1/collection/rules/", {"name": "重点个人", "customer_type": "group", "min_monthly_revenue": "1", "months": 3}, format="json")
    assert bad.status_code == 400
    assert api_client_for("nj_director").patch(f"/api/v1/collection/rules/{rule_id}/", {"months": 2}, format="json").status_code == 403
    assert api_client_for("nj_director").get("/api/v1/collection/rules/").status_code == 200
    assert director.delete(f"/api/v1/collection/rules/{rule_id}/").status_code == 405


def test_api_merge_needs_approval_and_dismiss_needs_reason(province, api_client_for, world):
    pair, bank = world["nj_pair"], world["nj_m1"]

    assert api_client_for("nj_director").post(
        f"/api/v1/collection/duplicates/{pair.pk}/merge/", {"survivor": bank.pk}, format="json"
    ).status_code == 403
    no_reason = api_client_for("nj_director").post(f"/api/v1/collection/duplicates/{pair.pk}/dismiss/", {}, format="json")
    assert no_reason.status_code == 400
    wrong = api_client_for("js_director").post(
        f"/api/v1/collection/duplicates/{pair.pk}/merge/", {"survivor": world["sz"].pk}, format="json"
    )
    assert wrong.status_code == 400 and wrong.json()["code"] == "collection.survivor_not_in_pair"

    merged = api_client_for("js_director").post(
        f"/api/v1/collection/duplicates/{pair.pk}/merge/", {"survivor": bank.pk, "reason": "同一单位"}, format="json"
    )
    assert merged.status_code == 201, merged.content
    assert merged.json()["duplicate"] == world["nj_twin"].pk
    assert Merge.objects.count() == 1
    assert api_client_for("js_director").post(
        f"/api/v1/collection/duplicates/{pair.pk}/dismiss/", {"reason": "x"}, format="json"
    ).status_code == 409


def test_api_jobs(province, api_client_for, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        queued = api_client_for("js_director").post("/api/v1/collection/candidates/generate/")
        found = api_client_for("js_director").post("/api/v1/collection/duplicates/find/")
    assert queued.status_code == 202 and found.status_code == 202
    assert JobRun.objects.filter(pk=queued.json()["job"], name="collection.candidates_generate").exists()
    assert api_client_for("nj_director").post("/api/v1/collection/duplicates/find/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_management_commands(province, world, capsys):
    call_command("collection_candidates")
    call_command("collection_duplicates")
    out = capsys.readouterr().out
    assert "0 new candidates" in out and "0 new" in out
    assert PayingAccount.objects.count() >= 2

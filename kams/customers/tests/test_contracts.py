"""CUS-09 contracts: state graph, approval, attachments, expiry warnings, pages and API."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from kams.audit.models import AuditEntry
from kams.core.errors import InvalidInput
from kams.customers import services
from kams.customers.enums import ContractState
from kams.customers.errors import AttachmentTooLarge, ContractMoveNotAllowed, ContractNotEditable, ReasonRequired
from kams.customers.models import Contract
from kams.customers.selectors import contracts_expiring
from kams.org.testing import assert_scoped
from kams.system.services import parameter_set

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def _contract(province, customer, *, actor="nj_manager1", no="HT-2026-001", **values):
    fields = {
        "title": "移动专线服务协议",
        "contract_type": "leased_line",
        "value": Decimal("360000.00"),
        "valid_from": TODAY,
        "valid_to": TODAY + datetime.timedelta(days=365),
    }
    fields.update(values)
    return services.contract_create(actor=province.user(actor), customer=customer, contract_no=no, **fields)


def test_contract_lifecycle_draft_to_force_needs_signature_and_approval(province, customers):
    contract = _contract(province, customers["nj_m1"])
    manager, director = province.user("nj_manager1"), province.user("nj_director")
    assert contract.state == ContractState.DRAFT

    services.contract_move(actor=manager, contract=contract, to=ContractState.APPROVING)
    with pytest.raises(PermissionDenied):
        services.contract_move(actor=manager, contract=contract, to=ContractState.ACTIVE)
    with pytest.raises(InvalidInput):
        services.contract_move(actor=director, contract=contract, to=ContractState.ACTIVE)

    services.contract_update(actor=manager, contract=contract, signed_on=TODAY)
    services.contract_move(actor=director, contract=contract, to=ContractState.ACTIVE)

    contract.refresh_from_db()
    assert contract.state == ContractState.ACTIVE
    with pytest.raises(ContractNotEditable):
        services.contract_update(actor=manager, contract=contract, title="改")
    with pytest.raises(ContractMoveNotAllowed):
        services.contract_move(actor=director, contract=contract, to=ContractState.DRAFT)
    with pytest.raises(ReasonRequired):
        services.contract_move(actor=director, contract=contract, to=ContractState.TERMINATED)
    moves = list(AuditEntry.objects.filter(action="customers.contract_move").values_list("after__state", flat=True))
    assert moves == [ContractState.ACTIVE, ContractState.APPROVING]  # newest first


def test_contract_period_and_accounts_are_checked(province, customers):
    foreign = services.account_add(actor=province.user("nj_manager2"), customer=customers["nj_m2"], account_no="2590000001", name="别家")

    with pytest.raises(InvalidInput):
        _contract(province, customers["nj_m1"], valid_to=TODAY - datetime.timedelta(days=1))
    with pytest.raises(InvalidInput):
        _contract(province, customers["nj_m1"], no="HT-2", accounts=[foreign])
    assert not Contract.objects.exists()


def test_contract_outside_scope_is_404(province, customers):
    with pytest.raises(Http404):
        _contract(province, customers["sz"], actor="nj_manager1")


def test_attachments_are_stored_with_checksum_and_size_limit(province, customers, settings):
    contract = _contract(province, customers["nj_m1"])
    manager = province.user("nj_manager1")

    attachment = services.contract_attach(
        actor=manager, contract=contract, upload=SimpleUploadedFile("合同扫描件.pdf", b"%PDF-1.4 signed", "application/pdf")
    )

    assert attachment.size == 15 and len(attachment.sha256) == 64
    assert attachment.file.read() == b"%PDF-1.4 signed"
    parameter_set(actor=province.user("admin"), key="customers.contract_attachment_max_mb", value=1)
    with pytest.raises(AttachmentTooLarge):
        services.contract_attach(actor=manager, contract=contract, upload=SimpleUploadedFile("big.bin", b"x" * (1024 * 1024 + 1)))
    assert contract.attachments.count() == 1


def test_expiring_contracts_follow_the_warning_parameter(province, customers):
    director = province.user("nj_director")
    soon = _contract(province, customers["nj_m1"], no="HT-SOON", signed_on=TODAY, valid_to=TODAY + datetime.timedelta(days=20))
    later = _contract(province, customers["nj_m1"], no="HT-LATER", signed_on=TODAY, valid_to=TODAY + datetime.timedelta(days=90))
    for contract in (soon, later):
        services.contract_move(actor=director, contract=contract, to=ContractState.APPROVING)
        services.contract_move(actor=director, contract=contract, to=ContractState.ACTIVE)

    assert list(contracts_expiring(director)) == [soon]
    parameter_set(actor=province.user("admin"), key="customers.contract_expiry_warning_days", value=120)
    assert list(contracts_expiring(director)) == [soon, later]
    assert list(contracts_expiring(province.user("sz_director"))) == []


@pytest.mark.django_db(transaction=True)
def test_contracts_expire_job_is_idempotent(province, customers):
    director = province.user("nj_director")
    contract = _contract(province, customers["nj_m1"], signed_on=TODAY, valid_from=TODAY - datetime.timedelta(days=400), valid_to=TODAY - datetime.timedelta(days=1))
    services.contract_move(actor=director, contract=contract, to=ContractState.APPROVING)
    services.contract_move(actor=director, contract=contract, to=ContractState.ACTIVE)

    assert services.contracts_expire() == 1
    assert services.contracts_expire() == 0
    contract.refresh_from_db()
    assert contract.state == ContractState.EXPIRED
    assert AuditEntry.objects.filter(action="customers.contracts_expire").count() == 1


def test_contract_pages_create_detail_upload_download(province, customers, page_client_for):
    client = page_client_for("nj_manager1")
    customer = customers["nj_m1"]

    response = client.post(
        f"/customers/{customer.pk}/contracts/new/",
        {"contract_no": "HT-PAGE-1", "title": "框架协议", "contract_type": "framework", "value": "1200000",
         "valid_from": TODAY.isoformat(), "valid_to": (TODAY + datetime.timedelta(days=700)).isoformat()},
    )
    contract = Contract.objects.get(contract_no="HT-PAGE-1")
    assert response.status_code == 302 and response["Location"] == f"/customers/contracts/{contract.pk}/"

    client.post(f"/customers/contracts/{contract.pk}/attach/", {"file": SimpleUploadedFile("附件一.txt", "条款".encode())})
    attachment = contract.attachments.get()
    download = client.get(f"/customers/attachments/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == "条款".encode()
    assert page_client_for("sz_manager1").get(f"/customers/attachments/{attachment.pk}/").status_code == 404
    assert page_client_for("sz_director").get(f"/customers/contracts/{contract.pk}/").status_code == 404

    detail = client.get(f"/customers/contracts/{contract.pk}/").content.decode()
    assert "框架协议" in detail and "附件一.txt" in detail and "customers.contract_attach" in detail


def test_contract_page_bad_period_shows_error_and_creates_nothing(province, customers, page_client_for):
    response = page_client_for("nj_manager1").post(
        f"/customers/{customers['nj_m1'].pk}/contracts/new/",
        {"contract_no": "HT-BAD", "title": "倒置", "contract_type": "service", "value": "1",
         "valid_from": TODAY.isoformat(), "valid_to": (TODAY - datetime.timedelta(days=1)).isoformat()},
    )

    assert response.status_code == 200 and "valid_to" in response.content.decode()
    assert not Contract.objects.exists()


def test_contract_list_page_warns_and_exports(province, customers, page_client_for):
    director = province.user("nj_director")
    contract = _contract(province, customers["nj_m1"], signed_on=TODAY, valid_to=TODAY + datetime.timedelta(days=10))
    services.contract_move(actor=director, contract=contract, to=ContractState.APPROVING)
    services.contract_move(actor=director, contract=contract, to=ContractState.ACTIVE)
    client = page_client_for("nj_director")

    page = client.get("/customers/contracts/").content.decode()
    assert 'id="expiring-alert"' in page
    export = client.get("/customers/contracts/", {"expiring": "true", "export": "xlsx"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_contract_api_is_scoped_and_moves(province, customers, api_client_for):
    nj = _contract(province, customers["nj_m1"], no="HT-NJ")
    sz = _contract(province, customers["sz"], actor="sz_manager1", no="HT-SZ")
    assert_scoped(
        api_client_for,
        list_url="/api/v1/customers/contracts/",
        detail_url=lambda c: f"/api/v1/customers/contracts/{c.pk}/",
        objects={"nj": nj, "sz": sz},
        expected={"nj_manager1": {"nj"}, "nj_manager2": set(), "nj_director": {"nj"}, "sz_manager1": {"sz"}, "js_director": {"nj", "sz"}},
    )

    client = api_client_for("nj_director")
    bad = client.post(f"/api/v1/customers/contracts/{nj.pk}/move/", {"to": "flying"}, format="json")
    illegal = client.post(f"/api/v1/customers/contracts/{nj.pk}/move/", {"to": "expired"}, format="json")
    ok = client.post(f"/api/v1/customers/contracts/{nj.pk}/move/", {"to": "approving"}, format="json")

    assert bad.status_code == 400 and illegal.status_code == 409 and illegal.json()["code"] == "customers.contract_move_not_allowed"
    assert ok.status_code == 200 and ok.json()["state"] == "approving"


def test_contract_api_create_and_upload(province, customers, api_client_for):
    client = api_client_for("nj_manager1")
    account = services.account_add(actor=province.user("nj_manager1"), customer=customers["nj_m1"], account_no="2591000001", name="主账户")

    created = client.post(
        "/api/v1/customers/contracts/",
        {"customer": customers["nj_m1"].pk, "contract_no": "HT-API-1", "title": "接口合同", "contract_type": "service",
         "value": "1000.00", "valid_from": TODAY.isoformat(), "valid_to": TODAY.isoformat(), "accounts": [account.account_no]},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["accounts"] == ["2591000001"]
    upload = client.post(
        f"/api/v1/customers/contracts/{created.json()['id']}/attachments/",
        {"file": SimpleUploadedFile("scan.pdf", b"%PDF")},
        format="multipart",
    )
    assert upload.status_code == 201 and upload.json()["attachments"][0]["name"] == "scan.pdf"

    other_city = client.post(
        "/api/v1/customers/contracts/",
        {"customer": customers["sz"].pk, "contract_no": "HT-API-2", "title": "越权", "contract_type": "service",
         "value": "1", "valid_from": TODAY.isoformat(), "valid_to": TODAY.isoformat()},
        format="json",
    )
    assert other_city.status_code == 404
    assert not Contract.objects.filter(contract_no="HT-API-2").exists()


def test_contracts_expire_command_reports_what_it_did(capsys):
    from django.core.management import call_command

    call_command("contracts_expire")

    assert capsys.readouterr().out.strip() == "0 contracts expired"

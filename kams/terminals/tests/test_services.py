"""Subsidy levels, subsidised sales (IMEI ↔ number ↔ agent), 窜机窜卡 detection and review."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from kams.audit.models import AuditEntry
from kams.channels import ledger
from kams.channels.errors import CreditExceeded
from kams.channels.models import Agent, LedgerTransaction
from kams.core.errors import InvalidInput
from kams.customers.enums import Business
from kams.resources.enums import ItemState
from kams.resources.models import ResourceItem
from kams.terminals import errors, selectors, services
from kams.terminals.enums import AnomalyKind, AnomalyStatus, SaleStatus, SubsidyKind
from kams.terminals.models import Anomaly, Observation, ObservationImport, SubsidisedSale, SubsidyLevel
from kams.terminals.services import ObservationRow
from kams.terminals.testing import make_imei
from kams.terminals.tests.conftest import IMEI

DAY = datetime.timedelta(days=1)


def _csv(rows) -> bytes:
    return ("imei,msisdn,seen_on\n" + "".join(f"{i},{m},{d.isoformat()}\n" for i, m, d in rows)).encode()


# --- IMEI ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [
    IMEI["h4"][:-1] + str((int(IMEI["h4"][-1]) + 1) % 10),  # wrong check digit
    IMEI["h4"][:-1],  # 14 digits
    IMEI["h4"] + "0",  # 16 digits
    "35000000000A04X",
])
def test_sale_with_a_bad_imei_is_refused_and_saves_nothing(world, bad):
    audits = AuditEntry.objects.count()
    with pytest.raises(errors.InvalidImei) as caught:
        services.subsidised_sale_record(actor=world.user("js_channel"), imei=bad, msisdn="13900000004",
                                        business=Business.MOBILE, commitment_months=12)
    assert bad in caught.value.text and "Luhn" in caught.value.text
    assert SubsidisedSale.objects.count() == 3 and AuditEntry.objects.count() == audits
    assert ResourceItem.objects.get(serial=IMEI["h4"]).state == ItemState.PICKED_UP


def test_clean_imei_accepts_a_valid_imei():
    assert services.clean_imei(" 490154203237518 ") == "490154203237518"  # a published example IMEI
    assert make_imei("49015420323751") == "490154203237518"


# --- Subsidy levels -----------------------------------------------------------------------------


def test_subsidy_level_selection_by_date_model_and_package(world):
    manager, today = world.user("js_channel"), world.today
    first = SubsidyLevel.objects.get(handset_model=world.model, version=1)
    second = services.subsidy_level_set(actor=manager, handset_model=world.model, business=Business.MOBILE,
                                        kind=SubsidyKind.AMOUNT, value="500", valid_from=today - 10 * DAY)
    package = services.subsidy_level_set(actor=manager, handset_model=world.model, business=Business.MOBILE,
                                         package="P88", kind=SubsidyKind.PERCENT, value="40",
                                         valid_from=today - 10 * DAY)
    first.refresh_from_db()
    assert first.valid_to == today - 11 * DAY and second.version == 2 and second.valid_to is None

    def pick(on, package_code=""):
        return services.subsidy_level_for(handset_model=world.model, business=Business.MOBILE, package=package_code,
                                          on=on)

    assert pick(today - 20 * DAY) == first
    assert pick(today) == second
    assert pick(today, "P88") == package and package.subsidy_for(Decimal("2000")) == Decimal("800.00")
    assert pick(today - 20 * DAY, "P88") == first  # the package level was not yet in force
    assert pick(today - 500 * DAY) is None
    other = services.handset_model_save(actor=manager, brand="Motorola", model="V998", list_price="3000")
    assert services.subsidy_level_for(handset_model=other, business=Business.MOBILE, on=today) is None
    assert services.subsidy_level_for(handset_model=world.model, business=Business.DATA, on=today) is None


def test_subsidy_level_refuses_an_earlier_version_and_a_bad_value(world):
    manager = world.user("js_channel")
    kwargs = dict(actor=manager, handset_model=world.model, business=Business.MOBILE)
    with pytest.raises(errors.LevelOverlaps):
        services.subsidy_level_set(**kwargs, kind=SubsidyKind.AMOUNT, value="100", valid_from=world.today - 500 * DAY)
    with pytest.raises(errors.BadSubsidy):
        services.subsidy_level_set(**kwargs, kind=SubsidyKind.PERCENT, value="120", valid_from=world.today)
    with pytest.raises(errors.BadSubsidy):
        services.subsidy_level_set(**kwargs, kind=SubsidyKind.AMOUNT, value="2500", valid_from=world.today)
    assert SubsidyLevel.objects.count() == 1
    assert SubsidyLevel.objects.get().valid_to is None


def test_directors_may_not_set_levels(world):
    with pytest.raises(PermissionDenied):
        services.subsidy_level_set(actor=world.user("js_director"), handset_model=world.model,
                                   business=Business.MOBILE, kind=SubsidyKind.AMOUNT, value="1",
                                   valid_from=world.today)


# --- Sales --------------------------------------------------------------------------------------


def test_sale_binds_imei_number_agent_and_subsidy(world):
    sale = world.sales["h1"]
    assert (sale.imei, sale.msisdn, sale.agent, sale.org_unit) == (
        IMEI["h1"], "13900000001", world.channels.agents["nj_a1"], world.channels.units["NJ-XJK"])
    assert sale.level.version == 1 and sale.list_price == Decimal("2000.00")
    assert sale.subsidy_amount == Decimal("600.00") and sale.monthly_amortisation == Decimal("25.00")
    assert sale.item.serial == IMEI["h1"]
    assert ResourceItem.objects.get(serial=IMEI["h1"]).state == ItemState.ENTERED
    assert AuditEntry.objects.filter(action="terminals.sale_record", target_id=str(sale.pk)).count() == 1
    assert selectors.handset_path(world.user("js_channel"), sale)[-1]["where"].endswith("13900000001")


def test_sale_refusals_change_nothing(world):
    manager = world.user("js_channel")

    def sell(imei, msisdn="13900000009", **extra):
        return services.subsidised_sale_record(actor=manager, imei=imei, msisdn=msisdn, business=Business.MOBILE,
                                               commitment_months=12, **extra)

    with pytest.raises(errors.HandsetAlreadySold):
        sell(IMEI["h1"])
    with pytest.raises(errors.NumberAlreadyBound):
        sell(IMEI["h4"], msisdn="13900000001")
    with pytest.raises(errors.InvalidMsisdn):
        sell(IMEI["h4"], msisdn="2390000000")
    with pytest.raises(errors.HandsetNotHeld):
        sell(IMEI["stranger"])
    with pytest.raises(errors.NoSubsidyLevel):
        sell(IMEI["h4"], sold_on=world.today - 500 * DAY)
    with pytest.raises(InvalidInput):
        services.subsidised_sale_record(actor=manager, imei=IMEI["h4"], msisdn="13900000009",
                                        business=Business.MOBILE, commitment_months=0)
    assert SubsidisedSale.objects.count() == 3
    assert ResourceItem.objects.get(serial=IMEI["h4"]).state == ItemState.PICKED_UP


def test_directors_may_not_record_sales(world):
    with pytest.raises(PermissionDenied):
        services.subsidised_sale_record(actor=world.user("sz_director"), imei=IMEI["h4"], msisdn="13900000009",
                                        business=Business.MOBILE, commitment_months=12)


# --- Detection --------------------------------------------------------------------------------


def example(world):
    """The hand-made example: exactly one 窜机 (h1 with another SIM, seen twice) and one 窜卡
    (h2's number in another handset); everything else is normal or before the sale."""
    d = world.today
    sold = world.sales["h1"].sold_on
    return [
        (IMEI["h1"], "13900000001", d - 5 * DAY),  # as sold
        (IMEI["h1"], "13911111111", d - 3 * DAY),  # 窜机
        (IMEI["h1"], "13911111111", d - 2 * DAY),  # 窜机 again, same pair
        (IMEI["h2"], "13900000002", d - 3 * DAY),  # as sold
        (IMEI["other"], "13900000002", d - 1 * DAY),  # 窜卡
        (IMEI["stranger"], "13922222222", d),  # not subsidised
        (IMEI["h3"], "13933333333", sold - DAY),  # before the sale: the shop's test call
        (IMEI["h4"], "13944444444", d),  # a handset held, not sold with a subsidy
    ]


def test_import_flags_exactly_the_moved_handset_and_the_moved_sim(world):
    batch = services.observation_file_import(actor=world.user("js_channel"), name="net.csv", content=_csv(example(world)))
    assert (batch.rows, batch.new_rows, batch.flags_created) == (8, 8, 2)
    flags = {a.kind: a for a in Anomaly.objects.all()}
    assert set(flags) == {AnomalyKind.HANDSET_MOVED, AnomalyKind.SIM_MOVED} and Anomaly.objects.count() == 2
    moved = flags[AnomalyKind.HANDSET_MOVED]
    assert (moved.sale, moved.imei, moved.expected_msisdn, moved.observed_msisdn, moved.first_seen, moved.agent) == (
        world.sales["h1"], IMEI["h1"], "13900000001", "13911111111", world.today - 3 * DAY,
        world.channels.agents["nj_a1"])
    sim = flags[AnomalyKind.SIM_MOVED]
    assert (sim.sale, sim.observed_imei, sim.observed_msisdn, sim.expected_msisdn, sim.status) == (
        world.sales["h2"], IMEI["other"], "13900000002", "13900000002", AnomalyStatus.OPEN)


def test_reimport_is_idempotent(world):
    manager, content = world.user("js_channel"), _csv(example(world))
    first = services.observation_file_import(actor=manager, name="net.csv", content=content)
    again = services.observation_file_import(actor=manager, name="net-copy.csv", content=content)
    assert again.pk == first.pk and ObservationImport.objects.count() == 1
    rows = [ObservationRow(i, m, d) for i, m, d in example(world)]
    api_batch = services.observations_import(actor=manager, rows=rows)
    assert (api_batch.new_rows, api_batch.flags_created) == (0, 0)
    later = services.observations_import(actor=manager, rows=[ObservationRow(IMEI["h1"], "13911111111", world.today)])
    assert (later.new_rows, later.flags_created) == (1, 0)
    assert Anomaly.objects.count() == 2 and Observation.objects.count() == 9


def test_a_bad_line_refuses_the_whole_file(world):
    rows = [*example(world), ("12345", "13900000001", world.today)]
    with pytest.raises(errors.BadObservationFile) as caught:
        services.observation_file_import(actor=world.user("js_channel"), name="net.csv", content=_csv(rows))
    assert "line 10" in caught.value.text
    assert not ObservationImport.objects.exists() and not Observation.objects.exists()


def test_xlsx_upload_is_read(world):
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["imei", "msisdn", "seen_on"])
    for imei, msisdn, day in example(world):
        sheet.append([imei, int(msisdn), day])
    buffer = io.BytesIO()
    book.save(buffer)
    batch = services.observation_file_import(actor=world.user("js_channel"), name="net.xlsx", content=buffer.getvalue())
    assert (batch.rows, batch.flags_created) == (8, 2)


# --- Review ---------------------------------------------------------------------------------


@pytest.fixture
def flagged(world):
    services.observation_file_import(actor=world.user("js_channel"), name="net.csv", content=_csv(example(world)))
    return {a.kind: a for a in Anomaly.objects.all()}


def test_confirm_notes_the_recovery_and_marks_the_sale(world, flagged):
    moved = flagged[AnomalyKind.HANDSET_MOVED]
    done = services.anomaly_confirm(actor=world.user("js_channel"), anomaly=moved, note="核实属实")
    expected = services.unamortised(world.sales["h1"], moved.first_seen)
    assert done.status == AnomalyStatus.CONFIRMED and done.recovery_amount == expected
    assert expected in (Decimal("600.00"), Decimal("575.00"))  # sold 30 days before: 0 or 1 month amortised
    assert SubsidisedSale.objects.get(pk=world.sales["h1"].pk).status == SaleStatus.RECOVERED
    assert AuditEntry.objects.filter(action="terminals.anomaly_confirm", target_id=str(moved.pk)).exists()
    # The subsidy is taken back from the agent's account: nothing in rebate or prepayment, so on overdraft.
    agent = world.sales["h1"].agent
    assert ledger.balances(agent)["overdraft"] == -expected and ledger.ledger_check() == []
    with pytest.raises(errors.AnomalyNotOpen):
        services.anomaly_dismiss(actor=world.user("js_channel"), anomaly=moved, reason="x")


def test_confirm_beyond_the_agents_credit_changes_nothing(world, flagged):
    moved = flagged[AnomalyKind.HANDSET_MOVED]
    Agent.objects.filter(pk=world.sales["h1"].agent_id).update(credit_line=0)
    with pytest.raises(CreditExceeded):
        services.anomaly_confirm(actor=world.user("js_channel"), anomaly=moved, note="核实属实")
    assert Anomaly.objects.get(pk=moved.pk).status == AnomalyStatus.OPEN
    assert SubsidisedSale.objects.get(pk=world.sales["h1"].pk).status != SaleStatus.RECOVERED
    assert not LedgerTransaction.objects.exists() and ledger.ledger_check() == []


def test_confirm_refuses_more_than_the_subsidy(world, flagged):
    moved = flagged[AnomalyKind.HANDSET_MOVED]
    with pytest.raises(InvalidInput):
        services.anomaly_confirm(actor=world.user("js_channel"), anomaly=moved, recovery_amount="601")
    moved.refresh_from_db()
    assert moved.status == AnomalyStatus.OPEN and moved.recovery_amount is None


def test_dismiss_needs_a_reason_and_leaves_the_count(world, flagged):
    sim = flagged[AnomalyKind.SIM_MOVED]
    with pytest.raises(InvalidInput):
        services.anomaly_dismiss(actor=world.user("js_channel"), anomaly=sim, reason=" ")
    sim.refresh_from_db()
    assert sim.status == AnomalyStatus.OPEN
    services.anomaly_dismiss(actor=world.user("js_channel"), anomaly=sim, reason="用户本人第二部手机")
    sim.refresh_from_db()
    assert sim.status == AnomalyStatus.DISMISSED and sim.review_note == "用户本人第二部手机"
    counts = selectors.anomalies_by_agent((world.today - 40 * DAY, world.today))
    assert counts == [{"agent_id": world.channels.agents["nj_a1"].pk, "agent_code": "A32010001",
                       "agent_name": "南京新街口通信器材店", "handset_moved": 1, "sim_moved": 0, "confirmed": 0,
                       "total": 1}]


def test_review_needs_the_permission_and_the_scope(world, flagged):
    moved = flagged[AnomalyKind.HANDSET_MOVED]
    with pytest.raises(PermissionDenied):
        services.anomaly_confirm(actor=world.user("nj_director"), anomaly=moved)
    # A Suzhou reviewer (unit scope) does not find a Nanjing flag.
    from django.contrib.auth.models import Permission

    from kams.org.enums import RoleCode
    from kams.org.testing import make_staff

    reviewer = make_staff("sz_reviewer", world.channels.units["SZ-SCB"], (RoleCode.FINANCE,)).user
    reviewer.user_permissions.add(Permission.objects.get(codename="review_anomaly"))
    with pytest.raises(Http404):
        services.anomaly_confirm(actor=reviewer, anomaly=moved)
    moved.refresh_from_db()
    assert moved.status == AnomalyStatus.OPEN


def test_handset_path_shows_the_resource_movements_then_the_sale(world):
    import uuid

    from django.utils import timezone

    from kams.resources.enums import MoveKind, ResourceKind
    from kams.resources.models import Movement

    sale, agent = world.sales["h2"], world.channels.agents["nj_a1"]
    start = timezone.now() - datetime.timedelta(days=40)
    Movement.objects.bulk_create([
        Movement(operation=uuid.uuid4(), kind=MoveKind.STOCK_IN, item=sale.item, item_kind=ResourceKind.HANDSET,
                 serial=sale.imei, to_unit=world.channels.province.units["NJ"], at=start),
        Movement(operation=uuid.uuid4(), kind=MoveKind.PICKUP, item=sale.item, item_kind=ResourceKind.HANDSET,
                 serial=sale.imei, from_unit=world.channels.province.units["NJ"], to_unit=agent.org_unit,
                 to_agent=agent, at=start + DAY),
    ])
    path = selectors.handset_path(world.user("js_channel"), sale)
    assert [step["what"] for step in path] == [MoveKind.STOCK_IN.label, MoveKind.PICKUP.label, "subsidised sale"]
    assert path[1]["where"] == f"{world.channels.province.units['NJ']} → {agent}"
    assert path[2]["where"] == f"{agent} → 13900000002"

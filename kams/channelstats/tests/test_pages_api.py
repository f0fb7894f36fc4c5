"""Pages, API, exports, reports and the management command of channel evaluation."""

import csv
import hashlib
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from openpyxl import load_workbook

from kams.channels import ledger
from kams.channelstats import services
from kams.channelstats.models import EvaluationExport, EvaluationRun
from kams.channelstats.reports import Filters, agents_report, balances_report, revenue_report, subscribers_report
from kams.channelstats.tests.conftest import MARCH, SIMPLE_ITEMS

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(evaldata, simple_model):
    return services.evaluation_run(actor=evaldata.user("js_channel"), model=simple_model, period=MARCH)


def test_export_files(evaldata, run):
    actor = evaldata.user("js_channel")
    export = services.export_run(actor=actor, run=run, fmt="json")
    content = export.file.read()
    assert hashlib.sha256(content).hexdigest() == export.sha256 and export.row_count == 3
    assert export.created_by == actor
    rows = json.loads(content)
    assert list(rows[0]) == ["province_code", "period", "agent_code", "agent_name", "level", "new_users", "revenue",
                             "churn_rate", "score", "rank"]
    assert rows[2] == {"province_code": "JS", "period": "2025-03", "agent_code": "A32010001",
                       "agent_name": "南京新街口通信器材店", "level": "city", "new_users": "2", "revenue": "130",
                       "churn_rate": "50", "score": "39.50", "rank": 3}
    text = services.export_run(actor=actor, run=run, fmt="csv").file.read().decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][:3] == ["province_code", "period", "agent_code"] and lines[1][2] == "A32010002"
    sheet = load_workbook(io.BytesIO(services.export_run(actor=actor, run=run, fmt="xlsx").file.read())).active
    values = list(sheet.values)
    assert values[1][2] == "A32010002" and values[1][-2] == 76 and values[1][-1] == 1 and len(values) == 4
    assert EvaluationExport.objects.count() == 3
    # A Suzhou reader's export would hold only Suzhou rows; a director may not export at all.
    header, rows = services.export_rows(run, run.results.visible_to(evaldata.user("sz_director")))
    assert [r[2] for r in rows] == ["A32050001"]
    with pytest.raises(services.InvalidInput):
        services.export_run(actor=actor, run=run, fmt="pdf")


def test_reports_figures(evaldata):
    js, sz = evaldata.user("js_channel"), evaldata.user("sz_director")
    cities = {r["group"]: (r["registered"], r["deregistered"], r["total"]) for r in agents_report(js, Filters())["rows"]}
    assert cities == {"南京分公司": (2, 2, 4), "苏州分公司": (1, 0, 1)}
    assert [r["group"] for r in agents_report(sz, Filters(group="level"))["rows"]] == ["Provincial"] or \
        len(agents_report(sz, Filters(group="level"))["rows"]) == 1
    subs = subscribers_report(js, Filters())["rows"]
    assert [(r["month"], r["total"]) for r in subs] == [("2024-12", 2), ("2025-01", 1), ("2025-02", 1), ("2025-03", 8)]
    march_only = subscribers_report(js, Filters(since=MARCH, until=MARCH))["rows"]
    assert march_only == [{"month": "2025-03", "mobile": 8, "total": 8}]
    revenue = {r["month"]: r for r in revenue_report(js, Filters())["rows"]}
    assert (revenue["2025-03"]["numbers"], revenue["2025-03"]["total"], revenue["2025-03"]["paid"],
            revenue["2025-03"]["arrears"]) == (5, Decimal("550"), Decimal("480"), Decimal("70"))
    assert revenue_report(sz, Filters(since=MARCH))["rows"][0]["total"] == Decimal("360")
    with transaction.atomic():
        ledger.pay_in(evaldata.agents["nj_a1"], "deposit", Decimal("1000"), actor=js)
        ledger.pay_in(evaldata.agents["sz_a1"], "prepayment", Decimal("300"), actor=js)
    balances = {r["group"]: (r["deposit"], r["prepayment"]) for r in balances_report(js, Filters())["rows"]}
    assert balances == {"南京分公司": (Decimal("1000"), Decimal("0")), "苏州分公司": (Decimal("0"), Decimal("300"))}
    unit = Filters(unit=evaldata.channels.units["NJ-HX"], group="unit")
    assert [r["group"] for r in balances_report(js, unit)["rows"]] == ["河西营销部"]


def test_pages(evaldata, run, page_client_for):
    result = run.results.get(agent=evaldata.agents["nj_a1"])
    client = page_client_for("js_channel")
    for name, args in [("runs", []), ("run_new", []), ("run", [run.pk]), ("result", [result.pk]), ("models", []),
                       ("model_new", []), ("manual", []), ("manual_new", []), ("exports", []), ("reports", []),
                       ("report", ["agents"]), ("report", ["subscribers"]), ("report", ["revenue"]),
                       ("report", ["balances"]), ("report_agents", [])]:
        response = client.get(reverse(f"channelstats:{name}", args=args))
        assert response.status_code == 200, name
    page = client.get(reverse("channelstats:run", args=[run.pk])).content.decode()
    assert "39.50" in page and "76.00" in page
    export = client.get(reverse("channelstats:report", args=["revenue"]) + "?export=xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")
    # Writes through pages.
    response = client.post(reverse("channelstats:model_new"), {"code": "basic", "name": "基本考核",
                                                               "items": "new_users 50 linear 0 4\nrevenue 50 rank"})
    assert response.status_code == 302
    bad = client.post(reverse("channelstats:model_new"), {"code": "basic", "name": "x", "items": "new_users 60 rank"})
    assert bad.status_code == 200 and "100" in bad.content.decode()
    response = client.post(reverse("channelstats:run_new"), {"model": services.model_current("basic").pk,
                                                             "period": "2025-03"})
    assert response.status_code == 302 and EvaluationRun.objects.count() == 2
    response = client.post(reverse("channelstats:run_export", args=[run.pk]), {"format": "csv"})
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200


def test_page_scope_and_permissions(evaldata, run, simple_model, page_client_for):
    nanjing = services.evaluation_run(actor=evaldata.user("js_channel"), model=simple_model, period=MARCH,
                                      org_unit=evaldata.channels.units["NJ-SCB"])
    sz = page_client_for("sz_director")
    page = sz.get(reverse("channelstats:run", args=[run.pk]))
    assert page.status_code == 200
    assert "A32050001" in page.content.decode() and "A32010001" not in page.content.decode()
    assert sz.get(reverse("channelstats:run", args=[nanjing.pk])).status_code == 404
    nj_result = run.results.get(agent=evaldata.agents["nj_a1"])
    assert sz.get(reverse("channelstats:result", args=[nj_result.pk])).status_code == 404
    assert sz.get(reverse("channelstats:run_new")).status_code == 403
    assert sz.post(reverse("channelstats:run_export", args=[run.pk]), {"format": "csv"}).status_code == 403
    assert page_client_for("nj_manager1").get(reverse("channelstats:runs")).status_code == 403
    assert sz.get(reverse("channelstats:report", args=["agents"])).status_code == 200


def test_api(evaldata, run, api_client_for):
    client = api_client_for("js_channel")
    response = client.post("/api/v1/channels/stats/models/", {"code": "api", "name": "API 模型", "items": SIMPLE_ITEMS},
                           format="json")
    assert response.status_code == 201 and response.json()["version"] == 1
    bad = client.post("/api/v1/channels/stats/models/", {"code": "api", "name": "x", "items": SIMPLE_ITEMS[:2]},
                      format="json")
    assert bad.status_code == 400 and bad.json()["code"] == "channelstats.weights_not_100"
    created = client.post("/api/v1/channels/stats/runs/", {"model": "api", "period": "2025-03"}, format="json")
    assert created.status_code == 201 and created.json()["agent_count"] == 3
    results = client.get(f"/api/v1/channels/stats/runs/{run.pk}/results/").json()
    assert [(r["agent_code"], r["score"], r["rank"]) for r in results] == [
        ("A32010002", "76.00", 1), ("A32050001", "70.00", 2), ("A32010001", "39.50", 3)]
    assert results[2]["values"]["revenue"] == {"value": "130.0000", "points": "65.00"}
    assert client.post(f"/api/v1/channels/stats/runs/{run.pk}/notify/").json() == {"messages": 0}
    export = client.post(f"/api/v1/channels/stats/runs/{run.pk}/export/", {"format": "json"}, format="json")
    assert export.status_code == 201 and export.json()["row_count"] == 3
    score = client.post("/api/v1/channels/stats/scores/", {"agent": evaldata.agents["sz_a1"].pk, "period": "2025-03",
                                                          "kind": "satisfaction", "value": "95"}, format="json")
    assert score.status_code == 201
    report = client.get("/api/v1/channels/stats/reports/revenue/?since=2025-03&until=2025-03").json()
    assert report["rows"] == [{"month": "2025-03", "numbers": 5, "total": "550.00", "paid": "480.00",
                               "arrears": "70.00"}]
    assert client.get("/api/v1/channels/stats/reports/nothing/").status_code == 404
    sz = api_client_for("sz_director")
    assert [r["agent_code"] for r in sz.get(f"/api/v1/channels/stats/runs/{run.pk}/results/").json()] == ["A32050001"]
    assert sz.post("/api/v1/channels/stats/runs/", {"model": "api", "period": "2025-03"}, format="json").status_code == 403
    assert api_client_for("nj_manager1").get("/api/v1/channels/stats/reports/agents/").status_code == 403


def test_command(evaldata, simple_model):
    out = io.StringIO()
    call_command("channels_evaluate", "--period", "2025-03", "--model", "basic", stdout=out)
    assert "evaluated 3 agents for 2025-03" in out.getvalue()
    call_command("channels_evaluate", "--period", "2025-03", "--model", "basic", stdout=out)
    assert EvaluationRun.objects.get().times_run == 2
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("channels_evaluate", "--period", "2025-3x", "--model", "basic", stdout=out)
    with pytest.raises(CommandError):
        call_command("channels_evaluate", "--period", "2025-03", "--model", "nope", stdout=out)


def test_notify_channel_managers(evaldata, run, page_client_for):
    from kams.notify.models import Message
    from kams.org.models import Staff

    Staff.objects.filter(user__username="js_channel").update(mobile="13800001111", email="zhao@example.com")
    assert services.evaluation_notify(actor=evaldata.user("js_channel"), run=run, count=1) == 2
    sms = Message.objects.get(channel="sms")
    assert sms.recipient == "13800001111" and "南京河西手机连锁 76.00" in sms.body and "南京新街口通信器材店 39.50" in sms.body
    assert services.evaluation_notify(actor=evaldata.user("js_channel"), run=run, count=1) == 0  # once per computation
    response = page_client_for("js_channel").post(reverse("channelstats:run_notify", args=[run.pk]))
    assert response.status_code == 302
    assert page_client_for("sz_director").post(reverse("channelstats:run_notify", args=[run.pk])).status_code == 403


def test_commission_and_pickup_reports(evaldata, page_client_for):
    from kams.channels.enums import HouseAccountKind, PayMethod, SubAccountKind, TransactionKind
    from kams.channelstats.reports import REPORTS, commission_report

    js = evaldata.user("js_channel")
    with transaction.atomic():
        ledger.credit(evaldata.agents["nj_a1"], Decimal("500"), kind=TransactionKind.PAYOUT, method=PayMethod.TRANSFER,
                      house_kind=HouseAccountKind.COMMISSION, sub_account=SubAccountKind.REBATE, actor=js)
        ledger.credit(evaldata.agents["sz_a1"], Decimal("80"), kind=TransactionKind.SUPPLEMENT,
                      method=PayMethod.TRANSFER, house_kind=HouseAccountKind.COMMISSION,
                      sub_account=SubAccountKind.REBATE, actor=js)
        ledger.recover(evaldata.agents["nj_a1"], Decimal("30"), actor=js)
    rows = commission_report(js, Filters())["rows"]
    assert len(rows) == 1 and (rows[0]["payout"], rows[0]["supplement"], rows[0]["recovery"], rows[0]["net"]) == (
        Decimal("500"), Decimal("80"), Decimal("30"), Decimal("550"))
    assert commission_report(evaldata.user("sz_director"), Filters())["rows"][0]["net"] == Decimal("80")
    client = page_client_for("js_channel")
    for slug in REPORTS:
        assert client.get(reverse("channelstats:report", args=[slug])).status_code == 200, slug
        assert client.get(f"/api/v1/channels/stats/reports/{slug}/").status_code == 200, slug


def test_import_page(evaldata, page_client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from kams.channelstats.models import ManualScore

    client = page_client_for("js_channel")
    assert client.get(reverse("channelstats:manual_import")).status_code == 200
    upload = SimpleUploadedFile("scores.csv", b"agent_code,period,kind,value\nA32010002,2025-03,satisfaction,88\n")
    response = client.post(reverse("channelstats:manual_import"), {"file": upload})
    assert response.status_code == 302 and ManualScore.objects.get().value == Decimal("88")
    bad = SimpleUploadedFile("scores.csv", b"agent_code,period,kind,value\nA32010002,2025-13,satisfaction,88\n")
    response = client.post(reverse("channelstats:manual_import"), {"file": bad})
    assert response.status_code == 200 and 'id="form-errors"' in response.content.decode()
    assert ManualScore.objects.count() == 1

"""Pages, Excel exports and the API of the club statistics and points cost: who may open what,
the same figures as the selectors, bad input."""

import io

import pytest
from openpyxl import load_workbook

from kams.clubstats.catalogue import STATISTICS
from kams.clubstats.models import PointsScheme, PointsSchemeForecast

AUTUMN = "from=2026-09&to=2026-11"
STAT_PAGES = ["points", "redemption", "consumption", "distribution", "cards", "members"]
COST_PAGES = {"cost": "/club/stats/cost/", "cost_analysis": "/club/stats/cost/analysis/"}


def _url(name):
    return COST_PAGES.get(name, f"/club/stats/{name}/")


@pytest.mark.parametrize("name", sorted(STATISTICS))
def test_every_statistic_page_renders_with_its_charts_and_tables(world, page_client_for, name):
    response = page_client_for("js_club").get(f"{_url(name)}?{AUTUMN}")
    assert response.status_code == 200
    html = response.content.decode()
    for chart in response.context["charts"]:
        assert f'id="{chart["id"]}"' in html
    for table in STATISTICS[name].tables:
        assert f'id="table-{table.key}"' in html
    assert "echarts.min.js" in html


def test_the_points_page_shows_the_figures(world, page_client_for):
    html = page_client_for("js_club").get(f"/club/stats/points/?{AUTUMN}").content.decode()
    assert "1,350" in html  # October's consumption points
    assert "钻石卡" in html


@pytest.mark.parametrize("name", sorted(STATISTICS))
def test_every_statistic_exports_to_excel_one_sheet_per_table(world, page_client_for, name):
    response = page_client_for("js_club").get(f"{_url(name)}?{AUTUMN}&export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert len(workbook.sheetnames) == len(STATISTICS[name].tables)


def test_the_excel_export_holds_the_numbers(world, page_client_for):
    response = page_client_for("js_club").get(f"/club/stats/cost/?{AUTUMN}&export=xlsx")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    liability = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert liability[1][0] == 2515 and float(liability[1][-1]) == 37.13


def test_a_bad_filter_shows_its_error_and_the_default_months(world, page_client_for):
    response = page_client_for("js_club").get("/club/stats/points/?from=2026-13")
    assert response.status_code == 200
    assert response.context["error"] and 'id="filter-error"' in response.content.decode()


@pytest.mark.parametrize("username, stats, cost", [
    ("js_club", 200, 200), ("js_director", 200, 200), ("nj_director", 200, 403), ("js_finance", 403, 200),
    ("nj_manager1", 403, 403), ("norole", 403, 403),
])
def test_who_may_open_the_statistics_and_the_cost(world, finance, page_client_for, username, stats, cost):
    client = page_client_for(username)
    assert client.get("/club/stats/").status_code == stats
    assert client.get("/club/stats/points/").status_code == stats
    assert client.get("/club/stats/cost/").status_code == cost
    assert client.get("/club/stats/cost/analysis/").status_code == cost


def test_the_index_links_the_statistics_and_the_cost_for_who_may_read_it(world, page_client_for):
    club_html = page_client_for("js_club").get("/club/stats/").content.decode()
    assert "/club/stats/cost/" in club_html and "/club/stats/cards/" in club_html
    director_html = page_client_for("nj_director").get("/club/stats/").content.decode()
    assert "/club/stats/cards/" in director_html and "/club/stats/cost/" not in director_html


def test_the_index_links_the_other_club_statistics_only_when_they_exist(world, page_client_for, monkeypatch):
    from kams.clubstats import views

    monkeypatch.setattr(views, "ELSEWHERE", [("Partner exchange", "bi-x", ("partners:no_such_page", "clubstats:cards"))])
    response = page_client_for("js_club").get("/club/stats/")
    assert [e["url"] for e in response.context["elsewhere"]] == ["/club/stats/cards/"]
    monkeypatch.setattr(views, "ELSEWHERE", [("Partner exchange", "bi-x", ("partners:no_such_page",))])
    assert page_client_for("js_club").get("/club/stats/").context["elsewhere"] == []


def test_anonymous_users_are_sent_to_the_login(world, client):
    response = client.get("/club/stats/points/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_page_of_a_suzhou_director_holds_no_nanjing_figures(world, page_client_for):
    response = page_client_for("sz_director").get(f"/club/stats/distribution/?{AUTUMN}")
    html = response.content.decode()
    assert "苏州分公司" in html and "南京分公司" not in [r[0]["value"] for t in response.context["tables"] for r in t["rows"]]
    assert [c.code for c in response.context["cities"]] == ["SZ"]


# --- Schemes and forecasts pages -----------------------------------------------------------------


def _form(rules_from):
    """The scheme form's data: every rule field at its initial value."""
    return {name: field.initial for name, field in rules_from.fields.items() if name.startswith("rule__")}


def test_a_scheme_is_made_on_its_page_and_forecast_from_it(world, page_client_for):
    from kams.clubstats.forms import SchemeForm

    client = page_client_for("js_club")
    assert client.get("/club/stats/schemes/new/").status_code == 200
    data = {"name": "双倍数据业务积分", "description": "", "redemption_rate": "", "cost_per_point": "",
            **_form(SchemeForm()), "rule__CONS-DATA__rate": "2"}
    response = client.post("/club/stats/schemes/new/", data)
    assert response.status_code == 302
    scheme = PointsScheme.objects.get()
    assert scheme.rules == {"CONS-DATA": {"rate": "2.0000"}}  # only what differs from the current rules
    page = client.get(f"/club/stats/schemes/{scheme.pk}/")
    assert page.status_code == 200 and 'id="run-forecast"' in page.content.decode()
    response = client.post(f"/club/stats/schemes/{scheme.pk}/forecast/", {"months": "12"})
    forecast = PointsSchemeForecast.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/club/stats/forecasts/{forecast.pk}/"
    page = client.get(f"/club/stats/forecasts/{forecast.pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="chart-forecast"' in html and 'id="total-scheme">1828<' in html  # 1615 + 225 − 12 more unpaid penalty
    export = client.get(f"/club/stats/forecasts/{forecast.pk}/?export=xlsx")
    assert load_workbook(io.BytesIO(b"".join(export.streaming_content))).sheetnames[0]
    compare = client.get(f"/club/stats/forecasts/compare/?ids={forecast.pk}")
    assert compare.status_code == 200 and 'id="chart-compare"' in compare.content.decode()
    assert client.get("/club/stats/schemes/").status_code == 200
    assert client.get(f"/club/stats/schemes/{scheme.pk}/edit/").status_code == 200


def test_a_bad_scheme_form_changes_nothing(world, page_client_for):
    response = page_client_for("js_club").post("/club/stats/schemes/new/", {"name": ""})
    assert response.status_code == 200 and response.context["form"].errors
    assert not PointsScheme.objects.exists()


def test_a_running_forecast_page_polls_its_progress(world, page_client_for):
    from kams.clubstats import services
    from kams.system.models import SystemParameter

    SystemParameter.objects.create(key="club.forecast_inline_bills", value=0)
    scheme = services.scheme_save(actor=world.user("js_club"), name="后台")
    forecast = services.forecast_start(actor=world.user("js_club"), scheme=scheme)
    html = page_client_for("js_club").get(f"/club/stats/forecasts/{forecast.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in html and 'class="progress"' in html


def test_directors_cannot_make_schemes_and_finance_cannot_run_forecasts(world, finance, page_client_for):
    from kams.clubstats import services

    scheme = services.scheme_save(actor=world.user("js_club"), name="甲")
    assert page_client_for("nj_director").get("/club/stats/schemes/").status_code == 403
    assert page_client_for("js_finance").get("/club/stats/schemes/").status_code == 200
    assert page_client_for("js_finance").get("/club/stats/schemes/new/").status_code == 403
    assert page_client_for("js_finance").post(f"/club/stats/schemes/{scheme.pk}/forecast/", {"months": "3"}).status_code == 403
    assert not PointsSchemeForecast.objects.exists()


# --- API -----------------------------------------------------------------------------------------


def test_the_api_gives_the_same_tables_as_the_pages(world, api_client_for):
    response = api_client_for("js_club").get(f"/api/v1/club/stats/points/?{AUTUMN}&level=DIAMOND")
    assert response.status_code == 200
    body = response.json()
    assert body["filters"] == {"from": "2026-09", "to": "2026-11", "level": "DIAMOND"}
    earned = {(r["month"], r["category"]): r["points"] for r in body["tables"]["earned"]}
    assert earned[("2026-10", "consumption")] == 1000 and earned[("2026-09", "activity")] == 2000
    cost = api_client_for("js_club").get(f"/api/v1/club/stats/cost/?{AUTUMN}").json()
    assert cost["tables"]["liability"][0]["liability"] == "37.13"  # money as a decimal string


def test_the_api_is_scoped(world, api_client_for):
    body = api_client_for("sz_director").get(f"/api/v1/club/stats/distribution/?{AUTUMN}").json()
    assert [r["city_name"] for r in body["tables"]["by_city"]] == ["苏州分公司"]


@pytest.mark.parametrize("username, url, code", [
    ("nj_director", "/api/v1/club/stats/cost/", 403),
    ("norole", "/api/v1/club/stats/points/", 403),
    ("js_club", "/api/v1/club/stats/nonsense/", 404),
    ("js_club", "/api/v1/club/stats/points/?from=2026-13", 400),
    ("js_club", "/api/v1/club/stats/points/?city=XX", 400),
])
def test_the_api_refuses(world, api_client_for, username, url, code):
    response = api_client_for(username).get(url)
    assert response.status_code == code
    if code == 400:
        assert response.json()["code"] == "kams.invalid_input"


def test_the_api_needs_a_login(world, api_client_for):
    assert api_client_for(None).get("/api/v1/club/stats/points/").status_code in (401, 403)


def test_schemes_and_forecasts_through_the_api(world, api_client_for):
    client = api_client_for("js_club")
    response = client.post("/api/v1/club/stats/schemes/", {"name": "双倍移动", "rules": {"CONS-MOBILE": {"rate": "2"}}},
                           format="json")
    assert response.status_code == 201, response.content
    scheme_id = response.json()["id"]
    response = client.post(f"/api/v1/club/stats/schemes/{scheme_id}/forecast/", {"months": 6}, format="json")
    assert response.status_code == 201
    assert response.json()["figures"]["totals"]["scheme"] == 2668
    listed = client.get(f"/api/v1/club/stats/forecasts/?scheme={scheme_id}").json()
    assert [f["id"] for f in listed["results"]] == [response.json()["id"]]
    patched = client.patch(f"/api/v1/club/stats/schemes/{scheme_id}/", {"cost_per_point": "0.01"}, format="json")
    assert patched.status_code == 200 and patched.json()["cost_per_point"] == "0.010000"


def test_bad_scheme_input_through_the_api_changes_nothing(world, api_client_for):
    response = api_client_for("js_club").post("/api/v1/club/stats/schemes/", {"name": "坏", "rules": {"X": {"rate": 1}}},
                                              format="json")
    assert response.status_code == 400 and response.json()["code"] == "kams.invalid_input"
    assert not PointsScheme.objects.exists()


def test_only_the_club_makes_schemes_through_the_api(world, finance, api_client_for):
    assert api_client_for("js_finance").post("/api/v1/club/stats/schemes/", {"name": "财务"}, format="json").status_code == 403
    assert api_client_for("js_finance").get("/api/v1/club/stats/schemes/").status_code == 200
    assert api_client_for("nj_director").get("/api/v1/club/stats/forecasts/").status_code == 403
    assert not PointsScheme.objects.exists()

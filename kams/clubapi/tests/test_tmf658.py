"""TMF658 Loyalty Management v4 over the loyalty club (kams.clubapi.tmf658)."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from kams.audit.models import AuditEntry
from kams.club.models import ClubMember, PointsLot, PointsRule
from kams.club.rules import next_month_start
from kams.club.run import rules_in_force
from kams.club.testing import give_points
from kams.org.testing import assert_scoped

pytestmark = pytest.mark.django_db

BASE = "/tmf-api/loyalty/v4/"
MEMBERS = BASE + "loyaltyProgramMember"
ACCOUNTS = BASE + "loyaltyAccount"
BALANCES = BASE + "loyaltyBalance"
RULES = BASE + "loyaltyRule"
MERGE_PATCH = "application/merge-patch+json"


def characteristic(resource: dict) -> dict:
    return {item["name"]: item["value"] for item in resource["characteristic"]}


def member_pk(row: dict) -> int:
    return ClubMember.objects.get(member_no=row["id"]).pk


# --- loyaltyProgramMember -------------------------------------------------------------------------


def test_members_are_scoped_by_the_readers_data_scope(club, api_client_for):
    assert_scoped(
        api_client_for,
        list_url=MEMBERS,
        detail_url=lambda member: f"{MEMBERS}/{member.member_no}",
        objects=club.members,
        expected={
            "js_club": {"diamond", "emerald", "sapphire"},
            "nj_manager1": {"diamond"},
            "sz_manager1": {"emerald"},
            "nj_manager2": set(),
            "nj_director": {"diamond", "sapphire"},  # Nanjing plus the Zhenjiang district of his group
        },
        id_of=member_pk,
        list_params={"limit": 100},
    )


def test_member_without_club_permission_is_forbidden(club, api_client_for):
    assert api_client_for("norole").get(MEMBERS).status_code == 403
    assert api_client_for(None).get(MEMBERS).status_code in (401, 403)


def test_member_maps_level_card_points_and_customer(club, api_client_for):
    diamond = club.members["diamond"]
    give_points(diamond, 1500)

    response = api_client_for("nj_manager1").get(f"{MEMBERS}/{diamond.member_no}")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == diamond.member_no
    assert body["href"].endswith(f"{MEMBERS}/{diamond.member_no}")
    assert body["@type"] == "LoyaltyProgramMember"
    assert body["name"] == "张丽"
    assert body["status"] == "active"
    assert body["ValidFor"]["startDateTime"].startswith(diamond.joined_on.isoformat())
    traits = characteristic(body)
    assert traits["level"] == "DIAMOND"
    assert traits["levelName"] == "钻石卡"
    assert traits["roamingScope"] == "national"
    assert traits["cardNumber"] == club.card_no("diamond")
    assert traits["cardState"] == "collected"
    assert traits["points"] == 1500
    assert body["relatedParty"][0]["id"] == str(diamond.customer_id)
    assert body["relatedParty"][0]["@referredType"] == "Customer"
    assert body["loyaltyAccount"]["href"].endswith(f"{ACCOUNTS}/{diamond.member_no}")
    assert body["loyaltyBalance"][0]["href"].endswith(f"{BALANCES}/{diamond.member_no}")


def test_member_fields_selects_attributes_and_keeps_identity(club, api_client_for):
    response = api_client_for("js_club").get(MEMBERS, {"fields": "name,status"})

    assert response.status_code == 200
    assert {frozenset(row) for row in response.json()} == {frozenset({"id", "href", "@type", "name", "status"})}


@pytest.mark.parametrize(("params", "expected"), [
    ({"level": "SAPPHIRE"}, {"sapphire"}),
    ({"level": "DIAMOND,EMERALD"}, {"diamond", "emerald"}),
    ({"status": "active"}, {"diamond", "emerald", "sapphire"}),
    ({"status": "suspended"}, set()),
    ({"name": "周强"}, {"emerald"}),
])
def test_members_filter_by_attribute(club, api_client_for, params, expected):
    response = api_client_for("js_club").get(MEMBERS, params)

    assert response.status_code == 200
    names = {key for key, member in club.members.items() if member.member_no in {row["id"] for row in response.json()}}
    assert names == expected


def test_members_filter_by_card_number(club, api_client_for):
    response = api_client_for("js_club").get(MEMBERS, {"cardNumber": club.card_no("emerald")})

    assert [row["id"] for row in response.json()] == [club.members["emerald"].member_no]


def test_members_page_with_offset_limit_and_count_headers(club, api_client_for):
    client = api_client_for("js_club")

    first = client.get(MEMBERS, {"limit": 2, "sort": "id"})
    rest = client.get(MEMBERS, {"limit": 2, "offset": 2, "sort": "id"})

    assert first["X-Total-Count"] == "3" and first["X-Result-Count"] == "2"
    assert rest["X-Total-Count"] == "3" and rest["X-Result-Count"] == "1"
    ids = [row["id"] for row in first.json() + rest.json()]
    assert ids == sorted(member.member_no for member in club.members.values())


@pytest.mark.parametrize("params", [{"limit": "ten"}, {"offset": "-1"}, {"levle": "DIAMOND"}, {"sort": "points"},
                                    {"ValidFor.startDateTime.gt": "yesterday"}])
def test_members_bad_query_is_a_400_with_the_error_body(club, api_client_for, params):
    response = api_client_for("js_club").get(MEMBERS, params)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_query"
    assert body["status"] == "400"
    assert body["message"]


def test_member_outside_scope_and_unknown_member_answer_404(club, api_client_for):
    client = api_client_for("sz_manager1")

    assert client.get(f"{MEMBERS}/{club.members['diamond'].member_no}").status_code == 404
    response = client.get(f"{MEMBERS}/JS99999999")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("method", ["post", "patch", "delete", "put"])
def test_members_are_not_written_through_tmf658(club, api_client_for, method):
    member = club.members["diamond"]
    url = MEMBERS if method == "post" else f"{MEMBERS}/{member.member_no}"

    response = getattr(api_client_for("js_club"), method)(url, {"name": "改名"}, format="json")

    assert response.status_code == 405
    member.refresh_from_db()
    assert member.name == "张丽"


# --- loyaltyAccount and loyaltyBalance -------------------------------------------------------------


def test_account_carries_totals_and_references(club, api_client_for):
    diamond = club.members["diamond"]
    give_points(diamond, 800)

    response = api_client_for("js_club").get(f"{ACCOUNTS}/{diamond.member_no}")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == diamond.member_no
    assert body["@type"] == "LoyaltyAccount"
    assert body["href"].endswith(f"{ACCOUNTS}/{diamond.member_no}")
    assert body["loyaltyProgramMember"]["id"] == diamond.member_no
    assert body["loyaltyProgramMember"]["href"].endswith(f"{MEMBERS}/{diamond.member_no}")
    assert characteristic(body)["balance"] == 800
    assert characteristic(body)["earned"] == 800


def test_accounts_and_balances_are_scoped(club, api_client_for):
    for url in (ACCOUNTS, BALANCES):
        assert_scoped(
            api_client_for,
            list_url=url,
            detail_url=lambda member, url=url: f"{url}/{member.member_no}",
            objects=club.members,
            expected={"js_club": {"diamond", "emerald", "sapphire"}, "nj_manager1": {"diamond"},
                      "sz_manager1": {"emerald"}, "nj_manager2": set()},
            id_of=member_pk,
            list_params={"limit": 100},
        )


def test_balance_counts_spendable_points_split_by_expiry(club, api_client_for):
    diamond = club.members["diamond"]
    today = timezone.localdate()
    give_points(diamond, 1000)
    give_points(diamond, 300)
    soon, late = PointsLot.objects.filter(account_id=diamond.pk).order_by("points")
    PointsLot.objects.filter(pk=soon.pk).update(expires_on=today + datetime.timedelta(days=10))
    PointsLot.objects.filter(pk=late.pk).update(expires_on=today + datetime.timedelta(days=400))

    response = api_client_for("nj_manager1").get(f"{BALANCES}/{diamond.member_no}")

    assert response.status_code == 200
    body = response.json()
    assert body["@type"] == "LoyaltyBalance"
    assert body["quantity"] == {"unit": "points", "value": 1300}
    assert body["validFor"]["endDateTime"].startswith((today + datetime.timedelta(days=400)).isoformat())
    assert [(part["quantity"]["value"], part["validFor"]["endDateTime"][:10]) for part in body["balanceByExpiry"]] == [
        (300, (today + datetime.timedelta(days=10)).isoformat()),
        (1000, (today + datetime.timedelta(days=400)).isoformat()),
    ]


def test_balance_leaves_out_points_past_their_last_day(club, api_client_for):
    diamond = club.members["diamond"]
    give_points(diamond, 500)
    PointsLot.objects.filter(account_id=diamond.pk).update(expires_on=timezone.localdate() - datetime.timedelta(days=1))

    body = api_client_for("js_club").get(f"{BALANCES}/{diamond.member_no}").json()

    assert body["quantity"]["value"] == 0
    assert body["balanceByExpiry"] == []


def test_balances_filter_on_the_points_value(club, api_client_for):
    give_points(club.members["diamond"], 5000)
    give_points(club.members["emerald"], 200)

    response = api_client_for("js_club").get(BALANCES, {"quantity.value.gte": "1000"})

    assert response.status_code == 200
    assert [row["id"] for row in response.json()] == [club.members["diamond"].member_no]


# --- loyaltyRule ----------------------------------------------------------------------------------


def promotion_rule(**overrides) -> dict:
    body = {
        "commonName": "春季促销奖励积分",
        "policyName": "PROMO-SPRING",
        "description": "2027 春季促销",
        "characteristic": [{"name": "category", "value": "promotion"}, {"name": "amount", "value": 200}],
    }
    body.update(overrides)
    return body


def test_rules_list_the_versions_for_every_club_reader(club, api_client_for):
    response = api_client_for("nj_manager1").get(RULES, {"policyName": "CONS-MOBILE"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    [rule] = response.json()
    assert rule["@type"] == "LoyaltyRule"
    assert rule["commonName"] == "移动通信消费积分"
    assert rule["keywords"] == "consumption"
    assert rule["version"] == 1 and rule["status"] == "active"
    assert rule["validFor"] == {"startDateTime": rule["validFor"]["startDateTime"]}
    assert rule["validFor"]["startDateTime"].startswith("2020-01-01")
    assert characteristic(rule)["business"] == "fee_mobile"
    assert characteristic(rule)["issuer"] == "hq"
    assert "1 points per yuan of fee_mobile" in rule["usage"]


def test_rule_create_adds_version_one_from_next_month(club, api_client_for):
    response = api_client_for("js_club").post(RULES, promotion_rule(), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    rule = PointsRule.objects.get(pk=int(body["id"]))
    assert response["Location"] == body["href"]
    assert (rule.code, rule.version, rule.category, rule.amount, rule.issuer) == ("PROMO-SPRING", 1, "promotion", 200, "province")
    assert rule.valid_from == next_month_start()
    assert rule.created_by.username == "js_club"
    assert AuditEntry.objects.filter(action="club.points_rule_add", target_id=str(rule.pk)).exists()


def test_rule_create_needs_the_permission(club, api_client_for):
    response = api_client_for("nj_manager1").post(RULES, promotion_rule(), format="json")

    assert response.status_code == 403
    assert not PointsRule.objects.filter(code="PROMO-SPRING").exists()


@pytest.mark.parametrize(("body", "field"), [
    (promotion_rule(characteristic=[{"name": "category", "value": "consumption"}, {"name": "rate", "value": 1}]), "business"),
    (promotion_rule(characteristic=[{"name": "category", "value": "promotion"}]), "amount"),
    (promotion_rule(characteristic=[{"name": "category", "value": "redemption"}, {"name": "amount", "value": 5}]), "category"),
    (promotion_rule(validFor={"startDateTime": "2099-03-15T00:00:00+08:00"}), "first day"),
    (promotion_rule(validFor={"startDateTime": "2020-01-01"}), "passed"),
    (promotion_rule(policyName="bad code!"), "code"),
    (promotion_rule(commonName=""), "commonName"),
    (promotion_rule(characteristic=[{"name": "category", "value": "promotion"}, {"name": "amount", "value": 200},
                                    {"name": "level", "value": "GOLD"}]), "level"),
    (promotion_rule(loyaltyAction=[{"id": "1"}]), "loyaltyAction"),
])
def test_rule_create_with_bad_input_is_a_400_and_creates_nothing(club, api_client_for, body, field):
    before = PointsRule.objects.count()

    response = api_client_for("js_club").post(RULES, body, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400, response.content
    assert field in response.content.decode()
    assert PointsRule.objects.count() == before


def test_rule_create_with_a_taken_code_is_a_conflict(club, api_client_for):
    response = api_client_for("admin").post(RULES, promotion_rule(policyName="CONS-MOBILE"), format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "club.rule_code_taken"
    assert PointsRule.objects.filter(code="CONS-MOBILE").count() == 1


def test_headquarters_rule_needs_the_issue_permission(club, api_client_for):
    body = promotion_rule(characteristic=[{"name": "category", "value": "promotion"}, {"name": "amount", "value": 200},
                                          {"name": "issuer", "value": "hq"}])

    assert api_client_for("js_club").post(RULES, body, format="json").status_code == 403
    assert not PointsRule.objects.filter(code="PROMO-SPRING").exists()
    assert api_client_for("admin").post(RULES, body, format="json").status_code == 201
    assert PointsRule.objects.get(code="PROMO-SPRING").issuer == "hq"


def test_rule_patch_retires_the_version_and_adds_the_next(club, api_client_for):
    v1 = PointsRule.objects.get(code="CONS-MOBILE", version=1)
    start = next_month_start()
    body = {"characteristic": [{"name": "rate", "value": 2}], "description": "翻倍",
            "validFor": {"startDateTime": f"{start.isoformat()}T00:00:00+08:00"}}

    response = api_client_for("admin").patch(f"{RULES}/{v1.pk}", json.dumps(body), content_type=MERGE_PATCH)

    assert response.status_code == 200, response.content
    new = response.json()
    assert new["id"] != str(v1.pk)
    assert new["version"] == 2 and new["status"] == "active"
    assert characteristic(new)["rate"] == 2.0 and characteristic(new)["business"] == "fee_mobile"
    v1.refresh_from_db()
    assert v1.state == "retired"
    assert v1.valid_to == start - datetime.timedelta(days=1)
    assert v1.rate == 1
    # The monthly run of this month uses version 1, from next month on version 2.
    this_month = timezone.localdate().replace(day=1)
    assert [r.version for r in rules_in_force(this_month) if r.code == "CONS-MOBILE"] == [1]
    assert [r.version for r in rules_in_force(start) if r.code == "CONS-MOBILE"] == [2]
    entry = AuditEntry.objects.get(action="club.points_rule_revise", target_id=new["id"])
    assert entry.before["version"] == 1 and entry.after["version"] == 2


def test_rule_patch_of_a_retired_version_is_a_conflict(club, api_client_for):
    client = api_client_for("admin")
    v1 = PointsRule.objects.get(code="CONS-DATA", version=1)
    assert client.patch(f"{RULES}/{v1.pk}", {"commonName": "数据业务消费积分（新）"}, format="json").status_code == 200

    response = client.patch(f"{RULES}/{v1.pk}", {"commonName": "再改"}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "club.rule_not_current"
    assert PointsRule.objects.filter(code="CONS-DATA").count() == 2


def test_rule_patch_of_a_headquarters_rule_needs_the_issue_permission(club, api_client_for):
    v1 = PointsRule.objects.get(code="PUNCTUAL", version=1)

    response = api_client_for("js_club").patch(f"{RULES}/{v1.pk}", {"characteristic": [{"name": "amount", "value": 80}]},
                                               format="json")

    assert response.status_code == 403
    assert PointsRule.objects.filter(code="PUNCTUAL").count() == 1


def test_province_rule_is_revised_by_club_staff(club, api_client_for):
    client = api_client_for("js_club")
    created = client.post(RULES, promotion_rule(), format="json").json()

    later = (next_month_start() + datetime.timedelta(days=40)).replace(day=1)
    body = {"characteristic": [{"name": "amount", "value": 300}], "validFor": {"startDateTime": later.isoformat()}}

    response = client.patch(f"{RULES}/{created['id']}", body, format="json")

    assert response.status_code == 200, response.content
    assert characteristic(response.json())["amount"] == 300
    assert list(PointsRule.objects.filter(code="PROMO-SPRING").values_list("version", "amount", "state")) == [
        (2, 300, "active"), (1, 200, "retired")]


@pytest.mark.parametrize(("body", "status"), [
    ({"policyName": "OTHER"}, 400),
    ({"characteristic": [{"name": "issuer", "value": "province"}]}, 400),
    ({"validFor": {"endDateTime": "2030-01-01T00:00:00+08:00"}}, 400),
    ({"version": 7}, 400),
    ({"commonName": "移动通信消费积分"}, 400),  # nothing changes
])
def test_rule_patch_with_bad_input_changes_nothing(club, api_client_for, body, status):
    v1 = PointsRule.objects.get(code="CONS-MOBILE", version=1)

    response = api_client_for("admin").patch(f"{RULES}/{v1.pk}", body, format="json")

    assert response.status_code == status, response.content
    v1.refresh_from_db()
    assert v1.state == "active" and v1.valid_to is None
    assert PointsRule.objects.filter(code="CONS-MOBILE").count() == 1


def test_rule_patch_needs_the_change_permission(club, api_client_for):
    v1 = PointsRule.objects.get(code="CONS-MOBILE", version=1)

    assert api_client_for("nj_manager1").patch(f"{RULES}/{v1.pk}", {"commonName": "x"}, format="json").status_code == 403
    assert api_client_for("admin").delete(f"{RULES}/{v1.pk}").status_code == 405
    assert PointsRule.objects.filter(code="CONS-MOBILE").count() == 1

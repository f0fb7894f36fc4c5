"""ORG-09: login, lockout, second factor, session expiry, API tokens."""

import time

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from kams.access.middleware import LAST_SEEN
from kams.audit.models import AuditEntry
from kams.org.testing import TEST_PASSWORD
from kams.system.services import parameter_set

pytestmark = pytest.mark.django_db

WRONG = "The login name or password is wrong."


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"


def _code(device: TOTPDevice) -> str:
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():06d}"


def _login(client, username, password=TEST_PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password, **extra})


def test_login_with_right_password_opens_the_home_page(province, client):
    response = _login(client, "nj_manager1")

    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_failed_login_says_the_same_for_unknown_and_known_names(province, client, english):
    known = _login(client, "nj_manager1", "wrong-pass").content.decode()
    unknown = _login(client, "nobody_here", "wrong-pass").content.decode()

    assert WRONG in known and WRONG in unknown
    assert "_auth_user_id" not in client.session


def test_lockout_after_failure_limit_even_with_right_password(province, client, english):
    parameter_set(actor=province.user("admin"), key="security.login_failure_limit", value=3)
    for _attempt in range(3):
        _login(client, "nj_manager1", "wrong-pass")

    response = _login(client, "nj_manager1")

    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account is not affected.
    assert _login(client, "nj_manager2").status_code == 302


def test_api_token_issue_and_use(province, client):
    response = client.post("/api/v1/auth/token/", {"username": "nj_director", "password": TEST_PASSWORD}, content_type="application/json")

    assert response.status_code == 200
    token = response.json()["token"]
    listing = client.get("/api/v1/org/staff/", HTTP_AUTHORIZATION=f"Token {token}")
    assert listing.status_code == 200 and listing.json()["count"] > 0
    revoke = client.delete("/api/v1/auth/token/", HTTP_AUTHORIZATION=f"Token {token}")
    assert revoke.status_code == 204
    assert client.get("/api/v1/org/staff/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 401


@pytest.mark.parametrize("payload", [{"username": "nj_director", "password": "nope"}, {"username": "ghost", "password": "nope"}])
def test_api_token_failure_is_generic(province, client, english, payload):
    response = client.post("/api/v1/auth/token/", payload, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"code": "access.login_failed", "reason": "access.login_failed", "message": WRONG, "status": "400"}


def test_api_token_malformed_request_is_400(province, client):
    response = client.post("/api/v1/auth/token/", {"username": ["a"]}, content_type="application/json")

    assert response.status_code == 400 and response.json()["code"] == "kams.invalid_input"


def test_api_token_locked_out_is_429(province, client):
    parameter_set(actor=province.user("admin"), key="security.login_failure_limit", value=2)
    for _attempt in range(2):
        client.post("/api/v1/auth/token/", {"username": "nj_director", "password": "x"}, content_type="application/json")

    response = client.post("/api/v1/auth/token/", {"username": "nj_director", "password": TEST_PASSWORD}, content_type="application/json")

    assert response.status_code == 429 and response.json()["code"] == "access.locked_out"


def test_totp_enrol_and_confirm(province, page_client_for):
    client = page_client_for("nj_director")
    client.post("/accounts/security/", {"action": "totp_start"})
    device = TOTPDevice.objects.get(user=province.user("nj_director"))
    assert device.confirmed is False

    wrong = client.post("/accounts/security/", {"action": "totp_confirm", "otp-token": "000000" if _code(device) != "000000" else "111111"})
    device.refresh_from_db()
    assert wrong.status_code == 200 and device.confirmed is False

    client.post("/accounts/security/", {"action": "totp_confirm", "otp-token": _code(device)})
    device.refresh_from_db()
    assert device.confirmed is True
    assert AuditEntry.objects.filter(action="access.totp_enable").count() == 1


def test_login_with_second_factor_needs_the_code(province, client):
    device = TOTPDevice.objects.create(user=province.user("nj_director"), name="phone", confirmed=True)

    first = _login(client, "nj_director")
    assert first.status_code == 302 and first["Location"] == "/accounts/login/code/"
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302  # not logged in yet

    bad = client.post("/accounts/login/code/", {"token": "12345x"})
    assert bad.status_code == 200 and "_auth_user_id" not in client.session

    ok = client.post("/accounts/login/code/", {"token": _code(device)})
    assert ok.status_code == 302 and ok["Location"] == "/"
    assert client.get("/").status_code == 200


def test_api_token_with_second_factor_needs_otp(province, client):
    device = TOTPDevice.objects.create(user=province.user("nj_director"), name="phone", confirmed=True)
    body = {"username": "nj_director", "password": TEST_PASSWORD}

    without = client.post("/api/v1/auth/token/", body, content_type="application/json")
    with_code = client.post("/api/v1/auth/token/", {**body, "otp": _code(device)}, content_type="application/json")

    assert without.status_code == 401 and without.json()["code"] == "access.second_factor_required"
    assert with_code.status_code == 200 and with_code.json()["token"]


def test_password_change_enforces_policy_and_is_audited(province, page_client_for, english):
    client = page_client_for("nj_manager1")

    weak = client.post("/accounts/security/", {"action": "password", "pw-old_password": TEST_PASSWORD, "pw-new_password": "abcdefghij", "pw-new_password2": "abcdefghij"})
    assert "at least one digit or symbol" in weak.content.decode()

    client.post("/accounts/security/", {"action": "password", "pw-old_password": TEST_PASSWORD, "pw-new_password": "Better-pass-77", "pw-new_password2": "Better-pass-77"})
    user = province.user("nj_manager1")
    user.refresh_from_db()
    assert user.check_password("Better-pass-77")
    assert AuditEntry.objects.filter(action="access.password_change").count() == 1
    assert client.get("/").status_code == 200  # the session survives the change


def test_idle_session_expires(province, page_client_for):
    client = page_client_for("nj_manager1")
    assert client.get("/").status_code == 200
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 481 * 60
    session.save()

    response = client.get("/")

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/").status_code == 302


def test_admins_without_second_factor_are_sent_to_set_one_up(province, page_client_for):
    parameter_set(actor=province.user("admin"), key="security.admins_require_second_factor", value=True)

    admin_home = page_client_for("admin").get("/")
    manager_home = page_client_for("nj_manager1").get("/")

    assert admin_home.status_code == 302 and admin_home["Location"] == "/accounts/security/"
    assert manager_home.status_code == 200


def test_logout_needs_post_and_ends_the_session(province, page_client_for):
    client = page_client_for("nj_manager1")

    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302

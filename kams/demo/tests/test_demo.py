import pytest
from django.core.management import call_command

from kams.audit.models import AuditEntry
from kams.demo.generator import DEMO_LOGINS, DEMO_PASSWORD, load_demo
from kams.org.enums import RoleCode, UnitKind
from kams.org.models import OrgUnit, Role, Staff
from kams.system.models import JobRun, JobState


@pytest.mark.django_db(transaction=True)
def test_demo_builds_jiangsu_with_every_role_and_logins(client):
    counts = load_demo(size="small")

    assert OrgUnit.objects.filter(kind=UnitKind.CITY).count() == 13
    assert OrgUnit.objects.filter(kind=UnitKind.DISTRICT).count() >= 50
    assert counts["staff"] + 1 == Staff.objects.count()  # one more hired in "first operations"
    assert AuditEntry.objects.filter(action__in=["org.staff_update", "org.staff_create", "system.parameter_set"]).count() == 5
    held = set(Role.objects.filter(staff__isnull=False).values_list("code", flat=True))
    assert held == set(RoleCode.values)
    for login in DEMO_LOGINS:
        response = client.post("/accounts/login/", {"username": login.username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, login.username
        client.post("/accounts/logout/")
    assert JobRun.objects.get(name="demo.load").state == JobState.SUCCEEDED


@pytest.mark.django_db(transaction=True)
def test_demo_is_not_loaded_twice():
    load_demo(size="small")

    with pytest.raises(RuntimeError):
        load_demo(size="small")


@pytest.mark.django_db(transaction=True)
def test_demo_sizes_scale_the_staff():
    small = load_demo(size="small")["staff"]
    call_command("flush", interactive=False, verbosity=0)

    medium = load_demo(size="medium")["staff"]

    assert medium > 2 * small


@pytest.mark.django_db(transaction=True)
def test_demo_command_loads_without_serving(capsys):
    call_command("demo", "--no-serve")

    out = capsys.readouterr().out
    assert "http://127.0.0.1:8000/" in out and "nj_manager1" in out and "kams-demo" in out
    assert Staff.objects.filter(user__username="sz_manager1", org_unit__code="SZ-DKH-T1").exists()

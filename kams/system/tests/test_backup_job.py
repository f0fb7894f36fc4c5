"""A backup requested on the jobs page runs in ``kams worker`` with progress (ORG-07/08)."""

import zipfile

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from kams.audit.models import AuditEntry
from kams.org.builtin_roles import ROLES
from kams.system.models import JobRun, JobState
from kams.system.services import backup_request


@pytest.mark.django_db(transaction=True)
def test_backup_requested_on_the_page_is_run_by_the_worker(province, page_client_for, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    client = page_client_for("admin")

    response = client.post("/system/jobs/backup/")

    assert response.status_code == 302
    run = JobRun.objects.get(name="system.backup")
    assert run.state == JobState.QUEUED and run.task_result_id
    assert AuditEntry.objects.filter(action="system.backup_request").count() == 1

    call_command("worker", "--batch")

    run.refresh_from_db()
    assert run.state == JobState.SUCCEEDED, run.error
    assert run.percent == 100 and run.progress_total > 0
    backups = list((tmp_path / "backups").glob("kams-*.zip"))
    assert len(backups) == 1
    with zipfile.ZipFile(backups[0]) as archive:
        assert "manifest.json" in archive.namelist()


@pytest.mark.django_db
def test_backup_request_needs_permission(province):
    with pytest.raises(PermissionDenied):
        backup_request(actor=province.user("js_director"))

    assert not JobRun.objects.exists()


@pytest.mark.django_db
def test_builtin_roles_hold_every_listed_permission(province):
    from kams.org.models import Role
    from kams.org.services import permission_labels

    for code, _name, _scope, _description, perms in ROLES:
        assert permission_labels(Role.objects.get(code=code).group) == sorted(set(perms)), code

"""Backup and restore (ORG-08): a backup restores into an empty database exactly, and
damaged files, occupied targets and failures change nothing."""

import datetime
import json
import zipfile
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections, models, transaction
from django.db.models import Value
from django.utils import timezone
from rest_framework.authtoken.models import Token

from kams.audit import context
from kams.audit.models import AuditEntry
from kams.audit.services import audit_record
from kams.org.models import OrgUnit, Role, Staff
from kams.system import backup
from kams.system.models import JobRun, JobState, ParameterChange, SystemParameter

pytestmark = pytest.mark.django_db(databases=["default", "restore"], transaction=True)

FILLED = [
    "org_orgunit",
    "org_role",
    "org_staff",
    "org_staff_roles",
    "org_staff_extra_units",
    "auth_user",
    "auth_group",
    "auth_user_groups",
    "auth_group_permissions",
    "audit_auditentry",
    "system_systemparameter",
    "system_parameterchange",
    "system_jobrun",
    "authtoken_token",
    "django_session",
    "django_content_type",
    "auth_permission",
]


def _fill() -> None:
    """Varied data: a tree, users and staff with roles (many-to-many), JSON with Chinese
    text, auto_now timestamps with microseconds, text primary keys that sort differently
    under case-insensitive collations, an IP address and a NOT NULL JSON column holding null."""
    root = OrgUnit.objects.add_root(dict(code="JS", name="江苏", kind="province"))
    nanjing = OrgUnit.objects.add_child(root, dict(code="JS-NJ", name="南京", kind="city"))
    suzhou = OrgUnit.objects.add_child(root, dict(code="JS-SZ", name="苏州", kind="city"))
    group = Group.objects.create(name="role:backup_test")
    group.permissions.set(Permission.objects.filter(content_type__app_label="org")[:3])
    role = Role.objects.create(code="backup_test", name="备份测试", data_scope="unit", group=group)
    users = []
    for n, unit in enumerate([nanjing, suzhou]):
        user = get_user_model().objects.create_user(f"user{n}", password="S3cret-pass-word!")
        user.groups.add(group)
        staff = Staff.objects.create(user=user, employee_no=f"E{n:04d}", name=f"张三{n}", org_unit=unit)
        staff.roles.add(role)
        staff.extra_units.add(root)
        Token.objects.create(user=user)
        users.append(user)
    token = context.bind(ip="10.20.30.40", request_id="req-1")
    try:
        with transaction.atomic():
            audit_record(
                actor=users[0],
                action="org.staff.update",
                target=Staff.objects.get(employee_no="E0000"),
                before={"name": "张三", "tags": ["大客户", 1, 2.5, None]},
                after={"name": "张三丰", "nested": {"b": "乙", "a": "甲"}},
                reason="调岗",
            )
    finally:
        context.reset(token)
    greeting = {"text": "您好", "limits": [1, 2, 3]}
    SystemParameter.objects.create(key="crm.greeting", value=greeting, updated_by=users[0])
    SystemParameter.objects.create(key="crm.nothing", value=Value(None, models.JSONField()))  # JSON null
    ParameterChange.objects.create(key="crm.greeting", old_value=None, new_value=greeting, changed_by=users[1])
    JobRun.objects.create(name="demo.load", state=JobState.SUCCEEDED, result={"rows": 3}, progress_total=3)
    expire = timezone.now() + datetime.timedelta(days=1)
    for first in "aB_":
        Session.objects.create(session_key=f"{first}{'x' * 31}", session_data="e30", expire_date=expire)


def _backup(tmp_path: Path) -> Path:
    path = tmp_path / "kams.zip"
    call_command("backup", str(path), verbosity=0)
    return path


def _rewrite(src: Path, dst: Path, edit) -> None:
    """Copy a backup zip, passing each member's bytes through ``edit(name, data)``."""
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w") as new:
        for info in old.infolist():
            new.writestr(info.filename, edit(info.filename, old.read(info.filename)))


def test_backup_restores_every_table_exactly(tmp_path):
    _fill()
    path = _backup(tmp_path)

    run = JobRun.objects.get(name="system.backup")
    assert run.state == JobState.SUCCEEDED and run.progress_done == run.progress_total > 0
    run.delete()  # the backup leaves out its own job run; so must the comparison
    call_command("restore", str(path), database="restore", verbosity=0)

    source, restored = backup.table_fingerprints("default"), backup.table_fingerprints("restore")
    assert source == restored
    assert {m._meta.db_table for m in backup.backed_up_models()} == set(source)
    for table in FILLED:
        assert source[table][0] > 0, table
    entry = AuditEntry.objects.using("restore").get()
    assert entry.after["nested"] == {"a": "甲", "b": "乙"} and entry.ip == "10.20.30.40"
    original = Staff.objects.get(employee_no="E0001")
    copy = Staff.objects.using("restore").get(employee_no="E0001")
    assert copy.created_at == original.created_at and copy.updated_at == original.updated_at
    assert SystemParameter.objects.using("restore").get(key="crm.nothing").value is None
    assert ParameterChange.objects.using("restore").get().old_value is None
    assert Staff.objects.using("restore").get(employee_no="E0000").roles.get().code == "backup_test"

    manifest = json.loads(zipfile.ZipFile(path).read("manifest.json"))
    assert manifest["vendor"] == connections["default"].vendor
    assert "org.0002_builtin_roles" in manifest["migrations"]
    assert manifest["tables"]["org_staff"]["rows"] == 2
    assert manifest["tables"]["org_staff_roles"]["model"] == "org.staff_roles"


def test_restore_into_non_empty_database_is_refused(tmp_path):
    _fill()
    path = _backup(tmp_path)
    call_command("restore", str(path), database="restore", verbosity=0)
    before = backup.table_fingerprints("restore")

    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(path), database="restore", verbosity=0)
    assert backup.table_fingerprints("restore") == before

    # --force replaces the data instead.
    Staff.objects.using("restore").filter(employee_no="E0000").update(name="changed")
    call_command("restore", str(path), database="restore", force=True, verbosity=0)
    assert backup.table_fingerprints("restore") == before


def test_damaged_backup_is_refused_and_changes_nothing(tmp_path, monkeypatch):
    _fill()
    path = _backup(tmp_path)
    before = backup.table_fingerprints("restore")

    altered_row = tmp_path / "row.zip"
    _rewrite(path, altered_row, lambda name, data: data.replace("张三0".encode(), "李四0".encode()))
    altered_sum = tmp_path / "sum.zip"

    def edit_manifest(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["tables"]["org_orgunit"]["sha256"] = "0" * 64
        return json.dumps(manifest).encode()

    _rewrite(path, altered_sum, edit_manifest)
    for damaged in [altered_row, altered_sum]:
        with pytest.raises(CommandError, match="checksum"):
            call_command("restore", str(damaged), database="restore", verbosity=0)
    not_a_zip = tmp_path / "junk.zip"
    not_a_zip.write_bytes(b"junk")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("restore", str(not_a_zip), database="restore", verbosity=0)
    assert backup.table_fingerprints("restore") == before

    # A mismatch found only after the rows are in (here: values mangled on the way in) rolls
    # back everything, the replaced content types and permissions included.
    original = backup._converter

    def mangling(field, connection):
        convert = original(field, connection)
        if field.column == "name" and field.model is Staff:
            return lambda value: convert(value + "!")
        return convert

    monkeypatch.setattr(backup, "_converter", mangling)
    with pytest.raises(CommandError, match="does not match the backup.*org_staff"):
        call_command("restore", str(path), database="restore", verbosity=0)
    assert backup.table_fingerprints("restore") == before


def test_restore_refuses_another_migration_state(tmp_path):
    path = _backup(tmp_path)
    edited = tmp_path / "migrations.zip"

    def drop_migration(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["migrations"].remove("org.0002_builtin_roles")
        return json.dumps(manifest).encode()

    _rewrite(path, edited, drop_migration)
    with pytest.raises(CommandError, match="migration state.*org.0002_builtin_roles"):
        call_command("restore", str(edited), database="restore", verbosity=0)


def test_failed_backup_leaves_no_file(tmp_path, monkeypatch):
    _fill()
    path = tmp_path / "kams.zip"
    path.write_bytes(b"the previous backup")
    calls = 0
    original = backup.encode_row

    def failing(row):
        nonlocal calls
        calls += 1
        if calls > 20:
            raise RuntimeError("disk on fire")
        return original(row)

    monkeypatch.setattr(backup, "encode_row", failing)
    with pytest.raises(RuntimeError, match="disk on fire"):
        call_command("backup", str(path), verbosity=0)
    assert path.read_bytes() == b"the previous backup"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kams.zip"]
    assert JobRun.objects.get(name="system.backup").state == JobState.FAILED


def test_backup_is_a_snapshot_and_does_not_block_writers(tmp_path, monkeypatch):
    """A row committed by another session while the backup runs is not in the backup,
    and committing it does not wait for the backup."""
    if connections["default"].vendor == "sqlite" and connections["default"].is_in_memory_db():
        pytest.skip("an in-memory SQLite database has no other sessions")
    _fill()
    original = backup.applied_migrations

    def write_meanwhile(using):
        result = original(using)
        SystemParameter.objects.create(key="written.meanwhile", value=1)  # ordinary connection, autocommit
        return result

    monkeypatch.setattr(backup, "applied_migrations", write_meanwhile)
    path = _backup(tmp_path)
    monkeypatch.setattr(backup, "applied_migrations", original)
    call_command("restore", str(path), database="restore", verbosity=0)
    assert SystemParameter.objects.filter(key="written.meanwhile").exists()
    assert not SystemParameter.objects.using("restore").filter(key="written.meanwhile").exists()
    assert SystemParameter.objects.using("restore").count() == SystemParameter.objects.count() - 1

"""Writes of the system domain: parameter changes (ORG-06)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from kams.audit.services import audit_record
from kams.core.errors import InvalidInput
from kams.org.scoping import require_perm
from kams.system.models import JobRun, ParameterChange, SystemParameter
from kams.system.parameters import definition, param


@transaction.atomic
def parameter_set(*, actor: Any, key: str, value: Any, reason: str = "") -> Any:
    """Validate and store a parameter's new value, with history and audit.

    Returns the typed value. Bad input raises ``InvalidInput`` and changes nothing."""
    require_perm(actor, "system.change_systemparameter")
    try:
        parameter = definition(key)
    except KeyError:
        raise InvalidInput(_unknown(key)) from None
    try:
        typed = parameter.clean(value)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages)) from None
    old = param(key)
    if old == typed:
        return typed
    stored = parameter.to_json(typed)
    SystemParameter.objects.update_or_create(
        key=key, defaults={"value": stored, "updated_by": actor}
    )
    ParameterChange.objects.create(
        key=key,
        old_value=parameter.to_json(old),
        new_value=stored,
        reason=reason,
        changed_by=actor,
    )
    audit_record(
        actor=actor,
        action="system.parameter_set",
        before={key: parameter.to_json(old)},
        after={key: stored},
        reason=reason,
        target_repr=key,
    )
    return typed


def _unknown(key: str) -> str:
    return gettext("Unknown parameter %(key)s.") % {"key": key}


@transaction.atomic
def backup_request(*, actor: Any) -> JobRun:
    """Queue a backup for ``kams worker``; the job run shows on the jobs page at once."""
    require_perm(actor, "system.run_backup")
    run = JobRun.objects.create(name="system.backup", label=gettext("Backup (requested)"), started_by=actor)
    audit_record(actor=actor, action="system.backup_request", target=run)
    transaction.on_commit(lambda: _enqueue_backup(run))
    return run


def _enqueue_backup(run) -> None:
    from kams.system.tasks import backup_task

    result = backup_task.enqueue(job_run_id=run.pk)
    type(run).objects.filter(pk=run.pk).update(task_result_id=str(result.id))

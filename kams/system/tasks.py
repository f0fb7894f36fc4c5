"""Background jobs of the system domain, run by ``kams worker``."""

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from kams.system.backup import create_backup
from kams.system.models import JobRun


@task()
def backup_task(*, job_run_id: int) -> str:
    """Write a backup into ``<var>/backups/``, reporting progress on the job run that the
    request created (so the jobs page shows it from the moment it is queued)."""
    run = JobRun.objects.get(pk=job_run_id)
    target = settings.VAR_DIR / "backups" / f"kams-{timezone.localtime():%Y%m%d-%H%M%S}-{run.pk}.zip"
    target.parent.mkdir(parents=True, exist_ok=True)
    create_backup(target, run=run)
    return str(target)

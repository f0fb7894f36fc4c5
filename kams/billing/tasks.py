"""Background jobs of billing data, run by ``kams worker``."""

from django_tasks import task

from kams.billing.services import bill_import_run


@task()
def bill_import_task(*, batch_id: int) -> str:
    return bill_import_run(batch_id=batch_id).state

from django_tasks import task

from kams.notify.services import message_deliver, messages_retry_queued


@task()
def deliver_task(*, message_id: int) -> str:
    return message_deliver(message_id=message_id).state


@task()
def retry_queued_task() -> int:
    """Periodic: queue again messages still waiting (after a worker restart or a failure)."""
    return messages_retry_queued()

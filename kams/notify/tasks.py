from django_tasks import task

from kams.notify.services import message_deliver


@task()
def deliver_task(*, message_id: int) -> str:
    return message_deliver(message_id=message_id).state

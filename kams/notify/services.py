"""Sending through the outbox (INT-04). ``notify`` records a message (once per idempotency
key) and queues its delivery after the caller's transaction commits; ``message_deliver``
(run by ``kams worker``) hands it to the channel's sender and records the outcome."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kams.audit.services import audit_record
from kams.core.errors import InvalidInput
from kams.notify.models import Channel, Message, MessageState
from kams.notify.senders import SendError, sender_for
from kams.org.scoping import require_in_scope, require_perm
from kams.system.parameters import param


def notify(
    *,
    channel: str,
    recipient: str,
    body: str,
    purpose: str,
    idempotency_key: str,
    subject: str = "",
    recipient_name: str = "",
    org_unit: Any = None,
    owner: Any = None,
    target: Any = None,
) -> tuple[Message, bool]:
    """Record a message and queue it. Returns (message, created): the same key twice
    gives back the first message, so a job that runs twice sends once."""
    if channel not in Channel.values:
        raise InvalidInput(_("channel: unknown channel %(channel)s.") % {"channel": channel})
    if not recipient:
        raise InvalidInput(_("recipient: a message needs a recipient."))
    with transaction.atomic():
        message, created = Message.objects.get_or_create(
            idempotency_key=idempotency_key[:200],
            defaults={
                "channel": channel, "recipient": recipient, "recipient_name": recipient_name[:100],
                "subject": subject[:200], "body": body, "purpose": purpose, "org_unit": org_unit, "owner": owner,
                "target_type": target._meta.label_lower if target is not None else "",
                "target_id": str(target.pk) if target is not None else "",
            },
        )
        if created:
            transaction.on_commit(lambda: _enqueue(message.pk))
    return message, created


def _enqueue(message_id: int, run_after: datetime.datetime | None = None) -> None:
    from kams.notify.tasks import deliver_task

    task = deliver_task.using(run_after=run_after) if run_after else deliver_task
    task.enqueue(message_id=message_id)


def message_deliver(*, message_id: int) -> Message:
    """Hand a queued message to its sender. A failure is recorded; the message stays
    queued until ``notify.max_attempts`` is reached, then it is failed."""
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message_id)
        if message.state != MessageState.QUEUED:
            return message
        message.attempts += 1
        try:
            message.provider_id = sender_for(message.channel).send(message)[:100]
        except SendError as exc:
            message.last_error = str(exc)[:500]
            if message.attempts >= param("notify.max_attempts"):
                message.state = MessageState.FAILED
            else:
                # Try again later, waiting longer after each failure.
                delay = datetime.timedelta(minutes=5 * message.attempts)
                transaction.on_commit(lambda: _enqueue(message.pk, run_after=timezone.now() + delay))
        else:
            message.state = MessageState.SENT
            message.sent_at = timezone.now()
            message.last_error = ""
        message.save(update_fields=["attempts", "provider_id", "last_error", "state", "sent_at"])
    return message


def messages_retry_queued() -> int:
    """Queue again every message still waiting (after a worker restart or a failed try)."""
    ids = list(Message.objects.filter(state=MessageState.QUEUED).values_list("pk", flat=True))
    for message_id in ids:
        _enqueue(message_id)
    return len(ids)


@transaction.atomic
def message_resend(*, actor: Any, message: Message) -> Message:
    """Send a failed message again (its attempts start over)."""
    require_perm(actor, "notify.change_message")
    require_in_scope(actor, message)
    message = Message.objects.select_for_update().get(pk=message.pk)
    if message.state != MessageState.FAILED:
        raise InvalidInput(_("Only a failed message can be sent again."))
    message.state, message.attempts = MessageState.QUEUED, 0
    message.save(update_fields=["state", "attempts"])
    audit_record(actor=actor, action="notify.resend", target=message, target_repr=str(message))
    transaction.on_commit(lambda: _enqueue(message.pk))
    return message


def notify_many(messages: list[dict[str, Any]]) -> int:
    """Record many messages at once (the SLA sweep's warnings): one bulk insert, keys that
    exist already are skipped, and one delivery round is queued after commit."""
    rows = []
    for m in messages:
        if m["channel"] not in Channel.values or not m.get("recipient"):
            continue
        target = m.get("target")
        rows.append(Message(
            idempotency_key=m["idempotency_key"][:200], channel=m["channel"], recipient=m["recipient"],
            recipient_name=m.get("recipient_name", "")[:100], subject=m.get("subject", "")[:200], body=m["body"],
            purpose=m["purpose"], org_unit=m.get("org_unit"), owner=m.get("owner"),
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
        ))
    if not rows:
        return 0
    Message.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)

    def enqueue() -> None:
        from kams.notify.tasks import retry_queued_task

        retry_queued_task.enqueue()

    transaction.on_commit(enqueue)
    return len(rows)

"""时限监控 (SVC-13): the sweep that warns before a step's deadline and escalates after it.

Each open work item carries ``next_alert_at``, the next moment the sweep owes it attention:
first the warning time, then the deadline, then one more time limit per escalation level
until the chain the process names (``escalate_to``: director, company leader …) is used up.
Finding the work is one range scan of a partial index; the items found are handled in
batches (one update, one insert of events, one insert of messages per batch), and running
the sweep twice for the same moment does nothing the second time.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from kams.notify.services import notify_many
from kams.service.enums import EventKind
from kams.service.models import CaseEvent, WorkItem
from kams.service.services import holders

BATCH = 2000


def _contacts(people: list[Any]) -> list[tuple[str, str, Any]]:
    out = []
    for person in people:
        if person.mobile:
            out.append(("sms", person.mobile, person))
        elif person.email:
            out.append(("email", person.email, person))
    return out


def sla_sweep(*, now: datetime.datetime | None = None, batch: int = BATCH) -> dict[str, int]:
    """Warn and escalate every work item whose alert time has come. Returns the counts.

    Each batch is the next ``batch`` due items in ``next_alert_at`` order (the partial
    index); handling an item moves its alert time past ``now`` or clears it, so the next
    batch never sees it again."""
    now = now or timezone.now()
    counts = {"warned": 0, "escalated": 0}
    holders_cache: dict[tuple[str, int], list[Any]] = {}
    while True:
        with transaction.atomic():
            items = list(
                WorkItem.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(next_alert_at__lte=now)
                .select_related("case", "assignee", "org_unit")
                .order_by("next_alert_at", "pk")[:batch]
            )
            if not items:
                break
            _handle(items, now, counts, holders_cache)
    return counts


def _people(role: str, item: WorkItem, cache: dict) -> list[Any]:
    key = (role, item.org_unit_id)
    if key not in cache:
        cache[key] = holders(role, item.org_unit)[1]
    return cache[key]


def _handle(items: list[WorkItem], now: datetime.datetime, counts: dict, cache: dict) -> None:
    events, messages = [], []
    warned: list[int] = []
    escalated: list[WorkItem] = []
    finished: list[int] = []
    for item in items:
        case = item.case
        deadline = timezone.localtime(item.deadline).strftime("%Y-%m-%d %H:%M")
        if item.warned_at is None and now < item.deadline:
            warned.append(item.pk)
            people = [item.assignee] if item.assignee else _people(item.role, item, cache)
            kind, stage, level = EventKind.WARNED, "warn", 0
            body = _("[KAMS] Case %(number)s, step %(step)s is due at %(deadline)s.") % {
                "number": case.number, "step": item.step_name, "deadline": deadline}
            counts["warned"] += 1
        else:
            chain = [c for c in item.escalate_to.split(",") if c]
            level = item.escalation_level + 1
            if level > len(chain):
                finished.append(item.pk)
                continue
            span = item.deadline - item.started_at
            item.warned_at = item.warned_at or now
            item.escalation_level, item.escalated_at = level, now
            item.next_alert_at = item.deadline + span * level if level < len(chain) else None
            escalated.append(item)
            people = _people(chain[level - 1], item, cache)
            kind, stage = EventKind.ESCALATED, f"esc{level}"
            body = _("[KAMS] Escalation: case %(number)s, step %(step)s (%(who)s) was due at %(deadline)s and is not done.") % {
                "number": case.number, "step": item.step_name, "deadline": deadline,
                "who": item.assignee.name if item.assignee else item.role}
            counts["escalated"] += 1
        events.append(CaseEvent(
            case_id=item.case_id, at=now, kind=kind, step=item.step, step_name=item.step_name,
            text=", ".join(p.name for p in people)[:500] or _("nobody holds the role"),
            detail={"level": level, "to": [p.name for p in people]},
        ))
        for channel, recipient, person in _contacts(people):
            messages.append({
                "channel": channel, "recipient": recipient, "recipient_name": person.name, "body": body,
                "subject": body[:200], "purpose": "service.sla", "org_unit": item.org_unit, "owner": person,
                "target": case, "idempotency_key": f"sla:{item.pk}:{stage}:{person.pk}",
            })
    # Warnings (most of the work) are one UPDATE: the next alert is the deadline. An item
    # escalated to level n is next looked at one more time limit per level after its
    # deadline (none after the last level of its chain).
    if warned:
        WorkItem.objects.filter(pk__in=warned).update(warned_at=now, next_alert_at=F("deadline"))
    if escalated:
        WorkItem.objects.bulk_update(escalated, ["warned_at", "escalation_level", "escalated_at", "next_alert_at"], batch_size=1000)
    if finished:
        WorkItem.objects.filter(pk__in=finished).update(warned_at=Coalesce("warned_at", Value(now)), next_alert_at=None)
    CaseEvent.objects.bulk_create(events, batch_size=1000)
    notify_many(messages)

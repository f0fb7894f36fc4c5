"""欠费催欠 for club members (CLUB-03): query (查询人工欠费催欠客户资料, ``member_selectors.
members_in_arrears``), review (人工催欠审核, ``dunning_mark``) and handling (催欠处理,
``dunning_handle``).

The chasing itself is the key-account arrears process of the service domain (大客户欠费处理
流程): marking may open its case for the member's customer, through that domain's own
``case_open``, so finance and the account manager work it with its steps and time limits;
the dunning record keeps the link and what the member said.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Min, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kams.audit.services import audit_record
from kams.club.enums import ContactResult, DunningState
from kams.club.models import ClubMember, MemberDunning
from kams.core.errors import Conflict, InvalidInput
from kams.org.scoping import require_in_scope, require_perm

CENT = Decimal("0.01")


def customer_arrears(customer_id: int) -> dict:
    """What the customer owes: amount, months owed and the oldest month owed."""
    from kams.billing.models import BillSummary

    row = BillSummary.objects.filter(customer_id=customer_id, arrears__gt=0).aggregate(
        arrears=Sum("arrears"), months=Count("period", distinct=True), oldest=Min("period"))
    return {"arrears": Decimal(str(row["arrears"] or 0)).quantize(CENT), "months": row["months"] or 0,
            "oldest": row["oldest"]}


@transaction.atomic
def dunning_mark(*, actor: Any, member: ClubMember, note: str = "", open_case: bool = False) -> MemberDunning:
    """人工催欠审核: mark a member whose customer owes money for dunning, with a note; with
    ``open_case`` the arrears process is opened for the customer at once."""
    require_perm(actor, "club.review_clubmember")
    member = ClubMember.objects.select_for_update().select_related("customer__org_unit").get(pk=member.pk)
    require_in_scope(actor, member)
    owed = customer_arrears(member.customer_id)
    if owed["arrears"] <= 0:
        raise Conflict(_("The customer of this member owes nothing: there is nothing to chase."))
    if MemberDunning.objects.filter(member=member, state=DunningState.MARKED).exists():
        raise Conflict(_("This member is already marked for dunning: handle that first."))
    dunning = MemberDunning.objects.create(
        member=member, arrears=owed["arrears"], months=owed["months"], oldest_period=owed["oldest"],
        note=(note or "").strip()[:300], marked_by=actor,
    )
    if open_case:
        dunning.case = _open_case(actor, dunning)
        dunning.save(update_fields=["case"])
    audit_record(actor=actor, action="club.dunning_mark", target=dunning,
                 after={"member": member.member_no, "arrears": str(dunning.arrears), "months": dunning.months,
                        "case": dunning.case.number if dunning.case else ""},
                 reason=note, org_unit=member.customer.org_unit)
    return dunning


def _open_case(actor: Any, dunning: MemberDunning):
    from kams.service.services import case_open

    member = dunning.member
    period = dunning.oldest_period or timezone.localdate().replace(day=1)
    return case_open(
        actor=actor, process="arrears", customer=member.customer,
        title=_("Dunning of club member %(member)s") % {"member": f"{member.member_no} {member.name}"},
        data={"period": f"{period:%Y-%m}", "billed_amount": str(dunning.arrears)},
        idempotency_key=f"club-dunning-{dunning.pk}",
    )


@transaction.atomic
def dunning_open_case(*, actor: Any, dunning: MemberDunning) -> MemberDunning:
    """Open the arrears process for a marked dunning that has none yet."""
    require_perm(actor, "club.change_clubmember")
    dunning = MemberDunning.objects.select_for_update().select_related("member__customer__org_unit").get(pk=dunning.pk)
    require_in_scope(actor, dunning.member)
    if dunning.state != DunningState.MARKED:
        raise Conflict(_("This dunning is handled already."))
    if dunning.case_id is None:
        dunning.case = _open_case(actor, dunning)
        dunning.save(update_fields=["case"])
        audit_record(actor=actor, action="club.dunning_case", target=dunning, after={"case": dunning.case.number},
                     org_unit=dunning.member.customer.org_unit)
    return dunning


@transaction.atomic
def dunning_handle(*, actor: Any, dunning: MemberDunning, result: str, note: str = "",
                   promised_on: datetime.date | None = None) -> MemberDunning:
    """催欠处理: record what the member said when contacted."""
    require_perm(actor, "club.change_clubmember")
    dunning = MemberDunning.objects.select_for_update().select_related("member__customer__org_unit").get(pk=dunning.pk)
    require_in_scope(actor, dunning.member)
    if dunning.state != DunningState.MARKED:
        raise Conflict(_("This dunning is handled already."))
    if result not in ContactResult.values:
        raise InvalidInput(_("result: choose what the member said."))
    if result == ContactResult.PROMISED:
        if promised_on is None:
            raise InvalidInput(_("promised_on: say by when the member promised to pay."))
        if promised_on < timezone.localdate():
            raise InvalidInput(_("promised_on: the promised date cannot be in the past."))
    elif result in (ContactResult.DISPUTED, ContactResult.REFUSED) and not (note or "").strip():
        raise InvalidInput(_("note: say what the member disputes or why they refuse."))
    dunning.state, dunning.result = DunningState.HANDLED, result
    dunning.result_note = (note or "").strip()[:300]
    dunning.promised_on = promised_on if result == ContactResult.PROMISED else None
    dunning.handled_by, dunning.handled_at = actor, timezone.now()
    dunning.save()
    audit_record(actor=actor, action="club.dunning_handle", target=dunning, before={"state": DunningState.MARKED},
                 after={"state": dunning.state, "result": result,
                        "promised_on": promised_on.isoformat() if dunning.promised_on else ""},
                 reason=note, org_unit=dunning.member.customer.org_unit)
    return dunning

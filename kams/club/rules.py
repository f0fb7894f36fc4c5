"""积分标准 versions (CLUB-10, HQ-03): the one way rules are written, by the pages and the staff
API (through ``kams.club.points``) and by the TMF658 ``loyaltyRule`` resource.

A points rule is never edited in place: the monthly run of a past month must find the versions
that were in force then. ``points_rule_add`` starts a rule at version 1;
``points_rule_revise`` retires the version in force (its ``valid_to`` becomes the day before
the new version starts) and adds the next version with the changes. Both check the caller's
permission (``club.add_pointsrule`` / ``club.change_pointsrule``; a headquarters rule also
``club.issue_hq_rule``, since provinces execute headquarters' rules but do not make them),
run in one transaction and write the audit log.

Versions start on the first day of a month: the run computes whole months, and two versions
of one rule in force in the same month would both be counted. A version starts in the current
month at the earliest (a month already calculated is never recalculated with new rules).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kams.audit.services import audit_record, snapshot
from kams.billing.models import FEE_FIELDS
from kams.club.enums import Issuer, PointsCategory, RuleState
from kams.club.errors import RuleCodeTaken, RuleNotCurrent
from kams.club.models import ClubLevel, PointsRule
from kams.core.errors import InvalidInput
from kams.org.scoping import require_perm

CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,39}$")
# Categories a rule can compute; redemption, expiry and manual adjustment are ledger
# movements, not points standards.
RULE_CATEGORIES = tuple(
    c for c in PointsCategory.values
    if c not in (PointsCategory.REDEMPTION, PointsCategory.EXPIRY, PointsCategory.ADJUSTMENT)
)
PENALTY_CATEGORIES = (PointsCategory.LATE_PENALTY, PointsCategory.UNPAID_PENALTY)
# The monthly run's fixed-amount rewards: without an amount they give nothing.
AMOUNT_CATEGORIES = (PointsCategory.TENURE, PointsCategory.PUNCTUALITY, PointsCategory.PROMOTION)
RULE_FIELDS = ("name", "category", "business", "rate", "amount", "min_years", "max_years", "level", "note")
LOGGED = ("code", "version", *RULE_FIELDS, "issuer", "valid_from", "valid_to", "state")


def next_month_start(today: datetime.date | None = None) -> datetime.date:
    today = today or timezone.localdate()
    return (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


@transaction.atomic
def points_rule_add(
    *, actor: Any, code: str, name: str, category: str, valid_from: datetime.date | None = None,
    issuer: str = Issuer.PROVINCE, business: str = "", rate: Any = 0, amount: Any = 0, min_years: Any = 0,
    max_years: Any = 0, level: ClubLevel | None = None, note: str = "",
) -> PointsRule:
    """积分标准增加: version 1 of a new rule, in force from ``valid_from`` (the first day of
    next month by default)."""
    require_perm(actor, "club.add_pointsrule")
    if issuer not in Issuer.values:
        raise InvalidInput(_("issuer: one of %(values)s.") % {"values": ", ".join(Issuer.values)})
    if issuer == Issuer.HQ:
        require_perm(actor, "club.issue_hq_rule")
    code = (code or "").strip().upper() if isinstance(code, str) else ""
    if not CODE.match(code):
        raise InvalidInput(_("code: 2 to 40 capital letters, digits, - or _."))
    values = _clean({"name": name, "category": category, "business": business, "rate": rate, "amount": amount,
                     "min_years": min_years, "max_years": max_years, "level": level, "note": note})
    start = _start(valid_from)
    # Lock the rule family (if any) so two clients adding the same code do not both succeed.
    if PointsRule.objects.select_for_update().filter(code=code).exists():
        raise RuleCodeTaken(code=code)
    rule = PointsRule.objects.create(code=code, version=1, valid_from=start, issuer=issuer, state=RuleState.ACTIVE,
                                     created_by=_user(actor), **values)
    audit_record(actor=actor, action="club.points_rule_add", target=rule, after=snapshot(rule, LOGGED))
    return rule


@transaction.atomic
def points_rule_revise(
    *, actor: Any, rule: PointsRule, valid_from: datetime.date | None = None, reason: str = "", **changes: Any
) -> PointsRule:
    """积分标准修改: retire the version in force and add the next one with ``changes``
    (any of ``RULE_FIELDS``), in force from ``valid_from`` (the first day of next month by
    default). Returns the new version."""
    require_perm(actor, "club.change_pointsrule")
    unknown = sorted(set(changes) - set(RULE_FIELDS))
    if unknown:
        raise InvalidInput(_("These rule fields cannot be changed: %(fields)s.") % {"fields": ", ".join(unknown)})
    family = list(PointsRule.objects.select_for_update().filter(code=rule.code).order_by("-version"))
    current = family[0] if family else None
    if current is None or current.pk != rule.pk or current.state != RuleState.ACTIVE:
        raise RuleNotCurrent(code=rule.code, version=rule.version)
    if current.issuer == Issuer.HQ:
        require_perm(actor, "club.issue_hq_rule")
    values = _clean({name: changes.get(name, getattr(current, name)) for name in RULE_FIELDS})
    start = _start(valid_from)
    if start <= current.valid_from:
        raise InvalidInput(_("validFor: the new version must start after %(date)s, when version %(version)s started.")
                           % {"date": current.valid_from.isoformat(), "version": current.version})
    if all(values[name] == getattr(current, name) for name in RULE_FIELDS):
        raise InvalidInput(_("Nothing changes: a new version needs at least one changed value."))
    before = snapshot(current, LOGGED)
    current.valid_to = start - datetime.timedelta(days=1)
    current.state = RuleState.RETIRED
    current.save(update_fields=["valid_to", "state"])
    top = PointsRule.objects.filter(code=current.code).aggregate(top=Max("version"))["top"] or current.version
    new = PointsRule.objects.create(code=current.code, version=top + 1, valid_from=start, issuer=current.issuer,
                                    state=RuleState.ACTIVE, created_by=_user(actor), **values)
    audit_record(actor=actor, action="club.points_rule_revise", target=new, before=before,
                 after=snapshot(new, LOGGED), reason=reason)
    return new


def _start(valid_from: datetime.date | None) -> datetime.date:
    if valid_from is None:
        return next_month_start()
    if valid_from.day != 1:
        raise InvalidInput(_("validFor: a rule version starts on the first day of a month (the run computes months)."))
    if valid_from < timezone.localdate().replace(day=1):
        raise InvalidInput(_("validFor: a rule version cannot start in a month that has passed."))
    return valid_from


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    """Check the values of one version as a whole (the category decides what is needed)."""
    name = values["name"].strip() if isinstance(values["name"], str) else ""
    if not name or len(name) > 80:
        raise InvalidInput(_("name: give the rule a name of at most 80 characters."))
    category = values["category"]
    if category not in RULE_CATEGORIES:
        raise InvalidInput(_("category: one of %(values)s.") % {"values": ", ".join(RULE_CATEGORIES)})
    business = values["business"] or ""
    if not isinstance(business, str):
        raise InvalidInput(_("business: the bill fee column, as text."))
    rate = _decimal(values["rate"], "rate")
    amount = _integer(values["amount"], "amount", high=1_000_000)
    min_years = _integer(values["min_years"], "min_years", high=100)
    max_years = _integer(values["max_years"], "max_years", high=100)
    if max_years and max_years < min_years:
        raise InvalidInput(_("max_years: at least min_years (or 0 for no limit)."))
    if category == PointsCategory.CONSUMPTION:
        if business not in FEE_FIELDS:
            raise InvalidInput(_("business: a consumption rule names the bill fee it counts, one of %(values)s.")
                               % {"values": ", ".join(FEE_FIELDS)})
        if rate <= 0:
            raise InvalidInput(_("rate: a consumption rule gives points per yuan paid, more than 0."))
    elif business:
        raise InvalidInput(_("business: only a consumption rule counts a bill fee."))
    if category in PENALTY_CATEGORIES and not (0 < rate <= 1):
        raise InvalidInput(
            _("rate: a penalty takes a share of the month's consumption points, more than 0 and at most 1.")
        )
    if category in AMOUNT_CATEGORIES and amount <= 0:
        raise InvalidInput(_("amount: this reward gives a fixed number of points, more than 0."))
    computed = (PointsCategory.CONSUMPTION, *PENALTY_CATEGORIES, *AMOUNT_CATEGORIES)
    if category not in computed and rate <= 0 and amount <= 0:
        raise InvalidInput(_("rate or amount: say how many points the rule gives."))
    level = values["level"]
    if level is not None and not isinstance(level, ClubLevel):
        raise InvalidInput(_("level: a club level or none."))
    note = values["note"] or ""
    if not isinstance(note, str) or len(note) > 200:
        raise InvalidInput(_("note: at most 200 characters."))
    return {"name": name, "category": category, "business": business, "rate": rate, "amount": amount,
            "min_years": min_years, "max_years": max_years, "level": level, "note": note.strip()}


def _decimal(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value)) if not isinstance(value, bool) else None
    except (InvalidOperation, ValueError):
        number = None
    if (number is None or not number.is_finite() or number < 0 or number >= 10000
            or number != number.quantize(Decimal("0.0001"))):
        raise InvalidInput(_("%(field)s: a number from 0 to 9999.9999 with at most four decimals.") % {"field": field})
    return number.quantize(Decimal("0.0001"))


def _integer(value: Any, field: str, *, high: int) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not (0 <= value <= high):
        raise InvalidInput(_("%(field)s: a whole number from 0 to %(high)s.") % {"field": field, "high": high})
    return value


def _user(actor: Any) -> Any:
    return actor if actor is not None and getattr(actor, "is_authenticated", False) and actor.pk else None

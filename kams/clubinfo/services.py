"""Writes of the club's service information, member services, activities, evaluation and
announcements (CLUB-05, CLUB-06, CLUB-20, CLUB-23).

Every staff write checks permission and scope, runs in one transaction and writes the audit
log. Gifts are issued through the customer-care service (``kams.care``), which takes them out
of the unit's stock with a conditional update and appends the stock move; consultations are
recorded through the service-support service (``kams.support``); activity points are credited
through the points ledger (``kams.club.ledger``), once per member and activity.

The member portal calls ``activity_register_member``, ``activity_unregister_member`` and
``activity_feedback_member``: there the member acts for himself (no staff actor), and the
audit entry names the member.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kams.audit.services import audit_record, snapshot
from kams.club import ledger
from kams.club.enums import MemberStatus, PointsCategory
from kams.club.models import ClubLevel, ClubMember
from kams.clubinfo import evaluation as arithmetic
from kams.clubinfo.enums import (
    ActivityKind,
    ActivityState,
    Audience,
    CareOccasion,
    Direction,
    IndicatorSource,
    RegistrationChannel,
    RegistrationState,
    ServiceKind,
)
from kams.clubinfo.errors import (
    ActivityFull,
    ActivityNotOpen,
    AlreadyRegistered,
    MemberNotActive,
    NotInvited,
)
from kams.clubinfo.errors import ActivityState as ActivityStateRefused
from kams.clubinfo.errors import RegistrationState as RegistrationStateRefused
from kams.clubinfo.models import (
    Activity,
    ActivityRegistration,
    Announcement,
    Evaluation,
    EvaluationIndicator,
    EvaluationValue,
    MemberCare,
    MemberConsultation,
    MemberGift,
    ServiceContent,
    ServiceOutlet,
    ServiceStandard,
)
from kams.core.errors import Conflict, InvalidInput
from kams.org.enums import UnitKind
from kams.org.models import OrgUnit, Staff
from kams.org.scoping import require_in_scope, require_perm, scope_for

STANDARD_FIELDS = ("level", "item", "content", "commitment", "response_hours", "sort_order", "is_active")
CONTENT_FIELDS = ("code", "name", "kind", "description", "times_per_year", "provider", "is_active")
OUTLET_FIELDS = ("name", "city", "address", "phone", "hours", "is_active")
ACTIVITY_FIELDS = ("name", "kind", "description", "org_unit", "place", "starts_at", "ends_at", "registration_deadline",
                   "capacity", "points_reward", "budget")
INDICATOR_FIELDS = ("code", "name", "unit_label", "weight", "target", "direction", "source", "description",
                    "sort_order", "is_active")
ANNOUNCEMENT_FIELDS = ("title", "body", "audience", "org_unit", "publish_at", "expire_at", "pinned")
CENT = Decimal("0.01")


# --- Small helpers ----------------------------------------------------------------------------------------


def _staff(actor: Any) -> Staff | None:
    return getattr(actor, "staff", None) if actor is not None and getattr(actor, "is_authenticated", False) else None


def _required(field: str, value: Any, max_length: int) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if not text:
        raise InvalidInput(_("%(field)s: this field is required.") % {"field": field})
    if len(text) > max_length:
        raise InvalidInput(_("%(field)s: at most %(n)s characters.") % {"field": field, "n": max_length})
    return text


def _money(field: str, value: Any, *, allow_none: bool = False) -> Decimal | None:
    if value is None or value == "":
        if allow_none:
            return None
        raise InvalidInput(_("%(field)s: this field is required.") % {"field": field})
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("%(field)s: enter an amount.") % {"field": field}) from None
    if amount < 0 or amount >= Decimal("10000000000"):
        raise InvalidInput(_("%(field)s: cannot be negative.") % {"field": field})
    return amount


def _whole(field: str, value: Any, *, minimum: int = 0, allow_none: bool = False) -> int | None:
    if value is None or value == "":
        if allow_none:
            return None
        raise InvalidInput(_("%(field)s: this field is required.") % {"field": field})
    if isinstance(value, bool):
        raise InvalidInput(_("%(field)s: enter a whole number.") % {"field": field})
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(_("%(field)s: enter a whole number.") % {"field": field}) from None
    if number != value and not isinstance(value, str):
        raise InvalidInput(_("%(field)s: enter a whole number.") % {"field": field})
    if number < minimum:
        raise InvalidInput(_("%(field)s: at least %(min)s.") % {"field": field, "min": minimum})
    return number


def _choice(field: str, value: Any, choices: Any) -> str:
    if value not in choices.values:
        raise InvalidInput(_("%(field)s: choose one of %(choices)s.") % {"field": field, "choices": ", ".join(choices.values)})
    return value


def _set_values(obj: Any, values: dict[str, Any], allowed: tuple[str, ...]) -> None:
    for name, value in values.items():
        if name not in allowed:
            raise InvalidInput(_("%(field)s: cannot be set here.") % {"field": name})
        setattr(obj, name, value)


def _level_list(levels: Iterable[Any] | None) -> list[ClubLevel] | None:
    if levels is None:
        return None
    found = []
    for level in levels:
        if not isinstance(level, ClubLevel):
            level = ClubLevel.objects.filter(Q(code=level) | Q(pk=level if str(level).isdigit() else None)).first()
            if level is None:
                raise InvalidInput(_("levels: unknown club level."))
        found.append(level)
    return found


def _require_active(member: ClubMember) -> None:
    if member.status != MemberStatus.ACTIVE:
        raise MemberNotActive(member=member.name, status=member.get_status_display())


def _province_of(actor: Any) -> OrgUnit | None:
    staff = _staff(actor)
    if staff is not None:
        return staff.org_unit.ancestor_of_kind(UnitKind.PROVINCE)
    return OrgUnit.objects.filter(kind=UnitKind.PROVINCE).order_by("path").first()


def _require_unit_authority(actor: Any, unit: OrgUnit | None, field: str = "org_unit") -> None:
    """A record for ``unit`` (or, without one, for the whole province) may be written only by
    someone whose scope covers it."""
    scope = scope_for(actor)
    if unit is None:
        province = _province_of(actor)
        if province is None or not scope.covers_unit(province):
            raise InvalidInput(_("%(field)s: only staff of the whole province may write for the whole province.")
                               % {"field": field})
    elif not scope.covers_unit(unit):
        raise InvalidInput(_("%(field)s: %(unit)s is outside your scope.") % {"field": field, "unit": unit})


def _member_city(member: ClubMember) -> OrgUnit:
    return member.customer.org_unit


# --- Service information (服务标准, 服务内容, 服务网点) -----------------------------------------------------


@transaction.atomic
def standard_save(*, actor: Any, standard: ServiceStandard | None = None, **values: Any) -> ServiceStandard:
    """服务标准: add or change what one level is promised for one service item."""
    require_perm(actor, "clubinfo.change_servicestandard" if standard else "clubinfo.add_servicestandard")
    if standard is not None:
        standard = ServiceStandard.objects.select_for_update().get(pk=standard.pk)
    before = snapshot(standard, STANDARD_FIELDS) if standard else None
    standard = standard or ServiceStandard()
    _set_values(standard, values, STANDARD_FIELDS)
    if standard.level_id is None:
        raise InvalidInput(_("level: choose the level the standard is for."))
    standard.item = _required("item", standard.item, 80)
    standard.content = _required("content", standard.content, 4000)
    standard.commitment = (standard.commitment or "").strip()[:120]
    standard.response_hours = _whole("response_hours", standard.response_hours, minimum=1, allow_none=True)
    standard.sort_order = _whole("sort_order", standard.sort_order or 0)
    if ServiceStandard.objects.filter(level_id=standard.level_id, item=standard.item).exclude(pk=standard.pk).exists():
        raise InvalidInput(_("item: %(level)s has a standard for %(item)s already.")
                           % {"level": standard.level, "item": standard.item})
    standard.save()
    audit_record(actor=actor, action="clubinfo.standard_save", target=standard, before=before,
                 after=snapshot(standard, STANDARD_FIELDS))
    return standard


@transaction.atomic
def service_content_save(*, actor: Any, content: ServiceContent | None = None, levels: Iterable[Any] | None = None,
                         **values: Any) -> ServiceContent:
    """服务内容管理: add or change a service of the catalogue and the levels entitled to it."""
    require_perm(actor, "clubinfo.change_servicecontent" if content else "clubinfo.add_servicecontent")
    if content is not None:
        content = ServiceContent.objects.select_for_update().get(pk=content.pk)
    fields = (*CONTENT_FIELDS, "levels")
    before = snapshot(content, fields) if content else None
    content = content or ServiceContent()
    _set_values(content, values, CONTENT_FIELDS)
    content.code = _required("code", content.code, 30)
    content.name = _required("name", content.name, 80)
    _choice("kind", content.kind, ServiceKind)
    content.times_per_year = _whole("times_per_year", content.times_per_year, minimum=1, allow_none=True)
    if ServiceContent.objects.filter(code=content.code).exclude(pk=content.pk).exists():
        raise InvalidInput(_("code: %(code)s is taken.") % {"code": content.code})
    content.save()
    level_list = _level_list(levels)
    if level_list is not None:
        content.levels.set(level_list)
    audit_record(actor=actor, action="clubinfo.service_content_save", target=content, before=before,
                 after=snapshot(content, fields))
    return content


@transaction.atomic
def outlet_save(*, actor: Any, outlet: ServiceOutlet | None = None, services: Iterable[ServiceContent] | None = None,
                levels: Iterable[Any] | None = None, **values: Any) -> ServiceOutlet:
    """服务网点信息管理: add or change an outlet of a city in the actor's scope."""
    require_perm(actor, "clubinfo.change_serviceoutlet" if outlet else "clubinfo.add_serviceoutlet")
    if outlet is not None:
        outlet = ServiceOutlet.objects.select_for_update(of=("self",)).select_related("city").get(pk=outlet.pk)
        require_in_scope(actor, outlet.city)
    fields = (*OUTLET_FIELDS, "services", "levels")
    before = snapshot(outlet, fields) if outlet else None
    outlet = outlet or ServiceOutlet()
    _set_values(outlet, values, OUTLET_FIELDS)
    outlet.name = _required("name", outlet.name, 100)
    outlet.address = _required("address", outlet.address, 200)
    if outlet.city_id is None or outlet.city.kind != UnitKind.CITY:
        raise InvalidInput(_("city: choose a city."))
    _require_unit_authority(actor, outlet.city, "city")
    outlet.save()
    if services is not None:
        outlet.services.set(list(services))
    level_list = _level_list(levels)
    if level_list is not None:
        outlet.levels.set(level_list)
    audit_record(actor=actor, action="clubinfo.outlet_save", target=outlet, before=before,
                 after=snapshot(outlet, fields), org_unit=outlet.city)
    return outlet


# --- Member services: gifts, personal care, consultations ----------------------------------------------------


@transaction.atomic
def member_gift_issue(
    *, actor: Any, member: ClubMember, gift: Any, quantity: int, occasion: str, stock_unit: OrgUnit | None = None,
    issued_on: datetime.date | None = None,
) -> MemberGift:
    """礼物赠送: issue a gift of the care stock to a member. The care service records the care
    and takes the gifts out of ``stock_unit`` (or the nearest stock above the giver that holds
    enough) with a conditional update: never below zero; too few left is refused (OutOfStock)
    and nothing changes."""
    from kams.care import services as care
    from kams.care.enums import CareKind

    require_perm(actor, "clubinfo.add_membergift")
    require_in_scope(actor, member)
    _require_active(member)
    occasion = _required("occasion", occasion, 200)
    quantity = _whole("quantity", quantity, minimum=1)
    if not getattr(gift, "is_active", False):
        raise InvalidInput(_("gift: choose a gift of the catalogue."))
    action = care.care_action_record(
        actor=actor, customer=member.customer, kind=CareKind.GIFT,
        content=_("Club member %(member)s: %(occasion)s") % {"member": member.name, "occasion": occasion},
        happened_on=issued_on, gift=gift, gift_quantity=quantity, stock_unit=stock_unit,
    )
    record = MemberGift.objects.create(
        member=member, gift=gift, quantity=quantity, occasion=occasion, care_action=action,
        stock_unit=action.stock_unit, issued_on=action.happened_on, issued_by=_staff(actor),
    )
    audit_record(actor=actor, action="clubinfo.gift_issue", target=record, org_unit=_member_city(member),
                 after={"member": member.member_no, "gift": gift.code, "quantity": quantity, "occasion": occasion,
                        "from": action.stock_unit.name})
    return record


@transaction.atomic
def member_care_record(
    *, actor: Any, member: ClubMember, occasion: str, content: str, happened_on: datetime.date | None = None,
    gift: Any = None, gift_quantity: int = 1, stock_unit: OrgUnit | None = None,
) -> MemberCare:
    """会员人情服务: care given to a member; a gift with it is issued from the care stock."""
    require_perm(actor, "clubinfo.add_membercare")
    require_in_scope(actor, member)
    _require_active(member)
    _choice("occasion", occasion, CareOccasion)
    content = _required("content", content, 500)
    happened_on = happened_on or timezone.localdate()
    if happened_on > timezone.localdate():
        raise InvalidInput(_("happened_on: care given cannot be in the future."))
    issued = None
    if gift is not None:
        issued = member_gift_issue(actor=actor, member=member, gift=gift, quantity=gift_quantity,
                                   occasion=CareOccasion(occasion).label, stock_unit=stock_unit, issued_on=happened_on)
    care = MemberCare.objects.create(member=member, occasion=occasion, happened_on=happened_on, content=content,
                                     gift=issued, handler=_staff(actor))
    audit_record(actor=actor, action="clubinfo.care_record", target=care, org_unit=_member_city(member),
                 after={"member": member.member_no, "occasion": occasion, "content": content,
                        "gift": issued.gift.code if issued else None})
    return care


@transaction.atomic
def member_consultation_record(
    *, actor: Any, member: ClubMember, channel: str, question: str, answer: str = "", satisfaction: str = "",
    asked_at: datetime.datetime | None = None,
) -> MemberConsultation:
    """会员咨询: a member's question (10018 hotline, club website, the desk …) recorded as a
    consultation of the service-support desk, topic "club", linked to the member."""
    from kams.support import services as support
    from kams.support.enums import ConsultationTopic

    require_perm(actor, "clubinfo.add_memberconsultation")
    require_in_scope(actor, member)
    consultation = support.consultation_record(
        actor=actor, channel=channel, content=question, topic=ConsultationTopic.CLUB, customer=member.customer,
        asked_at=asked_at, caller_name=member.name, caller_phone=member.phone or member.msisdn, answer=answer,
        answer_satisfaction=satisfaction,
    )
    link = MemberConsultation.objects.create(consultation=consultation, member=member)
    audit_record(actor=actor, action="clubinfo.consultation_record", target=link, org_unit=_member_city(member),
                 after={"member": member.member_no, "consultation": consultation.pk, "channel": channel})
    return link


@transaction.atomic
def member_consultation_answer(*, actor: Any, link: MemberConsultation, answer: str,
                               satisfaction: str = "") -> MemberConsultation:
    """答复 a member's consultation (or record how satisfied the member was)."""
    from kams.support import services as support

    require_perm(actor, "clubinfo.change_memberconsultation")
    require_in_scope(actor, link)
    support.consultation_answer(actor=actor, consultation=link.consultation, answer=answer,
                                answer_satisfaction=satisfaction)
    link.consultation.refresh_from_db()
    audit_record(actor=actor, action="clubinfo.consultation_answer", target=link,
                 after={"consultation": link.consultation_id, "satisfaction": link.consultation.answer_satisfaction})
    return link


# --- Activities (俱乐部会员活动管理, CLUB-20) -----------------------------------------------------------------


def _activity_check(activity: Activity) -> None:
    activity.name = _required("name", activity.name, 120)
    activity.place = _required("place", activity.place, 200)
    _choice("kind", activity.kind, ActivityKind)
    if activity.org_unit_id is None or activity.org_unit.kind not in (UnitKind.CITY, UnitKind.PROVINCE):
        raise InvalidInput(_("org_unit: an activity is organised by a city or the province."))
    if activity.starts_at is None or activity.ends_at is None:
        raise InvalidInput(_("starts_at, ends_at: say when the activity takes place."))
    if activity.ends_at < activity.starts_at:
        raise InvalidInput(_("ends_at: the activity cannot end before it starts."))
    if activity.registration_deadline and activity.registration_deadline > activity.ends_at:
        raise InvalidInput(_("registration_deadline: registration closes before the activity ends."))
    activity.capacity = _whole("capacity", activity.capacity, minimum=1)
    if activity.capacity < activity.registered:
        raise InvalidInput(_("capacity: %(n)s members are registered already.") % {"n": activity.registered})
    activity.points_reward = _whole("points_reward", activity.points_reward or 0)
    activity.budget = _money("budget", activity.budget if activity.budget is not None else 0)


@transaction.atomic
def activity_save(*, actor: Any, activity: Activity | None = None, levels: Iterable[Any] | None = None,
                  **values: Any) -> Activity:
    """活动策划: plan an activity (or change one not yet closed or cancelled)."""
    require_perm(actor, "clubinfo.change_activity" if activity else "clubinfo.add_activity")
    if activity is not None:
        require_in_scope(actor, activity)
        activity = Activity.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=activity.pk)
        if activity.state not in (ActivityState.PLANNED, ActivityState.OPEN):
            raise ActivityStateRefused(activity=activity.name, state=activity.get_state_display(), action=_("changed"))
    fields = (*ACTIVITY_FIELDS, "levels")
    before = snapshot(activity, fields) if activity else None
    activity = activity or Activity(created_by=actor if getattr(actor, "pk", None) else None)
    _set_values(activity, values, ACTIVITY_FIELDS)
    _activity_check(activity)
    _require_unit_authority(actor, activity.org_unit)
    activity.save()
    level_list = _level_list(levels)
    if level_list is not None:
        activity.levels.set(level_list)
    audit_record(actor=actor, action="clubinfo.activity_save", target=activity, before=before,
                 after=snapshot(activity, fields))
    return activity


def _activity_locked(actor: Any, activity: Activity, perm: str = "clubinfo.change_activity") -> Activity:
    require_perm(actor, perm)
    require_in_scope(actor, activity)
    return Activity.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=activity.pk)


@transaction.atomic
def activity_open(*, actor: Any, activity: Activity) -> Activity:
    """发布活动: open a planned activity for registration."""
    activity = _activity_locked(actor, activity)
    if activity.state != ActivityState.PLANNED:
        raise ActivityStateRefused(activity=activity.name, state=activity.get_state_display(), action=_("opened"))
    if activity.ends_at <= timezone.now():
        raise InvalidInput(_("ends_at: the activity is over; it cannot be opened for registration."))
    activity.state = ActivityState.OPEN
    activity.save(update_fields=["state", "updated_at"])
    audit_record(actor=actor, action="clubinfo.activity_open", target=activity, before={"state": ActivityState.PLANNED},
                 after={"state": activity.state})
    return activity


@transaction.atomic
def activity_cancel(*, actor: Any, activity: Activity, reason: str) -> Activity:
    """取消活动: the activity will not take place; its registrations are cancelled."""
    activity = _activity_locked(actor, activity)
    if activity.state not in (ActivityState.PLANNED, ActivityState.OPEN):
        raise ActivityStateRefused(activity=activity.name, state=activity.get_state_display(), action=_("called off"))
    if ActivityRegistration.objects.filter(activity=activity, state=RegistrationState.ATTENDED).exists():
        raise ActivityStateRefused(activity=activity.name, state=_("attended by members"), action=_("called off"))
    reason = _required("reason", reason, 300)
    before = activity.state
    now = timezone.now()
    dropped = ActivityRegistration.objects.filter(activity=activity, state=RegistrationState.REGISTERED).update(
        state=RegistrationState.CANCELLED, cancelled_at=now)
    activity.state, activity.cancel_reason, activity.registered = ActivityState.CANCELLED, reason, 0
    activity.save(update_fields=["state", "cancel_reason", "registered", "updated_at"])
    audit_record(actor=actor, action="clubinfo.activity_cancel", target=activity, before={"state": before},
                 after={"state": activity.state, "registrations_cancelled": dropped}, reason=reason)
    return activity


def invitation_problem(activity: Activity, member: ClubMember, *, now: datetime.datetime | None = None) -> str:
    """Why ``member`` may not register for ``activity`` now ("" when they may)."""
    now = now or timezone.now()
    if activity.state != ActivityState.OPEN:
        return _("the activity is %(state)s") % {"state": activity.get_state_display()}
    if now > (activity.registration_deadline or activity.ends_at):
        return _("registration closed at %(when)s") % {
            "when": timezone.localtime(activity.registration_deadline or activity.ends_at).strftime("%Y-%m-%d %H:%M")}
    if not _member_city(member).path.startswith(activity.org_unit.path):
        return _("the activity is for members of %(unit)s") % {"unit": activity.org_unit.name}
    levels = list(activity.levels.all())
    if levels and member.level_id not in {lv.pk for lv in levels}:
        return _("the activity is for %(levels)s members") % {"levels": ", ".join(lv.name for lv in levels)}
    return ""


def _register(*, activity: Activity, member: ClubMember, staff: Staff | None, channel: str) -> ActivityRegistration:
    """Take a place with one conditional UPDATE (``registered < capacity``) and record the
    registration; an exception afterwards rolls the place back with the caller's transaction."""
    _require_active(member)
    activity = Activity.objects.select_related("org_unit").get(pk=activity.pk)
    now = timezone.now()
    problem = invitation_problem(activity, member, now=now)
    if problem:
        if activity.state != ActivityState.OPEN or now > (activity.registration_deadline or activity.ends_at):
            raise ActivityNotOpen(activity=activity.name, state=problem)
        raise NotInvited(member=member.name, activity=activity.name, why=problem)
    existing = ActivityRegistration.objects.select_for_update().filter(activity=activity, member=member).first()
    if existing is not None and existing.state != RegistrationState.CANCELLED:
        raise AlreadyRegistered(member=member.name, activity=activity.name)
    taken = Activity.objects.filter(pk=activity.pk, state=ActivityState.OPEN, registered__lt=F("capacity")).update(
        registered=F("registered") + 1)
    if taken != 1:
        activity.refresh_from_db()
        if activity.state != ActivityState.OPEN:
            raise ActivityNotOpen(activity=activity.name, state=activity.get_state_display())
        raise ActivityFull(activity=activity.name, capacity=activity.capacity)
    if existing is not None:  # registered again after cancelling
        existing.state, existing.channel, existing.registered_at = RegistrationState.REGISTERED, channel, now
        existing.registered_by, existing.cancelled_at = staff, None
        existing.save(update_fields=["state", "channel", "registered_at", "registered_by", "cancelled_at"])
        return existing
    try:
        with transaction.atomic():
            return ActivityRegistration.objects.create(activity=activity, member=member, channel=channel,
                                                       registered_at=now, registered_by=staff)
    except IntegrityError:  # the same member registered at the same moment elsewhere
        raise AlreadyRegistered(member=member.name, activity=activity.name) from None


def _activity_readable(actor: Any, activity: Activity) -> None:
    from kams.clubinfo.selectors import activities_for

    if not activities_for(actor).filter(pk=activity.pk).exists():
        raise Http404


@transaction.atomic
def activity_register(*, actor: Any, activity: Activity, member: ClubMember) -> ActivityRegistration:
    """活动报名 at the desk: register a member in the actor's scope for an open activity."""
    require_perm(actor, "clubinfo.add_activityregistration")
    require_in_scope(actor, member)
    _activity_readable(actor, activity)
    registration = _register(activity=activity, member=member, staff=_staff(actor), channel=RegistrationChannel.STAFF)
    audit_record(actor=actor, action="clubinfo.activity_register", target=registration, org_unit=_member_city(member),
                 after={"activity": activity.pk, "member": member.member_no})
    return registration


@transaction.atomic
def activity_register_member(*, member: ClubMember, activity: Activity) -> ActivityRegistration:
    """活动报名 by the member himself on the member portal (no staff actor)."""
    registration = _register(activity=activity, member=member, staff=None, channel=RegistrationChannel.PORTAL)
    audit_record(actor=None, action="clubinfo.activity_register", target=registration, org_unit=_member_city(member),
                 after={"activity": activity.pk, "member": member.member_no, "member_name": member.name,
                        "channel": RegistrationChannel.PORTAL})
    return registration


def _unregister(registration: ActivityRegistration) -> ActivityRegistration:
    registration = ActivityRegistration.objects.select_for_update(of=("self",)).select_related("activity").get(pk=registration.pk)
    if registration.state != RegistrationState.REGISTERED or registration.activity.state != ActivityState.OPEN:
        raise RegistrationStateRefused(state=registration.get_state_display(), action=_("called off"))
    registration.state, registration.cancelled_at = RegistrationState.CANCELLED, timezone.now()
    registration.save(update_fields=["state", "cancelled_at"])
    Activity.objects.filter(pk=registration.activity_id, registered__gt=0).update(registered=F("registered") - 1)
    return registration


@transaction.atomic
def activity_unregister(*, actor: Any, registration: ActivityRegistration, reason: str = "") -> ActivityRegistration:
    """取消报名: the place is free again."""
    require_perm(actor, "clubinfo.change_activityregistration")
    require_in_scope(actor, registration)
    registration = _unregister(registration)
    audit_record(actor=actor, action="clubinfo.activity_unregister", target=registration,
                 before={"state": RegistrationState.REGISTERED}, after={"state": registration.state}, reason=reason)
    return registration


@transaction.atomic
def activity_unregister_member(*, member: ClubMember, activity: Activity) -> ActivityRegistration:
    """The member cancels his own registration on the portal."""
    registration = ActivityRegistration.objects.filter(activity=activity, member=member).first()
    if registration is None:
        raise InvalidInput(_("activity: you are not registered for this activity."))
    registration = _unregister(registration)
    audit_record(actor=None, action="clubinfo.activity_unregister", target=registration,
                 before={"state": RegistrationState.REGISTERED},
                 after={"state": registration.state, "member": member.member_no, "channel": RegistrationChannel.PORTAL})
    return registration


@transaction.atomic
def activity_attendance_confirm(*, actor: Any, activity: Activity, members: Iterable[Any],
                                now: datetime.datetime | None = None) -> int:
    """签到确认: the members who came. Each is credited the activity's points through the
    points ledger, with the reference ``activity:<activity>:<member>``, so confirming twice
    credits nothing more. Returns the number of registrations newly marked attended."""
    activity = _activity_locked(actor, activity)
    if activity.state != ActivityState.OPEN:
        raise ActivityStateRefused(activity=activity.name, state=activity.get_state_display(),
                                   action=_("attended"))
    now = now or timezone.now()
    if activity.starts_at > now:
        raise InvalidInput(_("members: attendance is confirmed once the activity has started."))
    ids = {m if isinstance(m, int) else getattr(m, "pk", None) for m in members}
    ids.discard(None)
    if not ids:
        raise InvalidInput(_("members: choose who attended."))
    registrations = list(
        ActivityRegistration.objects.select_for_update(of=("self",)).select_related("member")
        .filter(activity=activity, member_id__in=ids)
    )
    usable = {r.member_id for r in registrations if r.state in (RegistrationState.REGISTERED, RegistrationState.ATTENDED)}
    if ids - usable:
        names = sorted(ClubMember.objects.filter(pk__in=ids - usable).values_list("name", flat=True)) or ["?"]
        raise InvalidInput(_("members: %(names)s are not registered for this activity.") % {"names": ", ".join(names)})
    new = [r for r in registrations if r.state == RegistrationState.REGISTERED]
    ActivityRegistration.objects.filter(pk__in=[r.pk for r in new]).update(state=RegistrationState.ATTENDED,
                                                                           attended_at=now)
    credited = 0
    if activity.points_reward:
        reason = _("Club activity: %(name)s") % {"name": activity.name}
        for registration in registrations:
            if registration.points_entry_id:
                continue
            entry = ledger.credit(
                member=registration.member, points=activity.points_reward, category=PointsCategory.ACTIVITY,
                reference=f"activity:{activity.pk}:{registration.member_id}", actor=actor, reason=reason,
            )
            ActivityRegistration.objects.filter(pk=registration.pk).update(points_entry=entry, points=entry.points)
            credited += 1
    audit_record(actor=actor, action="clubinfo.activity_attendance", target=activity,
                 after={"attended": sorted(r.member.member_no for r in new), "points_each": activity.points_reward,
                        "credited": credited})
    return len(new)


def _feedback(registration: ActivityRegistration, score: Any, comment: str) -> ActivityRegistration:
    registration = ActivityRegistration.objects.select_for_update().get(pk=registration.pk)
    if registration.state != RegistrationState.ATTENDED:
        raise RegistrationStateRefused(state=registration.get_state_display(), action=_("given feedback"))
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise InvalidInput(_("score: from 1 (poor) to 5 (excellent)."))
    registration.feedback_score, registration.feedback_comment = score, (comment or "").strip()[:500]
    registration.feedback_at = timezone.now()
    registration.save(update_fields=["feedback_score", "feedback_comment", "feedback_at"])
    return registration


@transaction.atomic
def activity_feedback_record(*, actor: Any, registration: ActivityRegistration, score: int,
                             comment: str = "") -> ActivityRegistration:
    """活动反馈: a participant's score (1–5) and comment, taken by staff."""
    require_perm(actor, "clubinfo.change_activityregistration")
    require_in_scope(actor, registration)
    registration = _feedback(registration, score, comment)
    audit_record(actor=actor, action="clubinfo.activity_feedback", target=registration,
                 after={"score": registration.feedback_score, "comment": registration.feedback_comment})
    return registration


@transaction.atomic
def activity_feedback_member(*, member: ClubMember, activity: Activity, score: int,
                             comment: str = "") -> ActivityRegistration:
    """活动反馈 given by the member himself on the portal."""
    registration = ActivityRegistration.objects.filter(activity=activity, member=member).first()
    if registration is None:
        raise InvalidInput(_("activity: you are not registered for this activity."))
    registration = _feedback(registration, score, comment)
    audit_record(actor=None, action="clubinfo.activity_feedback", target=registration,
                 after={"score": registration.feedback_score, "member": member.member_no,
                        "channel": RegistrationChannel.PORTAL})
    return registration


@transaction.atomic
def activity_close(*, actor: Any, activity: Activity, cost: Any, summary: str) -> Activity:
    """活动总结: close the activity with what it cost and a summary; who registered but did
    not come is marked absent."""
    activity = _activity_locked(actor, activity)
    if activity.state != ActivityState.OPEN:
        raise ActivityStateRefused(activity=activity.name, state=activity.get_state_display(), action=_("closed"))
    if activity.starts_at > timezone.now():
        raise InvalidInput(_("summary: an activity is closed after it has taken place."))
    cost = _money("cost", cost)
    summary = _required("summary", summary, 4000)
    absent = ActivityRegistration.objects.filter(activity=activity, state=RegistrationState.REGISTERED).update(
        state=RegistrationState.ABSENT)
    activity.state, activity.cost, activity.summary, activity.closed_at = ActivityState.CLOSED, cost, summary, timezone.now()
    activity.save(update_fields=["state", "cost", "summary", "closed_at", "updated_at"])
    audit_record(actor=actor, action="clubinfo.activity_close", target=activity, before={"state": ActivityState.OPEN},
                 after={"state": activity.state, "cost": cost, "budget": activity.budget, "absent": absent})
    return activity


# --- Service-effect evaluation (8.1, 8.2) -------------------------------------------------------------------


@transaction.atomic
def indicator_save(*, actor: Any, indicator: EvaluationIndicator | None = None, **values: Any) -> EvaluationIndicator:
    """俱乐部服务效果评估指标管理: add or change an indicator."""
    require_perm(actor, "clubinfo.change_evaluationindicator" if indicator else "clubinfo.add_evaluationindicator")
    if indicator is not None:
        indicator = EvaluationIndicator.objects.select_for_update().get(pk=indicator.pk)
    before = snapshot(indicator, INDICATOR_FIELDS) if indicator else None
    indicator = indicator or EvaluationIndicator()
    _set_values(indicator, values, INDICATOR_FIELDS)
    indicator.code = _required("code", indicator.code, 40)
    indicator.name = _required("name", indicator.name, 80)
    _choice("direction", indicator.direction, Direction)
    _choice("source", indicator.source, IndicatorSource)
    indicator.weight = _money("weight", indicator.weight)
    if indicator.weight > Decimal("1000"):
        raise InvalidInput(_("weight: at most 1000."))
    try:
        indicator.target = Decimal(str(indicator.target)).quantize(CENT)
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("target: enter a number.")) from None
    if EvaluationIndicator.objects.filter(code=indicator.code).exclude(pk=indicator.pk).exists():
        raise InvalidInput(_("code: %(code)s is taken.") % {"code": indicator.code})
    indicator.save()
    audit_record(actor=actor, action="clubinfo.indicator_save", target=indicator, before=before,
                 after=snapshot(indicator, INDICATOR_FIELDS))
    return indicator


def _rescore(evaluations: list[Evaluation]) -> None:
    """Achievements and weighted scores of ``evaluations`` from their values."""
    values = list(EvaluationValue.objects.filter(evaluation__in=evaluations).select_related("indicator"))
    per_evaluation: dict[int, list] = {}
    for value in values:
        value.achievement = arithmetic.achievement(value.value, value.indicator.target, value.indicator.direction)
        if value.indicator.is_active:
            per_evaluation.setdefault(value.evaluation_id, []).append((value.indicator.weight, value.achievement))
    EvaluationValue.objects.bulk_update(values, ["achievement"], batch_size=500)
    for evaluation in evaluations:
        evaluation.score = arithmetic.weighted_score(per_evaluation.get(evaluation.pk, []))
    Evaluation.objects.bulk_update(evaluations, ["score"], batch_size=500)


def _rank(period_start: datetime.date, period_end: datetime.date) -> None:
    """Rank every city evaluated for the period by score (equal scores share a rank)."""
    rows = list(Evaluation.objects.filter(period_start=period_start, period_end=period_end).order_by(
        F("score").desc(nulls_last=True), "org_unit__path"))
    previous, rank = None, 0
    for position, evaluation in enumerate(rows, start=1):
        if evaluation.score is None:
            evaluation.rank = None
            continue
        if evaluation.score != previous:
            rank, previous = position, evaluation.score
        evaluation.rank = rank
    Evaluation.objects.bulk_update(rows, ["rank"], batch_size=500)


@transaction.atomic
def evaluation_run(*, actor: Any, period_start: datetime.date, period_end: datetime.date,
                   units: Iterable[OrgUnit] | None = None) -> list[Evaluation]:
    """俱乐部服务效果评估: evaluate each city (default: every city in the actor's scope) for the
    period — computed indicators from the data, values entered by hand kept — then score and
    rank. Running it again recomputes."""
    require_perm(actor, "clubinfo.add_evaluation")
    if not isinstance(period_start, datetime.date) or not isinstance(period_end, datetime.date):
        raise InvalidInput(_("period: give the first and last day of the period."))
    if period_end < period_start:
        raise InvalidInput(_("period_end: the period cannot end before it starts."))
    if period_start > timezone.localdate():
        raise InvalidInput(_("period_start: a period in the future cannot be evaluated."))
    if units is None:
        unit_list = list(OrgUnit.objects.visible_to(actor).filter(kind=UnitKind.CITY, is_active=True))
    else:
        unit_list = list(units)
        for unit in unit_list:
            if unit.kind != UnitKind.CITY:
                raise InvalidInput(_("units: %(unit)s is not a city.") % {"unit": unit})
            require_in_scope(actor, unit)
    if not unit_list:
        raise InvalidInput(_("units: there is no city in your scope to evaluate."))
    indicators = list(EvaluationIndicator.objects.filter(is_active=True))
    if not indicators:
        raise InvalidInput(_("There are no evaluation indicators in use: define them first."))
    computed = arithmetic.computed_values(unit_list, period_start, period_end)
    now = timezone.now()
    user = actor if getattr(actor, "pk", None) else None
    existing = {e.org_unit_id: e for e in Evaluation.objects.select_for_update().filter(
        org_unit__in=unit_list, period_start=period_start, period_end=period_end)}
    Evaluation.objects.bulk_create([
        Evaluation(org_unit=unit, period_start=period_start, period_end=period_end, computed_at=now, computed_by=user)
        for unit in unit_list if unit.pk not in existing
    ])
    evaluations = list(Evaluation.objects.filter(org_unit__in=unit_list, period_start=period_start,
                                                 period_end=period_end).select_related("org_unit"))
    Evaluation.objects.filter(pk__in=[e.pk for e in evaluations]).update(computed_at=now, computed_by=user)
    have = {(v.evaluation_id, v.indicator_id): v for v in EvaluationValue.objects.filter(evaluation__in=evaluations)}
    new, changed = [], []
    for evaluation in evaluations:
        for indicator in indicators:
            value = have.get((evaluation.pk, indicator.pk))
            if value is None:
                value = EvaluationValue(evaluation=evaluation, indicator=indicator)
                new.append(value)
            elif indicator.source != IndicatorSource.MANUAL:
                changed.append(value)
            if indicator.source != IndicatorSource.MANUAL:
                value.value = computed[evaluation.org_unit_id][indicator.source]
    EvaluationValue.objects.bulk_create(new, batch_size=500)
    EvaluationValue.objects.bulk_update(changed, ["value"], batch_size=500)
    _rescore(evaluations)
    _rank(period_start, period_end)
    audit_record(actor=actor, action="clubinfo.evaluation_run", target=None,
                 target_repr=f"{period_start:%Y-%m-%d}–{period_end:%Y-%m-%d}",
                 after={"period": [period_start, period_end], "cities": sorted(u.code for u in unit_list),
                        "scores": {e.org_unit.code: e.score for e in evaluations}})
    return list(Evaluation.objects.filter(pk__in=[e.pk for e in evaluations]).select_related("org_unit")
                .order_by(F("rank").asc(nulls_last=True), "org_unit__path"))


@transaction.atomic
def evaluation_value_set(*, actor: Any, evaluation: Evaluation, indicator: EvaluationIndicator, value: Any,
                         note: str = "") -> EvaluationValue:
    """Enter the value of an indicator measured by hand; the score and ranks follow."""
    require_perm(actor, "clubinfo.change_evaluation")
    require_in_scope(actor, evaluation)
    if indicator.source != IndicatorSource.MANUAL:
        raise InvalidInput(_("indicator: %(name)s is computed from the data; run the evaluation again instead.")
                           % {"name": indicator.name})
    if value is None or value == "":
        number = None
    else:
        try:
            number = Decimal(str(value)).quantize(CENT)
        except (InvalidOperation, ValueError):
            raise InvalidInput(_("value: enter a number.")) from None
        if abs(number) >= Decimal("1000000000000"):
            raise InvalidInput(_("value: enter a number."))
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    row, _created = EvaluationValue.objects.get_or_create(evaluation=evaluation, indicator=indicator)
    before = {"value": row.value, "note": row.note}
    row.value, row.note = number, (note or "").strip()[:200]
    row.entered_by = actor if getattr(actor, "pk", None) else None
    row.save(update_fields=["value", "note", "entered_by", "updated_at"])
    _rescore([evaluation])
    _rank(evaluation.period_start, evaluation.period_end)
    row.refresh_from_db()
    audit_record(actor=actor, action="clubinfo.evaluation_value_set", target=evaluation, before=before,
                 after={"indicator": indicator.code, "value": number, "note": row.note}, reason=note)
    return row


# --- Announcements (会员服务公告, 内部信息发布) ----------------------------------------------------------------


@transaction.atomic
def announcement_save(*, actor: Any, announcement: Announcement | None = None, levels: Iterable[Any] | None = None,
                      **values: Any) -> Announcement:
    """Publish (or change) an announcement to members or to staff."""
    require_perm(actor, "clubinfo.change_announcement" if announcement else "clubinfo.add_announcement")
    fields = (*ANNOUNCEMENT_FIELDS, "levels")
    if announcement is not None:
        announcement = Announcement.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=announcement.pk)
        _require_unit_authority(actor, announcement.org_unit)
        if announcement.withdrawn_at:
            raise Conflict(_("This announcement was withdrawn; publish a new one instead."))
    before = snapshot(announcement, fields) if announcement else None
    announcement = announcement or Announcement(author=_staff(actor))
    _set_values(announcement, values, ANNOUNCEMENT_FIELDS)
    announcement.title = _required("title", announcement.title, 200)
    announcement.body = _required("body", announcement.body, 20000)
    _choice("audience", announcement.audience, Audience)
    if announcement.org_unit_id and announcement.org_unit.kind not in (UnitKind.CITY, UnitKind.DISTRICT,
                                                                       UnitKind.PROVINCE):
        raise InvalidInput(_("org_unit: an announcement is for a city, a district or the whole province."))
    _require_unit_authority(actor, announcement.org_unit)
    announcement.publish_at = announcement.publish_at or timezone.now()
    if announcement.expire_at and announcement.expire_at <= announcement.publish_at:
        raise InvalidInput(_("expire_at: the announcement must expire after it is published."))
    announcement.pinned = bool(announcement.pinned)
    announcement.save()
    level_list = _level_list(levels)
    if level_list is not None:
        announcement.levels.set(level_list)
    audit_record(actor=actor, action="clubinfo.announcement_save", target=announcement, before=before,
                 after=snapshot(announcement, fields))
    return announcement


@transaction.atomic
def announcement_withdraw(*, actor: Any, announcement: Announcement, reason: str) -> Announcement:
    """撤回: the announcement is no longer shown (it stays on record)."""
    require_perm(actor, "clubinfo.change_announcement")
    announcement = Announcement.objects.select_for_update(of=("self",)).select_related("org_unit").get(pk=announcement.pk)
    _require_unit_authority(actor, announcement.org_unit)
    if announcement.withdrawn_at:
        raise Conflict(_("This announcement was withdrawn already."))
    reason = _required("reason", reason, 300)
    announcement.withdrawn_at, announcement.withdraw_reason = timezone.now(), reason
    announcement.save(update_fields=["withdrawn_at", "withdraw_reason", "updated_at"])
    audit_record(actor=actor, action="clubinfo.announcement_withdraw", target=announcement,
                 after={"withdrawn_at": announcement.withdrawn_at}, reason=reason)
    return announcement


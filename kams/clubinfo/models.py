"""俱乐部服务信息 — the club's service information, member services, activities, the
evaluation of the service's effect and announcements (CLUB-05, CLUB-06, CLUB-20, CLUB-23).

Service information (服务信息管理, 服务标准管理):

* ``ServiceStandard`` — 服务标准: what a member of one level is promised for one service item,
  with the commitment (e.g. a response time).
* ``ServiceContent`` — 服务内容: the catalogue of services (airport VIP lounge, green channel at
  the counter, birthday care, health check …) with the levels entitled to each.
* ``ServiceOutlet`` — 服务网点: where members are served, per city.

Member services at the desk (会员服务):

* ``MemberGift`` — 礼物赠送: a gift issued to a member out of the customer-care gift stock
  (``kams.care``): the care record and the stock move are made by the care service, so the
  stock falls and can never go below zero.
* ``MemberCare`` — 会员人情服务: care given to a member (birthday, festival, hospital visit …),
  with the gift that went with it.
* ``MemberConsultation`` — 会员咨询: links a consultation of ``kams.support`` (channel, question,
  answer, handler, satisfaction) to the member who asked.

Activities (俱乐部会员活动管理, CLUB-20):

* ``Activity`` — planned, opened for registration, attended, closed with a summary and its cost;
  ``registered`` counts the places taken and only moves by conditional updates, so the
  capacity holds under concurrent registrations (and the database checks it too).
* ``ActivityRegistration`` — a member's registration, attendance (which credits the activity's
  points through the points ledger, once) and feedback (1–5 and a comment).

Service-effect evaluation (服务效果评估, 8.1/8.2):

* ``EvaluationIndicator`` — 评估指标: unit, weight, target, direction; entered by hand or
  computed from the data (participation rate, feedback score, consultation satisfaction …).
* ``Evaluation`` / ``EvaluationValue`` — one city's evaluation of one period: the values, the
  achievement of each indicator, the weighted score and the rank among the cities.

Announcements (会员服务公告 CLUB-06, 内部信息发布 CLUB-23):

* ``Announcement`` — to members (shown on the member portal) or to staff (internal), for one
  city or the whole province (no unit), optionally for some levels only, between its publish
  and expiry times.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

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
from kams.org.scoping import UNSCOPED, ScopedQuerySet, ScopeSpec

VIA_MEMBER = ScopeSpec(org="member__customer__org_unit", owner="member__customer__account_manager")
MONEY = {"max_digits": 12, "decimal_places": 2}


# --- Service information ----------------------------------------------------------------------------


class ServiceStandard(models.Model):
    """服务标准: one service item promised to the members of one level."""

    level = models.ForeignKey("club.ClubLevel", on_delete=models.PROTECT, related_name="service_standards",
                              verbose_name=_("level"))
    item = models.CharField(_("service item"), max_length=80)
    content = models.TextField(_("standard"))
    commitment = models.CharField(_("commitment"), max_length=120, blank=True,
                                  help_text=_("What the member may hold us to, e.g. a call back within 2 hours."))
    response_hours = models.PositiveSmallIntegerField(_("response within (hours)"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in force"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["level__rank", "sort_order", "item"]
        verbose_name = _("service standard")
        verbose_name_plural = _("service standards")
        constraints = [models.UniqueConstraint(fields=["level", "item"], name="clubinfo_standard_once_per_level")]

    def __str__(self) -> str:
        return f"{self.level} · {self.item}"


class ServiceContent(models.Model):
    """服务内容: a service of the catalogue and the levels entitled to it."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=16, choices=ServiceKind.choices)
    description = models.TextField(_("description"), blank=True)
    levels = models.ManyToManyField("club.ClubLevel", blank=True, related_name="+", verbose_name=_("levels entitled"))
    times_per_year = models.PositiveSmallIntegerField(_("times a year"), null=True, blank=True,
                                                      help_text=_("Empty: no limit."))
    provider = models.CharField(_("provided by"), max_length=80, blank=True)
    is_active = models.BooleanField(_("offered"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("service")
        verbose_name_plural = _("service content")

    def __str__(self) -> str:
        return self.name


class ServiceOutlet(models.Model):
    """服务网点: a place where members are served. Everyone may read the outlets (they are
    published to members); only people whose scope covers the city change them."""

    name = models.CharField(_("name"), max_length=100)
    city = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("city"))
    address = models.CharField(_("address"), max_length=200)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    hours = models.CharField(_("opening hours"), max_length=80, blank=True)
    services = models.ManyToManyField(ServiceContent, blank=True, related_name="outlets", verbose_name=_("services offered"))
    levels = models.ManyToManyField("club.ClubLevel", blank=True, related_name="+", verbose_name=_("levels served"),
                                    help_text=_("Empty: all levels."))
    is_active = models.BooleanField(_("open"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["city__path", "name"]
        verbose_name = _("service outlet")
        verbose_name_plural = _("service outlets")

    def __str__(self) -> str:
        return self.name


# --- Member services at the desk ----------------------------------------------------------------------


class MemberGift(models.Model):
    """礼物赠送: a gift from the care stock to a member; ``care_action`` is the care record that
    issued it (its stock move is in the gift stock ledger)."""

    member = models.ForeignKey("club.ClubMember", on_delete=models.PROTECT, related_name="club_gifts",
                               verbose_name=_("member"))
    gift = models.ForeignKey("care.Gift", on_delete=models.PROTECT, related_name="+", verbose_name=_("gift"))
    quantity = models.PositiveSmallIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    occasion = models.CharField(_("occasion"), max_length=200)
    care_action = models.OneToOneField("care.CareAction", on_delete=models.PROTECT, related_name="member_gift",
                                       verbose_name=_("care record"))
    stock_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("issued from"))
    issued_on = models.DateField(_("date"))
    issued_by = models.ForeignKey("org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("issued by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = VIA_MEMBER

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("member gift")
        verbose_name_plural = _("member gifts")

    def __str__(self) -> str:
        return f"{self.member} · {self.gift} × {self.quantity}"


class MemberCare(models.Model):
    """会员人情服务: care given to a member, with the gift given if any."""

    member = models.ForeignKey("club.ClubMember", on_delete=models.PROTECT, related_name="club_care",
                               verbose_name=_("member"))
    occasion = models.CharField(_("occasion"), max_length=12, choices=CareOccasion.choices)
    happened_on = models.DateField(_("date"), db_index=True)
    content = models.CharField(_("what was done"), max_length=500)
    gift = models.OneToOneField(MemberGift, on_delete=models.PROTECT, null=True, blank=True, related_name="care",
                                verbose_name=_("gift"))
    handler = models.ForeignKey("org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                verbose_name=_("given by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = VIA_MEMBER

    class Meta:
        ordering = ["-happened_on", "-id"]
        verbose_name = _("member care")
        verbose_name_plural = _("member care")

    def __str__(self) -> str:
        return f"{self.member} · {self.get_occasion_display()} · {self.happened_on}"


class MemberConsultation(models.Model):
    """会员咨询: the member who asked a consultation of ``kams.support`` (which holds the
    channel, question, answer, who answered and the satisfaction)."""

    consultation = models.OneToOneField("support.Consultation", on_delete=models.PROTECT, related_name="club_member",
                                        verbose_name=_("consultation"))
    member = models.ForeignKey("club.ClubMember", on_delete=models.PROTECT, related_name="consultations",
                               verbose_name=_("member"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = VIA_MEMBER

    class Meta:
        ordering = ["-consultation__asked_at", "-id"]
        verbose_name = _("member consultation")
        verbose_name_plural = _("member consultations")

    def __str__(self) -> str:
        return f"{self.member} · {self.consultation}"


# --- Activities -----------------------------------------------------------------------------------------


class Activity(models.Model):
    """俱乐部会员活动: organised by a city (or the province) for the members below it."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=10, choices=ActivityKind.choices)
    description = models.TextField(_("description"), blank=True)
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("organised by"),
                                 help_text=_("A city for its members, or the province for all members."))
    place = models.CharField(_("place"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    registration_deadline = models.DateTimeField(_("registration until"), null=True, blank=True,
                                                 help_text=_("Empty: until the activity ends."))
    levels = models.ManyToManyField("club.ClubLevel", blank=True, related_name="+", verbose_name=_("levels invited"),
                                    help_text=_("Empty: all levels."))
    capacity = models.PositiveIntegerField(_("places"), validators=[MinValueValidator(1)])
    registered = models.PositiveIntegerField(_("places taken"), default=0, editable=False)
    points_reward = models.PositiveIntegerField(_("points per participant"), default=0)
    budget = models.DecimalField(_("budget (yuan)"), default=0, **MONEY)
    cost = models.DecimalField(_("cost (yuan)"), null=True, blank=True, **MONEY)
    state = models.CharField(_("state"), max_length=10, choices=ActivityState.choices, default=ActivityState.PLANNED,
                             db_index=True)
    summary = models.TextField(_("summary"), blank=True)
    cancel_reason = models.CharField(_("cancel reason"), max_length=300, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit")

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("member activity")
        verbose_name_plural = _("member activities")
        constraints = [
            models.CheckConstraint(condition=Q(registered__lte=F("capacity")), name="clubinfo_activity_not_overbooked"),
            models.CheckConstraint(condition=Q(ends_at__gte=F("starts_at")), name="clubinfo_activity_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - self.registered)


class ActivityRegistration(models.Model):
    """报名: one member at one activity; attendance credits the activity's points once."""

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="registrations",
                                 verbose_name=_("activity"))
    member = models.ForeignKey("club.ClubMember", on_delete=models.PROTECT, related_name="activity_registrations",
                               verbose_name=_("member"))
    state = models.CharField(_("state"), max_length=10, choices=RegistrationState.choices,
                             default=RegistrationState.REGISTERED)
    channel = models.CharField(_("registered through"), max_length=8, choices=RegistrationChannel.choices,
                               default=RegistrationChannel.STAFF)
    registered_at = models.DateTimeField(_("registered at"))
    registered_by = models.ForeignKey("org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                      verbose_name=_("registered by"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    attended_at = models.DateTimeField(_("attended at"), null=True, blank=True)
    points = models.PositiveIntegerField(_("points credited"), default=0)
    points_entry = models.ForeignKey("club.PointsEntry", on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("points entry"))
    feedback_score = models.PositiveSmallIntegerField(_("feedback score (1-5)"), null=True, blank=True,
                                                      validators=[MinValueValidator(1), MaxValueValidator(5)])
    feedback_comment = models.CharField(_("feedback"), max_length=500, blank=True)
    feedback_at = models.DateTimeField(_("feedback at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = VIA_MEMBER

    class Meta:
        ordering = ["activity", "registered_at", "id"]
        verbose_name = _("activity registration")
        verbose_name_plural = _("activity registrations")
        indexes = [models.Index(fields=["activity", "state"])]
        constraints = [
            models.UniqueConstraint(fields=["activity", "member"], name="clubinfo_registration_once"),
            models.CheckConstraint(condition=Q(feedback_score__isnull=True) | Q(feedback_score__gte=1, feedback_score__lte=5),
                                   name="clubinfo_feedback_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.activity} · {self.member}"


# --- Service-effect evaluation ------------------------------------------------------------------------


class EvaluationIndicator(models.Model):
    """评估指标: how one aspect of the service is measured and what is expected."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80)
    unit_label = models.CharField(_("unit"), max_length=20, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2,
                                 validators=[MinValueValidator(0)])
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    source = models.CharField(_("value from"), max_length=30, choices=IndicatorSource.choices,
                              default=IndicatorSource.MANUAL)
    description = models.CharField(_("description"), max_length=300, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("evaluation indicator")
        verbose_name_plural = _("evaluation indicators")

    def __str__(self) -> str:
        return self.name


class Evaluation(models.Model):
    """服务效果评估: one city's evaluation of one period, its weighted score and rank."""

    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("city"))
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"))
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("computed by"))

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit")

    class Meta:
        ordering = ["-period_end", "rank", "org_unit__path"]
        verbose_name = _("service-effect evaluation")
        verbose_name_plural = _("service-effect evaluations")
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "period_start", "period_end"], name="clubinfo_evaluation_once"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="clubinfo_evaluation_period"),
        ]

    def __str__(self) -> str:
        return f"{self.org_unit} {self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"


class EvaluationValue(models.Model):
    """One indicator's value in one evaluation, and how far it reaches the target (0–100)."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="values",
                                   verbose_name=_("evaluation"))
    indicator = models.ForeignKey(EvaluationIndicator, on_delete=models.PROTECT, related_name="values",
                                  verbose_name=_("indicator"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, null=True, blank=True)
    achievement = models.DecimalField(_("achievement (%)"), max_digits=6, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name=_("entered by"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="evaluation__org_unit")

    class Meta:
        ordering = ["evaluation", "indicator__sort_order", "indicator__code"]
        verbose_name = _("evaluation value")
        verbose_name_plural = _("evaluation values")
        constraints = [models.UniqueConstraint(fields=["evaluation", "indicator"], name="clubinfo_value_once")]


# --- Announcements -------------------------------------------------------------------------------------


class Announcement(models.Model):
    """会员服务公告 / 内部信息发布. Without a unit it is for the whole province; without levels
    for every level."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    audience = models.CharField(_("audience"), max_length=8, choices=Audience.choices)
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("for unit"), help_text=_("Empty: the whole province."))
    levels = models.ManyToManyField("club.ClubLevel", blank=True, related_name="+", verbose_name=_("for levels"),
                                    help_text=_("Empty: all levels."))
    publish_at = models.DateTimeField(_("published from"), db_index=True)
    expire_at = models.DateTimeField(_("until"), null=True, blank=True, help_text=_("Empty: until withdrawn."))
    pinned = models.BooleanField(_("pinned"), default=False)
    author = models.ForeignKey("org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("author"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdraw_reason = models.CharField(_("withdraw reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit")

    class Meta:
        ordering = ["-pinned", "-publish_at", "-id"]
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        indexes = [models.Index(fields=["audience", "publish_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(expire_at__isnull=True) | Q(expire_at__gt=F("publish_at")),
                                   name="clubinfo_announcement_expires_after_publish"),
        ]

    def __str__(self) -> str:
        return self.title

"""客户回访与客户关怀 (SVC-07, SVC-08).

Visits (客户回访):

* ``VisitPlan`` — 回访计划: conditions that find who needs a visit (no completed visit for N
  days, level at least X, region, account manager, customer type), a due date and a method.
  Approving it opens one ``revisit`` case per matching customer in ``kams.service``.
* ``Visit`` — 回访任务: the link between a plan and the case of one customer, with the due
  date the plan gave (postponed when the appointment moves). The case is the visit record:
  its steps hold the appointment and the result (回访内容入库).

Care (客户关怀):

* ``CareRule`` — 关怀规则: an occasion (contact birthday, festival, contract or customer
  anniversary), how many days ahead to remind, which customers, the proposed action and gift.
* ``CareProposal`` — 关怀建议: one reminder per rule, customer/contact and date, for the
  account manager to accept or dismiss.
* ``CareAction`` — 关怀记录: care given (a gift, a greeting, a visit), with the gift issued.
* ``CareSurvey`` — 关怀效果调查: the customer's score (1–5) of one care action.
* ``Gift``, ``GiftStock``, ``GiftMove`` — the gift catalogue, stock per org unit and the
  append-only ledger of every stock move (入库, 调库, 出库).

The customer domain's ``CareRecord`` is the training/feedback record of CUS-13 (its kinds
are training and feedback); care given is a different record with a gift, a rule and a
survey, so it lives here.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kams.care.enums import CareKind, MoveKind, PlanState, ProposalState, RuleKind, VisitMethod
from kams.care.errors import LedgerIsAppendOnly
from kams.customers.enums import CustomerType
from kams.org.scoping import UNSCOPED, ScopedQuerySet, ScopeSpec

# --- Visits -------------------------------------------------------------------------------------


class VisitPlan(models.Model):
    """回访计划: who needs a visit, by when, how; made by a director for the unit or by an
    account manager for their own customers."""

    name = models.CharField(_("name"), max_length=120)
    purpose = models.TextField(_("visit purpose"), blank=True)
    method = models.CharField(_("visit method"), max_length=10, choices=VisitMethod.choices, default=VisitMethod.PHONE)
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("org unit"))
    owner = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="visit_plans", verbose_name=_("made by")
    )
    state = models.CharField(_("state"), max_length=10, choices=PlanState.choices, default=PlanState.DRAFT)
    due_on = models.DateField(_("visits due by"))
    # Conditions (回访条件)
    days_since_visit = models.PositiveIntegerField(
        _("no completed visit for (days)"), null=True, blank=True,
        help_text=_("Customers whose last completed visit is older than this, or who never had one."),
    )
    min_level = models.ForeignKey(
        "customers.Level", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("level at least")
    )
    region = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("region (and below)"),
    )
    account_manager = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("account manager")
    )
    customer_type = models.CharField(_("customer type"), max_length=20, choices=CustomerType.choices, blank=True)
    skip_open = models.BooleanField(
        _("skip customers with an open visit"), default=True,
        help_text=_("A customer whose visit is still under way gets no second one."),
    )
    customer_count = models.PositiveIntegerField(_("customer count"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("approved by")
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    job = models.ForeignKey("system.JobRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    cancel_reason = models.CharField(_("cancel reason"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit", owner="owner")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("visit plan")
        verbose_name_plural = _("visit plans")
        permissions = [("approve_visitplan", _("Can approve visit plans"))]

    def __str__(self) -> str:
        return self.name

    def conditions(self) -> dict:
        return {
            "days_since_visit": self.days_since_visit,
            "min_level": self.min_level_id,
            "region": self.region_id,
            "account_manager": self.account_manager_id,
            "customer_type": self.customer_type,
            "skip_open": self.skip_open,
        }


class Visit(models.Model):
    """回访任务: one customer's visit of a plan; the ``revisit`` case carries its steps."""

    plan = models.ForeignKey(VisitPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="visits", verbose_name=_("plan"))
    case = models.OneToOneField("service.Case", on_delete=models.PROTECT, related_name="care_visit", verbose_name=_("case"))
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="visits", verbose_name=_("customer"))
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("org unit"))
    manager = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="visits", verbose_name=_("visited by")
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    postponements = models.PositiveSmallIntegerField(_("postponed"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit", owner="manager")

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        constraints = [models.UniqueConstraint(fields=["plan", "customer"], name="care_visit_once_per_plan")]

    def __str__(self) -> str:
        return f"{self.customer} · {self.case.number}"


# --- Gifts --------------------------------------------------------------------------------------


class Gift(models.Model):
    """礼品目录: a gift the province keeps for customer care."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    unit_label = models.CharField(_("unit"), max_length=10, default="件")
    reference_cost = models.DecimalField(
        _("reference cost (yuan)"), max_digits=10, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["code"]
        verbose_name = _("gift")
        verbose_name_plural = _("gifts")

    def __str__(self) -> str:
        return self.name


class GiftStock(models.Model):
    """The stock of one gift at one org unit. Only services change ``quantity``, and only with
    conditional updates, so it can never go below zero (and the database refuses it too)."""

    gift = models.ForeignKey(Gift, on_delete=models.PROTECT, related_name="stocks", verbose_name=_("gift"))
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("org unit"))
    quantity = models.IntegerField(_("in stock"), default=0)
    value = models.DecimalField(_("stock value (yuan)"), max_digits=14, decimal_places=2, default=Decimal("0"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit")

    class Meta:
        ordering = ["gift__code", "org_unit__path"]
        verbose_name = _("gift stock")
        verbose_name_plural = _("gift stock")
        permissions = [("transfer_giftstock", _("Can transfer gift stock between units"))]
        constraints = [
            models.UniqueConstraint(fields=["gift", "org_unit"], name="care_stock_once_per_unit"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="care_stock_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.gift} @ {self.org_unit}: {self.quantity}"


class GiftMoveQuerySet(ScopedQuerySet):
    def update(self, **kwargs):
        raise LedgerIsAppendOnly()

    def delete(self):
        raise LedgerIsAppendOnly()


class GiftMove(models.Model):
    """礼品库存流水: one move of stock, append-only (an UPDATE is refused by the database too)."""

    gift = models.ForeignKey(Gift, on_delete=models.PROTECT, related_name="moves", verbose_name=_("gift"))
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("org unit"))
    kind = models.CharField(_("kind"), max_length=14, choices=MoveKind.choices)
    quantity = models.IntegerField(_("quantity"), help_text=_("Positive into the unit's stock, negative out of it."))
    unit_cost = models.DecimalField(_("unit cost (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True)
    balance_after = models.IntegerField(_("balance after"))
    counterpart = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("other unit")
    )
    action = models.ForeignKey(
        "CareAction", on_delete=models.PROTECT, null=True, blank=True, related_name="gift_moves", verbose_name=_("care record")
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    actor = models.ForeignKey("org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor_name = models.CharField(_("by"), max_length=100, blank=True)
    at = models.DateTimeField(_("at"), db_index=True)

    objects = GiftMoveQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("gift stock move")
        verbose_name_plural = _("gift stock moves")
        indexes = [models.Index(fields=["gift", "org_unit", "at"])]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise LedgerIsAppendOnly()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerIsAppendOnly()


# --- Care ---------------------------------------------------------------------------------------


class CareRule(models.Model):
    """关怀规则 (关怀模式): an occasion, how far ahead to remind, whom, and what to propose."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("occasion"), max_length=10, choices=RuleKind.choices)
    festival_month = models.PositiveSmallIntegerField(
        _("festival month"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("A festival on the same day every year (国庆: 10-01)."),
    )
    festival_day = models.PositiveSmallIntegerField(
        _("festival day"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    festival_date = models.DateField(
        _("festival date"), null=True, blank=True, help_text=_("A festival of the lunar calendar, on this year's date (春节, 中秋).")
    )
    days_ahead = models.PositiveSmallIntegerField(_("remind days ahead"), default=3, validators=[MaxValueValidator(60)])
    min_level = models.ForeignKey(
        "customers.Level", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("level at least")
    )
    customer_type = models.CharField(_("customer type"), max_length=20, choices=CustomerType.choices, blank=True)
    action_text = models.CharField(_("proposed action"), max_length=300)
    gift = models.ForeignKey(Gift, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("proposed gift"))
    gift_quantity = models.PositiveSmallIntegerField(_("gift quantity"), default=1, validators=[MinValueValidator(1)])
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("care rule")
        verbose_name_plural = _("care rules")

    def __str__(self) -> str:
        return self.name


class CareAction(models.Model):
    """关怀记录: care given to a customer (or one of its contacts), with the gift issued."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="care_actions", verbose_name=_("customer"))
    contact = models.ForeignKey(
        "customers.Contact", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("contact")
    )
    rule = models.ForeignKey(CareRule, on_delete=models.PROTECT, null=True, blank=True, related_name="actions", verbose_name=_("rule"))
    kind = models.CharField(_("kind"), max_length=10, choices=CareKind.choices)
    happened_on = models.DateField(_("date"))
    content = models.CharField(_("what was done"), max_length=500)
    gift = models.ForeignKey(Gift, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("gift"))
    gift_quantity = models.PositiveSmallIntegerField(_("gift quantity"), default=0)
    stock_unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("issued from")
    )
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("org unit"))
    manager = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("given by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit", owner="manager")

    class Meta:
        ordering = ["-happened_on", "-id"]
        verbose_name = _("care record")
        verbose_name_plural = _("care records")

    def __str__(self) -> str:
        return f"{self.customer} · {self.happened_on} · {self.get_kind_display()}"


class CareProposal(models.Model):
    """关怀建议 (自动提醒): once per rule, customer/contact and occasion date."""

    key = models.CharField(max_length=120, unique=True, editable=False)
    rule = models.ForeignKey(CareRule, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("rule"))
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="care_proposals", verbose_name=_("customer"))
    contact = models.ForeignKey(
        "customers.Contact", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("contact")
    )
    occasion = models.CharField(_("occasion"), max_length=200)
    occasion_on = models.DateField(_("occasion date"), db_index=True)
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("org unit"))
    manager = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="care_proposals", verbose_name=_("account manager")
    )
    state = models.CharField(_("state"), max_length=10, choices=ProposalState.choices, default=ProposalState.PROPOSED)
    action_text = models.CharField(_("proposed action"), max_length=300)
    gift = models.ForeignKey(Gift, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("proposed gift"))
    gift_quantity = models.PositiveSmallIntegerField(_("gift quantity"), default=0)
    action = models.OneToOneField(
        CareAction, on_delete=models.PROTECT, null=True, blank=True, related_name="proposal", verbose_name=_("care record")
    )
    dismiss_reason = models.CharField(_("dismiss reason"), max_length=300, blank=True)
    decided_by = models.ForeignKey("org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit", owner="manager")

    class Meta:
        ordering = ["occasion_on", "pk"]
        verbose_name = _("care proposal")
        verbose_name_plural = _("care proposals")
        indexes = [models.Index(fields=["state", "occasion_on"]), models.Index(fields=["manager", "state"])]

    def __str__(self) -> str:
        return f"{self.customer} · {self.occasion}"


class CareSurvey(models.Model):
    """关怀效果调查: how the customer rated one care action."""

    action = models.OneToOneField(CareAction, on_delete=models.CASCADE, related_name="survey", verbose_name=_("care record"))
    score = models.PositiveSmallIntegerField(_("score (1-5)"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    surveyed_by = models.ForeignKey("org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    surveyed_at = models.DateTimeField(_("surveyed at"))

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="action__org_unit", owner="action__manager")

    class Meta:
        ordering = ["-surveyed_at"]
        verbose_name = _("care survey")
        verbose_name_plural = _("care surveys")
        constraints = [models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="care_survey_score_1_to_5")]

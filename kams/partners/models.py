"""俱乐部合作伙伴管理 (CLUB-19; seed 000 §11.1–11.7 and §13.9; seed 004 on points exchange).

* ``Partner`` — 合作伙伴基本资料: who, which industry, whom to call, which city (or the whole
  province, when its unit is the province), since when; its partner system is a
  ``RedemptionChannel`` of kind partner (``channel``), whose token authenticates its calls.
* ``PartnerAgreement`` — 合同/协议 with its exchange rates in both directions and the
  settlement price per point; draft → in force (approved by the province director) →
  expired. At most one agreement of a partner is in force on any day.
* ``PartnerActivity`` — 合作伙伴活动; ``PartnerOutlet`` — 合作伙伴网点.
* ``CouponBatch``/``Coupon`` — 优惠券: a batch of codes generated at once, issued to members,
  redeemed once at the partner.
* ``PartnerService`` — the catalogue item (kind partner) through which members spend our
  points at the partner (the redemption itself is the club's).
* ``PartnerExchange`` — 积分互换记录: every exchange in either direction. Inbound rows are
  written when the partner reports a spend (its API or its monthly file) together with the
  ledger credit; outbound rows are copied from the redemptions of the partner's items.
* ``ExchangeImport`` — one monthly file of a partner: rows, credited, errors per line.
* ``SettlementStatement``/``SettlementLine`` — 合作伙伴结算 per partner and month; lines per
  direction and agreement; once confirmed the statement and its lines never change, a
  recomputation appends adjustment lines.
* ``AppraisalIndicator``/``Appraisal``/``AppraisalScore`` — 合作伙伴考核: scores on weighted
  indicators per period, a total and the rank among the partners appraised for the period.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kams.org.scoping import UNSCOPED, ScopedQuerySet, ScopeSpec
from kams.partners.enums import (
    AgreementState,
    CouponState,
    Direction,
    ExchangeSource,
    LineKind,
    PartnerIndustry,
    PartnerStatus,
    PeriodKind,
    StatementState,
)

MONEY = {"max_digits": 14, "decimal_places": 2}
VIA_PARTNER = ScopeSpec(org="partner__org_unit")
CODE = RegexValidator(r"^[A-Z0-9][A-Z0-9-]{1,19}$", _("Use 2–20 capital letters, digits and hyphens."))


class Partner(models.Model):
    """合作伙伴基本资料."""

    code = models.CharField(_("code"), max_length=20, unique=True, validators=[CODE],
                            help_text=_("Part of every exchange reference; cannot be changed later."))
    name = models.CharField(_("name"), max_length=100)
    industry = models.CharField(_("industry"), max_length=20, choices=PartnerIndustry.choices)
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"),
                                 help_text=_("The city it cooperates with, or the province for a province-wide partner."))
    status = models.CharField(_("status"), max_length=10, choices=PartnerStatus.choices, default=PartnerStatus.ACTIVE)
    cooperation_since = models.DateField(_("cooperating since"), null=True, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=40, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    channel = models.OneToOneField("club.RedemptionChannel", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="partner", verbose_name=_("partner system (channel)"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit")

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("club partner")
        verbose_name_plural = _("club partners")

    def __str__(self) -> str:
        return self.name


class PartnerAgreement(models.Model):
    """合作伙伴合同/协议: the period, the terms, the exchange rates both ways and the price a
    point is settled at."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("partner"))
    number = models.CharField(_("agreement number"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=120)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    terms = models.TextField(_("terms"), blank=True)
    outbound_points_per_yuan = models.PositiveIntegerField(
        _("our points for 1 yuan at the partner"), validators=[MinValueValidator(1)],
        help_text=_("Spending our points at the partner: e.g. 100 points buy 1 yuan of the partner's goods."),
    )
    inbound_points_per_yuan = models.DecimalField(
        _("our points per yuan spent at the partner"), max_digits=10, decimal_places=4,
        validators=[MinValueValidator(Decimal("0.0001"))],
        help_text=_("Consumption at the partner: e.g. 0.1 = 1 point per 10 yuan (points are rounded down)."),
    )
    settlement_price = models.DecimalField(
        _("settlement price per point (yuan)"), max_digits=10, decimal_places=4,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("What the partner pays us for a point we credit, and we pay it for a point spent there."),
    )
    state = models.CharField(_("state"), max_length=10, choices=AgreementState.choices, default=AgreementState.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("entered by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("approved by"))
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    ended_reason = models.CharField(_("reason ended"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = VIA_PARTNER

    class Meta:
        ordering = ["-valid_from", "-pk"]
        verbose_name = _("partner agreement")
        verbose_name_plural = _("partner agreements")
        permissions = [("approve_partneragreement", _("Can approve partner agreements"))]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=models.F("valid_from")), name="partners_agreement_period"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def in_force_on(self, day) -> bool:
        """Approved (in force or expired since) and covering ``day``: exchanges of that day are valued under it."""
        return self.state != AgreementState.DRAFT and self.valid_from <= day <= self.valid_to


class PartnerActivity(models.Model):
    """合作伙伴活动: a joint offer for members (a discount, double points, a coupon drive)."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="activities", verbose_name=_("partner"))
    name = models.CharField(_("name"), max_length=120)
    benefit = models.CharField(_("benefit for members"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    levels = models.ManyToManyField("club.ClubLevel", blank=True, related_name="+", verbose_name=_("for levels"),
                                    help_text=_("None chosen: every level."))
    is_cancelled = models.BooleanField(_("cancelled"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = VIA_PARTNER

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("partner activity")
        verbose_name_plural = _("partner activities")
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="partners_activity_period")]

    def __str__(self) -> str:
        return self.name

    @property
    def phase(self) -> str:
        today = timezone.localdate()
        if self.is_cancelled:
            return str(_("Cancelled"))
        if today < self.starts_on:
            return str(_("Upcoming"))
        if today > self.ends_on:
            return str(_("Ended"))
        return str(_("Running"))


class PartnerOutlet(models.Model):
    """合作伙伴网点: where members are served, spend points and redeem coupons."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="outlets", verbose_name=_("partner"))
    name = models.CharField(_("name"), max_length=100)
    city = models.CharField(_("city"), max_length=30)
    address = models.CharField(_("address"), max_length=200)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=60, blank=True)
    accepts_points = models.BooleanField(_("accepts our points"), default=True)
    accepts_coupons = models.BooleanField(_("accepts coupons"), default=True)
    is_active = models.BooleanField(_("open"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = VIA_PARTNER

    class Meta:
        ordering = ["partner__name", "city", "name"]
        verbose_name = _("partner outlet")
        verbose_name_plural = _("partner outlets")

    def __str__(self) -> str:
        return f"{self.partner.name} {self.name}"


class PartnerService(models.Model):
    """The catalogue item (kind partner) through which our points are spent at the partner."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="services", verbose_name=_("partner"))
    item = models.OneToOneField("club.RedemptionItem", on_delete=models.PROTECT, related_name="partner_service",
                                verbose_name=_("redemption item"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = VIA_PARTNER

    class Meta:
        ordering = ["partner__name", "item__code"]
        verbose_name = _("partner service")
        verbose_name_plural = _("partner services")

    def __str__(self) -> str:
        return f"{self.partner.name}: {self.item}"


class CouponBatch(models.Model):
    """优惠券批次: codes generated together, with one face value and validity."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="coupon_batches", verbose_name=_("partner"))
    activity = models.ForeignKey(PartnerActivity, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="coupon_batches", verbose_name=_("activity"))
    name = models.CharField(_("name"), max_length=100)
    benefit = models.CharField(_("benefit"), max_length=200, help_text=_("E.g. 50 yuan off a stay of two nights."))
    face_value = models.DecimalField(_("face value (yuan)"), default=0, validators=[MinValueValidator(Decimal("0"))],
                                     max_digits=10, decimal_places=2)
    prefix = models.CharField(_("code prefix"), max_length=6)
    quantity = models.PositiveIntegerField(_("quantity"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("made by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = VIA_PARTNER

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("coupon batch")
        verbose_name_plural = _("coupon batches")
        constraints = [models.CheckConstraint(condition=Q(valid_to__gte=models.F("valid_from")), name="partners_batch_period")]

    def __str__(self) -> str:
        return f"{self.partner.name} {self.name}"


class Coupon(models.Model):
    """One coupon: issued to one member, redeemed once (a conditional UPDATE guards it)."""

    batch = models.ForeignKey(CouponBatch, on_delete=models.PROTECT, related_name="coupons", verbose_name=_("batch"))
    code = models.CharField(_("coupon code"), max_length=24, unique=True)
    state = models.CharField(_("state"), max_length=10, choices=CouponState.choices, default=CouponState.AVAILABLE)
    member = models.ForeignKey("club.ClubMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("member"))
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("issued by"))
    redeemed_at = models.DateTimeField(_("redeemed at"), null=True, blank=True)
    outlet = models.ForeignKey(PartnerOutlet, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("redeemed at outlet"))
    redeemed_via = models.CharField(_("redeemed via"), max_length=40, blank=True)
    void_reason = models.CharField(_("void reason"), max_length=300, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="batch__partner__org_unit")

    class Meta:
        ordering = ["batch", "code"]
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        permissions = [("redeem_coupon", _("Can redeem coupons for a partner"))]
        constraints = [
            models.CheckConstraint(condition=~Q(state__in=["issued", "redeemed"]) | Q(member__isnull=False),
                                   name="partners_coupon_issued_has_member"),
        ]
        indexes = [models.Index(fields=["batch", "state"])]

    def __str__(self) -> str:
        return self.code


class ExchangeImport(models.Model):
    """A partner's monthly file of member consumption (合作伙伴消费积分换取联通积分), as loaded."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="imports", verbose_name=_("partner"))
    file_name = models.CharField(_("file"), max_length=200)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    credited = models.PositiveIntegerField(_("credited"), default=0)
    duplicates = models.PositiveIntegerField(_("already recorded"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    points = models.BigIntegerField(_("points"), default=0)
    amount = models.DecimalField(_("amount (yuan)"), default=0, **MONEY)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("loaded by"))
    created_at = models.DateTimeField(_("loaded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = VIA_PARTNER

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("exchange file")
        verbose_name_plural = _("exchange files")

    def __str__(self) -> str:
        return self.file_name


class PartnerExchange(models.Model):
    """积分互换记录: one exchange of points with a partner, in either direction."""

    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="exchanges", verbose_name=_("partner"))
    member = models.ForeignKey("club.ClubMember", on_delete=models.PROTECT, related_name="partner_exchanges",
                               verbose_name=_("member"))
    card = models.ForeignKey("club.Card", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("card"))
    points = models.BigIntegerField(_("points"))
    amount = models.DecimalField(_("amount (yuan)"), help_text=_("Spent at the partner (inbound) or the partner's goods (outbound)."),
                                 **MONEY)
    agreement = models.ForeignKey(PartnerAgreement, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="exchanges", verbose_name=_("agreement"))
    external_id = models.CharField(_("transaction id"), max_length=80)
    occurred_at = models.DateTimeField(_("at"))
    period = models.DateField(_("month"))
    source = models.CharField(_("source"), max_length=10, choices=ExchangeSource.choices)
    entry = models.OneToOneField("club.PointsEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    redemption = models.OneToOneField("club.Redemption", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="partner_exchange", verbose_name=_("redemption"))
    balance_after = models.BigIntegerField(_("balance after"), null=True, blank=True)
    import_file = models.ForeignKey(ExchangeImport, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="exchanges", verbose_name=_("file"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = VIA_PARTNER

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("partner exchange")
        verbose_name_plural = _("partner exchanges")
        constraints = [
            models.UniqueConstraint(fields=["partner", "direction", "external_id"], name="partners_exchange_once"),
            models.CheckConstraint(condition=Q(points__gt=0), name="partners_exchange_points_positive"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="partners_exchange_amount_not_negative"),
        ]
        indexes = [models.Index(fields=["partner", "period", "direction"]), models.Index(fields=["period", "direction"])]

    def __str__(self) -> str:
        return f"{self.partner.name} {self.external_id}"


class SettlementStatement(models.Model):
    """合作伙伴结算单 of one partner and month. ``receivable``: what the partner pays us for
    the points we credited to its customers' consumption; ``payable``: what we pay it for our
    points spent there; ``net`` = receivable − payable (negative: we pay). The figures are
    those confirmed; adjustment lines added later are summed apart."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="statements", verbose_name=_("partner"))
    period = models.DateField(_("month"))
    state = models.CharField(_("state"), max_length=10, choices=StatementState.choices, default=StatementState.DRAFT)
    inbound_points = models.BigIntegerField(_("points credited for partner consumption"), default=0)
    outbound_points = models.BigIntegerField(_("points spent at the partner"), default=0)
    receivable = models.DecimalField(_("receivable from the partner (yuan)"), default=0, **MONEY)
    payable = models.DecimalField(_("payable to the partner (yuan)"), default=0, **MONEY)
    net = models.DecimalField(_("net (yuan)"), default=0, **MONEY)
    computed_at = models.DateTimeField(_("computed at"), null=True, blank=True)
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name=_("computed by"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("confirmed by"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", verbose_name=_("payment recorded by"))
    payment_ref = models.CharField(_("payment reference"), max_length=60, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = VIA_PARTNER

    class Meta:
        ordering = ["-period", "partner__name"]
        verbose_name = _("partner settlement statement")
        verbose_name_plural = _("partner settlement statements")
        permissions = [
            ("confirm_settlementstatement", _("Can confirm partner settlement statements")),
            ("pay_settlementstatement", _("Can record the payment of partner settlement statements")),
        ]
        constraints = [models.UniqueConstraint(fields=["partner", "period"], name="partners_statement_once")]

    def __str__(self) -> str:
        return f"{self.partner.name} {self.period:%Y-%m}"

    @property
    def is_fixed(self) -> bool:
        return self.state != StatementState.DRAFT


class SettlementLine(models.Model):
    """A line of a statement: the exchanges of one direction under one agreement, valued at
    its settlement price; or, after confirmation, an adjustment (signed differences)."""

    statement = models.ForeignKey(SettlementStatement, on_delete=models.PROTECT, related_name="lines",
                                  verbose_name=_("statement"))
    kind = models.CharField(_("kind"), max_length=10, choices=LineKind.choices, default=LineKind.COMPUTED)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    agreement = models.ForeignKey(PartnerAgreement, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("agreement"))
    exchanges = models.IntegerField(_("exchanges"), default=0)
    members = models.IntegerField(_("members"), default=0)
    points = models.BigIntegerField(_("points"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    price = models.DecimalField(_("price per point (yuan)"), max_digits=10, decimal_places=4)
    value = models.DecimalField(_("value (yuan)"), **MONEY)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="statement__partner__org_unit")

    class Meta:
        ordering = ["statement", "created_at", "direction", "pk"]
        verbose_name = _("settlement line")
        verbose_name_plural = _("settlement lines")


class AppraisalIndicator(models.Model):
    """考核指标: what partners are scored on, and its weight in the total."""

    code = models.CharField(_("code"), max_length=20, unique=True, validators=[CODE])
    name = models.CharField(_("name"), max_length=60)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    max_score = models.DecimalField(_("full marks"), max_digits=6, decimal_places=2, default=100,
                                    validators=[MinValueValidator(Decimal("1"))])
    description = models.CharField(_("how it is judged"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("appraisal indicator")
        verbose_name_plural = _("appraisal indicators")

    def __str__(self) -> str:
        return self.name


class Appraisal(models.Model):
    """俱乐部合作伙伴考核 of one partner and period: the weighted total (0–100) and the rank
    among the partners appraised for the same period."""

    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="appraisals", verbose_name=_("partner"))
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices, default=PeriodKind.QUARTER)
    period = models.DateField(_("period starts"))
    total = models.DecimalField(_("total score"), max_digits=6, decimal_places=2, default=0,
                                validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))])
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    appraised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("appraised by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = VIA_PARTNER

    class Meta:
        ordering = ["-period", "rank", "partner__name"]
        verbose_name = _("partner appraisal")
        verbose_name_plural = _("partner appraisals")
        constraints = [models.UniqueConstraint(fields=["partner", "period_kind", "period"], name="partners_appraisal_once")]

    def __str__(self) -> str:
        return f"{self.partner.name} {self.period_label}"

    @property
    def period_label(self) -> str:
        if self.period_kind == PeriodKind.YEAR:
            return f"{self.period.year}"
        if self.period_kind == PeriodKind.QUARTER:
            return f"{self.period.year}Q{(self.period.month - 1) // 3 + 1}"
        return f"{self.period:%Y-%m}"


class AppraisalScore(models.Model):
    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="scores", verbose_name=_("appraisal"))
    indicator = models.ForeignKey(AppraisalIndicator, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("indicator"))
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0"))])
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="appraisal__partner__org_unit")

    class Meta:
        ordering = ["indicator__order", "indicator__code"]
        verbose_name = _("appraisal score")
        verbose_name_plural = _("appraisal scores")
        constraints = [models.UniqueConstraint(fields=["appraisal", "indicator"], name="partners_score_once")]

"""俱乐部 — the loyalty club (CLUB-01 … CLUB-18, HQ-03).

Members and levels:

* ``ClubLevel`` — 会员级别: diamond (钻石卡, rank 1), emerald (翡翠卡, 2), sapphire (蓝宝卡, 3),
  with their roaming scope and the rules of admission and of the monthly upgrade/downgrade.
* ``ClubMember`` — 俱乐部会员: a person of a key account (the individual customer itself, or a
  key person of a group customer with the number whose bills earn the points).
* ``MemberLevelChange`` — every admission, automatic or manual level change and annual
  inspection (年检), with its reason and who decided it.
* ``Card`` — 会员卡, a state graph (``CardState``); the number carries the province code.

Points (积分管理): a ledger in the accounting sense.

* ``PointsAccount`` — one per member; ``balance`` is kept in step with the entries inside the
  same transaction and may never go below zero (database check).
* ``PointsEntry`` — 积分流水: append-only (a trigger refuses UPDATE and DELETE); the sum of a
  member's entries is the balance.
* ``PointsLot`` — points earned together with one expiry date; ``remaining`` falls as they are
  spent (earliest expiry first) or expire, never below zero; ``PointsLotUse`` says which
  lots a spending took, so that a reversal can give them back.
* ``PointsRule`` — 积分标准: versioned rules with effective dates, issued by headquarters or
  the province (HQ-03); ``ExpiryRule`` — 积分有效期 rules from headquarters.
* ``PointsRun``/``PointsRunChunk`` — the monthly calculation, one chunk of members per
  transaction, so that an interrupted run resumes where it stopped.
* ``PointsAdjustment`` — 积分调整 requested with a reason and approved by another person.

Redemption (积分消费):

* ``RedemptionItem`` — the catalogue; ``RedemptionRule`` links items to levels (CLUB-15).
* ``RedemptionChannel`` — a POS, terminal or partner system with its own API token.
* ``Redemption`` — who, when, what, where; idempotent per channel and key; reversible.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kams.club.enums import (
    AdjustmentState,
    CardState,
    ChannelKind,
    ExpiryMode,
    Issuer,
    ItemKind,
    LevelChangeKind,
    MemberStatus,
    PointsCategory,
    PointsKind,
    RedemptionState,
    Roaming,
    RuleState,
    RunState,
    StatementChannel,
)
from kams.org.scoping import UNSCOPED, ScopedQuerySet, ScopeSpec

MEMBER_SCOPE = ScopeSpec(org="customer__org_unit", owner="customer__account_manager")
VIA_MEMBER = ScopeSpec(org="member__customer__org_unit", owner="member__customer__account_manager")
VIA_ACCOUNT = ScopeSpec(org="account__member__customer__org_unit", owner="account__member__customer__account_manager")
MONEY = {"max_digits": 12, "decimal_places": 2}


class ClubLevel(models.Model):
    """会员级别定义 with its rules (会员级别规则): a member qualifies when the average paid
    bill of the last ``review_months`` months reaches ``min_monthly_paid`` and the customer
    has been with us ``min_tenure_months``; below ``keep_monthly_paid`` the monthly run
    downgrades."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=30)
    rank = models.PositiveSmallIntegerField(_("rank"), unique=True, help_text=_("1 is the highest level."))
    roaming = models.CharField(_("roaming scope"), max_length=10, choices=Roaming.choices)
    min_monthly_paid = models.DecimalField(_("minimum average monthly paid (yuan)"), **MONEY)
    keep_monthly_paid = models.DecimalField(_("average monthly paid to keep the level (yuan)"), **MONEY)
    min_tenure_months = models.PositiveSmallIntegerField(_("minimum months on network"), default=0)
    review_months = models.PositiveSmallIntegerField(_("months reviewed"), default=3)
    card_fee = models.DecimalField(_("card fee (yuan)"), default=0, **MONEY)
    description = models.TextField(_("benefits"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["rank"]
        verbose_name = _("club level")
        verbose_name_plural = _("club levels")

    def __str__(self) -> str:
        return self.name


class ClubMember(models.Model):
    """俱乐部会员 — base data (会员基本资料) and personal data (会员个性化资料)."""

    member_no = models.CharField(_("member number"), max_length=20, unique=True)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="club_members",
                                 verbose_name=_("customer"))
    name = models.CharField(_("name"), max_length=60)
    msisdn = models.CharField(_("number"), max_length=20, blank=True, db_index=True,
                              help_text=_("The number whose bills earn the points; empty: all bills of the customer."))
    certificate_no = models.CharField(_("certificate number"), max_length=32, blank=True)
    phone = models.CharField(_("mobile for notices"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    level = models.ForeignKey(ClubLevel, on_delete=models.PROTECT, related_name="members", verbose_name=_("level"))
    status = models.CharField(_("status"), max_length=12, choices=MemberStatus.choices, default=MemberStatus.APPLIED,
                              db_index=True)
    joined_on = models.DateField(_("member since"), null=True, blank=True)
    network_since = models.DateField(_("on network since"), null=True, blank=True)
    inspected_on = models.DateField(_("last annual inspection"), null=True, blank=True)
    preferences = models.JSONField(_("personal data"), default=dict, blank=True,
                                   help_text=_("Hobbies, preferred contact time, personal-care wishes."))
    statement_channel = models.CharField(_("statements by"), max_length=8, choices=StatementChannel.choices,
                                         default=StatementChannel.SMS)
    auto_redeem_item = models.ForeignKey("RedemptionItem", null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+", verbose_name=_("automatic monthly redemption"))
    portal_password = models.CharField(_("portal password"), max_length=128, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = MEMBER_SCOPE

    class Meta:
        ordering = ["member_no"]
        verbose_name = _("club member")
        verbose_name_plural = _("club members")
        indexes = [models.Index(fields=["customer", "status"]), models.Index(fields=["level", "status"])]
        permissions = [
            ("review_clubmember", _("Can review club admissions and change levels")),
            ("inspect_clubmember", _("Can run the annual inspection")),
        ]

    def __str__(self) -> str:
        return f"{self.member_no} {self.name}"


class MemberLevelChange(models.Model):
    member = models.ForeignKey(ClubMember, on_delete=models.CASCADE, related_name="level_changes")
    kind = models.CharField(_("kind"), max_length=12, choices=LevelChangeKind.choices)
    old_level = models.ForeignKey(ClubLevel, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("from level"))
    new_level = models.ForeignKey(ClubLevel, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("to level"))
    old_status = models.CharField(_("from status"), max_length=12, blank=True)
    new_status = models.CharField(_("to status"), max_length=12, blank=True)
    period = models.DateField(_("period"), null=True, blank=True)
    avg_paid = models.DecimalField(_("average monthly paid"), null=True, blank=True, **MONEY)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("decided by"))
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = VIA_MEMBER

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("member level change")
        verbose_name_plural = _("member level changes")
        constraints = [
            # The monthly run changes a member at most once per period: re-running changes nothing.
            models.UniqueConstraint(fields=["member", "period"], condition=Q(kind="auto"), name="club_auto_level_once")
        ]


class Card(models.Model):
    """会员卡 — the number carries the province code (``club.card_prefix``)."""

    card_no = models.CharField(_("card number"), max_length=20, unique=True)
    member = models.ForeignKey(ClubMember, on_delete=models.PROTECT, related_name="cards", verbose_name=_("member"))
    level = models.ForeignKey(ClubLevel, on_delete=models.PROTECT, related_name="+", verbose_name=_("level"))
    state = models.CharField(_("state"), max_length=10, choices=CardState.choices, default=CardState.APPLIED,
                             db_index=True)
    blank_serial = models.CharField(_("card blank serial"), max_length=24, blank=True,
                                    help_text=_("The blank taken from the card stock when the card was issued."))
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="replaced_by", verbose_name=_("replaces"))
    applied_at = models.DateTimeField(_("applied at"), auto_now_add=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    collected_at = models.DateTimeField(_("collected at"), null=True, blank=True)
    lost_at = models.DateTimeField(_("reported lost at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = VIA_MEMBER

    class Meta:
        ordering = ["card_no"]
        verbose_name = _("member card")
        verbose_name_plural = _("member cards")
        constraints = [
            # A member holds at most one card that is not replaced or cancelled.
            models.UniqueConstraint(fields=["member"], condition=~Q(state__in=["replaced", "cancelled"]),
                                    name="club_one_live_card_per_member")
        ]

    def __str__(self) -> str:
        return self.card_no


# --- Points -------------------------------------------------------------------------------------


class PointsAccount(models.Model):
    """积分帐户: the balance and running totals of one member."""

    member = models.OneToOneField(ClubMember, primary_key=True, on_delete=models.PROTECT, related_name="points")
    balance = models.BigIntegerField(_("balance"), default=0)
    earned = models.BigIntegerField(_("earned"), default=0)
    spent = models.BigIntegerField(_("redeemed"), default=0)
    expired = models.BigIntegerField(_("expired"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = VIA_MEMBER

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="club_balance_never_negative")]


class ExpiryRule(models.Model):
    """积分有效期规则 from headquarters: lots earned from ``valid_from`` on expire by it."""

    name = models.CharField(_("name"), max_length=80)
    mode = models.CharField(_("mode"), max_length=8, choices=ExpiryMode.choices)
    length = models.PositiveSmallIntegerField(_("length"), validators=[MinValueValidator(1)])
    valid_from = models.DateField(_("valid from"))
    issuer = models.CharField(_("issued by"), max_length=8, choices=Issuer.choices, default=Issuer.HQ)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["-valid_from", "-id"]
        verbose_name = _("points expiry rule")
        verbose_name_plural = _("points expiry rules")
        constraints = [models.UniqueConstraint(fields=["valid_from"], name="club_one_expiry_rule_per_date")]

    def __str__(self) -> str:
        return self.name


class PointsRule(models.Model):
    """积分标准: one version of a rule. Changing a rule retires its version and adds the next
    (same ``code``, ``version`` + 1), so a period is always computed with the versions in
    force then. ``business`` names a bill fee column for consumption rules; ``rate`` is points
    per yuan (or, for penalties, the share of the month's consumption points taken);
    ``amount`` is a fixed number of points (rewards); ``level`` narrows a rule to one level."""

    code = models.CharField(_("code"), max_length=40)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=80)
    category = models.CharField(_("category"), max_length=16, choices=PointsCategory.choices)
    business = models.CharField(_("business fee"), max_length=24, blank=True)
    rate = models.DecimalField(_("rate"), max_digits=8, decimal_places=4, default=0)
    amount = models.IntegerField(_("points"), default=0)
    min_years = models.PositiveSmallIntegerField(_("from years on network"), default=0)
    max_years = models.PositiveSmallIntegerField(_("up to years on network"), default=0)
    level = models.ForeignKey(ClubLevel, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("level"))
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=RuleState.choices, default=RuleState.ACTIVE)
    issuer = models.CharField(_("issued by"), max_length=8, choices=Issuer.choices, default=Issuer.HQ)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["category", "code", "-version"]
        verbose_name = _("points rule")
        verbose_name_plural = _("points rules")
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="club_rule_version_once")]
        permissions = [("issue_hq_rule", _("Can issue headquarters points and redemption rules"))]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class PointsRun(models.Model):
    """积分计算: the monthly run of one period."""

    period = models.DateField(_("period"), unique=True)
    state = models.CharField(_("state"), max_length=12, choices=RunState.choices, default=RunState.RUNNING)
    chunk_size = models.PositiveIntegerField(_("chunk size"))
    chunks_total = models.PositiveIntegerField(_("chunks"), default=0)
    rules = models.JSONField(_("rule versions used"), default=list)
    expiry_rule = models.ForeignKey(ExpiryRule, null=True, on_delete=models.PROTECT, related_name="+")
    totals = models.JSONField(_("points by category"), default=dict)
    members = models.PositiveIntegerField(_("members credited"), default=0)
    job = models.ForeignKey("system.JobRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["-period"]
        verbose_name = _("points run")
        verbose_name_plural = _("points runs")


class PointsRunChunk(models.Model):
    """A chunk of members (by id: ``[chunk × size, (chunk + 1) × size)``) done in one transaction."""

    run = models.ForeignKey(PointsRun, on_delete=models.CASCADE, related_name="chunks")
    chunk = models.PositiveIntegerField()
    entries = models.PositiveIntegerField(default=0)
    done_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "chunk"], name="club_run_chunk_once")]


class PointsLot(models.Model):
    account = models.ForeignKey(PointsAccount, on_delete=models.PROTECT, related_name="lots")
    points = models.BigIntegerField(_("points"))
    remaining = models.BigIntegerField(_("remaining"))
    category = models.CharField(_("category"), max_length=16, choices=PointsCategory.choices)
    earned_on = models.DateField(_("earned on"))
    expires_on = models.DateField(_("expires on"), db_index=True)
    run = models.ForeignKey(PointsRun, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = VIA_ACCOUNT

    class Meta:
        ordering = ["expires_on", "id"]
        verbose_name = _("points lot")
        verbose_name_plural = _("points lots")
        indexes = [models.Index(fields=["account", "expires_on"], condition=Q(remaining__gt=0), name="club_lot_open")]
        constraints = [
            models.CheckConstraint(condition=Q(remaining__gte=0) & Q(remaining__lte=F("points")),
                                   name="club_lot_remaining_within_points"),
            models.UniqueConstraint(fields=["account", "run"], condition=Q(run__isnull=False), name="club_run_lot_once"),
        ]


class PointsEntry(models.Model):
    """积分流水 — append-only. ``points`` is signed. Entries of the monthly run are unique per
    account, period and rule version; an expiry entry is unique per lot; a redemption has
    one spend and at most one reversal."""

    account = models.ForeignKey(PointsAccount, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("kind"), max_length=8, choices=PointsKind.choices)
    category = models.CharField(_("category"), max_length=16, choices=PointsCategory.choices)
    points = models.BigIntegerField(_("points"))
    period = models.DateField(_("period"), null=True, blank=True)
    rule = models.ForeignKey(PointsRule, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("rule"))
    run = models.ForeignKey(PointsRun, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(PointsLot, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    redemption = models.ForeignKey("Redemption", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="entries")
    reference = models.CharField(_("reference"), max_length=80, blank=True,
                                 help_text=_("Where the points came from: an activity, a partner exchange, a survey."))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("by"))
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("approved by"))
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = VIA_ACCOUNT

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("points entry")
        verbose_name_plural = _("points entries")
        indexes = [models.Index(fields=["account", "created_at"]), models.Index(fields=["period", "category"])]
        constraints = [
            models.UniqueConstraint(fields=["account", "period", "rule"], condition=Q(run__isnull=False),
                                    name="club_run_entry_once"),
            models.UniqueConstraint(fields=["lot"], condition=Q(kind="expire"), name="club_lot_expires_once"),
            models.UniqueConstraint(fields=["redemption", "kind"], condition=Q(redemption__isnull=False),
                                    name="club_redemption_entry_once"),
            models.UniqueConstraint(fields=["account", "reference"], condition=~Q(reference=""),
                                    name="club_reference_once"),
        ]


class PointsLotUse(models.Model):
    """Which lots one spending (or penalty) took points from."""

    entry = models.ForeignKey(PointsEntry, on_delete=models.PROTECT, related_name="lot_uses")
    lot = models.ForeignKey(PointsLot, on_delete=models.PROTECT, related_name="uses")
    points = models.BigIntegerField()


class PointsAdjustment(models.Model):
    """积分调整: requested with a reason, approved by another person; the entry is written
    on approval."""

    member = models.ForeignKey(ClubMember, on_delete=models.PROTECT, related_name="adjustments",
                               verbose_name=_("member"))
    points = models.BigIntegerField(_("points"))
    reason = models.CharField(_("reason"), max_length=300)
    state = models.CharField(_("state"), max_length=10, choices=AdjustmentState.choices,
                             default=AdjustmentState.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("requested by"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("decided by"))
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)
    entry = models.OneToOneField(PointsEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = VIA_MEMBER

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("points adjustment")
        verbose_name_plural = _("points adjustments")
        permissions = [("approve_pointsadjustment", _("Can approve points adjustments"))]


# --- Redemption -----------------------------------------------------------------------------------


class RedemptionItem(models.Model):
    """积分消费目录: what a member can get for points, its face value and what it costs us."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    points = models.PositiveIntegerField(_("points"), validators=[MinValueValidator(1)])
    face_value = models.DecimalField(_("face value (yuan)"), default=0, **MONEY)
    unit_cost = models.DecimalField(_("cost to us (yuan)"), default=0, **MONEY,
                                    help_text=_("Used to account for the cost of redemptions (CLUB-17)."))
    minutes = models.PositiveIntegerField(_("minutes"), default=0)
    description = models.TextField(_("description"), blank=True)
    auto_redeemable = models.BooleanField(_("may be pre-selected for automatic monthly redemption"), default=False)
    is_active = models.BooleanField(_("on offer"), default=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    issuer = models.CharField(_("issued by"), max_length=8, choices=Issuer.choices, default=Issuer.HQ)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["kind", "points", "code"]
        verbose_name = _("redemption item")
        verbose_name_plural = _("redemption items")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RedemptionRule(models.Model):
    """积分消费规则 (CLUB-15): headquarters links an item to a level — allowed or not, at what
    price, how often a month. Without a rule for a level the item's own price holds."""

    item = models.ForeignKey(RedemptionItem, on_delete=models.CASCADE, related_name="rules", verbose_name=_("item"))
    level = models.ForeignKey(ClubLevel, on_delete=models.PROTECT, related_name="+", verbose_name=_("level"))
    allowed = models.BooleanField(_("allowed"), default=True)
    points = models.PositiveIntegerField(_("points"), null=True, blank=True,
                                         help_text=_("Empty: the item's price."))
    monthly_limit = models.PositiveIntegerField(_("times a month"), null=True, blank=True)
    issuer = models.CharField(_("issued by"), max_length=8, choices=Issuer.choices, default=Issuer.HQ)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        verbose_name = _("redemption rule")
        verbose_name_plural = _("redemption rules")
        constraints = [models.UniqueConstraint(fields=["item", "level"], name="club_redemption_rule_once")]


class RedemptionChannel(models.Model):
    """A system that redeems through the channel API (POS, terminal, partner, SMS gateway).
    Only the SHA-256 of its token is kept."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=10, choices=ChannelKind.choices)
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_hint = models.CharField(_("token ends with"), max_length=6, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit")

    class Meta:
        ordering = ["code"]
        verbose_name = _("redemption channel")
        verbose_name_plural = _("redemption channels")

    def __str__(self) -> str:
        return self.name


class Redemption(models.Model):
    """积分消费记录: who (member, card, operator), when, what, where (channel, outlet)."""

    member = models.ForeignKey(ClubMember, on_delete=models.PROTECT, related_name="redemptions",
                               verbose_name=_("member"))
    card = models.ForeignKey(Card, null=True, blank=True, on_delete=models.PROTECT, related_name="redemptions",
                             verbose_name=_("card"))
    item = models.ForeignKey(RedemptionItem, on_delete=models.PROTECT, related_name="redemptions",
                             verbose_name=_("item"))
    quantity = models.PositiveIntegerField(_("quantity"))
    points = models.BigIntegerField(_("points"))
    cost = models.DecimalField(_("cost (yuan)"), default=0, **MONEY)
    channel_kind = models.CharField(_("channel"), max_length=10, choices=ChannelKind.choices)
    channel = models.ForeignKey(RedemptionChannel, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="redemptions", verbose_name=_("channel system"))
    source = models.CharField(_("source"), max_length=40, editable=False,
                              help_text=_("The channel system's code, or the channel kind: idempotency keys are unique per source."))
    idempotency_key = models.CharField(_("idempotency key"), max_length=80)
    location = models.CharField(_("where"), max_length=80, blank=True)
    operator = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+", verbose_name=_("operator"))
    period = models.DateField(_("period"), null=True, blank=True, help_text=_("Automatic redemptions: the month."))
    state = models.CharField(_("state"), max_length=10, choices=RedemptionState.choices,
                             default=RedemptionState.DONE)
    reversed_at = models.DateTimeField(_("reversed at"), null=True, blank=True)
    reversal_reason = models.CharField(_("reversal reason"), max_length=300, blank=True)
    statement_sent = models.BooleanField(_("statement sent"), default=False)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = VIA_MEMBER

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        constraints = [
            models.UniqueConstraint(fields=["source", "idempotency_key"], name="club_redemption_key_once"),
            models.UniqueConstraint(fields=["member", "period"], condition=Q(channel_kind="auto"),
                                    name="club_auto_redemption_once"),
        ]
        permissions = [("reverse_redemption", _("Can reverse redemptions"))]

    def __str__(self) -> str:
        return f"{self.item.code} × {self.quantity}"


# --- Level runs, annual inspection and dunning (CLUB-02, CLUB-03) ------------------------------------

from kams.club.enums import ContactResult, DunningState  # noqa: E402  (the members part's own choices)


class LevelRun(models.Model):
    """A run of the monthly upgrade/downgrade (会员升降级处理, kind ``auto``, one per billed
    month) or of the annual inspection (会员年检, kind ``inspection``, one per day it ran).
    Running again adds to the same row; what changed are the ``MemberLevelChange`` rows of
    the same kind and period."""

    kind = models.CharField(_("kind"), max_length=12, choices=LevelChangeKind.choices)
    period = models.DateField(_("period"))
    evaluated = models.PositiveIntegerField(_("members judged"), default=0)
    upgrades = models.PositiveIntegerField(_("upgrades"), default=0)
    downgrades = models.PositiveIntegerField(_("downgrades"), default=0)
    kept = models.PositiveIntegerField(_("kept"), default=0)
    suspended = models.PositiveIntegerField(_("suspended"), default=0)
    runs = models.PositiveSmallIntegerField(_("times run"), default=0)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("run by"))
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    # A province-wide run of the club: guarded by permission; its changes are scoped rows.
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["-period", "-id"]
        verbose_name = _("level run")
        verbose_name_plural = _("level runs")
        constraints = [models.UniqueConstraint(fields=["kind", "period"], name="club_level_run_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period}"


class MemberDunning(models.Model):
    """欠费催欠: a member whose customer owes money, marked for dunning by a reviewer with a
    note (人工催欠审核) and handled by recording what the member said (催欠处理). The chasing
    itself runs as the key-account arrears process (``case``) when one is opened."""

    member = models.ForeignKey(ClubMember, on_delete=models.PROTECT, related_name="dunnings", verbose_name=_("member"))
    state = models.CharField(_("state"), max_length=10, choices=DunningState.choices, default=DunningState.MARKED)
    arrears = models.DecimalField(_("arrears (yuan)"), **MONEY)
    months = models.PositiveSmallIntegerField(_("months owed"), default=0)
    oldest_period = models.DateField(_("oldest month owed"), null=True, blank=True)
    note = models.CharField(_("review note"), max_length=300, blank=True)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("marked by"))
    marked_at = models.DateTimeField(_("marked at"), auto_now_add=True)
    case = models.ForeignKey("service.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("arrears case"))
    result = models.CharField(_("contact result"), max_length=12, choices=ContactResult.choices, blank=True)
    result_note = models.CharField(_("contact note"), max_length=300, blank=True)
    promised_on = models.DateField(_("promised to pay by"), null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("handled by"))
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = VIA_MEMBER

    class Meta:
        ordering = ["state", "-marked_at", "-id"]
        verbose_name = _("member dunning")
        verbose_name_plural = _("member dunnings")
        constraints = [
            # One open dunning per member: marking again while one is open is refused.
            models.UniqueConstraint(fields=["member"], condition=Q(state="marked"), name="club_one_open_dunning_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.arrears}"

"""客户资料采集、规整与归并 (CUS-03, CUS-04, SVC-05).

* ``AdmissionRule`` — a definition of a key account (e.g. group customers billing at least
  X yuan a month on average over N months); ``Candidate`` — a potential customer that meets
  one, with the evidence, awaiting review; ``FirstContactTask`` — the first contact that an
  admitted customer's manager owes it.
* ``DuplicatePair`` — two customers that look like one (same certificate, similar name…),
  awaiting review; ``Merge`` — the record of folding one into the other.

Candidates and tasks are scoped through their customer; a pair through ``org_unit``, the
smallest unit that holds both of its customers, so nobody sees a pair half outside their scope.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kams.collection.enums import CandidateState, PairState
from kams.customers.enums import CustomerType
from kams.org.scoping import UNSCOPED, ScopedQuerySet, ScopeSpec


class AdmissionRule(models.Model):
    """大客户定义标准: which potential customers the billing data qualifies as key accounts."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    customer_type = models.CharField(_("customer type"), max_length=20, choices=CustomerType.choices)
    min_monthly_revenue = models.DecimalField(
        _("minimum average monthly revenue (yuan)"), max_digits=14, decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    months = models.PositiveSmallIntegerField(
        _("months averaged"), default=3, validators=[MinValueValidator(1), MaxValueValidator(24)],
        help_text=_("The latest billed months judged; a month without bills counts as zero."),
    )
    min_members = models.PositiveIntegerField(
        _("minimum active members"), null=True, blank=True, help_text=_("Optional; for group customers.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    # A province-wide definition of the group-customer department: guarded by permission.
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["customer_type", "-min_monthly_revenue", "pk"]
        verbose_name = _("admission rule")
        verbose_name_plural = _("admission rules")

    def __str__(self) -> str:
        return self.name


CUSTOMER_CHILD = ScopeSpec(org="customer__org_unit", owner="customer__account_manager")


class Candidate(models.Model):
    """大客户候选: a potential customer whose billing meets an admission rule."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="admission_candidates", verbose_name=_("customer")
    )
    rule = models.ForeignKey(AdmissionRule, on_delete=models.PROTECT, related_name="candidates", verbose_name=_("rule"))
    state = models.CharField(_("state"), max_length=10, choices=CandidateState.choices, default=CandidateState.OPEN)
    period = models.DateField(_("judged up to"), help_text=_("The latest billed month judged."))
    months = models.PositiveSmallIntegerField(_("months averaged"))
    revenue = models.DecimalField(_("average monthly revenue"), max_digits=14, decimal_places=2)
    members = models.PositiveIntegerField(_("active members"), default=0)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    manager = models.ForeignKey(
        "org.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("account manager")
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("found at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = CUSTOMER_CHILD

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer"], condition=Q(state=CandidateState.OPEN), name="candidate_open_once_per_customer"
            )
        ]
        indexes = [models.Index(fields=["state", "customer"])]
        permissions = [("review_candidate", _("Can admit or reject key-account candidates"))]
        verbose_name = _("key-account candidate")
        verbose_name_plural = _("key-account candidates")

    def __str__(self) -> str:
        return f"{self.customer} ({self.period:%Y-%m})"


class FirstContactTask(models.Model):
    """首次接触: the first visit or call an admitted customer's manager owes it (SVC-05)."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="first_contacts", verbose_name=_("customer")
    )
    manager = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, related_name="first_contacts", verbose_name=_("account manager")
    )
    candidate = models.ForeignKey(Candidate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    due_on = models.DateField(_("due on"))
    done = models.BooleanField(_("done"), default=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="customer__org_unit", owner="manager")

    class Meta:
        ordering = ["done", "due_on", "id"]
        indexes = [models.Index(fields=["manager", "done", "due_on"])]
        verbose_name = _("first-contact task")
        verbose_name_plural = _("first-contact tasks")

    def __str__(self) -> str:
        return f"{self.customer} → {self.manager}"


class DuplicatePair(models.Model):
    """疑似重复客户: two customers that look like one; ``a`` is the one with the smaller id."""

    a = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer A"))
    b = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer B"))
    org_unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("region"),
        help_text=_("The smallest unit holding both customers."),
    )
    score = models.PositiveSmallIntegerField(_("similarity"), validators=[MaxValueValidator(100)])
    reasons = models.JSONField(_("reasons"), default=list)
    state = models.CharField(_("state"), max_length=10, choices=PairState.choices, default=PairState.OPEN)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("found at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit")

    class Meta:
        ordering = ["state", "-score", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["a", "b"], name="duplicate_pair_once"),
            models.CheckConstraint(condition=Q(a__lt=models.F("b")), name="duplicate_pair_ordered"),
        ]
        indexes = [models.Index(fields=["state", "-score"])]
        permissions = [("approve_merge", _("Can approve and carry out customer merges"))]
        verbose_name = _("possible duplicate")
        verbose_name_plural = _("possible duplicates")

    def __str__(self) -> str:
        return f"{self.a} ≈ {self.b}"

    def reason_labels(self) -> list[str]:
        from kams.collection.enums import MatchReason

        labels = dict(MatchReason.choices)
        return [str(labels.get(code, code)) for code in self.reasons]


class Merge(models.Model):
    """客户归并: ``duplicate`` folded into ``survivor``; what moved, by whom, why."""

    pair = models.ForeignKey(DuplicatePair, null=True, blank=True, on_delete=models.PROTECT, related_name="merges")
    survivor = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer kept")
    )
    duplicate = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer merged away")
    )
    moved = models.JSONField(_("records moved"), default=dict)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="survivor__org_unit")

    class Meta:
        ordering = ["-merged_at", "-id"]
        verbose_name = _("customer merge")
        verbose_name_plural = _("customer merges")

    def __str__(self) -> str:
        return f"{self.duplicate} → {self.survivor}"

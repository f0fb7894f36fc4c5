"""Key accounts (大客户): customers, paying accounts, members, contacts, relations, levels
and administrator-defined extra attributes (CUS-01, CUS-02, CUS-05, CUS-07, CUS-14).

Every record belongs to the customer's org unit (its region) and, for own-records roles,
to its account manager: ``scope_spec`` says so, and every read goes through
``visible_to(user)``.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kams.customers.enums import (
    AccountStatus,
    ApprovalLevel,
    AttributeKind,
    Business,
    CareKind,
    CertificateType,
    ContactRole,
    ContractState,
    ContractType,
    CustomerStatus,
    CustomerType,
    PaymentMethod,
    PreferenceKind,
    PreferenceState,
    RelationKind,
)
from kams.org.scoping import UNSCOPED, ScopedQuerySet, ScopeSpec

CUSTOMER_SCOPE = ScopeSpec(org="org_unit", owner="account_manager")
CHILD_SCOPE = ScopeSpec(org="customer__org_unit", owner="customer__account_manager")


class Industry(models.Model):
    """行业 — the 19 industries of seed 004 (市场信息管理)."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("industry")
        verbose_name_plural = _("industries")

    def __str__(self) -> str:
        return self.name


class LevelCategory(models.Model):
    """客户类别 — a family of levels for some customer types (e.g. group customer levels)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=50)
    customer_types = models.JSONField(_("customer types"), default=list)

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["code"]
        verbose_name = _("level category")
        verbose_name_plural = _("level categories")

    def __str__(self) -> str:
        return self.name


class Level(models.Model):
    """客户级别 — a level with the rule that qualifies for it and what it entitles to.

    ``rank`` 1 is the highest. A customer qualifies when its average monthly revenue over
    the category's evaluation window and its tenure reach the thresholds."""

    category = models.ForeignKey(LevelCategory, on_delete=models.PROTECT, related_name="levels")
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=50)
    rank = models.PositiveSmallIntegerField(_("rank"), help_text=_("1 is the highest level."))
    min_monthly_revenue = models.DecimalField(
        _("minimum average monthly revenue (yuan)"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    min_tenure_months = models.PositiveSmallIntegerField(_("minimum tenure (months)"), default=0)
    service_standard = models.TextField(_("service standard"), blank=True)
    tariff_notes = models.TextField(_("tariff notes"), blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["category", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="level_code_unique_in_category"),
            models.UniqueConstraint(fields=["category", "rank"], name="level_rank_unique_in_category"),
        ]
        verbose_name = _("customer level")
        verbose_name_plural = _("customer levels")

    def __str__(self) -> str:
        return self.name


class CustomerQuerySet(ScopedQuerySet):
    def active(self):
        return self.exclude(status=CustomerStatus.HISTORICAL)


class Customer(models.Model):
    """大客户 — a key account: a group customer or an individual high-end or key customer."""

    code = models.CharField(_("customer number"), max_length=24, unique=True)
    name = models.CharField(_("customer name"), max_length=120, db_index=True)
    name_initials = models.CharField(_("pinyin initials"), max_length=120, blank=True, db_index=True)
    customer_type = models.CharField(_("customer type"), max_length=20, choices=CustomerType.choices)
    status = models.CharField(_("status"), max_length=12, choices=CustomerStatus.choices, db_index=True)
    industry = models.ForeignKey(
        Industry, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("industry")
    )
    org_unit = models.ForeignKey(
        "org.OrgUnit", on_delete=models.PROTECT, related_name="customers", verbose_name=_("region")
    )
    account_manager = models.ForeignKey(
        "org.Staff",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="customers",
        verbose_name=_("account manager"),
    )
    level = models.ForeignKey(
        Level, null=True, blank=True, on_delete=models.PROTECT, related_name="customers", verbose_name=_("level")
    )
    # Basic data (客户基本资料)
    certificate_type = models.CharField(
        _("certificate type"), max_length=16, choices=CertificateType.choices, blank=True
    )
    certificate_no = models.CharField(_("certificate number"), max_length=32, blank=True, db_index=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=6, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), blank=True)
    # Business data (营业业务资料) and size
    businesses = models.JSONField(_("businesses used"), default=list, blank=True)
    employee_count = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    expected_monthly_revenue = models.DecimalField(
        _("expected monthly revenue (yuan)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("For potential customers without bills: used to suggest a level."),
    )
    joined_on = models.DateField(_("customer since"), null=True, blank=True)
    # Additional data (附加信息)
    internal_environment = models.TextField(_("internal environment"), blank=True)
    related_companies = models.TextField(_("related companies"), blank=True)
    engineering_projects = models.TextField(_("engineering projects"), blank=True)
    occupied_resources = models.TextField(_("occupied resources"), blank=True)
    service_notes = models.TextField(_("service notes"), blank=True)
    extra = models.JSONField(_("extra attributes"), default=dict, blank=True)
    # Lifecycle
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CustomerQuerySet.as_manager()
    scope_spec = CUSTOMER_SCOPE

    class Meta:
        ordering = ["code"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        permissions = [
            ("view_personal_data", _("Can see unmasked certificate and phone numbers")),
            ("cancel_customer", _("Can cancel and restore customers")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate_type", "certificate_no"],
                condition=~Q(certificate_no="") & ~Q(status=CustomerStatus.HISTORICAL),
                name="customer_certificate_unique_while_active",
            )
        ]
        indexes = [
            models.Index(fields=["org_unit", "status"]),
            models.Index(fields=["account_manager", "status"]),
        ]

    def __str__(self) -> str:
        return self.name

    def business_labels(self) -> list[str]:
        labels = dict(Business.choices)
        return [str(labels.get(code, code)) for code in self.businesses]


class PayingAccount(models.Model):
    """付费帐户 — a billing account; a customer has several (CUS-02)."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="accounts")
    account_no = models.CharField(_("account number"), max_length=32, unique=True)
    name = models.CharField(_("account name"), max_length=120)
    status = models.CharField(_("status"), max_length=12, choices=AccountStatus.choices, default=AccountStatus.ACTIVE)
    payment_method = models.CharField(
        _("payment method"), max_length=12, choices=PaymentMethod.choices, default=PaymentMethod.BANK
    )
    bank_name = models.CharField(_("bank"), max_length=60, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=40, blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    cancelled_on = models.DateField(_("cancelled on"), null=True, blank=True)
    # Set when the account was cancelled because its customer was: a restore revives it.
    cancelled_with_customer = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = CHILD_SCOPE

    class Meta:
        ordering = ["account_no"]
        verbose_name = _("paying account")
        verbose_name_plural = _("paying accounts")

    def __str__(self) -> str:
        return f"{self.account_no} {self.name}"


class Member(models.Model):
    """成员 — a subscriber number of a group customer."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="members")
    msisdn = models.CharField(_("number"), max_length=20, db_index=True)
    name = models.CharField(_("subscriber name"), max_length=60, blank=True)
    account = models.ForeignKey(
        PayingAccount, null=True, blank=True, on_delete=models.PROTECT, related_name="members", verbose_name=_("account")
    )
    business = models.CharField(_("business"), max_length=20, choices=Business.choices, default=Business.MOBILE)
    is_active = models.BooleanField(_("active"), default=True)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = CHILD_SCOPE

    class Meta:
        ordering = ["msisdn"]
        constraints = [
            models.UniqueConstraint(
                fields=["msisdn"], condition=Q(is_active=True), name="member_number_active_once"
            )
        ]
        verbose_name = _("member subscriber")
        verbose_name_plural = _("member subscribers")

    def __str__(self) -> str:
        return self.msisdn


class Contact(models.Model):
    """联系人 — contacts and key people of a customer."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="contacts")
    name = models.CharField(_("name"), max_length=60)
    role = models.CharField(_("role"), max_length=20, choices=ContactRole.choices, default=ContactRole.CONTACT)
    title = models.CharField(_("job title"), max_length=60, blank=True)
    department = models.CharField(_("department"), max_length=60, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = CHILD_SCOPE

    class Meta:
        ordering = ["-is_primary", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name


class Relation(models.Model):
    """客户关系 (CUS-14): ``customer`` is <kind> ``other``."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="relations")
    other = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="inverse_relations")
    kind = models.CharField(_("relation"), max_length=16, choices=RelationKind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = CHILD_SCOPE

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "other", "kind"], name="relation_once"),
            models.CheckConstraint(condition=~Q(customer=models.F("other")), name="relation_not_to_self"),
        ]
        verbose_name = _("customer relation")
        verbose_name_plural = _("customer relations")


class ExtraAttribute(models.Model):
    """附加属性 — an attribute administrators add to customers without a code change.
    Values live in ``Customer.extra[code]``."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("label"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=AttributeKind.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("extra attribute")
        verbose_name_plural = _("extra attributes")

    def __str__(self) -> str:
        return self.label


class Contract(models.Model):
    """客户合同 (CUS-09): terms, value, validity, attachments, state; linked to the customer
    and to the paying accounts it covers."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="contracts")
    contract_no = models.CharField(_("contract number"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    contract_type = models.CharField(_("contract type"), max_length=20, choices=ContractType.choices)
    state = models.CharField(_("state"), max_length=12, choices=ContractState.choices, default=ContractState.DRAFT)
    value = models.DecimalField(
        _("contract value (yuan)"), max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    terms = models.TextField(_("terms"), blank=True)
    accounts = models.ManyToManyField(PayingAccount, blank=True, related_name="contracts", verbose_name=_("accounts"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = CHILD_SCOPE

    class Meta:
        ordering = ["valid_to", "contract_no"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=models.F("valid_from")), name="contract_period_forward")
        ]
        indexes = [models.Index(fields=["state", "valid_to"])]
        permissions = [("approve_contract", _("Can put contracts in force"))]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")

    def __str__(self) -> str:
        return f"{self.contract_no} {self.title}"


def contract_attachment_path(instance: "ContractAttachment", filename: str) -> str:
    return f"contracts/{instance.contract.customer_id}/{instance.contract_id}/{filename}"


class ContractAttachment(models.Model):
    """A stored file of a contract (the scanned signed copy, annexes)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=contract_attachment_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey("org.Staff", null=True, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="contract__customer__org_unit", owner="contract__customer__account_manager")

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("contract attachment")
        verbose_name_plural = _("contract attachments")

    def __str__(self) -> str:
        return self.name


class LevelChangeState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPLIED = "applied", _("Applied")
    REJECTED = "rejected", _("Rejected")


class LevelEvaluation(models.Model):
    """One monthly level evaluation (客户级别评定): which months it judged, what it found."""

    period = models.DateField(_("evaluated up to"), help_text=_("The latest billed month judged."))
    months = models.PositiveSmallIntegerField(_("months averaged"))
    needs_approval = models.BooleanField(_("changes need approval"))
    evaluated = models.PositiveIntegerField(_("customers evaluated"), default=0)
    upgrades = models.PositiveIntegerField(_("upgrades"), default=0)
    downgrades = models.PositiveIntegerField(_("downgrades"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("level evaluation")
        verbose_name_plural = _("level evaluations")


class LevelChange(models.Model):
    """One change of a customer's level, proposed by an evaluation or made by hand (CUS-07)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="level_changes")
    old_level = models.ForeignKey(Level, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("from level"))
    new_level = models.ForeignKey(Level, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("to level"))
    revenue = models.DecimalField(_("average monthly revenue"), max_digits=14, decimal_places=2, null=True)
    tenure_months = models.PositiveIntegerField(_("tenure (months)"), null=True)
    state = models.CharField(_("state"), max_length=10, choices=LevelChangeState.choices)
    evaluation = models.ForeignKey(LevelEvaluation, null=True, blank=True, on_delete=models.CASCADE, related_name="changes")
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = CHILD_SCOPE

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "customer"])]
        permissions = [("approve_levelchange", _("Can approve level changes"))]
        verbose_name = _("level change")
        verbose_name_plural = _("level changes")


class Preference(models.Model):
    """优惠政策 (CUS-12): a discount granted to a customer, approved at the level of the
    hierarchy that its size requires (U 1.2: the province approves what exceeds a city's
    limits)."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="preferences")
    title = models.CharField(_("title"), max_length=120)
    business = models.CharField(_("business"), max_length=20, choices=Business.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=PreferenceKind.choices)
    value = models.DecimalField(
        _("value"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("A rate in percent, or yuan per month."),
    )
    monthly_value = models.DecimalField(
        _("estimated monthly value (yuan)"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    accounts = models.ManyToManyField(PayingAccount, blank=True, related_name="preferences", verbose_name=_("accounts"))
    state = models.CharField(_("state"), max_length=10, choices=PreferenceState.choices, default=PreferenceState.DRAFT)
    approval_level = models.CharField(_("approval level"), max_length=10, choices=ApprovalLevel.choices, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = CHILD_SCOPE

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("approve_preference", _("Can approve preferential policies"))]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=models.F("valid_from")), name="preference_period_forward")
        ]
        verbose_name = _("preferential policy")
        verbose_name_plural = _("preferential policies")

    def __str__(self) -> str:
        return self.title


class CareRecord(models.Model):
    """客户培训与反馈 (CUS-13): a training given to a customer's staff, or feedback received."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="care_records")
    kind = models.CharField(_("kind"), max_length=10, choices=CareKind.choices)
    title = models.CharField(_("title"), max_length=120)
    happened_on = models.DateField(_("date"))
    attendees = models.PositiveIntegerField(_("attendees"), null=True, blank=True)
    content = models.TextField(_("content"))
    outcome = models.TextField(_("outcome / follow-up"), blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1-5)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    recorded_by = models.ForeignKey("org.Staff", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = CHILD_SCOPE

    class Meta:
        ordering = ["-happened_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(satisfaction__isnull=True) | Q(satisfaction__lte=5), name="care_satisfaction_1_to_5")
        ]
        verbose_name = _("training or feedback record")
        verbose_name_plural = _("training and feedback records")

    def __str__(self) -> str:
        return self.title

"""Serializers of the customer API: read serializers for output (personal data masked
unless the reader may see it, NFR-02) and separate write serializers whose validated data
goes to ``kams.customers.services``."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kams.core.masking import mask_certificate, mask_phone
from kams.customers.enums import (
    AttributeKind,
    Business,
    CertificateType,
    ContactRole,
    CustomerStatus,
    CustomerType,
    PaymentMethod,
)
from kams.customers.models import Contact, Customer, ExtraAttribute, Industry, Level, Member, PayingAccount
from kams.org.models import OrgUnit, Staff


def personal_data_visible(context) -> bool:
    request = context.get("request")
    return bool(request and request.user.has_perm("customers.view_personal_data"))


class MaskingMixin:
    """Masks ``masked_fields`` ({field: mask function}) unless the reader may see personal data."""

    masked_fields: dict = {}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not personal_data_visible(self.context):
            for name, mask in self.masked_fields.items():
                if data.get(name):
                    data[name] = mask(data[name])
        return data


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A primary key that must name a record inside the caller's scope: out-of-scope and
    missing records answer the same "does not exist", so nothing leaks."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        return queryset.visible_to(request.user if request else None)


# --- Reference data ----------------------------------------------------------------------------


class IndustrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Industry
        fields = ["id", "code", "name", "order"]
        read_only_fields = fields


class LevelSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)

    class Meta:
        model = Level
        fields = [
            "id", "category", "category_name", "code", "name", "rank", "min_monthly_revenue",
            "min_tenure_months", "service_standard", "tariff_notes",
        ]
        read_only_fields = fields


class LevelBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Level
        fields = ["id", "code", "name"]
        read_only_fields = fields


class ExtraAttributeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExtraAttribute
        fields = ["id", "code", "label", "kind", "choices", "required", "order", "is_active"]
        read_only_fields = fields


class ExtraAttributeWriteSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=40)
    label = serializers.CharField(max_length=60)
    kind = serializers.ChoiceField(choices=AttributeKind.choices)
    choices = serializers.ListField(child=serializers.CharField(max_length=100), required=False)
    required = serializers.BooleanField(required=False)
    order = serializers.IntegerField(min_value=0, max_value=32767, required=False)
    is_active = serializers.BooleanField(required=False)


# --- Customers ---------------------------------------------------------------------------------


class CustomerSerializer(MaskingMixin, serializers.ModelSerializer):
    industry = serializers.SlugRelatedField(slug_field="code", read_only=True)
    industry_name = serializers.CharField(source="industry.name", read_only=True, default=None, allow_null=True)
    org_unit_name = serializers.CharField(source="org_unit.name", read_only=True)
    account_manager_name = serializers.CharField(source="account_manager.name", read_only=True, default=None, allow_null=True)
    level_name = serializers.CharField(source="level.name", read_only=True, default=None, allow_null=True)
    businesses = serializers.ListField(child=serializers.ChoiceField(choices=Business.choices), read_only=True)
    extra = serializers.DictField(read_only=True)

    masked_fields = {"certificate_no": mask_certificate, "phone": mask_phone}

    class Meta:
        model = Customer
        fields = [
            "id", "code", "name", "name_initials", "customer_type", "status", "industry", "industry_name",
            "org_unit", "org_unit_name", "account_manager", "account_manager_name", "level", "level_name",
            "certificate_type", "certificate_no", "address", "postcode", "phone", "email", "businesses",
            "employee_count", "expected_monthly_revenue", "joined_on", "internal_environment",
            "related_companies", "engineering_projects", "occupied_resources", "service_notes", "extra",
            "cancelled_at", "created_at", "updated_at",
        ]
        read_only_fields = fields


class CustomerUpdateResultSerializer(CustomerSerializer):
    """The customer after a change, with the level the system now suggests (CUS-05)."""

    suggested_level = LevelBriefSerializer(read_only=True, allow_null=True)

    class Meta(CustomerSerializer.Meta):
        fields = [*CustomerSerializer.Meta.fields, "suggested_level"]
        read_only_fields = fields


class CustomerWriteSerializer(serializers.Serializer):
    """Create (all required fields) and PATCH (partial) of a customer. ``extra`` holds the
    values of the administrator-defined extra attributes by code."""

    name = serializers.CharField(max_length=120)
    customer_type = serializers.ChoiceField(choices=CustomerType.choices)
    status = serializers.ChoiceField(choices=CustomerStatus.choices, required=False)
    industry = serializers.SlugRelatedField(
        slug_field="code", queryset=Industry.objects.all(), required=False, allow_null=True,
        help_text=_("Industry code"),
    )
    org_unit = ScopedPrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), help_text=_("Region (org unit ID)"))
    account_manager = ScopedPrimaryKeyRelatedField(
        queryset=Staff.objects.all(), required=False, allow_null=True, help_text=_("Account manager (staff ID)")
    )
    certificate_type = serializers.ChoiceField(choices=CertificateType.choices, required=False, allow_blank=True)
    certificate_no = serializers.CharField(max_length=32, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    postcode = serializers.RegexField(r"^\d{6}$", required=False, allow_blank=True)
    phone = serializers.RegexField(r"^[\d-]{5,20}$", required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    businesses = serializers.ListField(child=serializers.ChoiceField(choices=Business.choices), required=False)
    employee_count = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    expected_monthly_revenue = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    joined_on = serializers.DateField(required=False, allow_null=True)
    internal_environment = serializers.CharField(required=False, allow_blank=True)
    related_companies = serializers.CharField(required=False, allow_blank=True)
    engineering_projects = serializers.CharField(required=False, allow_blank=True)
    occupied_resources = serializers.CharField(required=False, allow_blank=True)
    service_notes = serializers.CharField(required=False, allow_blank=True)
    extra = serializers.DictField(required=False, help_text=_("Extra attribute values by attribute code"))

    def validate(self, attrs):
        if not self.partial and attrs.get("certificate_no") and not attrs.get("certificate_type"):
            raise serializers.ValidationError({"certificate_type": [_("Say what kind of certificate this is.")]})
        return attrs


class CustomerUpdateSerializer(CustomerWriteSerializer):
    """PATCH: any of the customer's fields (status and level have their own steps)."""

    status = None
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class OptionalReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class LevelSetSerializer(serializers.Serializer):
    level = serializers.PrimaryKeyRelatedField(queryset=Level.objects.all(), allow_null=True)
    reason = serializers.CharField(max_length=500)


class CustomerBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class OverviewSectionSerializer(serializers.Serializer):
    title = serializers.CharField()
    data = serializers.DictField()


class CustomerOverviewSerializer(serializers.Serializer):
    """Customer 360 (CUS-11): every registered domain's section, in display order."""

    customer = CustomerBriefSerializer()
    sections = serializers.DictField(child=OverviewSectionSerializer())


# --- Accounts, contacts, members ---------------------------------------------------------------


class PayingAccountSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)

    class Meta:
        model = PayingAccount
        fields = [
            "id", "customer", "customer_name", "account_no", "name", "status", "payment_method",
            "bank_name", "bank_account", "opened_on", "cancelled_on", "created_at", "updated_at",
        ]
        read_only_fields = fields


class PayingAccountUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False)
    payment_method = serializers.ChoiceField(choices=PaymentMethod.choices, required=False)
    bank_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    bank_account = serializers.CharField(max_length=40, required=False, allow_blank=True)
    opened_on = serializers.DateField(required=False, allow_null=True)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class PayingAccountCreateSerializer(PayingAccountUpdateSerializer):
    customer = ScopedPrimaryKeyRelatedField(queryset=Customer.objects.all())
    account_no = serializers.RegexField(r"^[A-Za-z0-9-]{1,32}$")
    name = serializers.CharField(max_length=120)
    reason = None


class ContactSerializer(MaskingMixin, serializers.ModelSerializer):
    masked_fields = {"mobile": mask_phone}

    class Meta:
        model = Contact
        fields = [
            "id", "customer", "name", "role", "title", "department", "mobile", "email", "birthday",
            "notes", "is_primary", "created_at", "updated_at",
        ]
        read_only_fields = fields


class ContactUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60, required=False)
    role = serializers.ChoiceField(choices=ContactRole.choices, required=False)
    title = serializers.CharField(max_length=60, required=False, allow_blank=True)
    department = serializers.CharField(max_length=60, required=False, allow_blank=True)
    mobile = serializers.RegexField(r"^[\d-]{5,20}$", required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    birthday = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(max_length=300, required=False, allow_blank=True)
    is_primary = serializers.BooleanField(required=False)


class ContactCreateSerializer(ContactUpdateSerializer):
    customer = ScopedPrimaryKeyRelatedField(queryset=Customer.objects.all())
    name = serializers.CharField(max_length=60)


class MemberSerializer(MaskingMixin, serializers.ModelSerializer):
    masked_fields = {"msisdn": mask_phone}

    class Meta:
        model = Member
        fields = ["id", "customer", "msisdn", "name", "account", "business", "is_active", "joined_on", "created_at"]
        read_only_fields = fields


class MemberCreateSerializer(serializers.Serializer):
    customer = ScopedPrimaryKeyRelatedField(queryset=Customer.objects.all())
    msisdn = serializers.RegexField(r"^\d{5,20}$")
    name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    account = ScopedPrimaryKeyRelatedField(queryset=PayingAccount.objects.all(), required=False, allow_null=True)
    business = serializers.ChoiceField(choices=Business.choices, required=False)
    joined_on = serializers.DateField(required=False, allow_null=True)

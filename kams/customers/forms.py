"""Forms of the customer pages. They only shape input for one service call: which values
are allowed (duplicate certificates, lifecycle steps, reasons, assignments) is decided by
``kams.customers.services``, whose translated errors the pages show."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kams.customers.enums import (
    AttributeKind,
    Business,
    CertificateType,
    ContactRole,
    CustomerStatus,
    CustomerType,
    PaymentMethod,
    RelationKind,
)
from kams.customers.models import Customer, ExtraAttribute, Industry, Level, PayingAccount
from kams.org.enums import RoleCode
from kams.org.forms import UnitChoiceField
from kams.org.models import OrgUnit, Staff
from kams.org.scoping import scope_for

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
EXTRA_PREFIX = "extra_"

# The standard customer fields the form edits, in the order the services name them.
CUSTOMER_FORM_FIELDS = (
    "name", "customer_type", "industry", "org_unit", "account_manager",
    "certificate_type", "certificate_no", "address", "postcode", "phone", "email", "businesses",
    "employee_count", "expected_monthly_revenue", "joined_on", "internal_environment",
    "related_companies", "engineering_projects", "occupied_resources", "service_notes",
)


def reason_field(required: bool = False) -> forms.CharField:
    """Whether a reason is needed is the service's rule; the form only collects it."""
    return forms.CharField(
        label=_("Reason"), max_length=500, required=required, widget=forms.Textarea(attrs={"rows": 2})
    )


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.employee_no})"


def account_manager_choices(user):
    """Active account managers the user may see; an own-records user only themself, since
    the service would refuse anyone else."""
    scope = scope_for(user)
    staff = Staff.objects.visible_to(user).filter(is_active=True)
    if scope.own_only:
        return staff.filter(pk=scope.staff_id)
    return staff.filter(roles__code=RoleCode.ACCOUNT_MANAGER).distinct().order_by("name")


def extra_attribute_field(attribute: ExtraAttribute) -> forms.Field:
    """A typed form field for an administrator-defined attribute."""
    common = {"label": attribute.label, "required": attribute.required}
    if attribute.kind == AttributeKind.NUMBER:
        return forms.DecimalField(**common)
    if attribute.kind == AttributeKind.DATE:
        return forms.DateField(widget=DATE_INPUT, **common)
    if attribute.kind == AttributeKind.CHOICE:
        return forms.ChoiceField(choices=[("", "—")] + [(c, c) for c in attribute.choices], **common)
    return forms.CharField(max_length=500, **common)


class CustomerForm(forms.Form):
    """增加/修改客户: the standard fields, one field per active extra attribute and, when
    editing, the reason for the change."""

    name = forms.CharField(label=_("Customer name"), max_length=120)
    customer_type = forms.ChoiceField(label=_("Customer type"), choices=CustomerType.choices)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(CustomerStatus.CURRENT, CustomerStatus.CURRENT.label), (CustomerStatus.POTENTIAL, CustomerStatus.POTENTIAL.label)],
    )
    industry = forms.ModelChoiceField(label=_("Industry"), queryset=Industry.objects.all(), required=False)
    org_unit = UnitChoiceField(label=_("Region"), queryset=OrgUnit.objects.none())
    account_manager = StaffChoiceField(label=_("Account manager"), queryset=Staff.objects.none(), required=False)
    certificate_type = forms.ChoiceField(
        label=_("Certificate type"), choices=[("", "—"), *CertificateType.choices], required=False
    )
    certificate_no = forms.CharField(label=_("Certificate number"), max_length=32, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    postcode = forms.RegexField(
        label=_("Postcode"), regex=r"^\d{6}$", required=False,
        error_messages={"invalid": _("Enter a 6-digit postcode.")},
    )
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    businesses = forms.MultipleChoiceField(
        label=_("Businesses used"), choices=Business.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    employee_count = forms.IntegerField(label=_("Employees"), min_value=0, required=False)
    expected_monthly_revenue = forms.DecimalField(
        label=_("Expected monthly revenue (yuan)"), max_digits=14, decimal_places=2, min_value=0, required=False,
        help_text=_("For potential customers without bills: used to suggest a level."),
    )
    joined_on = forms.DateField(label=_("Customer since"), required=False, widget=DATE_INPUT)
    internal_environment = forms.CharField(
        label=_("Internal environment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    related_companies = forms.CharField(label=_("Related companies"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    engineering_projects = forms.CharField(
        label=_("Engineering projects"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    occupied_resources = forms.CharField(
        label=_("Occupied resources"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    service_notes = forms.CharField(label=_("Service notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, customer: Customer | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = OrgUnit.objects.visible_to(user).filter(is_active=True)
        managers = account_manager_choices(user)
        self.fields["account_manager"].queryset = managers
        scope = scope_for(user)
        if customer is None and scope.own_only and scope.staff_id:
            self.fields["account_manager"].initial = scope.staff_id
        self.extra_codes: list[str] = []
        for attribute in ExtraAttribute.objects.filter(is_active=True):
            self.fields[EXTRA_PREFIX + attribute.code] = extra_attribute_field(attribute)
            self.extra_codes.append(attribute.code)
        if customer is not None:
            # The lifecycle (status) has its own pages; an edit always states its reason.
            del self.fields["status"]
            self.fields["reason"] = reason_field()

    def standard_values(self) -> dict:
        data = self.cleaned_data
        values = {name: data[name] for name in CUSTOMER_FORM_FIELDS}
        for name in ("certificate_type", "certificate_no", "address", "postcode", "phone", "email"):
            values[name] = values[name] or ""
        return values

    def extra_values(self) -> dict:
        return {code: self.cleaned_data.get(EXTRA_PREFIX + code) for code in self.extra_codes}

    @staticmethod
    def initial_for(customer: Customer) -> dict:
        initial = {name: getattr(customer, name) for name in CUSTOMER_FORM_FIELDS}
        initial.update({EXTRA_PREFIX + code: value for code, value in customer.extra.items()})
        return initial


class LevelForm(forms.Form):
    level = forms.ModelChoiceField(label=_("Level"), queryset=Level.objects.none(), required=False, empty_label=_("(no level)"))
    reason = reason_field()

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        # The levels of the categories that cover this customer's type.
        levels = Level.objects.select_related("category").order_by("category__code", "rank")
        ids = [lv.pk for lv in levels if customer.customer_type in lv.category.customer_types]
        self.fields["level"].queryset = levels.filter(pk__in=ids)


class ReasonForm(forms.Form):
    """The confirmation of a one-step action (cancel, restore, leave, remove)."""

    reason = reason_field()


class AccountForm(forms.Form):
    account_no = forms.RegexField(
        label=_("Account number"), regex=r"^[A-Za-z0-9-]{4,32}$",
        error_messages={"invalid": _("Use 4 to 32 letters, digits and dashes.")},
    )
    name = forms.CharField(label=_("Account name"), max_length=120)
    payment_method = forms.ChoiceField(label=_("Payment method"), choices=PaymentMethod.choices, initial=PaymentMethod.BANK)
    bank_name = forms.CharField(label=_("Bank"), max_length=60, required=False)
    bank_account = forms.CharField(label=_("Bank account"), max_length=40, required=False)
    opened_on = forms.DateField(label=_("Opened on"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            # The number identifies the account in billing: it is fixed once opened.
            del self.fields["account_no"]
            self.fields["reason"] = reason_field()


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    role = forms.ChoiceField(label=_("Role"), choices=ContactRole.choices)
    title = forms.CharField(label=_("Job title"), max_length=60, required=False)
    department = forms.CharField(label=_("Department"), max_length=60, required=False)
    mobile = forms.CharField(label=_("Mobile"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    birthday = forms.DateField(label=_("Birthday"), required=False, widget=DATE_INPUT)
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)
    is_primary = forms.BooleanField(label=_("Primary contact"), required=False)


class MemberForm(forms.Form):
    msisdn = forms.RegexField(
        label=_("Number"), regex=r"^\d{5,20}$", error_messages={"invalid": _("Enter 5 to 20 digits.")}
    )
    name = forms.CharField(label=_("Subscriber name"), max_length=60, required=False)
    account = forms.ModelChoiceField(label=_("Paying account"), queryset=PayingAccount.objects.none(), required=False)
    business = forms.ChoiceField(label=_("Business"), choices=Business.choices, initial=Business.MOBILE)
    joined_on = forms.DateField(label=_("Joined on"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = customer.accounts.all()


class RelationForm(forms.Form):
    kind = forms.ChoiceField(label=_("Relation"), choices=RelationKind.choices)
    other = forms.CharField(
        label=_("Other customer's number"), max_length=24,
        help_text=_("The customer number of the related customer, e.g. JS00000012."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_other(self):
        """Only a customer the user can see can be named: others look the same as unknown."""
        code = self.cleaned_data["other"].strip()
        other = Customer.objects.visible_to(self.user).filter(code__iexact=code).first()
        if other is None:
            raise forms.ValidationError(_("No customer with number %(code)s was found."), params={"code": code})
        return other


class ExtraAttributeForm(forms.Form):
    code = forms.RegexField(
        label=_("Code"), regex=r"^[a-z](?:_?[a-z0-9])*$", max_length=40,
        help_text=_("Lower-case letters, digits and underscores; fixed once customers use it."),
        error_messages={"invalid": _("Use lower-case letters, digits and underscores, starting with a letter.")},
    )
    label = forms.CharField(label=_("Label"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), choices=AttributeKind.choices)
    choices = forms.CharField(
        label=_("Choices"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For a choice attribute: one choice per line."),
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=32767, initial=0)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def clean_choices(self) -> list[str]:
        lines = (line.strip() for line in self.cleaned_data["choices"].splitlines())
        return list(dict.fromkeys(line for line in lines if line))

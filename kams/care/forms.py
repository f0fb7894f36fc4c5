"""Forms of the visit and care pages. They only collect input; the services decide."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from kams.care.enums import CareKind, RuleKind, Satisfaction, VisitMethod
from kams.care.models import Gift
from kams.customers.enums import CustomerType
from kams.customers.models import Level
from kams.org.models import OrgUnit, Staff

DATE = forms.DateInput(attrs={"type": "date"})


def reason_field(label=_("Reason")) -> forms.CharField:
    return forms.CharField(label=label, max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


def _units(user):
    return OrgUnit.objects.visible_to(user).order_by("path")


def _people(user):
    return Staff.objects.visible_to(user).filter(is_active=True, roles__code__in=["account_manager", "customer_rep"]).distinct()


class UserForm(forms.Form):
    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)


class PlanForm(UserForm):
    name = forms.CharField(label=_("Plan name"), max_length=120)
    purpose = forms.CharField(label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    method = forms.ChoiceField(label=_("Visit method"), choices=VisitMethod.choices)
    due_on = forms.DateField(label=_("Visits due by"), widget=DATE)
    org_unit = forms.ModelChoiceField(label=_("For unit"), queryset=OrgUnit.objects.none(), required=False,
                                      help_text=_("Empty: your own city or district."))
    days_since_visit = forms.IntegerField(label=_("No completed visit for (days)"), min_value=0, required=False)
    min_level = forms.ModelChoiceField(label=_("Level at least"), queryset=Level.objects.select_related("category"), required=False)
    region = forms.ModelChoiceField(label=_("Region (and below)"), queryset=OrgUnit.objects.none(), required=False)
    account_manager = forms.ModelChoiceField(label=_("Account manager"), queryset=Staff.objects.none(), required=False)
    customer_type = forms.ChoiceField(label=_("Customer type"), choices=[("", "—"), *CustomerType.choices], required=False)
    skip_open = forms.BooleanField(label=_("Skip customers with an open visit"), required=False, initial=True)

    def __init__(self, *args, own_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = self.fields["region"].queryset = _units(self.user)
        self.fields["account_manager"].queryset = _people(self.user)
        if own_only:
            for name in ("org_unit", "account_manager"):
                del self.fields[name]


class PostponeForm(forms.Form):
    due_on = forms.DateField(label=_("New due date"), widget=DATE)
    reason = reason_field()


class StopForm(forms.Form):
    reason = reason_field()


class ReassignForm(UserForm):
    to = forms.ModelChoiceField(label=_("Give to"), queryset=Staff.objects.none())
    reason = reason_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = _people(self.user)


class RuleForm(forms.Form):
    name = forms.CharField(label=_("Rule name"), max_length=100)
    kind = forms.ChoiceField(label=_("Occasion"), choices=RuleKind.choices)
    festival_month = forms.IntegerField(label=_("Festival month"), min_value=1, max_value=12, required=False)
    festival_day = forms.IntegerField(label=_("Festival day"), min_value=1, max_value=31, required=False)
    festival_date = forms.DateField(label=_("Festival date (lunar festivals)"), widget=DATE, required=False)
    days_ahead = forms.IntegerField(label=_("Remind days ahead"), min_value=0, max_value=60, initial=3)
    min_level = forms.ModelChoiceField(label=_("Level at least"), queryset=Level.objects.select_related("category"), required=False)
    customer_type = forms.ChoiceField(label=_("Customer type"), choices=[("", "—"), *CustomerType.choices], required=False)
    action_text = forms.CharField(label=_("Proposed action"), max_length=300)
    gift = forms.ModelChoiceField(label=_("Proposed gift"), queryset=Gift.objects.filter(is_active=True), required=False)
    gift_quantity = forms.IntegerField(label=_("Gift quantity"), min_value=1, initial=1)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class GiftForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Gift name"), max_length=100)
    unit_label = forms.CharField(label=_("Unit"), max_length=10, initial="件")
    reference_cost = forms.DecimalField(label=_("Reference cost (yuan)"), min_value=Decimal("0"), max_digits=10, decimal_places=2)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class StockInForm(UserForm):
    gift = forms.ModelChoiceField(label=_("Gift"), queryset=Gift.objects.filter(is_active=True))
    org_unit = forms.ModelChoiceField(label=_("Into the stock of"), queryset=OrgUnit.objects.none())
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    unit_cost = forms.DecimalField(label=_("Unit cost (yuan)"), min_value=Decimal("0"), max_digits=10, decimal_places=2, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = _units(self.user)


class TransferForm(UserForm):
    gift = forms.ModelChoiceField(label=_("Gift"), queryset=Gift.objects.all())
    from_unit = forms.ModelChoiceField(label=_("From unit"), queryset=OrgUnit.objects.none())
    to_unit = forms.ModelChoiceField(label=_("To unit"), queryset=OrgUnit.objects.none())
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_unit"].queryset = self.fields["to_unit"].queryset = _units(self.user)


class AcceptForm(UserForm):
    kind = forms.ChoiceField(label=_("Care"), choices=CareKind.choices)
    content = forms.CharField(label=_("What was done"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    happened_on = forms.DateField(label=_("Date"), widget=DATE)
    gift = forms.ModelChoiceField(label=_("Gift"), queryset=Gift.objects.filter(is_active=True), required=False)
    gift_quantity = forms.IntegerField(label=_("Gift quantity"), min_value=1, required=False)
    stock_unit = forms.ModelChoiceField(label=_("Issue from the stock of"), queryset=OrgUnit.objects.none(), required=False,
                                        help_text=_("Empty: the nearest stock above you that has the gift."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stock_unit"].queryset = _units(self.user)


class ActionForm(AcceptForm):
    customer = forms.CharField(label=_("Customer number"), max_length=24)
    field_order = ["customer"]


class DismissForm(forms.Form):
    reason = reason_field()


class SurveyForm(forms.Form):
    score = forms.TypedChoiceField(label=_("Score"), coerce=int, choices=[(n, str(n)) for n in (5, 4, 3, 2, 1)],
                                   widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False)


class QuickResultForm(forms.Form):
    satisfaction = forms.ChoiceField(choices=Satisfaction.choices, required=False)
    note = forms.CharField(max_length=300, required=False)
    when = forms.DateTimeField(required=False)

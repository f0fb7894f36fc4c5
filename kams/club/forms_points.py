"""Forms of the points and redemption pages; the services validate again."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from kams.billing.models import FEE_FIELDS, BillSummary
from kams.club.enums import ChannelKind, ExpiryMode, Issuer, ItemKind, PointsCategory
from kams.club.models import ClubLevel
from kams.club.points import RULE_CATEGORIES

BUSINESS_CHOICES = [("", "—")] + [(f, BillSummary._meta.get_field(f).verbose_name) for f in FEE_FIELDS]


class AdjustmentForm(forms.Form):
    member_no = forms.CharField(label=_("Member number"), max_length=20)
    points = forms.IntegerField(label=_("Points (negative to deduct)"))
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class RuleForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=80)
    category = forms.ChoiceField(label=_("Category"),
                                 choices=[(c, PointsCategory(c).label) for c in RULE_CATEGORIES])
    business = forms.ChoiceField(label=_("Business fee"), choices=BUSINESS_CHOICES, required=False)
    rate = forms.DecimalField(label=_("Rate"), max_digits=8, decimal_places=4, initial=0, required=False,
                              help_text=_("Consumption: points per yuan; penalties: share of the month's consumption points."))
    amount = forms.IntegerField(label=_("Points"), initial=0, required=False, min_value=0)
    min_years = forms.IntegerField(label=_("From years on network"), initial=0, required=False, min_value=0)
    max_years = forms.IntegerField(label=_("Up to years on network"), initial=0, required=False, min_value=0)
    level = forms.ModelChoiceField(label=_("Level"), queryset=ClubLevel.objects.all(), required=False,
                                   empty_label=_("All levels"))
    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    issuer = forms.ChoiceField(label=_("Issued by"), choices=Issuer.choices, initial=Issuer.PROVINCE)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def cleaned_values(self) -> dict:
        data = dict(self.cleaned_data)
        for field in ("rate", "amount", "min_years", "max_years"):
            if data.get(field) is None:
                data[field] = 0
        return data


class RuleChangeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    business = forms.ChoiceField(label=_("Business fee"), choices=BUSINESS_CHOICES, required=False)
    rate = forms.DecimalField(label=_("Rate"), max_digits=8, decimal_places=4, required=False)
    amount = forms.IntegerField(label=_("Points"), required=False, min_value=0)
    min_years = forms.IntegerField(label=_("From years on network"), required=False, min_value=0)
    max_years = forms.IntegerField(label=_("Up to years on network"), required=False, min_value=0)
    valid_from = forms.DateField(label=_("New version valid from"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=300)


class RuleRetireForm(forms.Form):
    valid_to = forms.DateField(label=_("Last day in force"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ExpiryRuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    mode = forms.ChoiceField(label=_("Mode"), choices=ExpiryMode.choices)
    length = forms.IntegerField(label=_("Length"), min_value=1, max_value=120)
    valid_from = forms.DateField(label=_("For points earned from"), widget=forms.DateInput(attrs={"type": "date"}))


class ItemForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=80)
    kind = forms.ChoiceField(label=_("Kind"), choices=ItemKind.choices)
    points = forms.IntegerField(label=_("Points"), min_value=1)
    face_value = forms.DecimalField(label=_("Face value (yuan)"), max_digits=12, decimal_places=2, initial=0)
    unit_cost = forms.DecimalField(label=_("Cost to us (yuan)"), max_digits=12, decimal_places=2, initial=0)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=0, initial=0, required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    auto_redeemable = forms.BooleanField(label=_("May be pre-selected for automatic monthly redemption"), required=False)
    is_active = forms.BooleanField(label=_("On offer"), required=False, initial=True)
    valid_from = forms.DateField(label=_("Valid from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    valid_to = forms.DateField(label=_("Valid to"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    issuer = forms.ChoiceField(label=_("Issued by"), choices=Issuer.choices, initial=Issuer.HQ)


class RedemptionRuleForm(forms.Form):
    level = forms.ModelChoiceField(label=_("Level"), queryset=ClubLevel.objects.all())
    allowed = forms.BooleanField(label=_("Allowed"), required=False, initial=True)
    points = forms.IntegerField(label=_("Points (empty: the item's price)"), required=False, min_value=1)
    monthly_limit = forms.IntegerField(label=_("Times a month (empty: no limit)"), required=False, min_value=1)
    issuer = forms.ChoiceField(label=_("Issued by"), choices=Issuer.choices, initial=Issuer.HQ)


class RunForm(forms.Form):
    period = forms.RegexField(label=_("Month (YYYY-MM)"), regex=r"^\d{4}-\d{2}$", max_length=7)


class DeskLookupForm(forms.Form):
    card_no = forms.CharField(label=_("Card number"), max_length=20)


class DeskRedeemForm(forms.Form):
    card_no = forms.CharField(widget=forms.HiddenInput, max_length=20)
    item = forms.ChoiceField(label=_("Item"))
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1000, initial=1)
    location = forms.CharField(label=_("Where"), max_length=80, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=80)

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = list(items)
        self.fields["idempotency_key"].initial = uuid.uuid4().hex


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ChannelForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=80)
    kind = forms.ChoiceField(label=_("Kind"), choices=[(k, ChannelKind(k).label) for k in
                                                        (ChannelKind.POS, ChannelKind.TERMINAL, ChannelKind.PARTNER,
                                                         ChannelKind.SMS)])
    org_unit = forms.ModelChoiceField(label=_("Unit"), queryset=None)

    def __init__(self, *args, user=None, **kwargs):
        from kams.org.models import OrgUnit

        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = OrgUnit.objects.visible_to(user).order_by("path")

"""Forms of the partner pages. They only collect input (labels and widgets from the models);
the services validate and decide."""

from __future__ import annotations

import datetime

from django import forms
from django.forms.models import fields_for_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kams.club.enums import ChannelKind, ItemKind
from kams.club.models import ClubLevel, RedemptionChannel, RedemptionItem
from kams.org.enums import UnitKind
from kams.org.models import OrgUnit
from kams.partners.enums import PeriodKind
from kams.partners.models import (
    AppraisalIndicator,
    CouponBatch,
    Partner,
    PartnerActivity,
    PartnerAgreement,
    PartnerOutlet,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TEXT = forms.Textarea(attrs={"rows": 3})


def _date_widgets(model, names) -> dict:
    return {n: DATE for n in names if model._meta.get_field(n).get_internal_type() == "DateField"}


def partner_choices(user):
    return Partner.objects.visible_to(user).order_by("name")


class _UserForm(forms.Form):
    model = None
    field_names: tuple[str, ...] = ()

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if self.model is not None:
            widgets = {**_date_widgets(self.model, self.field_names), "description": TEXT, "terms": TEXT}
            made = fields_for_model(self.model, fields=list(self.field_names), widgets=widgets)
            self.fields.update(made)
            self.order_fields(list(self.field_names))


class _WithPartner(_UserForm):
    """A form about one partner: the partner is chosen only when the record is new."""

    def __init__(self, *args, with_partner=True, **kwargs):
        super().__init__(*args, **kwargs)
        if with_partner:
            self.fields["partner"] = forms.ModelChoiceField(label=_("Partner"), queryset=partner_choices(self.user))
            self.order_fields(["partner", *self.field_names])


class PartnerForm(_UserForm):
    model = Partner
    field_names = ("code", "name", "industry", "org_unit", "status", "cooperation_since", "contact_name",
                   "contact_phone", "email", "address", "description", "channel")

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = (OrgUnit.objects.visible_to(self.user)
                                            .filter(kind__in=[UnitKind.PROVINCE, UnitKind.CITY]).order_by("path"))
        self.fields["channel"].queryset = RedemptionChannel.objects.visible_to(self.user).filter(kind=ChannelKind.PARTNER)
        if editing:
            self.fields["code"].disabled = True


class AgreementForm(_WithPartner):
    model = PartnerAgreement
    field_names = ("number", "title", "signed_on", "valid_from", "valid_to", "outbound_points_per_yuan",
                   "inbound_points_per_yuan", "settlement_price", "terms")


class AgreementEndForm(forms.Form):
    last_day = forms.DateField(label=_("Last day in force"), widget=DATE, initial=timezone.localdate)
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class ActivityForm(_WithPartner):
    model = PartnerActivity
    field_names = ("name", "benefit", "starts_on", "ends_on", "levels", "description", "is_cancelled")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["levels"].queryset = ClubLevel.objects.order_by("rank")
        self.fields["levels"].widget = forms.CheckboxSelectMultiple(choices=self.fields["levels"].choices)


class OutletForm(_WithPartner):
    model = PartnerOutlet
    field_names = ("name", "city", "address", "phone", "opening_hours", "accepts_points", "accepts_coupons", "is_active")


class BatchForm(_WithPartner):
    model = CouponBatch
    field_names = ("name", "benefit", "face_value", "quantity", "prefix", "valid_from", "valid_to")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prefix"].required = False
        self.fields["prefix"].help_text = _("Empty: the partner's code.")
        self.fields["activity"] = forms.ModelChoiceField(
            label=_("Activity"), required=False,
            queryset=PartnerActivity.objects.visible_to(self.user).filter(is_cancelled=False).select_related("partner"))


class IssueForm(forms.Form):
    numbers = forms.CharField(label=_("Member or card numbers"), widget=forms.Textarea(attrs={"rows": 5}),
                              help_text=_("One per line, or separated by commas or spaces."))

    def clean_numbers(self) -> list[str]:
        import re

        return [n for n in re.split(r"[\s,;，；]+", self.cleaned_data["numbers"]) if n]


class CouponRedeemForm(_UserForm):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.none())
    code = forms.CharField(label=_("Coupon code"), max_length=24)
    outlet = forms.ModelChoiceField(label=_("Outlet"), queryset=PartnerOutlet.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partner_choices(self.user)
        self.fields["outlet"].queryset = PartnerOutlet.objects.visible_to(self.user).filter(is_active=True).select_related("partner")


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class ImportForm(_UserForm):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.none())
    file = forms.FileField(label=_("File (CSV or Excel)"),
                           help_text=_("Columns: card_no, amount, transaction_id, occurred_at (卡号, 消费金额, 交易流水号, 消费时间)."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partner_choices(self.user)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        if not upload.name.lower().endswith((".csv", ".txt", ".xlsx")):
            raise forms.ValidationError(_("Upload a CSV or an Excel (.xlsx) file."))
        return upload


class InboundForm(_UserForm):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.none())
    card_no = forms.CharField(label=_("Card number"), max_length=30)
    amount = forms.DecimalField(label=_("Amount spent (yuan)"), max_digits=12, decimal_places=2)
    transaction_id = forms.CharField(label=_("Partner's transaction id"), max_length=50)
    occurred_at = forms.DateTimeField(label=_("Spent at"), widget=DATETIME, required=False,
                                      help_text=_("Empty: now."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partner_choices(self.user)


class MonthField(forms.DateField):
    """A month typed as YYYY-MM (``<input type="month">``), cleaned to its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


def last_month() -> datetime.date:
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


class SettlementRunForm(_UserForm):
    period = MonthField(label=_("Month"), initial=last_month)
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.none(), required=False,
                                     help_text=_("Empty: every partner with an agreement or exchanges in the month."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partner_choices(self.user)


class PayForm(forms.Form):
    payment_ref = forms.CharField(label=_("Payment reference"), max_length=60,
                                  help_text=_("The voucher, transfer or invoice number."))


class IndicatorForm(_UserForm):
    model = AppraisalIndicator
    field_names = ("code", "name", "weight", "max_score", "description", "order", "is_active")


class AppraisalForm(_UserForm):
    """The scores of one partner for one period: a field per indicator in use."""

    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.none())
    period_kind = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices, initial=PeriodKind.QUARTER)
    period = forms.DateField(label=_("A day of the period"), widget=DATE,
                             help_text=_("Any day of the month, quarter or year appraised."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partner_choices(self.user)
        self.indicators = list(AppraisalIndicator.objects.filter(is_active=True))
        for indicator in self.indicators:
            self.fields[f"score_{indicator.code}"] = forms.DecimalField(
                label=_("%(indicator)s (0–%(max)s, weight %(weight)s)") % {
                    "indicator": indicator.name, "max": indicator.max_score.normalize(), "weight": indicator.weight.normalize()},
                min_value=0, max_value=indicator.max_score, decimal_places=2, help_text=indicator.description)
        self.fields["comment"] = forms.CharField(label=_("Comment"), required=False, widget=TEXT)

    def scores(self) -> dict[str, object]:
        return {i.code: self.cleaned_data.get(f"score_{i.code}") for i in self.indicators}


class ServiceLinkForm(_UserForm):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.none())
    item = forms.ModelChoiceField(label=_("Redemption item"), queryset=RedemptionItem.objects.none(),
                                  help_text=_("Catalogue items of kind partner service not yet linked."))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = partner_choices(self.user)
        self.fields["item"].queryset = RedemptionItem.objects.filter(kind=ItemKind.PARTNER, partner_service__isnull=True)

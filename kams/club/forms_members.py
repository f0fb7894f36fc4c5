"""Forms of the member pages. They only collect input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kams.club.enums import ContactResult, MemberStatus, Roaming, StatementChannel
from kams.club.models import ClubLevel

DATE = forms.DateInput(attrs={"type": "date"})
MONTH = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})


def reason_field(label=_("Reason"), required=True) -> forms.CharField:
    return forms.CharField(label=label, max_length=300, required=required, widget=forms.Textarea(attrs={"rows": 2}))


def _levels():
    return ClubLevel.objects.filter(is_active=True).order_by("rank")


class MemberDataForm(forms.Form):
    """会员基本资料 and 会员个性化资料."""

    name = forms.CharField(label=_("Name"), max_length=60)
    msisdn = forms.CharField(label=_("Number"), max_length=20, required=False,
                             help_text=_("The number whose bills earn the points; empty: all bills of the customer."))
    certificate_no = forms.CharField(label=_("Certificate number"), max_length=32, required=False)
    phone = forms.CharField(label=_("Mobile for notices"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    birthday = forms.DateField(label=_("Birthday"), required=False, widget=DATE)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    network_since = forms.DateField(label=_("On network since"), required=False, widget=DATE)
    statement_channel = forms.ChoiceField(label=_("Statements by"), choices=StatementChannel.choices,
                                          initial=StatementChannel.SMS)
    hobbies = forms.CharField(label=_("Hobbies"), max_length=200, required=False)
    contact_time = forms.CharField(label=_("Preferred contact time"), max_length=100, required=False)
    care_wishes = forms.CharField(label=_("Personal-care wishes"), max_length=300, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))

    PREFERENCES = ("hobbies", "contact_time", "care_wishes")

    def member_values(self) -> dict:
        data = dict(self.cleaned_data)
        prefs = {key: data.pop(key) for key in self.PREFERENCES}
        data.pop("reason", None)
        return {**data, "preferences": {k: v for k, v in prefs.items() if v}}


class MemberCreateForm(MemberDataForm):
    customer = forms.CharField(label=_("Customer number or ID"), max_length=40)
    level = forms.ModelChoiceField(label=_("Level"), queryset=ClubLevel.objects.none())
    admit = forms.BooleanField(label=_("Admit at once (no qualification review)"), required=False)
    reason = reason_field(_("Note"), required=False)

    field_order = ["customer", "name", "level", "msisdn"]

    def __init__(self, *args, may_admit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = _levels()
        if not may_admit:
            del self.fields["admit"]


class MemberEditForm(MemberDataForm):
    reason = reason_field(_("Reason for the change"), required=False)


class LevelForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=30)
    roaming = forms.ChoiceField(label=_("Roaming scope"), choices=Roaming.choices)
    min_monthly_paid = forms.DecimalField(label=_("Minimum average monthly paid (yuan)"), min_value=0,
                                          max_digits=12, decimal_places=2)
    keep_monthly_paid = forms.DecimalField(label=_("Average monthly paid to keep the level (yuan)"), min_value=0,
                                           max_digits=12, decimal_places=2)
    min_tenure_months = forms.IntegerField(label=_("Minimum months on network"), min_value=0)
    review_months = forms.IntegerField(label=_("Months reviewed"), min_value=1, max_value=24)
    card_fee = forms.DecimalField(label=_("Card fee (yuan)"), min_value=0, max_digits=12, decimal_places=2)
    description = forms.CharField(label=_("Benefits"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    is_active = forms.BooleanField(label=_("Active"), required=False)
    reason = reason_field(required=False)


class ApproveForm(forms.Form):
    level = forms.ModelChoiceField(label=_("Admit at level"), queryset=ClubLevel.objects.none(), required=False,
                                   help_text=_("Empty: the level applied for."))
    note = reason_field(_("Note"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = _levels()


class RejectForm(forms.Form):
    reason = reason_field()


class LevelChangeForm(forms.Form):
    level = forms.ModelChoiceField(label=_("New level"), queryset=ClubLevel.objects.none())
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[
        ("", _("Unchanged")), (MemberStatus.ACTIVE, _("Active (reinstate)")), (MemberStatus.SUSPENDED, _("Suspended")),
    ])
    reason = reason_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = _levels()


class RunForm(forms.Form):
    period = forms.CharField(label=_("Billed month"), max_length=7, widget=MONTH)


class DunningMarkForm(forms.Form):
    note = reason_field(_("Review note"), required=False)
    open_case = forms.BooleanField(label=_("Open the arrears process for the customer now"), required=False)


class DunningHandleForm(forms.Form):
    result = forms.ChoiceField(label=_("Contact result"), choices=ContactResult.choices)
    promised_on = forms.DateField(label=_("Promised to pay by"), required=False, widget=DATE)
    note = reason_field(_("Contact note"), required=False)

"""Forms of the terminal pages. They only collect input; the services decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kams.customers.enums import Business
from kams.terminals.enums import SubsidyKind
from kams.terminals.models import HandsetModel

DATE = forms.DateInput(attrs={"type": "date"})


class HandsetModelForm(forms.Form):
    brand = forms.CharField(label=_("Brand"), max_length=40)
    model = forms.CharField(label=_("Model"), max_length=60)
    list_price = forms.DecimalField(label=_("List price"), max_digits=12, decimal_places=2, min_value=0)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class SubsidyLevelForm(forms.Form):
    handset_model = forms.ModelChoiceField(label=_("Handset model"), queryset=HandsetModel.objects.filter(is_active=True))
    business = forms.ChoiceField(label=_("Business"), choices=Business.choices, initial=Business.MOBILE)
    package = forms.CharField(label=_("Package"), max_length=40, required=False,
                              help_text=_("Empty: every package of the business."))
    kind = forms.ChoiceField(label=_("Subsidy kind"), choices=SubsidyKind.choices)
    value = forms.DecimalField(label=_("Amount or percentage"), max_digits=12, decimal_places=2, min_value=0)
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valid_from"].initial = timezone.localdate()


class SaleForm(forms.Form):
    imei = forms.CharField(label=_("IMEI"), max_length=20, widget=forms.TextInput(attrs={"placeholder": "15 digits"}))
    msisdn = forms.CharField(label=_("Subscriber number"), max_length=20)
    handset_model = forms.ModelChoiceField(label=_("Handset model"), queryset=HandsetModel.objects.filter(is_active=True),
                                           required=False, help_text=_("Empty: the model recorded on the handset."))
    business = forms.ChoiceField(label=_("Business"), choices=Business.choices, initial=Business.MOBILE)
    package = forms.CharField(label=_("Package"), max_length=40, required=False)
    commitment_months = forms.IntegerField(label=_("Commitment months"), min_value=1, max_value=60, initial=24)
    sold_on = forms.DateField(label=_("Sold on"), widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sold_on"].initial = timezone.localdate()


class ObservationUploadForm(forms.Form):
    file = forms.FileField(label=_("Observation file (.csv or .xlsx)"))


class ConfirmForm(forms.Form):
    recovery_amount = forms.DecimalField(label=_("Subsidy to recover from the agent"), max_digits=12, decimal_places=2,
                                         min_value=0, required=False,
                                         help_text=_("Empty: the part of the subsidy not yet amortised."))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class DismissForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)

from django import forms
from django.utils.translation import gettext_lazy as _

from kams.collection.models import AdmissionRule
from kams.customers.forms import StaffChoiceField, account_manager_choices, reason_field


class RuleForm(forms.ModelForm):
    reason = reason_field()

    class Meta:
        model = AdmissionRule
        fields = ["name", "customer_type", "min_monthly_revenue", "months", "min_members", "is_active", "note"]

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "reason"}


class AdmitForm(forms.Form):
    manager = StaffChoiceField(label=_("Account manager"), queryset=None, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, customer, **kwargs):
        super().__init__(*args, **kwargs)
        managers = account_manager_choices(user).filter(org_unit__path__startswith=customer.org_unit.scope_anchor().path)
        self.fields["manager"].queryset = managers
        if customer.account_manager_id:
            self.fields["manager"].initial = customer.account_manager_id


class RejectForm(forms.Form):
    reason = reason_field(required=False)


class DoneForm(forms.Form):
    result = forms.CharField(label=_("Result"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class MergeForm(forms.Form):
    survivor = forms.TypedChoiceField(label=_("Customer kept"), coerce=int, widget=forms.RadioSelect)
    reason = reason_field()

    def __init__(self, *args, pair, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survivor"].choices = [(c.pk, f"{c.code} {c.name}") for c in (pair.a, pair.b)]

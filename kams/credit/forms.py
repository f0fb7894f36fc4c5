from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from kams.credit.enums import CreditGrade
from kams.customers.enums import CustomerType


def reason_field(required: bool = False) -> forms.CharField:
    """Whether a reason is needed is the service's rule; the form only collects it."""
    return forms.CharField(label=_("Reason"), max_length=500, required=required, widget=forms.Textarea(attrs={"rows": 2}))


class CreditSetForm(forms.Form):
    grade = forms.ChoiceField(label=_("Grade"), choices=CreditGrade.choices)
    limit = forms.DecimalField(
        label=_("Credit limit (yuan)"), required=False, min_value=Decimal("0"), max_digits=14, decimal_places=2,
        help_text=_("Empty: the standard limit of the grade."),
    )
    reason = reason_field()


class StandardForm(forms.Form):
    credit_limit = forms.DecimalField(label=_("credit limit (yuan)"), min_value=Decimal("0"), max_digits=14, decimal_places=2)
    window_months = forms.IntegerField(label=_("months judged"), min_value=1, max_value=24)
    min_arrears_months = forms.IntegerField(label=_("months in arrears at least"), min_value=1, max_value=24, required=False)
    min_arrears_amount = forms.DecimalField(
        label=_("overdue arrears at least (yuan)"), min_value=Decimal("0.01"), max_digits=14, decimal_places=2, required=False
    )
    min_late_payments = forms.IntegerField(label=_("late payments at least"), min_value=1, max_value=24, required=False)
    description = forms.CharField(label=_("description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    reason = reason_field()

    THRESHOLDS = ("min_arrears_months", "min_arrears_amount", "min_late_payments")

    def __init__(self, *args, grade: str, **kwargs):
        super().__init__(*args, **kwargs)
        if grade == CreditGrade.RED:
            # The red list is what meets no other standard: it has a limit, no thresholds.
            for name in self.THRESHOLDS + ("window_months",):
                del self.fields[name]


class RuleForm(forms.Form):
    priority = forms.IntegerField(label=_("priority"), min_value=1, max_value=32000, help_text=_("Lower numbers are tried first."))
    customer_type = forms.ChoiceField(label=_("customer type"), choices=[("", _("Any customer type")), *CustomerType.choices], required=False)
    max_level_rank = forms.IntegerField(
        label=_("level rank at most"), min_value=1, max_value=99, required=False,
        help_text=_("1 is the highest level; empty: any level, also none."),
    )
    grade = forms.ChoiceField(label=_("grade"), choices=CreditGrade.choices)
    note = forms.CharField(label=_("note"), max_length=200, required=False)
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)

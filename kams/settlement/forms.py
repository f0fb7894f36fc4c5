"""Settlement forms: input only; the services validate again and do the work."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from kams.channels.models import Agent, AgentType
from kams.customers.enums import Business
from kams.org.models import OrgUnit
from kams.settlement.enums import AdjustmentKind, RunKind, SchemeKind
from kams.settlement.models import BusinessScheme, CompositeScheme, Extraction


def _units(user):
    return OrgUnit.objects.visible_to(user)


class VariableForm(forms.Form):
    enabled = forms.BooleanField(label=_("Enabled"), required=False)
    businesses = forms.MultipleChoiceField(label=_("Business types (none: all)"), choices=Business.choices,
                                           required=False, widget=forms.CheckboxSelectMultiple)
    units = forms.ModelMultipleChoiceField(label=_("Org units (none: all)"), queryset=OrgUnit.objects.none(),
                                           required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = _units(user)


def parse_steps(text: str) -> list[dict]:
    """``1:50, 11:60`` → ``[{"from": 1, "amount": "50"}, {"from": 11, "amount": "60"}]``."""
    steps = []
    for part in (text or "").replace("；", ",").replace(";", ",").replace("，", ",").split(","):
        if not part.strip():
            continue
        start, _sep, amount = part.partition(":")
        steps.append({"from": start.strip(), "amount": amount.strip()})
    return steps


class SchemeForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=80)
    business = forms.ChoiceField(label=_("Business"), choices=Business.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=SchemeKind.choices)
    condition = forms.CharField(
        label=_("Condition"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_('A CEL expression over the settlement variables, e.g. paid >= 30 && package in ["gold"]. '
                    "Empty: every subscriber."))
    steps = forms.CharField(label=_("Commission steps"), required=False,
                            help_text=_("Commission: from rank:amount, e.g. 1:50, 11:60 (the 11th subscriber on earns "
                                        "60 yuan)."))
    base = forms.CharField(label=_("Shared fee expression"), required=False,
                           help_text=_("Revenue share: e.g. fee_mobile + fee_data."))
    rate = forms.DecimalField(label=_("Rate (%)"), required=False, max_digits=6, decimal_places=3)
    months = forms.IntegerField(label=_("Months shared"), required=False, min_value=1)
    units = forms.ModelMultipleChoiceField(label=_("Org units (none: all)"), queryset=OrgUnit.objects.none(),
                                           required=False, widget=forms.CheckboxSelectMultiple)
    agent_types = forms.ModelMultipleChoiceField(label=_("Agent types (none: all)"), queryset=AgentType.objects.all(),
                                                 required=False, widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = _units(user)


class CompositeForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=80)
    schemes = forms.ModelMultipleChoiceField(label=_("Business schemes (one per business type)"),
                                             queryset=BusinessScheme.objects.all(), widget=forms.CheckboxSelectMultiple)


class AgentSchemeForm(forms.Form):
    agent = forms.ModelChoiceField(label=_("Agent"), queryset=Agent.objects.none())
    primary = forms.ModelChoiceField(label=_("Primary composite scheme"), queryset=CompositeScheme.objects.all())
    valid_from = forms.DateField(label=_("Primary valid from"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(label=_("Primary valid until"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    fallback = forms.ModelChoiceField(label=_("Fallback composite scheme"), queryset=CompositeScheme.objects.all(),
                                      required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = Agent.objects.visible_to(user).order_by("code")


class TargetForm(forms.Form):
    period = forms.RegexField(label=_("Billing period"), regex=r"^\d{4}-\d{2}$", help_text=_("YYYY-MM"))
    agent = forms.ModelChoiceField(label=_("Agent"), queryset=Agent.objects.none(), required=False)
    unit = forms.ModelChoiceField(label=_("Marketing department"), queryset=OrgUnit.objects.none(), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = Agent.objects.visible_to(user).order_by("code")
        self.fields["unit"].queryset = _units(user)


class RunForm(TargetForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=RunKind.choices)
    extraction = forms.ModelChoiceField(label=_("Extraction"), queryset=Extraction.objects.none(), required=False,
                                        help_text=_("Empty: a new extraction is made first."))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["extraction"].queryset = Extraction.objects.visible_to(user).select_related("org_unit", "agent")


class AdjustmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[(AdjustmentKind.REWARD, AdjustmentKind.REWARD.label),
                                                       (AdjustmentKind.FINE, AdjustmentKind.FINE.label)])
    amount = forms.DecimalField(label=_("Amount (yuan)"), min_value=Decimal("0.01"), decimal_places=2)
    reason = forms.CharField(label=_("Reason"), max_length=200)


class SupplementForm(AdjustmentForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=[(AdjustmentKind.SUPPLEMENT, AdjustmentKind.SUPPLEMENT.label),
                                                       (AdjustmentKind.RECOVERY, AdjustmentKind.RECOVERY.label)])

"""Forms of the points cost pages. They only collect input; the services decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kams.club.enums import PointsCategory
from kams.clubstats import forecast as engine
from kams.clubstats.models import PointsScheme


def rule_fields(rule: engine.RuleValues) -> list[tuple[str, str, forms.Field]]:
    """(field name, value key, field) of the values a scheme may change in ``rule``."""
    out = []
    for key in engine.CHANGEABLE[rule.category]:
        name = f"rule__{rule.code}__{key}"
        if key == "rate":
            label = (_("%(rule)s: points per yuan") if rule.category == PointsCategory.CONSUMPTION
                     else _("%(rule)s: share of the consumption points taken")) % {"rule": rule.name}
            field = forms.DecimalField(label=label, min_value=Decimal("0"), max_digits=10, decimal_places=4)
        elif key == "amount":
            field = forms.IntegerField(label=_("%(rule)s: points") % {"rule": rule.name}, min_value=0)
        elif key == "min_years":
            field = forms.IntegerField(label=_("%(rule)s: from years on network") % {"rule": rule.name}, min_value=0)
        else:
            field = forms.IntegerField(label=_("%(rule)s: up to years on network (0: no cap)") % {"rule": rule.name},
                                       min_value=0)
        out.append((name, key, field))
    return out


class SchemeForm(forms.Form):
    """A scheme: name, rates, and every changeable value of the current rules (prefilled with
    the scheme's value where it changes one, else the current one); only changed values are kept."""

    name = forms.CharField(label=_("Scheme name"), max_length=80)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    redemption_rate = forms.DecimalField(
        label=_("Expected redemption rate (0–1)"), required=False, min_value=Decimal("0"), max_value=Decimal("1"),
        max_digits=5, decimal_places=4, help_text=_("Empty: the share redeemed in the last 12 months."),
    )
    cost_per_point = forms.DecimalField(
        label=_("Cost per point (yuan)"), required=False, min_value=Decimal("0"), max_digits=10, decimal_places=6,
        help_text=_("Empty: the cost of the redemptions of the last 12 months per point."),
    )

    def __init__(self, *args, scheme: PointsScheme | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rules = engine.current_rules(timezone.localdate().replace(day=1))
        changes = (scheme.rules if scheme else {}) or {}
        self.rule_keys: list[tuple[str, str, str, object]] = []
        for rule in self.rules:
            current = rule.values()
            for name, key, field in rule_fields(rule):
                field.initial = changes.get(rule.code, {}).get(key, current[key])
                field.help_text = _("Now: %(value)s") % {"value": current[key]}
                self.fields[name] = field
                self.rule_keys.append((name, rule.code, key, current[key]))

    def changes(self) -> dict[str, dict]:
        """The values that differ from the current rules."""
        out: dict[str, dict] = {}
        for name, code, key, current in self.rule_keys:
            value = self.cleaned_data.get(name)
            if value is None:
                continue
            if key == "rate":
                if Decimal(value) != Decimal(str(current)):
                    out.setdefault(code, {})[key] = str(value)
            elif int(value) != int(current):
                out.setdefault(code, {})[key] = int(value)
        return out


class ForecastForm(forms.Form):
    months = forms.IntegerField(label=_("Months of bills"), min_value=1, max_value=36, initial=12)

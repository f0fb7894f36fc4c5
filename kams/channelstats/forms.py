"""Forms of channel evaluation pages; the services validate again."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kams.channels.models import Agent
from kams.channelstats.enums import ExportFormat, ManualKind
from kams.channelstats.indicators import indicator_choices
from kams.channelstats.models import EvaluationModel
from kams.org.models import OrgUnit


def parse_items(text: str) -> list[dict]:
    """One indicator per line: ``code weight [linear floor target | rank]``."""
    items = []
    for line in (text or "").splitlines():
        parts = line.split()
        if not parts:
            continue
        item = {"indicator": parts[0], "weight": parts[1] if len(parts) > 1 else ""}
        if len(parts) > 2:
            item["method"] = parts[2]
        if len(parts) > 4:
            item["floor"], item["target"] = parts[3], parts[4]
        items.append(item)
    return items


class ModelForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=30,
                           help_text=_("Saving an existing code makes a new version of that model."))
    name = forms.CharField(label=_("Name"), max_length=80)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    items = forms.CharField(label=_("Indicators"), widget=forms.Textarea(attrs={"rows": 8, "class": "font-monospace"}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        codes = ", ".join(f"{code} ({label})" for code, label in indicator_choices())
        self.fields["items"].help_text = _(
            "One indicator per line: code, weight, then 'linear floor target' or 'rank'; the weights add up to 100. "
            "Indicators: %(codes)s") % {"codes": codes}


class RunForm(forms.Form):
    model = forms.ModelChoiceField(label=_("Evaluation model"), queryset=EvaluationModel.objects.filter(is_active=True))
    period = forms.CharField(label=_("Month"), widget=forms.DateInput(attrs={"type": "month"}))
    org_unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none(), required=False,
                                      help_text=_("Empty: the whole province."))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = OrgUnit.objects.visible_to(user).order_by("path")


class ManualScoreForm(forms.Form):
    agent = forms.ModelChoiceField(label=_("Agent"), queryset=Agent.objects.none())
    period = forms.CharField(label=_("Month"), widget=forms.DateInput(attrs={"type": "month"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=ManualKind.choices)
    value = forms.CharField(label=_("Value"), max_length=20)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = Agent.objects.visible_to(user).order_by("code")


class ExportForm(forms.Form):
    format = forms.ChoiceField(choices=ExportFormat.choices)



class ManualImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_(
        "UTF-8 CSV with the header agent_code,period,kind,value,note; period YYYY-MM, kind satisfaction or other."))

from django import forms
from django.utils.translation import gettext_lazy as _

from kams.org.models import Staff
from kams.service.enums import CaseSource


class CaseOpenForm(forms.Form):
    customer = forms.CharField(label=_("Customer (code or ID)"), required=False, max_length=40)
    title = forms.CharField(label=_("Title"), max_length=200)
    source = forms.ChoiceField(label=_("Received through"), choices=CaseSource.choices, initial=CaseSource.CENTER)


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.employee_no}, {obj.org_unit.name})"


class HandoverForm(forms.Form):
    to = StaffChoiceField(label=_("Hand over to"), queryset=Staff.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, staff_qs=None, **kwargs):
        super().__init__(*args, **kwargs)
        if staff_qs is not None:
            self.fields["to"].queryset = staff_qs


class ReassignForm(forms.Form):
    source = StaffChoiceField(label=_("Absent person"), queryset=Staff.objects.none())
    target = StaffChoiceField(label=_("Hand their steps to"), queryset=Staff.objects.none())
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args, staff_qs=None, **kwargs):
        super().__init__(*args, **kwargs)
        if staff_qs is not None:
            self.fields["source"].queryset = staff_qs
            self.fields["target"].queryset = staff_qs


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=300)


class UploadForm(forms.Form):
    file = forms.FileField(label=_("BPMN file"))
    note = forms.CharField(label=_("What changed"), max_length=300)


class ActivateForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class HolidayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=_("Name"), max_length=60)
    is_workday = forms.BooleanField(label=_("Working day (调休)"), required=False)

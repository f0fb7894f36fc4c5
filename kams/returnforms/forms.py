"""Forms of the return-form pages. Choices are scoped to the user; the services check again."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kams.channels.enums import AgentStatus
from kams.channels.models import Agent
from kams.customers.enums import Business, CertificateType
from kams.org.models import Staff

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class AgentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


def _agents(user):
    return Agent.objects.visible_to(user).filter(status=AgentStatus.REGISTERED).order_by("code")


class HandoverForm(forms.Form):
    agent = AgentChoice(label=_("Agent"), queryset=Agent.objects.none())
    received_by = forms.ModelChoiceField(label=_("Received by"), queryset=Staff.objects.none(), required=False)
    handed_at = forms.DateTimeField(label=_("Handed over at"), widget=DATETIME, required=False,
                                    help_text=_("Empty: now."), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    numbers = forms.CharField(
        label=_("Numbers"), widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("One number per line, optionally followed by the subscriber's name (13912345678 Zhang San), "
                    "or a range 13912345600-13912345699."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = _agents(user)
        self.fields["received_by"].queryset = Staff.objects.visible_to(user).order_by("name")
        staff = getattr(user, "staff", None)
        if staff is not None and not self.is_bound:
            self.initial.setdefault("received_by", staff.pk)

    def clean_handed_at(self):
        return self.cleaned_data["handed_at"] or timezone.now()


class EntryForm(forms.Form):
    agent = AgentChoice(label=_("Agent"), queryset=Agent.objects.none())
    msisdn = forms.CharField(label=_("Number"), max_length=20)
    subscriber_name = forms.CharField(label=_("Subscriber name"), max_length=60)
    certificate_type = forms.ChoiceField(label=_("Certificate type"), choices=CertificateType.choices,
                                         initial=CertificateType.ID_CARD)
    certificate_no = forms.CharField(label=_("Certificate number"), max_length=32, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False)
    package = forms.CharField(label=_("Package code"), max_length=40, required=False)
    business = forms.ChoiceField(label=_("Business"), choices=[("", _("The number's own"))] + list(Business.choices),
                                 required=False)
    activated_on = forms.DateField(label=_("Activation date"), widget=DATE)
    customer = forms.CharField(label=_("Customer number"), max_length=24, required=False,
                               help_text=_("An existing customer the subscriber belongs to; empty: a new individual "
                                           "customer is registered from the subscriber's data."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = _agents(user)
        if not self.is_bound:
            self.initial.setdefault("activated_on", timezone.localdate())


class EntryFileForm(forms.Form):
    agent = AgentChoice(label=_("Agent"), queryset=Agent.objects.none())
    file = forms.FileField(
        label=_("File (Excel or CSV)"),
        help_text=_("First line: number, name, certificate_type, certificate_no, phone, package, business, "
                    "activated_on (YYYY-MM-DD), customer (an existing customer number, optional). Every line is "
                    "entered, or none."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].queryset = _agents(user)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        return upload

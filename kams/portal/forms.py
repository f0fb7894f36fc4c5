"""Forms of the member portal: large controls for phones (no ``-sm``), the right keyboards
(``inputmode``) and autofill hints."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kams.club.enums import StatementChannel

INPUT = {"class": "form-control form-control-lg"}
CARD_ATTRS = {**INPUT, "inputmode": "numeric", "autocomplete": "username", "placeholder": _("Card number")}


class PasswordLoginForm(forms.Form):
    card_no = forms.CharField(label=_("Card number"), max_length=30, widget=forms.TextInput(attrs=CARD_ATTRS))
    password = forms.CharField(label=_("Password"), max_length=128, strip=False,
                               widget=forms.PasswordInput(attrs={**INPUT, "autocomplete": "current-password"}))


class CodeLoginForm(forms.Form):
    card_no = forms.CharField(label=_("Card number"), max_length=30, widget=forms.TextInput(attrs=CARD_ATTRS))
    code = forms.CharField(label=_("Code from the SMS"), max_length=6, required=False, widget=forms.TextInput(
        attrs={**INPUT, "inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}))


class PasswordForm(forms.Form):
    current = forms.CharField(label=_("Current password"), required=False, strip=False, max_length=128,
                              widget=forms.PasswordInput(attrs={**INPUT, "autocomplete": "current-password"}))
    password = forms.CharField(label=_("New password"), strip=False, max_length=128,
                               help_text=_("At least 8 characters, not only digits."),
                               widget=forms.PasswordInput(attrs={**INPUT, "autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("New password again"), strip=False, max_length=128,
                                widget=forms.PasswordInput(attrs={**INPUT, "autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password2") is not None and data["password"] != data["password2"]:
            self.add_error("password2", _("The two passwords differ."))
        return data


CONTACT_TIME_CHOICES = [
    ("", _("No preference")), ("morning", _("Mornings")), ("afternoon", _("Afternoons")),
    ("evening", _("Evenings")), ("any", _("Any time")),
]


class MemberDataForm(forms.Form):
    email = forms.CharField(label=_("E-mail"), required=False, max_length=254,
                            widget=forms.EmailInput(attrs={**INPUT, "autocomplete": "email"}))
    address = forms.CharField(label=_("Address"), required=False, max_length=200,
                              widget=forms.TextInput(attrs={**INPUT, "autocomplete": "street-address"}))
    statement_channel = forms.ChoiceField(label=_("Statements by"), choices=StatementChannel.choices,
                                          widget=forms.Select(attrs={"class": "form-select form-select-lg"}))
    hobbies = forms.CharField(label=_("Hobbies"), required=False, max_length=200,
                              widget=forms.TextInput(attrs=INPUT))
    contact_time = forms.ChoiceField(label=_("Best time to contact me"), choices=CONTACT_TIME_CHOICES, required=False,
                                     widget=forms.Select(attrs={"class": "form-select form-select-lg"}))
    care_wishes = forms.CharField(label=_("Wishes for personal care"), required=False, max_length=300,
                                  widget=forms.Textarea(attrs={**INPUT, "rows": 2}))


class PhoneForm(forms.Form):
    phone = forms.CharField(label=_("New mobile number"), max_length=20, required=False, widget=forms.TextInput(
        attrs={**INPUT, "inputmode": "tel", "autocomplete": "tel"}))
    code = forms.CharField(label=_("Code sent to the new number"), max_length=6, required=False, widget=forms.TextInput(
        attrs={**INPUT, "inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}))

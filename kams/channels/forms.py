"""Forms of the channel pages. They only collect input: the services check it (and scope,
and permission) again and refuse bad input with a translated message."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from kams.channels.enums import AgentCategory, AgentLevel, SubAccountKind
from kams.channels.models import AgentType
from kams.customers.enums import Business
from kams.org.enums import UnitKind
from kams.org.models import OrgUnit, Staff

DATE = forms.DateInput(attrs={"type": "date"})
MONTH = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM"})


class AgentForm(forms.Form):
    code = forms.CharField(label=_("Agent code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=120)
    category = forms.ChoiceField(label=_("Category"), choices=AgentCategory.choices)
    agent_type = forms.ModelChoiceField(label=_("Agent type"), queryset=AgentType.objects.filter(is_active=True),
                                        required=False)
    level = forms.ChoiceField(label=_("Channel level applied for"), choices=AgentLevel.choices)
    org_unit = forms.ModelChoiceField(label=_("Marketing department"), queryset=OrgUnit.objects.none())
    manager = forms.ModelChoiceField(label=_("Channel manager"), queryset=Staff.objects.none(), required=False)
    legal_person = forms.CharField(label=_("Legal representative"), max_length=40, required=False)
    licence_no = forms.CharField(label=_("Business licence number"), max_length=40, required=False)
    contact = forms.CharField(label=_("Contact person"), max_length=40, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    bank_name = forms.CharField(label=_("Bank"), max_length=60, required=False)
    bank_account = forms.CharField(label=_("Bank account"), max_length=40, required=False)
    credit_line = forms.CharField(label=_("Credit line (yuan)"), initial="0")
    stock_limit = forms.CharField(label=_("Stock limit"), initial="0", help_text=_("0: no limit."))
    credit_score = forms.CharField(label=_("Credit score"), initial="80")
    business_scope = forms.CharField(label=_("Businesses applied for (sell, serve)"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    field_names = ("code", "name", "category", "agent_type", "level", "org_unit", "manager", "legal_person",
                   "licence_no", "contact", "phone", "address", "bank_name", "bank_account", "credit_line",
                   "stock_limit", "credit_score", "note")

    def __init__(self, *args, user=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = OrgUnit.objects.visible_to(user).filter(kind=UnitKind.DEPARTMENT)
        self.fields["manager"].queryset = Staff.objects.visible_to(user).filter(is_active=True)
        if editing:
            for name in ("code", "level", "business_scope"):
                del self.fields[name]


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Review note"), widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("What the review of the application found."))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


class AuthoriseForm(forms.Form):
    business = forms.ChoiceField(label=_("Business"), choices=Business.choices)
    can_sell = forms.BooleanField(label=_("May sell"), required=False, initial=True)
    can_serve = forms.BooleanField(label=_("May serve"), required=False)
    stock_limit = forms.CharField(label=_("Stock limit"), initial="0", help_text=_("0: the agent's own limit."))


class RevokeForm(forms.Form):
    business = forms.ChoiceField(label=_("Business"), choices=Business.choices)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class LevelForm(forms.Form):
    level = forms.ChoiceField(label=_("New channel level"), choices=AgentLevel.choices)
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


class MoneyForm(forms.Form):
    """交费/提现: every sub-account is offered; the overdraft is refused by the ledger with its reason."""

    sub_account = forms.ChoiceField(label=_("Sub-account"), choices=SubAccountKind.choices)
    amount = forms.CharField(label=_("Amount (yuan)"), max_length=20)
    memo = forms.CharField(label=_("Memo"), max_length=300, required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=80)

    def __init__(self, *args, default_account: str = SubAccountKind.PREPAYMENT, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sub_account"].initial = default_account
        self.fields["idempotency_key"].initial = f"page-{uuid.uuid4().hex}"


class AgentTypeForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=60)
    category = forms.ChoiceField(label=_("Category"), choices=AgentCategory.choices)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    field_names = ("code", "name", "category", "is_active")

    def __init__(self, *args, user=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["code"]

"""Forms of the service-support pages. They collect input; the services judge it."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from kams.customers.enums import CustomerType
from kams.customers.models import Customer, Industry
from kams.org.models import OrgUnit, Staff
from kams.support.enums import (
    AnswerSatisfaction,
    CheckKind,
    CheckResult,
    ConsultationChannel,
    ConsultationTopic,
    Feasibility,
    LineStatus,
    LineType,
    NoticeKind,
    ResourceKind,
    SubjectKind,
)
from kams.support.models import ServiceClass, SolutionTemplate

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TEXT = forms.Textarea(attrs={"rows": 3})
MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": Decimal("0")}


class UserForm(forms.Form):
    """A form that knows who fills it in, to offer only what they may see."""

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)


class CustomerMixin:
    def clean_customer(self):
        code = (self.cleaned_data.get("customer") or "").strip()
        if not code:
            return None
        customer = Customer.objects.visible_to(self.user).filter(code__iexact=code).first()
        if customer is None:
            raise forms.ValidationError(_("No customer %(code)s in your scope.") % {"code": code})
        return customer


def staff_in_scope(user):
    return Staff.objects.visible_to(user).filter(is_active=True).select_related("org_unit").order_by("name")


def units_in_scope(user):
    return OrgUnit.objects.visible_to(user).order_by("path")


class TemplateForm(forms.Form):
    number = forms.CharField(label=_("Template number"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=120)
    valid_from = forms.DateField(label=_("Valid from"), widget=DATE)
    valid_until = forms.DateField(label=_("Valid until"), widget=DATE, required=False)
    customer_types = forms.MultipleChoiceField(
        label=_("Customer types"), choices=CustomerType.choices, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every type."),
    )
    industries = forms.ModelMultipleChoiceField(
        label=_("Industries"), queryset=Industry.objects.all(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every industry."),
    )
    content = forms.CharField(label=_("Solution content"), widget=forms.Textarea(attrs={"rows": 6}))
    equipment_notes = forms.CharField(label=_("Equipment"), widget=TEXT, required=False)
    engineering_notes = forms.CharField(label=_("Engineering"), widget=TEXT, required=False)
    change_note = forms.CharField(label=_("What changed"), max_length=300, required=False)

    def __init__(self, *args, revising=False, **kwargs):
        super().__init__(*args, **kwargs)
        if revising:
            del self.fields["number"]
            self.fields["change_note"].required = True
        else:
            del self.fields["change_note"]


class SolutionNewForm(CustomerMixin, UserForm):
    customer = forms.CharField(label=_("Customer number"), max_length=24)
    template = forms.ModelChoiceField(label=_("Solution template"), queryset=SolutionTemplate.objects.filter(is_current=True))
    case = forms.CharField(label=_("Green-channel case number"), max_length=24, required=False)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)

    def clean_case(self):
        from kams.service.models import Case

        number = (self.cleaned_data.get("case") or "").strip()
        if not number:
            return None
        case = Case.objects.visible_to(self.user).filter(number=number).first()
        if case is None:
            raise forms.ValidationError(_("No case %(number)s in your scope.") % {"number": number})
        return case


class SurveyForm(forms.Form):
    survey_result = forms.CharField(label=_("Resource survey result"), widget=TEXT)
    resources_available = forms.TypedChoiceField(
        label=_("Resources available"), choices=[("true", _("Yes")), ("false", _("No"))],
        coerce=lambda v: v == "true",
    )


class AnalysisForm(forms.Form):
    investment = forms.DecimalField(label=_("Investment (yuan)"), **MONEY)
    expected_monthly_revenue = forms.DecimalField(label=_("Expected monthly revenue (yuan)"), **MONEY)
    monthly_cost = forms.DecimalField(label=_("Monthly operating cost (yuan)"), required=False, **MONEY)


class ConcludeForm(forms.Form):
    feasibility = forms.ChoiceField(label=_("Feasibility"), choices=[c for c in Feasibility.choices if c[0] != Feasibility.PENDING])
    conclusion = forms.CharField(label=_("Feasibility report"), widget=forms.Textarea(attrs={"rows": 5}))


class ArchiveForm(forms.Form):
    category = forms.CharField(label=_("Archive category"), max_length=60)


class RecordForm(CustomerMixin, UserForm):
    customer = forms.CharField(label=_("Customer number"), max_length=24)
    kind = forms.ChoiceField(label=_("Resource kind"), choices=ResourceKind.choices)
    name = forms.CharField(label=_("Resource"), max_length=120)
    specification = forms.CharField(label=_("Specification"), max_length=200, required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, initial=1)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    accepted_on = forms.DateField(label=_("Accepted on"), widget=DATE, required=False)
    notes = forms.CharField(label=_("Notes"), widget=TEXT, required=False)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)
    reason = forms.CharField(label=_("Reason for the change"), max_length=300, required=False)

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["customer"]
            self.fields["reason"].required = True
        else:
            del self.fields["reason"]


class IndicatorForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=60)
    subject_kind = forms.ChoiceField(label=_("Applies to"), choices=[("", _("Every kind")), *SubjectKind.choices], required=False)
    weight = forms.DecimalField(label=_("Weight"), max_digits=5, decimal_places=2, min_value=Decimal("0.01"))
    max_score = forms.IntegerField(label=_("Maximum score"), min_value=1, max_value=1000, initial=100)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=32000, initial=0)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class AssessmentForm(UserForm):
    """Subject, month, and one score field per indicator that applies to the subject kind."""

    subject_kind = forms.ChoiceField(label=_("Subject kind"), choices=SubjectKind.choices)
    staff = forms.ModelChoiceField(label=_("Staff member"), queryset=Staff.objects.none(), required=False)
    subject_name = forms.CharField(label=_("Partner, channel or agent"), max_length=120, required=False)
    org_unit = forms.ModelChoiceField(label=_("Org unit"), queryset=OrgUnit.objects.none(), required=False)
    period = forms.DateField(label=_("Month"), widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
                             input_formats=["%Y-%m", "%Y-%m-%d"])
    comment = forms.CharField(label=_("Comment"), widget=TEXT, required=False)

    def __init__(self, *args, indicators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = staff_in_scope(self.user)
        self.fields["org_unit"].queryset = units_in_scope(self.user)
        self.indicators = list(indicators)
        for indicator in self.indicators:
            self.fields[f"score_{indicator.code}"] = forms.DecimalField(
                label=f"{indicator.name} (≤ {indicator.max_score}, ×{indicator.weight})", min_value=Decimal("0"),
                max_digits=6, decimal_places=2,
            )

    def scores(self) -> dict:
        return {i.code: self.cleaned_data.get(f"score_{i.code}") for i in self.indicators}


class ConsultationForm(CustomerMixin, UserForm):
    """快速录入: the few fields a hotline or hall clerk types while talking."""

    customer = forms.CharField(label=_("Customer number"), max_length=24, required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=ConsultationChannel.choices)
    topic = forms.ChoiceField(label=_("Topic"), choices=ConsultationTopic.choices)
    caller_name = forms.CharField(label=_("Caller"), max_length=60, required=False)
    caller_phone = forms.CharField(label=_("Caller phone"), max_length=20, required=False)
    asked_at = forms.DateTimeField(label=_("Time"), widget=DATETIME, required=False, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                   help_text=_("Empty: now."))
    content = forms.CharField(label=_("Question"), widget=TEXT)
    answer = forms.CharField(label=_("Answer"), widget=TEXT, required=False)
    answer_satisfaction = forms.ChoiceField(label=_("Satisfaction with the answer"), choices=[("", "—"), *AnswerSatisfaction.choices], required=False)


class ServiceClassForm(forms.Form):
    availability_pct = forms.DecimalField(label=_("Availability (%)"), max_digits=6, decimal_places=3, min_value=Decimal("90"), max_value=Decimal("100"))
    response_minutes = forms.IntegerField(label=_("Fault response (minutes)"), min_value=1)
    repair_hours = forms.DecimalField(label=_("Repair time (hours)"), max_digits=6, decimal_places=2, min_value=Decimal("0.25"))
    activation_days = forms.IntegerField(label=_("Activation time (working days)"), min_value=1)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)


class LineForm(CustomerMixin, UserForm):
    customer = forms.CharField(label=_("Customer number"), max_length=24)
    line_no = forms.CharField(label=_("Line number"), max_length=40)
    line_type = forms.ChoiceField(label=_("Line type"), choices=LineType.choices)
    service_class = forms.ModelChoiceField(label=_("Service class"), queryset=ServiceClass.objects.all())
    bandwidth_mbps = forms.IntegerField(label=_("Bandwidth (Mbit/s)"), min_value=1)
    a_end = forms.CharField(label=_("A end"), max_length=200)
    z_end = forms.CharField(label=_("Z end"), max_length=200, required=False)
    network_element = forms.CharField(label=_("Network element"), max_length=80)
    status = forms.ChoiceField(label=_("Status"), choices=LineStatus.choices)
    ordered_on = forms.DateField(label=_("Ordered on"), widget=DATE, required=False)
    activated_on = forms.DateField(label=_("Activated on"), widget=DATE, required=False)
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["customer"]
            del self.fields["line_no"]


class LineCheckForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CheckKind.choices)
    result = forms.ChoiceField(label=_("Result"), choices=CheckResult.choices)
    at = forms.DateTimeField(label=_("Time"), widget=DATETIME, required=False, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    availability_pct = forms.DecimalField(label=_("Availability (%)"), max_digits=6, decimal_places=3, required=False, min_value=0)
    latency_ms = forms.DecimalField(label=_("Latency (ms)"), max_digits=8, decimal_places=2, required=False, min_value=0)
    packet_loss_pct = forms.DecimalField(label=_("Packet loss (%)"), max_digits=6, decimal_places=3, required=False, min_value=0)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class FaultLinkForm(UserForm):
    case = forms.CharField(label=_("Fault case number"), max_length=24)
    responded_at = forms.DateTimeField(label=_("Responded at"), widget=DATETIME, required=False, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                       help_text=_("Empty: when the first step of the case was done."))
    restored_at = forms.DateTimeField(label=_("Restored at"), widget=DATETIME, required=False, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                      help_text=_("Empty: when the case is closed."))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean_case(self):
        from kams.service.models import Case

        number = self.cleaned_data["case"].strip()
        case = Case.objects.visible_to(self.user).filter(number=number).first()
        if case is None:
            raise forms.ValidationError(_("No case %(number)s in your scope.") % {"number": number})
        return case


class NoticeForm(UserForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=NoticeKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    network_element = forms.CharField(label=_("Network element"), max_length=80, required=False,
                                      help_text=_("Customers whose lines run over it are affected."))
    areas = forms.ModelMultipleChoiceField(label=_("Affected areas"), queryset=OrgUnit.objects.none(), required=False,
                                           help_text=_("Current customers of these units are affected."))
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    impact = forms.CharField(label=_("Impact"), widget=TEXT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = units_in_scope(self.user)


class StepForm(UserForm):
    name = forms.CharField(label=_("Step"), max_length=120)
    responsible = forms.ModelChoiceField(label=_("Responsible"), queryset=Staff.objects.none())
    due_at = forms.DateTimeField(label=_("Due at"), widget=DATETIME, required=False, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = staff_in_scope(self.user)


class TextForm(forms.Form):
    """One required text: a result, a summary, a reason."""

    text = forms.CharField(label=_("Text"), widget=TEXT)


class AckForm(forms.Form):
    acknowledged_by = forms.CharField(label=_("Acknowledged by"), max_length=60)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

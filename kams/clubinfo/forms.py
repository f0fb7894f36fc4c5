"""Forms of the club service-information pages. They only collect input; the services decide."""

from decimal import Decimal

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kams.care.models import Gift
from kams.club.models import ClubLevel
from kams.clubinfo.enums import ActivityKind, Audience, CareOccasion, Direction, IndicatorSource, ServiceKind
from kams.clubinfo.models import EvaluationIndicator, ServiceContent
from kams.org.enums import UnitKind
from kams.org.models import OrgUnit
from kams.support.enums import AnswerSatisfaction, ConsultationChannel

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def _levels_field(label, help_text=_("None chosen: all levels.")):
    return forms.ModelMultipleChoiceField(label=label, queryset=ClubLevel.objects.all(), required=False,
                                          widget=forms.CheckboxSelectMultiple, help_text=help_text)


def _units(user, kinds):
    return OrgUnit.objects.visible_to(user).filter(kind__in=kinds).order_by("path")


class UserForm(forms.Form):
    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)


class MemberField(forms.CharField):
    """A member by member number or card number."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Member number or card number"))
        kwargs.setdefault("max_length", 24)
        super().__init__(**kwargs)


class StandardForm(forms.Form):
    level = forms.ModelChoiceField(label=_("Level"), queryset=ClubLevel.objects.all())
    item = forms.CharField(label=_("Service item"), max_length=80)
    content = forms.CharField(label=_("Standard"), widget=forms.Textarea(attrs={"rows": 3}))
    commitment = forms.CharField(label=_("Commitment"), max_length=120, required=False)
    response_hours = forms.IntegerField(label=_("Response within (hours)"), min_value=1, required=False)
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, initial=0)
    is_active = forms.BooleanField(label=_("In force"), required=False, initial=True)


class ServiceContentForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=80)
    kind = forms.ChoiceField(label=_("Kind"), choices=ServiceKind.choices)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    levels = _levels_field(_("Levels entitled"), _("None chosen: every level."))
    times_per_year = forms.IntegerField(label=_("Times a year"), min_value=1, required=False,
                                        help_text=_("Empty: no limit."))
    provider = forms.CharField(label=_("Provided by"), max_length=80, required=False)
    is_active = forms.BooleanField(label=_("Offered"), required=False, initial=True)


class OutletForm(UserForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    city = forms.ModelChoiceField(label=_("City"), queryset=OrgUnit.objects.none())
    address = forms.CharField(label=_("Address"), max_length=200)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    hours = forms.CharField(label=_("Opening hours"), max_length=80, required=False)
    services = forms.ModelMultipleChoiceField(label=_("Services offered"), required=False,
                                              queryset=ServiceContent.objects.filter(is_active=True),
                                              widget=forms.CheckboxSelectMultiple)
    levels = _levels_field(_("Levels served"))
    is_active = forms.BooleanField(label=_("Operating"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = _units(self.user, [UnitKind.CITY])


class ActivityForm(UserForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices)
    org_unit = forms.ModelChoiceField(label=_("Organised by"), queryset=OrgUnit.objects.none())
    place = forms.CharField(label=_("Place"), max_length=200)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DATETIME, input_formats=DATETIME_FORMATS)
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DATETIME, input_formats=DATETIME_FORMATS)
    registration_deadline = forms.DateTimeField(label=_("Registration until"), widget=DATETIME, required=False,
                                                input_formats=DATETIME_FORMATS, help_text=_("Empty: until the activity ends."))
    capacity = forms.IntegerField(label=_("Places"), min_value=1)
    points_reward = forms.IntegerField(label=_("Points per participant"), min_value=0, initial=0)
    budget = forms.DecimalField(label=_("Budget (yuan)"), min_value=Decimal("0"), max_digits=12, decimal_places=2)
    levels = _levels_field(_("Levels invited"))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = _units(self.user, [UnitKind.CITY, UnitKind.PROVINCE])


class RegisterForm(forms.Form):
    member = MemberField()


class AttendanceForm(forms.Form):
    members = forms.TypedMultipleChoiceField(label=_("Attended"), coerce=int, choices=[],
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, registrations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(r.member_id, f"{r.member.member_no} {r.member.name}") for r in registrations]


class FeedbackForm(forms.Form):
    score = forms.TypedChoiceField(label=_("Score"), coerce=int, choices=[(n, str(n)) for n in (5, 4, 3, 2, 1)],
                                   widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment"), max_length=500, required=False)


class CloseForm(forms.Form):
    cost = forms.DecimalField(label=_("Cost (yuan)"), min_value=Decimal("0"), max_digits=12, decimal_places=2)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class ConsultationForm(forms.Form):
    member = MemberField()
    channel = forms.ChoiceField(label=_("Channel"), choices=ConsultationChannel.choices)
    question = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 3}))
    answer = forms.CharField(label=_("Answer"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    satisfaction = forms.ChoiceField(label=_("Satisfaction with the answer"), required=False,
                                     choices=[("", "—"), *AnswerSatisfaction.choices])


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 3}))
    satisfaction = forms.ChoiceField(label=_("Satisfaction with the answer"), required=False,
                                     choices=[("", "—"), *AnswerSatisfaction.choices])


class GiftChoiceMixin(UserForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stock_unit"].queryset = OrgUnit.objects.visible_to(self.user).order_by("path")


class GiftForm(GiftChoiceMixin):
    member = MemberField()
    gift = forms.ModelChoiceField(label=_("Gift"), queryset=Gift.objects.filter(is_active=True))
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, initial=1)
    occasion = forms.CharField(label=_("Occasion"), max_length=200)
    stock_unit = forms.ModelChoiceField(label=_("Issue from the stock of"), queryset=OrgUnit.objects.none(),
                                        required=False, help_text=_("Empty: the nearest stock above you that has the gift."))
    issued_on = forms.DateField(label=_("Date"), widget=DATE, required=False)


class CareForm(GiftChoiceMixin):
    member = MemberField()
    occasion = forms.ChoiceField(label=_("Occasion"), choices=CareOccasion.choices)
    content = forms.CharField(label=_("What was done"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    happened_on = forms.DateField(label=_("Date"), widget=DATE)
    gift = forms.ModelChoiceField(label=_("Gift"), queryset=Gift.objects.filter(is_active=True), required=False)
    gift_quantity = forms.IntegerField(label=_("Gift quantity"), min_value=1, initial=1)
    stock_unit = forms.ModelChoiceField(label=_("Issue from the stock of"), queryset=OrgUnit.objects.none(),
                                        required=False, help_text=_("Empty: the nearest stock above you that has the gift."))


class IndicatorForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=80)
    unit_label = forms.CharField(label=_("Unit"), max_length=20, required=False)
    weight = forms.DecimalField(label=_("Weight"), min_value=Decimal("0"), max_digits=6, decimal_places=2)
    target = forms.DecimalField(label=_("Target"), max_digits=14, decimal_places=2)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    source = forms.ChoiceField(label=_("Value from"), choices=IndicatorSource.choices)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    sort_order = forms.IntegerField(label=_("Order"), min_value=0, initial=0)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class EvaluationRunForm(UserForm):
    period_start = forms.DateField(label=_("From"), widget=DATE)
    period_end = forms.DateField(label=_("To"), widget=DATE)
    units = forms.ModelMultipleChoiceField(label=_("Cities"), queryset=OrgUnit.objects.none(), required=False,
                                           widget=forms.CheckboxSelectMultiple,
                                           help_text=_("None chosen: every city in your scope."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = _units(self.user, [UnitKind.CITY])


class EvaluationValueForm(forms.Form):
    indicator = forms.ModelChoiceField(label=_("Indicator"), queryset=EvaluationIndicator.objects.none())
    value = forms.DecimalField(label=_("Value"), max_digits=14, decimal_places=2, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        from kams.clubinfo.selectors import manual_indicators

        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = manual_indicators()


class AnnouncementForm(UserForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices)
    org_unit = forms.ModelChoiceField(label=_("For unit"), queryset=OrgUnit.objects.none(), required=False,
                                      help_text=_("Empty: the whole province."))
    levels = _levels_field(_("For levels"))
    publish_at = forms.DateTimeField(label=_("Published from"), widget=DATETIME, input_formats=DATETIME_FORMATS)
    expire_at = forms.DateTimeField(label=_("Until"), widget=DATETIME, required=False, input_formats=DATETIME_FORMATS,
                                    help_text=_("Empty: until withdrawn."))
    pinned = forms.BooleanField(label=_("Pinned"), required=False)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = OrgUnit.objects.visible_to(self.user).filter(
            Q(kind__in=[UnitKind.CITY, UnitKind.DISTRICT, UnitKind.PROVINCE])).order_by("path")

"""Pages of the club's service information, member services, activities, evaluation and
announcements. Every page reads through scoped selectors; every write goes to one service of
``kams.clubinfo.services`` (which checks permission and scope again and writes the audit log).
"""

from __future__ import annotations

import datetime
from functools import cached_property

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from kams.clubinfo import forms, selectors, services
from kams.clubinfo.enums import ActivityState, RegistrationState
from kams.clubinfo.filters import (
    ActivityFilter,
    AnnouncementFilter,
    CareFilter,
    ConsultationFilter,
    GiftFilter,
    IndicatorFilter,
    OutletFilter,
    RegistrationFilter,
    ServiceContentFilter,
    StandardFilter,
)
from kams.clubinfo.models import (
    Activity,
    ActivityRegistration,
    Announcement,
    Evaluation,
    EvaluationIndicator,
    MemberCare,
    MemberConsultation,
    MemberGift,
    ServiceContent,
    ServiceOutlet,
    ServiceStandard,
)
from kams.core.errors import InvalidInput, KamsError
from kams.web.exports import xlsx_response
from kams.web.lists import ListPage
from kams.web.pages import ServiceFormPage


class HtmlCell:
    """A cell shown as HTML on the page and as plain text in the Excel export."""

    def __init__(self, text, html):
        self.text, self.html = str(text), html

    def __str__(self) -> str:
        return self.text

    def __html__(self) -> str:
        return str(self.html)


def _links(*pairs) -> HtmlCell | str:
    shown = [(url, label) for url, label in pairs if url]
    if not shown:
        return ""
    return HtmlCell("", format_html_join(" ", '<a class="btn btn-sm btn-link py-0" href="{}">{}</a>', shown))


def _yes(value: bool) -> str:
    return gettext("Yes") if value else gettext("No")


def _levels(obj) -> str:
    names = [lv.name for lv in obj.levels.all()]
    return "、".join(names) if names else gettext("All levels")


def _member(user, text: str):
    member = selectors.member_lookup(user, text)
    if member is None:
        raise InvalidInput(gettext("member: no member with this number in your scope."))
    return member


class ClubListPage(ListPage):
    """A list with "new" buttons for those allowed: ``actions`` = [(perm, url name, label)]."""

    template_name = "clubinfo/list.html"
    actions: list = []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["actions"] = [
            {"url": reverse(name), "label": label, "id": name.split(":")[-1]}
            for perm, name, label in self.actions if user.has_perm(perm)
        ]
        return context


class UserFormPage(ServiceFormPage):
    def extra_form_kwargs(self):
        return {"user": self.request.user}


# --- Service information ------------------------------------------------------------------------------------


class StandardListPage(ClubListPage):
    """服务标准: what each level is promised."""

    permission_required = "clubinfo.view_servicestandard"
    model = ServiceStandard
    title = _("Service standards")
    filterset_class = StandardFilter
    export_name = "service-standards"
    actions = [("clubinfo.add_servicestandard", "clubinfo:standard_create", _("New service standard"))]
    columns = [
        (_("Level"), lambda s: s.level.name), (_("Service item"), lambda s: s.item), (_("Standard"), lambda s: s.content),
        (_("Commitment"), lambda s: s.commitment), (_("Response within (hours)"), lambda s: s.response_hours),
        (_("In force"), lambda s: _yes(s.is_active)),
    ]

    def get_base_queryset(self):
        return ServiceStandard.objects.select_related("level")

    def row_url(self, row):
        return reverse("clubinfo:standard_edit", args=[row.pk]) if self.request.user.has_perm("clubinfo.change_servicestandard") else None


class StandardFormPage(ServiceFormPage):
    permission_required = "clubinfo.add_servicestandard"
    form_class = forms.StandardForm
    success_message = _("The service standard was saved.")
    cancel_url = "/club/info/standards/"

    @cached_property
    def standard(self):
        if "pk" not in self.kwargs:
            return None
        found = ServiceStandard.objects.filter(pk=self.kwargs["pk"]).first()
        if found is None:
            raise Http404
        return found

    def get_initial(self):
        if self.standard is None:
            return {"is_active": True, "sort_order": 0}
        return {name: getattr(self.standard, name) for name in forms.StandardForm.base_fields}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", str(self.standard) if self.standard else _("New service standard"))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        return services.standard_save(actor=self.request.user, standard=self.standard, **form.cleaned_data)

    def success_url_for(self, obj):
        return reverse("clubinfo:standards")


class ServiceContentListPage(ClubListPage):
    """服务内容: the catalogue of member services."""

    permission_required = "clubinfo.view_servicecontent"
    model = ServiceContent
    title = _("Service content")
    filterset_class = ServiceContentFilter
    export_name = "service-content"
    actions = [("clubinfo.add_servicecontent", "clubinfo:service_create", _("New service"))]
    columns = [
        (_("Code"), lambda c: c.code), (_("Name"), lambda c: c.name), (_("Kind"), lambda c: c.get_kind_display()),
        (_("Levels entitled"), _levels), (_("Times a year"), lambda c: c.times_per_year or "—"),
        (_("Provided by"), lambda c: c.provider), (_("Offered"), lambda c: _yes(c.is_active)),
        (_("Description"), lambda c: c.description),
    ]

    def get_base_queryset(self):
        return ServiceContent.objects.prefetch_related("levels")

    def row_url(self, row):
        return reverse("clubinfo:service_edit", args=[row.pk]) if self.request.user.has_perm("clubinfo.change_servicecontent") else None


class ServiceContentFormPage(ServiceFormPage):
    permission_required = "clubinfo.add_servicecontent"
    form_class = forms.ServiceContentForm
    success_message = _("The service was saved.")
    cancel_url = "/club/info/services/"

    @cached_property
    def content(self):
        if "pk" not in self.kwargs:
            return None
        found = ServiceContent.objects.filter(pk=self.kwargs["pk"]).first()
        if found is None:
            raise Http404
        return found

    def get_initial(self):
        if self.content is None:
            return {"is_active": True}
        initial = {name: getattr(self.content, name) for name in forms.ServiceContentForm.base_fields if name != "levels"}
        initial["levels"] = list(self.content.levels.all())
        return initial

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", self.content.name if self.content else _("New service"))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        data = dict(form.cleaned_data)
        levels = data.pop("levels")
        return services.service_content_save(actor=self.request.user, content=self.content, levels=levels, **data)

    def success_url_for(self, obj):
        return reverse("clubinfo:services")


class OutletListPage(ClubListPage):
    """服务网点: every outlet of the province (published to members)."""

    permission_required = "clubinfo.view_serviceoutlet"
    model = ServiceOutlet
    title = _("Service outlets")
    filterset_class = OutletFilter
    export_name = "service-outlets"
    actions = [("clubinfo.add_serviceoutlet", "clubinfo:outlet_create", _("New outlet"))]
    columns = [
        (_("Name"), lambda o: o.name), (_("City"), lambda o: o.city.name), (_("Address"), lambda o: o.address),
        (_("Phone"), lambda o: o.phone), (_("Opening hours"), lambda o: o.hours),
        (_("Services offered"), lambda o: "、".join(s.name for s in o.services.all())),
        (_("Levels served"), _levels), (_("Operating"), lambda o: _yes(o.is_active)),
    ]

    def get_base_queryset(self):
        return ServiceOutlet.objects.select_related("city").prefetch_related("services", "levels")

    def row_url(self, row):
        user = self.request.user
        if user.has_perm("clubinfo.change_serviceoutlet") and selectors.unit_in_scope(user, row.city):
            return reverse("clubinfo:outlet_edit", args=[row.pk])
        return None


class OutletFormPage(UserFormPage):
    permission_required = "clubinfo.add_serviceoutlet"
    form_class = forms.OutletForm
    success_message = _("The outlet was saved.")
    cancel_url = "/club/info/outlets/"

    @cached_property
    def outlet(self):
        if "pk" not in self.kwargs:
            return None
        found = ServiceOutlet.objects.select_related("city").filter(pk=self.kwargs["pk"]).first()
        if found is None or not selectors.unit_in_scope(self.request.user, found.city):
            raise Http404
        return found

    def get_initial(self):
        if self.outlet is None:
            return {"is_active": True}
        initial = {name: getattr(self.outlet, name) for name in ("name", "city", "address", "phone", "hours", "is_active")}
        initial["services"] = list(self.outlet.services.all())
        initial["levels"] = list(self.outlet.levels.all())
        return initial

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", self.outlet.name if self.outlet else _("New outlet"))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        data = dict(form.cleaned_data)
        return services.outlet_save(actor=self.request.user, outlet=self.outlet, services=data.pop("services"),
                                    levels=data.pop("levels"), **data)

    def success_url_for(self, obj):
        return reverse("clubinfo:outlets")


# --- Activities -----------------------------------------------------------------------------------------------


class ActivityListPage(ClubListPage):
    """俱乐部会员活动: activities of the user's units and of the province."""

    permission_required = "clubinfo.view_activity"
    model = Activity
    title = _("Member activities")
    filterset_class = ActivityFilter
    export_name = "member-activities"
    sort_fields = {"start": "starts_at", "name": "name"}
    default_sort = "-start"
    actions = [("clubinfo.add_activity", "clubinfo:activity_create", _("New activity"))]
    columns = [
        (_("Name"), lambda a: a.name), (_("Kind"), lambda a: a.get_kind_display()),
        (_("Organised by"), lambda a: a.org_unit.name), (_("Starts at"), lambda a: a.starts_at),
        (_("Place"), lambda a: a.place), (_("Levels invited"), _levels), (_("Places"), lambda a: a.capacity),
        (_("Places taken"), lambda a: a.registered), (_("Points per participant"), lambda a: a.points_reward),
        (_("Budget (yuan)"), lambda a: a.budget), (_("Cost (yuan)"), lambda a: a.cost),
        (_("State"), lambda a: a.get_state_display()),
    ]

    def get_queryset(self):
        return selectors.activities_for(self.request.user).prefetch_related("levels")

    def row_url(self, row):
        return reverse("clubinfo:activity", args=[row.pk])


def _activity(user, pk) -> Activity:
    activity = selectors.activities_for(user).filter(pk=pk).first()
    if activity is None:
        raise Http404
    return activity


class ActivityFormPage(UserFormPage):
    permission_required = "clubinfo.add_activity"
    form_class = forms.ActivityForm
    success_message = _("The activity was saved.")
    cancel_url = "/club/info/activities/"

    @cached_property
    def activity(self):
        if "pk" not in self.kwargs:
            return None
        activity = _activity(self.request.user, self.kwargs["pk"])
        if not selectors.activity_in_scope(self.request.user, activity):
            raise Http404
        return activity

    def get_initial(self):
        if self.activity is None:
            start = (timezone.localtime() + datetime.timedelta(days=14)).replace(hour=14, minute=0, second=0, microsecond=0)
            return {"starts_at": start, "ends_at": start + datetime.timedelta(hours=3), "points_reward": 0, "capacity": 50}
        initial = {name: getattr(self.activity, name) for name in forms.ActivityForm.base_fields if name != "levels"}
        for name in ("starts_at", "ends_at", "registration_deadline"):
            if initial[name]:
                initial[name] = timezone.localtime(initial[name])
        initial["levels"] = list(self.activity.levels.all())
        return initial

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", self.activity.name if self.activity else _("New activity"))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        data = dict(form.cleaned_data)
        levels = data.pop("levels")
        return services.activity_save(actor=self.request.user, activity=self.activity, levels=levels, **data)

    def success_url_for(self, obj):
        return reverse("clubinfo:activity", args=[obj.pk])


class ActivityDetailPage(PermissionRequiredMixin, TemplateView):
    """An activity: its plan, figures, registrations (with attendance and feedback) and the
    actions of its state."""

    permission_required = "clubinfo.view_activity"
    template_name = "clubinfo/activity_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        activity = _activity(user, self.kwargs["pk"])
        runs = selectors.activity_in_scope(user, activity)
        may_run = runs and user.has_perm("clubinfo.change_activity")
        registrations = list(selectors.activity_registrations(user, activity))
        is_open = activity.state == ActivityState.OPEN
        return super().get_context_data(
            title=activity.name, activity=activity, figures=selectors.activity_figures(activity),
            registrations=registrations, levels=_levels(activity),
            may_edit=may_run and activity.state in (ActivityState.PLANNED, ActivityState.OPEN),
            may_open=may_run and activity.state == ActivityState.PLANNED,
            may_cancel=may_run and activity.state in (ActivityState.PLANNED, ActivityState.OPEN),
            may_attend=may_run and is_open and activity.starts_at <= timezone.now(),
            may_close=may_run and is_open and activity.starts_at <= timezone.now(),
            may_register=is_open and user.has_perm("clubinfo.add_activityregistration"),
            may_change_registration=user.has_perm("clubinfo.change_activityregistration"),
            states=RegistrationState, **kwargs,
        )


class ActivityOpenView(PermissionRequiredMixin, View):
    permission_required = "clubinfo.change_activity"

    def post(self, request, pk):
        activity = _activity(request.user, pk)
        try:
            services.activity_open(actor=request.user, activity=activity)
        except KamsError as exc:
            messages.error(request, exc.text)
        else:
            messages.success(request, gettext("The activity is open for registration."))
        return redirect("clubinfo:activity", pk=pk)


class _ActivityActionPage(ServiceFormPage):
    permission_required = "clubinfo.change_activity"

    @cached_property
    def activity(self):
        return _activity(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", f"{self.title}: {self.activity.name}")
        kwargs.setdefault("cancel_url", reverse("clubinfo:activity", args=[self.activity.pk]))
        return super().get_context_data(**kwargs)

    def success_url_for(self, obj):
        return reverse("clubinfo:activity", args=[self.activity.pk])


class ActivityCancelPage(_ActivityActionPage):
    form_class = forms.ReasonForm
    title = _("Cancel activity")
    success_message = _("The activity was cancelled.")

    def perform(self, form):
        return services.activity_cancel(actor=self.request.user, activity=self.activity, reason=form.cleaned_data["reason"])


class ActivityRegisterPage(_ActivityActionPage):
    permission_required = "clubinfo.add_activityregistration"
    form_class = forms.RegisterForm
    title = _("Register a member")
    success_message = _("The member is registered.")

    def perform(self, form):
        member = _member(self.request.user, form.cleaned_data["member"])
        return services.activity_register(actor=self.request.user, activity=self.activity, member=member)


class ActivityAttendancePage(_ActivityActionPage):
    form_class = forms.AttendanceForm
    title = _("Confirm attendance")
    success_message = _("Attendance was confirmed; the members were credited the activity's points.")
    template_name = "web/form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["registrations"] = [r for r in selectors.activity_registrations(self.request.user, self.activity)
                                   if r.state in (RegistrationState.REGISTERED, RegistrationState.ATTENDED)]
        return kwargs

    def get_initial(self):
        return {"members": [r.member_id for r in ActivityRegistration.objects.filter(
            activity=self.activity, state=RegistrationState.ATTENDED)]}

    def perform(self, form):
        return services.activity_attendance_confirm(actor=self.request.user, activity=self.activity,
                                                    members=form.cleaned_data["members"])


class ActivityClosePage(_ActivityActionPage):
    form_class = forms.CloseForm
    title = _("Close activity")
    success_message = _("The activity was closed.")

    def get_initial(self):
        return {"cost": self.activity.budget}

    def perform(self, form):
        return services.activity_close(actor=self.request.user, activity=self.activity, **form.cleaned_data)


class RegistrationListPage(ClubListPage):
    """活动报名: registrations of members in scope, by activity and state (Excel: the
    participant list)."""

    permission_required = "clubinfo.view_activityregistration"
    model = ActivityRegistration
    title = _("Activity registrations")
    filterset_class = RegistrationFilter
    export_name = "activity-registrations"
    columns = [
        (_("Activity"), lambda r: r.activity.name), (_("Starts at"), lambda r: r.activity.starts_at),
        (_("Member number"), lambda r: r.member.member_no), (_("Member"), lambda r: r.member.name),
        (_("Level"), lambda r: r.member.level.name), (_("Customer"), lambda r: r.member.customer.name),
        (_("State"), lambda r: r.get_state_display()), (_("Registered through"), lambda r: r.get_channel_display()),
        (_("Registered at"), lambda r: r.registered_at), (_("Points credited"), lambda r: r.points),
        (_("Feedback score (1-5)"), lambda r: r.feedback_score), (_("Feedback"), lambda r: r.feedback_comment),
    ]

    def get_queryset(self):
        return selectors.registrations_for(self.request.user)

    def row_url(self, row):
        return reverse("clubinfo:activity", args=[row.activity_id])


def _registration(user, pk) -> ActivityRegistration:
    found = ActivityRegistration.objects.select_related("activity", "member").filter(pk=pk).first()
    if found is None:
        raise Http404
    visible = selectors.activity_registrations(user, found.activity).filter(pk=pk).exists()
    if not visible or not selectors.activities_for(user).filter(pk=found.activity_id).exists():
        raise Http404
    return found


class FeedbackPage(ServiceFormPage):
    permission_required = "clubinfo.change_activityregistration"
    form_class = forms.FeedbackForm
    success_message = _("The feedback was recorded.")

    @cached_property
    def registration(self):
        return _registration(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        r = self.registration
        kwargs.setdefault("title", _("Feedback of %(member)s on %(activity)s") % {"member": r.member.name, "activity": r.activity.name})
        kwargs.setdefault("cancel_url", reverse("clubinfo:activity", args=[r.activity_id]))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        return services.activity_feedback_record(actor=self.request.user, registration=self.registration, **form.cleaned_data)

    def success_url_for(self, obj):
        return reverse("clubinfo:activity", args=[obj.activity_id])


class UnregisterPage(FeedbackPage):
    form_class = forms.ReasonForm
    success_message = _("The registration was cancelled.")

    def get_context_data(self, **kwargs):
        r = self.registration
        kwargs.setdefault("title", _("Cancel the registration of %(member)s") % {"member": r.member.name})
        return super().get_context_data(**kwargs)

    def perform(self, form):
        return services.activity_unregister(actor=self.request.user, registration=self.registration,
                                            reason=form.cleaned_data["reason"])


# --- Member services -------------------------------------------------------------------------------------------


class ConsultationListPage(ClubListPage):
    """会员咨询: members' questions and the answers."""

    permission_required = "clubinfo.view_memberconsultation"
    model = MemberConsultation
    title = _("Member consultations")
    filterset_class = ConsultationFilter
    export_name = "member-consultations"
    actions = [("clubinfo.add_memberconsultation", "clubinfo:consultation_create", _("Record a consultation"))]

    def get_queryset(self):
        return selectors.consultations_for(self.request.user)

    def get(self, request, *args, **kwargs):
        may_answer = request.user.has_perm("clubinfo.change_memberconsultation")
        self.columns = [
            (_("Time"), lambda c: c.consultation.asked_at), (_("Member"), lambda c: c.member.name),
            (_("Member number"), lambda c: c.member.member_no), (_("Channel"), lambda c: c.consultation.get_channel_display()),
            (_("Question"), lambda c: c.consultation.content), (_("Answer"), lambda c: c.consultation.answer),
            (_("Answered by"), lambda c: c.consultation.answered_by.name if c.consultation.answered_by else ""),
            (_("Satisfaction"), lambda c: c.consultation.get_answer_satisfaction_display()),
        ]
        if may_answer:
            self.columns.append((_("Answer"), lambda c: _links(
                (reverse("clubinfo:consultation_answer", args=[c.pk]), gettext("Answer")))))
        return super().get(request, *args, **kwargs)


class ConsultationFormPage(ServiceFormPage):
    permission_required = "clubinfo.add_memberconsultation"
    form_class = forms.ConsultationForm
    title = _("Record a member consultation")
    success_message = _("The consultation was recorded.")
    cancel_url = "/club/info/consultations/"

    def get_initial(self):
        return {"member": self.request.GET.get("member", ""), "channel": "10018"}

    def perform(self, form):
        data = dict(form.cleaned_data)
        member = _member(self.request.user, data.pop("member"))
        return services.member_consultation_record(actor=self.request.user, member=member, **data)

    def success_url_for(self, obj):
        return reverse("clubinfo:consultations")


class ConsultationAnswerPage(ServiceFormPage):
    permission_required = "clubinfo.change_memberconsultation"
    form_class = forms.AnswerForm
    success_message = _("The answer was recorded.")
    cancel_url = "/club/info/consultations/"

    @cached_property
    def link(self):
        return MemberConsultation.objects.select_related("consultation", "member").get_visible(self.request.user, pk=self.kwargs["pk"])

    def get_initial(self):
        return {"answer": self.link.consultation.answer, "satisfaction": self.link.consultation.answer_satisfaction}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", _("Answer %(member)s: %(question)s") % {
            "member": self.link.member.name, "question": self.link.consultation.content[:40]})
        return super().get_context_data(**kwargs)

    def perform(self, form):
        return services.member_consultation_answer(actor=self.request.user, link=self.link, **form.cleaned_data)

    def success_url_for(self, obj):
        return reverse("clubinfo:consultations")


class CareListPage(ClubListPage):
    """会员人情服务: care given to members."""

    permission_required = "clubinfo.view_membercare"
    title = _("Personal-care services")
    filterset_class = CareFilter
    export_name = "member-care"
    sort_fields = {"date": "happened_on"}
    default_sort = "-date"
    actions = [("clubinfo.add_membercare", "clubinfo:care_create", _("Record care given"))]
    columns = [
        (_("Date"), lambda c: c.happened_on), (_("Member"), lambda c: c.member.name),
        (_("Member number"), lambda c: c.member.member_no), (_("Occasion"), lambda c: c.get_occasion_display()),
        (_("What was done"), lambda c: c.content),
        (_("Gift"), lambda c: f"{c.gift.gift.name} × {c.gift.quantity}" if c.gift else ""),
        (_("Given by"), lambda c: c.handler.name if c.handler else ""),
    ]

    model = MemberCare

    def get_queryset(self):
        return selectors.care_for(self.request.user)


class CareFormPage(UserFormPage):
    permission_required = "clubinfo.add_membercare"
    form_class = forms.CareForm
    title = _("Record care given to a member")
    success_message = _("The care was recorded.")
    cancel_url = "/club/info/care/"

    def get_initial(self):
        return {"member": self.request.GET.get("member", ""), "happened_on": timezone.localdate(), "gift_quantity": 1}

    def perform(self, form):
        data = dict(form.cleaned_data)
        member = _member(self.request.user, data.pop("member"))
        return services.member_care_record(actor=self.request.user, member=member, **data)

    def success_url_for(self, obj):
        return reverse("clubinfo:care")


class GiftListPage(ClubListPage):
    """礼物赠送: gifts issued to members from the care stock."""

    permission_required = "clubinfo.view_membergift"
    title = _("Gifts to members")
    filterset_class = GiftFilter
    export_name = "member-gifts"
    sort_fields = {"date": "issued_on"}
    default_sort = "-date"
    actions = [("clubinfo.add_membergift", "clubinfo:gift_create", _("Give a gift"))]
    columns = [
        (_("Date"), lambda g: g.issued_on), (_("Member"), lambda g: g.member.name),
        (_("Member number"), lambda g: g.member.member_no), (_("Gift"), lambda g: g.gift.name),
        (_("Quantity"), lambda g: g.quantity), (_("Occasion"), lambda g: g.occasion),
        (_("Issued from"), lambda g: g.stock_unit.name), (_("Issued by"), lambda g: g.issued_by.name if g.issued_by else ""),
    ]

    model = MemberGift

    def get_queryset(self):
        return selectors.gifts_for(self.request.user)


class GiftFormPage(UserFormPage):
    permission_required = "clubinfo.add_membergift"
    form_class = forms.GiftForm
    title = _("Give a gift to a member")
    success_message = _("The gift was issued from stock.")
    cancel_url = "/club/info/gifts/"

    def get_initial(self):
        return {"member": self.request.GET.get("member", ""), "quantity": 1, "issued_on": timezone.localdate()}

    def perform(self, form):
        data = dict(form.cleaned_data)
        member = _member(self.request.user, data.pop("member"))
        return services.member_gift_issue(actor=self.request.user, member=member, **data)

    def success_url_for(self, obj):
        return reverse("clubinfo:gifts")


# --- Service-effect evaluation ------------------------------------------------------------------------------------


def _fmt(value) -> str:
    return "—" if value is None else f"{value}"


class EvaluationPage(PermissionRequiredMixin, TemplateView):
    """服务效果评估: one period's evaluation of the cities — values, achievements, weighted score,
    rank, the previous period — with a chart and an Excel export."""

    permission_required = "clubinfo.view_evaluation"
    template_name = "clubinfo/evaluation.html"

    def _period(self):
        periods = selectors.evaluation_periods(self.request.user)
        start, end = parse_date(self.request.GET.get("start") or ""), parse_date(self.request.GET.get("end") or "")
        if start and end:
            return periods, (start, end)
        return periods, (periods[0] if periods else None)

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            _periods, period = self._period()
            table = selectors.evaluation_table(request.user, *period) if period else {"indicators": [], "rows": []}
            columns = [
                (_("Rank"), lambda r: r["evaluation"].rank), (_("City"), lambda r: r["evaluation"].org_unit.name),
                *[(f"{i.name} ({i.unit_label})" if i.unit_label else i.name, (lambda n: lambda r: r["cells"][n].value if r["cells"][n] else None)(n))
                  for n, i in enumerate(table["indicators"])],
                (_("Score"), lambda r: r["evaluation"].score),
                (_("Previous score"), lambda r: r["previous"].score if r["previous"] else None),
                (_("Change"), lambda r: r["change"]),
            ]
            return xlsx_response(rows=table["rows"], columns=columns, filename="service-evaluation",
                                 sheet=str(_("Service-effect evaluation")))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        user = self.request.user
        periods, period = self._period()
        table = selectors.evaluation_table(user, *period) if period else {"indicators": [], "rows": []}
        chart = {
            "cities": [r["evaluation"].org_unit.name for r in table["rows"]],
            "score": [float(r["evaluation"].score) if r["evaluation"].score is not None else None for r in table["rows"]],
            "previous": [float(r["previous"].score) if r["previous"] and r["previous"].score is not None else None
                         for r in table["rows"]],
            "labels": {"score": gettext("Score"), "previous": gettext("Previous period")},
        }
        return super().get_context_data(
            title=_("Service-effect evaluation"), periods=periods, period=period, table=table, chart=chart,
            may_run=user.has_perm("clubinfo.add_evaluation"), may_enter=user.has_perm("clubinfo.change_evaluation"),
            has_manual=selectors.manual_indicators().exists(), **kwargs,
        )


class EvaluationRunPage(UserFormPage):
    permission_required = "clubinfo.add_evaluation"
    form_class = forms.EvaluationRunForm
    title = _("Evaluate a period")
    success_message = _("The cities were evaluated.")
    cancel_url = "/club/info/evaluation/"

    def get_initial(self):
        first = timezone.localdate().replace(day=1)
        last_month_end = first - datetime.timedelta(days=1)
        return {"period_start": last_month_end.replace(day=1), "period_end": last_month_end}

    def perform(self, form):
        data = form.cleaned_data
        self.period = (data["period_start"], data["period_end"])
        return services.evaluation_run(actor=self.request.user, period_start=data["period_start"],
                                       period_end=data["period_end"], units=list(data["units"]) or None)

    def success_url_for(self, obj):
        return reverse("clubinfo:evaluation") + f"?start={self.period[0]:%Y-%m-%d}&end={self.period[1]:%Y-%m-%d}"


class EvaluationValuePage(ServiceFormPage):
    permission_required = "clubinfo.change_evaluation"
    form_class = forms.EvaluationValueForm
    success_message = _("The value was saved; the score and the ranking were updated.")

    @cached_property
    def evaluation(self):
        return Evaluation.objects.select_related("org_unit").get_visible(self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", _("Value entered by hand: %(evaluation)s") % {"evaluation": self.evaluation})
        kwargs.setdefault("cancel_url", self._back())
        return super().get_context_data(**kwargs)

    def _back(self):
        e = self.evaluation
        return reverse("clubinfo:evaluation") + f"?start={e.period_start:%Y-%m-%d}&end={e.period_end:%Y-%m-%d}"

    def perform(self, form):
        return services.evaluation_value_set(actor=self.request.user, evaluation=self.evaluation, **form.cleaned_data)

    def success_url_for(self, obj):
        return self._back()


class IndicatorListPage(ClubListPage):
    """俱乐部服务效果评估指标."""

    permission_required = "clubinfo.view_evaluationindicator"
    model = EvaluationIndicator
    title = _("Evaluation indicators")
    filterset_class = IndicatorFilter
    export_name = "evaluation-indicators"
    actions = [("clubinfo.add_evaluationindicator", "clubinfo:indicator_create", _("New indicator"))]
    columns = [
        (_("Code"), lambda i: i.code), (_("Name"), lambda i: i.name), (_("Unit"), lambda i: i.unit_label),
        (_("Weight"), lambda i: i.weight), (_("Target"), lambda i: i.target),
        (_("Direction"), lambda i: i.get_direction_display()), (_("Value from"), lambda i: i.get_source_display()),
        (_("In use"), lambda i: _yes(i.is_active)), (_("Description"), lambda i: i.description),
    ]

    def row_url(self, row):
        return reverse("clubinfo:indicator_edit", args=[row.pk]) if self.request.user.has_perm("clubinfo.change_evaluationindicator") else None


class IndicatorFormPage(ServiceFormPage):
    permission_required = "clubinfo.add_evaluationindicator"
    form_class = forms.IndicatorForm
    success_message = _("The indicator was saved.")
    cancel_url = "/club/info/evaluation/indicators/"

    @cached_property
    def indicator(self):
        if "pk" not in self.kwargs:
            return None
        found = EvaluationIndicator.objects.filter(pk=self.kwargs["pk"]).first()
        if found is None:
            raise Http404
        return found

    def get_initial(self):
        if self.indicator is None:
            return {"is_active": True, "sort_order": 0, "direction": "higher", "source": "manual"}
        return {name: getattr(self.indicator, name) for name in forms.IndicatorForm.base_fields}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", self.indicator.name if self.indicator else _("New indicator"))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        return services.indicator_save(actor=self.request.user, indicator=self.indicator, **form.cleaned_data)

    def success_url_for(self, obj):
        return reverse("clubinfo:indicators")


# --- Announcements -------------------------------------------------------------------------------------------------


def _announcement_status(a, now) -> str:
    if a.withdrawn_at:
        return gettext("Withdrawn")
    if a.publish_at > now:
        return gettext("Scheduled")
    if a.expire_at and a.expire_at <= now:
        return gettext("Expired")
    return gettext("In force")


class AnnouncementListPage(ClubListPage):
    """会员服务公告 and 内部信息发布: every announcement the user may read."""

    permission_required = "clubinfo.view_announcement"
    model = Announcement
    title = _("Announcements")
    filterset_class = AnnouncementFilter
    export_name = "announcements"
    sort_fields = {"published": "publish_at"}
    actions = [("clubinfo.add_announcement", "clubinfo:announcement_create", _("New announcement"))]

    def get_queryset(self):
        return selectors.announcements_for(self.request.user).prefetch_related("levels")

    def get(self, request, *args, **kwargs):
        now = timezone.now()
        self.columns = [
            (_("Title"), lambda a: a.title), (_("Audience"), lambda a: a.get_audience_display()),
            (_("For unit"), lambda a: a.org_unit.name if a.org_unit else gettext("Whole province")),
            (_("For levels"), _levels), (_("Published from"), lambda a: a.publish_at), (_("Until"), lambda a: a.expire_at),
            (_("Pinned"), lambda a: _yes(a.pinned)), (_("Status"), lambda a: _announcement_status(a, now)),
            (_("Author"), lambda a: a.author.name if a.author else ""),
        ]
        return super().get(request, *args, **kwargs)

    def row_url(self, row):
        return reverse("clubinfo:announcement", args=[row.pk])


def _announcement(user, pk) -> Announcement:
    found = selectors.announcements_for(user).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


class AnnouncementDetailPage(PermissionRequiredMixin, TemplateView):
    permission_required = "clubinfo.view_announcement"
    template_name = "clubinfo/announcement_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        a = _announcement(user, self.kwargs["pk"])
        may_change = user.has_perm("clubinfo.change_announcement") and not a.withdrawn_at and selectors.announcement_in_scope(user, a)
        return super().get_context_data(title=a.title, a=a, levels=_levels(a), may_change=may_change,
                                        status=_announcement_status(a, timezone.now()), **kwargs)


class AnnouncementFormPage(UserFormPage):
    permission_required = "clubinfo.add_announcement"
    form_class = forms.AnnouncementForm
    success_message = _("The announcement was saved.")
    cancel_url = "/club/info/announcements/"

    @cached_property
    def announcement(self):
        if "pk" not in self.kwargs:
            return None
        found = _announcement(self.request.user, self.kwargs["pk"])
        if not selectors.announcement_in_scope(self.request.user, found):
            raise Http404
        return found

    def get_initial(self):
        if self.announcement is None:
            return {"publish_at": timezone.localtime().replace(second=0, microsecond=0), "audience": "members"}
        a = self.announcement
        initial = {name: getattr(a, name) for name in forms.AnnouncementForm.base_fields if name != "levels"}
        initial["publish_at"] = timezone.localtime(a.publish_at)
        initial["expire_at"] = timezone.localtime(a.expire_at) if a.expire_at else None
        initial["levels"] = list(a.levels.all())
        return initial

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", self.announcement.title if self.announcement else _("New announcement"))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        data = dict(form.cleaned_data)
        levels = data.pop("levels")
        return services.announcement_save(actor=self.request.user, announcement=self.announcement, levels=levels, **data)

    def success_url_for(self, obj):
        return reverse("clubinfo:announcement", args=[obj.pk])


class AnnouncementWithdrawPage(ServiceFormPage):
    permission_required = "clubinfo.change_announcement"
    form_class = forms.ReasonForm
    title = _("Withdraw announcement")
    success_message = _("The announcement was withdrawn.")
    cancel_url = "/club/info/announcements/"

    def perform(self, form):
        found = _announcement(self.request.user, self.kwargs["pk"])
        return services.announcement_withdraw(actor=self.request.user, announcement=found, reason=form.cleaned_data["reason"])

    def success_url_for(self, obj):
        return reverse("clubinfo:announcement", args=[obj.pk])


class NoticeBoardPage(PermissionRequiredMixin, TemplateView):
    """内部信息发布: the internal notices in force for the user's units, pinned first."""

    permission_required = "clubinfo.view_announcement"
    template_name = "clubinfo/board.html"

    def get_context_data(self, **kwargs):
        page = Paginator(selectors.notice_board(self.request.user), 20).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(title=_("Internal notices"), page_obj=page, query=query.urlencode(),
                                        may_add=self.request.user.has_perm("clubinfo.add_announcement"), **kwargs)

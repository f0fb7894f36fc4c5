"""Pages of club members and levels (CLUB-01 … CLUB-04).

Every page reads through the scoped selectors of ``member_selectors``; every write goes to
one service (``members``, ``levels``, ``dunning``), which checks permission and scope again
and writes the audit log. Certificate and phone numbers are masked unless the reader's role
may see personal data.
"""

from __future__ import annotations

import datetime
from functools import cached_property
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from kams.club import dunning, levels, members
from kams.club import member_selectors as selectors
from kams.club.enums import DunningState, LevelChangeKind, MemberStatus
from kams.club.filters_members import ArrearsFilter, DunningFilter, LevelChangeFilter, MemberFilter, RiskFilter
from kams.club.forms_members import (
    ApproveForm,
    DunningHandleForm,
    DunningMarkForm,
    LevelChangeForm,
    LevelForm,
    MemberCreateForm,
    MemberEditForm,
    RejectForm,
    RunForm,
)
from kams.club.models import ClubLevel, ClubMember, MemberDunning
from kams.core.errors import InvalidInput, KamsError
from kams.customers.models import Customer
from kams.web.lists import ListPage
from kams.web.pages import ServiceFormPage

PERSONAL = ("msisdn", "certificate_no", "phone")


class HtmlCell:
    """A cell shown as HTML on the page and as plain text in the Excel export."""

    def __init__(self, text, html):
        self.text, self.html = str(text), html

    def __str__(self) -> str:
        return self.text

    def __html__(self) -> str:
        return str(self.html)


def _links(*pairs) -> HtmlCell:
    shown = [(url, label) for url, label in pairs if url]
    return HtmlCell("", format_html_join(" ", '<a class="btn btn-sm btn-link py-0" href="{}">{}</a>', shown))


def _balance(member) -> int | str:
    try:
        return member.points.balance
    except Exception:  # no points account yet (an applicant)
        return ""


def _manager(member) -> str:
    manager = member.customer.account_manager
    return manager.name if manager else ""


def dunning_case_url(member, arrears: dict) -> str:
    """The service domain's own page for a new arrears case, prefilled for the customer."""
    query = {"process": "arrears", "customer": member.customer_id,
             "title": gettext("Dunning of club member %(member)s") % {"member": f"{member.member_no} {member.name}"},
             "d-billed_amount": f"{arrears['arrears']:.2f}"}
    if arrears.get("oldest"):
        query["d-period"] = f"{arrears['oldest']:%Y-%m}"
    return reverse("service:case_new") + "?" + urlencode(query)


class _MaskedList(ListPage):
    """Lists of members (or of rows with a ``member``) mask personal data for the reader."""

    member_path = ""

    def prepare(self, rows):
        visible = selectors.personal_visible(self.request.user)
        for row in rows:
            selectors.masked(getattr(row, self.member_path) if self.member_path else row, None, visible=visible)
        return rows


# --- Members (会员基本资料, 会员个性化资料) ------------------------------------------------------------------


class MemberListPage(_MaskedList):
    """俱乐部会员: members in scope with filters, paging and Excel export."""

    permission_required = "club.view_clubmember"
    title = _("Club members")
    filterset_class = MemberFilter
    export_name = "club-members"
    template_name = "club/members/list.html"
    sort_fields = {"no": "member_no", "name": "name", "level": "level__rank", "joined": "joined_on"}
    default_sort = "no"
    columns = [
        (_("Member number"), lambda m: m.member_no),
        (_("Name"), lambda m: m.name),
        (_("Level"), lambda m: m.level.name),
        (_("Status"), lambda m: m.get_status_display()),
        (_("Customer"), lambda m: m.customer.name),
        (_("Region"), lambda m: m.customer.org_unit.name),
        (_("Account manager"), _manager),
        (_("Number"), lambda m: m.msisdn),
        (_("Mobile for notices"), lambda m: m.phone),
        (_("Member since"), lambda m: m.joined_on),
        (_("Points balance"), _balance),
    ]

    def get_queryset(self):
        return selectors.members_for(self.request.user).select_related("points")

    def row_url(self, row):
        return reverse("club:member", args=[row.pk])


class MemberDetailPage(PermissionRequiredMixin, TemplateView):
    """One member: base and personal data, level history, cards, points, redemptions, arrears."""

    permission_required = "club.view_clubmember"
    template_name = "club/members/detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        member = selectors.member_visible(user, self.kwargs["pk"])
        detail = selectors.member_detail(user, member)
        selectors.masked(member, user)
        context = super().get_context_data(title=f"{member.member_no} {member.name}", member=member, **detail, **kwargs)
        context["may_edit"] = user.has_perm("club.change_clubmember")
        context["may_review"] = user.has_perm("club.review_clubmember")
        context["open_dunning"] = next((d for d in detail["dunnings"] if d.state == DunningState.MARKED), None)
        if detail["arrears"]["arrears"] > 0 and user.has_perm("service.add_case"):
            context["case_url"] = dunning_case_url(member, detail["arrears"])
        return context


def _customer_from(user, ref: str) -> Customer:
    ref = (ref or "").strip()
    found = Customer.objects.visible_to(user).filter(Q(code=ref) | Q(pk=int(ref) if ref.isdigit() else -1)).first()
    if found is None:
        raise InvalidInput(gettext("customer: no customer with this number or ID in your scope."))
    return found


class MemberCreatePage(ServiceFormPage):
    """入会: a new member, admitted at once by a reviewer or waiting for the review."""

    permission_required = "club.add_clubmember"
    form_class = MemberCreateForm
    title = _("New club member")

    def extra_form_kwargs(self):
        return {"may_admit": self.request.user.has_perm("club.review_clubmember")}

    def get_initial(self):
        return {"customer": self.request.GET.get("customer", "")}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("cancel_url", reverse("club:members"))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        values = form.member_values()
        customer = _customer_from(self.request.user, values.pop("customer"))
        name, level, admit = values.pop("name"), values.pop("level"), values.pop("admit", False)
        member = members.member_create(actor=self.request.user, customer=customer, name=name, level=level, admit=admit,
                                       reason=form.cleaned_data.get("reason", ""), **values)
        self.success_message = (gettext("Member %(no)s is admitted.") if admit else
                                gettext("Member %(no)s awaits the qualification review.")) % {"no": member.member_no}
        return member

    def success_url_for(self, obj):
        return reverse("club:member", args=[obj.pk])


class _MemberPage(ServiceFormPage):
    @cached_property
    def member(self):
        return selectors.member_visible(self.request.user, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", f"{self.title}: {self.member.member_no} {self.member.name}")
        kwargs.setdefault("cancel_url", reverse("club:member", args=[self.member.pk]))
        return super().get_context_data(**kwargs)

    def success_url_for(self, obj):
        return reverse("club:member", args=[self.member.pk])


class MemberEditPage(_MemberPage):
    """会员资料修改: base and personal data; personal numbers only for who may see them."""

    permission_required = "club.change_clubmember"
    form_class = MemberEditForm
    title = _("Edit member data")
    success_message = _("The member's data was saved.")

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if not selectors.personal_visible(self.request.user):
            for name in PERSONAL:
                del form.fields[name]
        return form

    def get_initial(self):
        m = self.member
        prefs = m.preferences if isinstance(m.preferences, dict) else {}
        return {**{name: getattr(m, name) for name in MemberEditForm.base_fields if hasattr(m, name)},
                **{key: prefs.get(key, "") for key in MemberEditForm.PREFERENCES}}

    def perform(self, form):
        values = form.member_values()
        prefs = self.member.preferences if isinstance(self.member.preferences, dict) else {}
        values["preferences"] = {**{k: v for k, v in prefs.items() if k not in MemberEditForm.PREFERENCES},
                                 **values["preferences"]}
        return members.member_update(actor=self.request.user, member=self.member,
                                     reason=form.cleaned_data.get("reason", ""), **values)


class MemberLevelPage(_MemberPage):
    """会员级别修改: a new level (and status) by hand, with a reason."""

    permission_required = "club.review_clubmember"
    form_class = LevelChangeForm
    title = _("Change level")
    success_message = _("The level was changed.")

    def get_initial(self):
        return {"level": self.member.level_id}

    def perform(self, form):
        data = form.cleaned_data
        return levels.member_level_change(actor=self.request.user, member=self.member, level=data["level"],
                                          reason=data["reason"], status=data["status"] or None)


# --- Qualification review (会员资格审核) ---------------------------------------------------------------------


def _yes_no(ok: bool) -> HtmlCell:
    text = gettext("Yes") if ok else gettext("No")
    return HtmlCell(text, format_html('<span class="badge text-bg-{}">{}</span>', "success" if ok else "warning", text))


class ReviewListPage(_MaskedList):
    """会员资格审核: applicants with their average paid bill and tenure against the rules."""

    permission_required = "club.review_clubmember"
    title = _("Qualification review")
    filterset_class = MemberFilter
    export_name = "club-applicants"

    def get_queryset(self):
        return selectors.applicants_for(self.request.user)

    def prepare(self, rows):
        rows = super().prepare(rows)
        figures = levels.review_figures(rows)
        for row in rows:
            row.figures = figures.get(row.pk)
        return rows

    def get(self, request, *args, **kwargs):
        def fig(attr):
            return lambda m: getattr(m.figures, attr) if m.figures else ""

        self.columns = [
            (_("Member number"), lambda m: m.member_no),
            (_("Name"), lambda m: m.name),
            (_("Customer"), lambda m: m.customer.name),
            (_("Region"), lambda m: m.customer.org_unit.name),
            (_("Level applied for"), lambda m: m.level.name),
            (_("Months reviewed"), lambda m: m.level.review_months),
            (_("Average monthly paid"), fig("average")),
            (_("Required"), lambda m: m.level.min_monthly_paid),
            (_("Months on network"), fig("tenure")),
            (_("Required months"), lambda m: m.level.min_tenure_months),
            (_("Meets the rules"), lambda m: _yes_no(bool(m.figures and m.figures.meets_paid and m.figures.meets_tenure))),
            (_("Qualifies for"), lambda m: m.figures.suggested.name if m.figures and m.figures.suggested else "—"),
            (_("Applied at"), lambda m: m.created_at),
            (_("Decide"), lambda m: _links((reverse("club:member_approve", args=[m.pk]), gettext("Approve")),
                                           (reverse("club:member_reject", args=[m.pk]), gettext("Reject")))),
        ]
        return super().get(request, *args, **kwargs)

    def row_url(self, row):
        return reverse("club:member", args=[row.pk])


class ApprovePage(_MemberPage):
    permission_required = "club.review_clubmember"
    form_class = ApproveForm
    title = _("Admit member")
    success_message = _("The member is admitted.")

    def perform(self, form):
        return levels.member_approve(actor=self.request.user, member=self.member, level=form.cleaned_data["level"],
                                     note=form.cleaned_data["note"])


class RejectPage(_MemberPage):
    permission_required = "club.review_clubmember"
    form_class = RejectForm
    title = _("Reject application")
    success_message = _("The application is rejected.")

    def perform(self, form):
        return levels.member_reject(actor=self.request.user, member=self.member, reason=form.cleaned_data["reason"])

    def success_url_for(self, obj):
        return reverse("club:review")


# --- Levels and rules (级别定义维护, 级别规则管理) -----------------------------------------------------------------


class LevelListPage(PermissionRequiredMixin, TemplateView):
    permission_required = "club.view_clublevel"
    template_name = "club/members/levels.html"

    def get_context_data(self, **kwargs):
        from django.db.models import Count

        counts = dict(ClubMember.objects.visible_to(self.request.user).filter(status=MemberStatus.ACTIVE)
                      .values("level").annotate(n=Count("pk")).values_list("level", "n").order_by())
        rows = list(ClubLevel.objects.order_by("rank"))
        for level in rows:
            level.active_members = counts.get(level.pk, 0)  # the reader's own members only
        return super().get_context_data(title=_("Club levels"), levels=rows, **kwargs)


class LevelRulesPage(PermissionRequiredMixin, TemplateView):
    permission_required = "club.view_clublevel"
    template_name = "club/members/rules.html"

    def get_context_data(self, **kwargs):
        rows = list(ClubLevel.objects.filter(is_active=True).order_by("rank"))
        for index, level in enumerate(rows):
            level.next_lower = rows[index + 1] if index + 1 < len(rows) else None
        return super().get_context_data(title=_("Level rules"), levels=rows, **kwargs)


class LevelEditPage(ServiceFormPage):
    permission_required = "club.change_clublevel"
    form_class = LevelForm
    title = _("Edit level")
    success_message = _("The level was saved.")

    @cached_property
    def level(self):
        from django.shortcuts import get_object_or_404

        return get_object_or_404(ClubLevel, pk=self.kwargs["pk"])

    def get_initial(self):
        return {name: getattr(self.level, name) for name in LevelForm.base_fields if name != "reason"}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", f"{self.title}: {self.level.name}")
        kwargs.setdefault("cancel_url", reverse("club:levels"))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        values = dict(form.cleaned_data)
        reason = values.pop("reason", "")
        return levels.level_update(actor=self.request.user, level=self.level, reason=reason, **values)

    def success_url_for(self, obj):
        return reverse("club:levels")


# --- Runs: upgrade/downgrade (会员升降级处理) and the annual inspection (会员年检) ---------------------------------


def changes_url(kind: str, period: datetime.date) -> str:
    value = f"{period:%Y-%m}" if kind == LevelChangeKind.AUTO else period.isoformat()
    return reverse("club:level_changes") + "?" + urlencode({"kind": kind, "period": value})


class _RunsPage(PermissionRequiredMixin, TemplateView):
    template_name = "club/members/runs.html"
    kind = ""
    perm_run = ""

    def get_context_data(self, **kwargs):
        runs = list(selectors.level_runs(self.kind)[:36])
        for run in runs:
            run.changes_url = changes_url(self.kind, run.period)
        kwargs.setdefault("form", self.form_class() if self.form_class else None)
        return super().get_context_data(title=self.title, runs=runs, kind=self.kind,
                                        may_run=self.request.user.has_perm(self.perm_run), **kwargs)

    def post(self, request, *args, **kwargs):
        form = self.form_class(request.POST) if self.form_class else None
        if form is not None and not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            run = self.run(form)
        except KamsError as exc:
            messages.error(request, exc.text)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, self.done_message(run))
        return redirect(changes_url(self.kind, run.period))


class LevelRunsPage(_RunsPage):
    """会员升降级处理: run the month's upgrade/downgrade and see each month's changes."""

    permission_required = "club.review_clubmember"
    perm_run = "club.review_clubmember"
    kind = LevelChangeKind.AUTO
    title = _("Level upgrade and downgrade")
    form_class = RunForm

    def get_context_data(self, **kwargs):
        latest = levels.latest_billed_period()
        kwargs.setdefault("form", RunForm(initial={"period": f"{latest:%Y-%m}" if latest else ""}))
        return super().get_context_data(**kwargs)

    def run(self, form):
        return levels.levels_evaluate(actor=self.request.user, period=form.cleaned_data["period"])

    def done_message(self, run):
        return gettext("%(period)s judged: %(members)s members, %(up)s upgrades, %(down)s downgrades in all.") % {
            "period": f"{run.period:%Y-%m}", "members": run.evaluated, "up": run.upgrades, "down": run.downgrades}


class InspectionPage(_RunsPage):
    """会员年检: inspect the members that are due and list each inspection's result."""

    permission_required = "club.inspect_clubmember"
    perm_run = "club.inspect_clubmember"
    kind = LevelChangeKind.INSPECTION
    title = _("Annual inspection")
    form_class = None

    def run(self, form):
        return levels.members_inspect(actor=self.request.user)

    def done_message(self, run):
        return gettext("Inspection of %(day)s: %(kept)s kept, %(suspended)s suspended in all.") % {
            "day": run.period, "kept": run.kept, "suspended": run.suspended}


class LevelChangeListPage(ListPage):
    """会员级别变更记录: admissions, automatic and manual changes, inspections."""

    permission_required = "club.view_memberlevelchange"
    title = _("Level changes")
    filterset_class = LevelChangeFilter
    export_name = "club-level-changes"
    sort_fields = {"at": "created_at"}
    default_sort = "-at"
    columns = [
        (_("At"), lambda c: c.created_at),
        (_("Member number"), lambda c: c.member.member_no),
        (_("Name"), lambda c: c.member.name),
        (_("Customer"), lambda c: c.member.customer.name),
        (_("Kind"), lambda c: c.get_kind_display()),
        (_("Period"), lambda c: c.period),
        (_("From level"), lambda c: c.old_level.name if c.old_level else ""),
        (_("To level"), lambda c: c.new_level.name if c.new_level else ""),
        (_("From status"), lambda c: MemberStatus(c.old_status).label if c.old_status in MemberStatus.values else c.old_status),
        (_("To status"), lambda c: MemberStatus(c.new_status).label if c.new_status in MemberStatus.values else c.new_status),
        (_("Average monthly paid"), lambda c: c.avg_paid),
        (_("Reason"), lambda c: c.reason),
        (_("Decided by"), lambda c: c.decided_by.get_full_name() or c.decided_by.get_username() if c.decided_by else gettext("system")),
    ]

    def get_queryset(self):
        return selectors.level_changes_for(self.request.user).select_related("member__customer")

    def row_url(self, row):
        return reverse("club:member", args=[row.member_id])


# --- Dunning (CLUB-03) ----------------------------------------------------------------------------------------


class ArrearsListPage(_MaskedList):
    """查询欠费催欠会员: members whose customer owes money; mark them for dunning."""

    permission_required = "club.view_clubmember"
    title = _("Members in arrears")
    filterset_class = ArrearsFilter
    export_name = "club-members-arrears"
    template_name = "club/members/arrears.html"
    sort_fields = {"arrears": "arrears", "oldest": "oldest_owed"}
    default_sort = "-arrears"

    def get_queryset(self):
        return selectors.members_in_arrears(self.request.user)

    def get(self, request, *args, **kwargs):
        may_mark = request.user.has_perm("club.review_clubmember")
        may_case = request.user.has_perm("service.add_case")

        def actions(m):
            owed = {"arrears": m.arrears, "oldest": m.oldest_owed}
            return _links(
                (reverse("club:dunning_mark", args=[m.pk]) if may_mark and not m.open_dunning else None, gettext("Mark for dunning")),
                (dunning_case_url(m, owed) if may_case else None, gettext("Start dunning")),
            )

        self.columns = [
            (_("Member number"), lambda m: m.member_no),
            (_("Name"), lambda m: m.name),
            (_("Level"), lambda m: m.level.name),
            (_("Status"), lambda m: m.get_status_display()),
            (_("Customer"), lambda m: m.customer.name),
            (_("Region"), lambda m: m.customer.org_unit.name),
            (_("Account manager"), _manager),
            (_("Arrears (yuan)"), lambda m: _money(m.arrears)),
            (_("Months owed"), lambda m: m.months_owed),
            (_("Oldest month owed"), lambda m: m.oldest_owed),
            (_("Marked for dunning"), lambda m: gettext("Yes") if m.open_dunning else ""),
            (_("Actions"), actions),
        ]
        return super().get(request, *args, **kwargs)

    def row_url(self, row):
        return reverse("club:member", args=[row.pk])


def _money(value):
    from kams.billing.selectors import money

    return money(value)


class DunningListPage(_MaskedList):
    """人工催欠: members marked for dunning, their arrears case and the contact result."""

    permission_required = "club.view_clubmember"
    title = _("Member dunning")
    filterset_class = DunningFilter
    export_name = "club-dunning"
    member_path = "member"

    def get_queryset(self):
        return selectors.dunnings_for(self.request.user)

    def get(self, request, *args, **kwargs):
        may_handle = request.user.has_perm("club.change_clubmember")

        def actions(d):
            if d.state != DunningState.MARKED or not may_handle:
                return ""
            return _links((reverse("club:dunning_handle", args=[d.pk]), gettext("Record contact result")))

        def case(d):
            if d.case is None:
                return ""
            return HtmlCell(d.case.number, format_html('<a href="{}">{}</a>', reverse("service:case", args=[d.case.number]), d.case.number))

        self.columns = [
            (_("Member number"), lambda d: d.member.member_no),
            (_("Name"), lambda d: d.member.name),
            (_("Customer"), lambda d: d.member.customer.name),
            (_("Region"), lambda d: d.member.customer.org_unit.name),
            (_("Arrears (yuan)"), lambda d: d.arrears),
            (_("Months owed"), lambda d: d.months),
            (_("State"), lambda d: d.get_state_display()),
            (_("Review note"), lambda d: d.note),
            (_("Marked at"), lambda d: d.marked_at),
            (_("Arrears case"), case),
            (_("Contact result"), lambda d: d.get_result_display()),
            (_("Promised to pay by"), lambda d: d.promised_on),
            (_("Contact note"), lambda d: d.result_note),
            (_("Actions"), actions),
        ]
        return super().get(request, *args, **kwargs)

    def row_url(self, row):
        return reverse("club:member", args=[row.member_id])


class DunningMarkPage(_MemberPage):
    """人工催欠审核: mark a member for dunning, with a note (and the arrears process)."""

    permission_required = "club.review_clubmember"
    form_class = DunningMarkForm
    title = _("Mark for dunning")
    success_message = _("The member is marked for dunning.")

    def perform(self, form):
        return dunning.dunning_mark(actor=self.request.user, member=self.member, note=form.cleaned_data["note"],
                                    open_case=form.cleaned_data["open_case"])

    def success_url_for(self, obj):
        return reverse("club:dunnings")


class DunningHandlePage(ServiceFormPage):
    """催欠处理: what the member said when contacted."""

    permission_required = "club.change_clubmember"
    form_class = DunningHandleForm
    title = _("Record contact result")
    success_message = _("The contact result was recorded.")

    @cached_property
    def dunning(self):
        return MemberDunning.objects.select_related("member").get_visible(self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        d = self.dunning
        kwargs.setdefault("title", f"{self.title}: {d.member.member_no} {d.member.name} · {d.arrears}")
        kwargs.setdefault("cancel_url", reverse("club:dunnings"))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        data = form.cleaned_data
        return dunning.dunning_handle(actor=self.request.user, dunning=self.dunning, result=data["result"],
                                      note=data["note"], promised_on=data["promised_on"])

    def success_url_for(self, obj):
        return reverse("club:dunnings")


class DunningCaseView(PermissionRequiredMixin, View):
    """Open the arrears process for a marked member."""

    permission_required = "club.change_clubmember"

    def post(self, request, pk):
        record = MemberDunning.objects.get_visible(request.user, pk=pk)
        try:
            record = dunning.dunning_open_case(actor=request.user, dunning=record)
        except KamsError as exc:
            messages.error(request, exc.text)
        else:
            messages.success(request, gettext("Arrears case %(number)s is open.") % {"number": record.case.number})
        return redirect("club:member", pk=record.member_id)


# --- Members at risk (CLUB-04) --------------------------------------------------------------------------------


class AtRiskPage(_MaskedList):
    """会员挽留: members with a reason to fear that they leave, and the reasons."""

    permission_required = "club.view_clubmember"
    title = _("Members at risk")
    filterset_class = RiskFilter
    export_name = "club-members-at-risk"
    sort_fields = {"no": "member_no", "level": "level__rank"}
    default_sort = "no"
    columns = [
        (_("Member number"), lambda m: m.member_no),
        (_("Name"), lambda m: m.name),
        (_("Level"), lambda m: m.level.name),
        (_("Status"), lambda m: m.get_status_display()),
        (_("Customer"), lambda m: m.customer.name),
        (_("Region"), lambda m: m.customer.org_unit.name),
        (_("Account manager"), _manager),
        (_("Paid last month"), lambda m: _money(m.paid_last)),
        (_("Paid in the three months before"), lambda m: _money(m.paid_before)),
        (_("Reasons"), lambda m: "; ".join(selectors.risk_reasons(m))),
    ]

    def get_queryset(self):
        return selectors.members_at_risk(self.request.user)

    def row_url(self, row):
        return reverse("club:member", args=[row.pk])

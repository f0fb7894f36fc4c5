"""Pages of the points ledger and redemption (积分管理, 积分消费; CLUB-09 … CLUB-18).

Lists come from ``ListPage`` (scope, filters, paging, Excel); every write is one service call
of ``kams.club.points`` or ``kams.club.redemption``, whose translated errors the form shows.
"""

from __future__ import annotations

import datetime

import django_filters
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from kams.club import forms_points as forms
from kams.club import points as services
from kams.club import redemption as redeeming
from kams.club.enums import AdjustmentState, ChannelKind, PointsCategory, PointsKind, RedemptionState
from kams.club.models import (
    Card,
    ClubMember,
    ExpiryRule,
    PointsAdjustment,
    PointsEntry,
    PointsRule,
    PointsRun,
    Redemption,
    RedemptionChannel,
    RedemptionItem,
    RedemptionRule,
)
from kams.club.run import parse_period, run_report
from kams.club.selectors import member_statement, member_summary, redemption_totals
from kams.core.errors import KamsError
from kams.org.filters import OrgUnitSubtreeFilter
from kams.web.lists import ListPage
from kams.web.pages import ServiceFormPage

MEMBER_UNIT = "account__member__customer__org_unit__path"


def _member_cell(member) -> str:
    return f"{member.member_no} {member.name}"


# --- Ledger ----------------------------------------------------------------------------------------


class EntryFilter(django_filters.FilterSet):
    member_no = django_filters.CharFilter(label=_("Member number"), field_name="account__member__member_no")
    category = django_filters.ChoiceFilter(label=_("Category"), choices=PointsCategory.choices)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=PointsKind.choices)
    since = django_filters.DateFilter(label=_("From"), field_name="created_at", lookup_expr="date__gte",
                                      widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}))
    until = django_filters.DateFilter(label=_("To"), field_name="created_at", lookup_expr="date__lte",
                                      widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}))
    unit = OrgUnitSubtreeFilter(org_path=MEMBER_UNIT)

    class Meta:
        model = PointsEntry
        fields = ["member_no", "category", "kind", "since", "until", "unit"]


class EntryListPage(ListPage):
    """积分流水: every entry of the ledger in scope (append-only)."""

    permission_required = "club.view_pointsentry"
    model = PointsEntry
    title = _("Points ledger")
    filterset_class = EntryFilter
    export_name = "points-ledger"
    sort_fields = {"at": "created_at", "points": "points"}
    default_sort = "-at"
    columns = [
        (_("At"), lambda e: timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M")),
        (_("Member"), lambda e: _member_cell(e.account.member)),
        (_("Kind"), lambda e: e.get_kind_display()),
        (_("Category"), lambda e: e.get_category_display()),
        (_("Points"), lambda e: e.points),
        (_("Period"), lambda e: f"{e.period:%Y-%m}" if e.period else ""),
        (_("Reason"), lambda e: e.reason or e.reference),
        (_("By"), lambda e: e.actor.get_username() if e.actor_id else ""),
        (_("Approved by"), lambda e: e.approver.get_username() if e.approver_id else ""),
    ]

    def get_base_queryset(self):
        return PointsEntry.objects.select_related("account__member", "actor", "approver")

    def row_url(self, row):
        return reverse("club:statement", args=[row.account_id])


# --- Adjustments ------------------------------------------------------------------------------------


class AdjustmentFilter(django_filters.FilterSet):
    member_no = django_filters.CharFilter(label=_("Member number"), field_name="member__member_no")
    state = django_filters.ChoiceFilter(label=_("State"), choices=AdjustmentState.choices)

    class Meta:
        model = PointsAdjustment
        fields = ["member_no", "state"]


class AdjustmentListPage(ListPage):
    """积分调整: requests and decisions."""

    permission_required = "club.view_pointsadjustment"
    model = PointsAdjustment
    title = _("Points adjustments")
    filterset_class = AdjustmentFilter
    export_name = "points-adjustments"
    template_name = "club/adjustments.html"
    default_sort = "-at"
    sort_fields = {"at": "created_at"}
    columns = [
        (_("Requested at"), lambda a: timezone.localtime(a.created_at).strftime("%Y-%m-%d %H:%M")),
        (_("Member"), lambda a: _member_cell(a.member)),
        (_("Points"), lambda a: a.points),
        (_("Reason"), lambda a: a.reason),
        (_("Requested by"), lambda a: a.requested_by.get_username()),
        (_("State"), lambda a: a.get_state_display()),
        (_("Decided by"), lambda a: a.decided_by.get_username() if a.decided_by_id else ""),
        (_("Decision note"), lambda a: a.decision_note),
    ]

    def get_base_queryset(self):
        return PointsAdjustment.objects.select_related("member", "requested_by", "decided_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["pending"] = list(self.get_queryset().filter(state=AdjustmentState.REQUESTED).order_by("created_at")[:50])
        return context


class AdjustmentCreatePage(ServiceFormPage):
    permission_required = "club.add_pointsadjustment"
    form_class = forms.AdjustmentForm
    title = _("Request a points adjustment")
    success_message = _("The adjustment waits for approval by another person.")

    def get_initial(self):
        return {"member_no": self.request.GET.get("member", "")}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("cancel_url", reverse("club:adjustments"))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        member = ClubMember.objects.visible_to(self.request.user).filter(member_no=form.cleaned_data["member_no"]).first()
        if member is None:
            from kams.core.errors import InvalidInput

            raise InvalidInput(_("member_no: there is no member %(no)s in your scope.") % {"no": form.cleaned_data["member_no"]})
        return services.adjustment_request(actor=self.request.user, member=member, points=form.cleaned_data["points"],
                                           reason=form.cleaned_data["reason"])

    def success_url_for(self, obj):
        return reverse("club:adjustments")


class AdjustmentDecideView(PermissionRequiredMixin, View):
    permission_required = "club.approve_pointsadjustment"

    def post(self, request, pk: int, decision: str):
        adjustment = PointsAdjustment.objects.get_visible(request.user, pk=pk)
        try:
            services.adjustment_decide(actor=request.user, adjustment=adjustment, approve=decision == "approve",
                                       note=request.POST.get("note", ""))
            messages.success(request, _("The adjustment was approved.") if decision == "approve"
                             else _("The adjustment was rejected."))
        except KamsError as exc:
            messages.error(request, exc.text)
        return redirect("club:adjustments")


# --- Rules -----------------------------------------------------------------------------------------


class RuleListPage(ListPage):
    """积分标准 and 积分有效期: every version, who issued it and when it applies."""

    permission_required = "club.view_pointsrule"
    model = PointsRule
    title = _("Points rules")
    export_name = "points-rules"
    template_name = "club/rules.html"
    columns = [
        (_("Code"), lambda r: r.code),
        (_("Version"), lambda r: r.version),
        (_("Name"), lambda r: r.name),
        (_("Category"), lambda r: r.get_category_display()),
        (_("Business fee"), lambda r: r.business),
        (_("Rate"), lambda r: r.rate),
        (_("Points"), lambda r: r.amount),
        (_("Level"), lambda r: r.level.name if r.level_id else _("All levels")),
        (_("Valid from"), lambda r: r.valid_from),
        (_("Valid to"), lambda r: r.valid_to or ""),
        (_("Issued by"), lambda r: r.get_issuer_display()),
        (_("State"), lambda r: r.get_state_display()),
    ]

    def get_base_queryset(self):
        return PointsRule.objects.select_related("level").order_by("category", "code", "-version")

    def row_url(self, row):
        return reverse("club:rule_change", args=[row.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["expiry_rules"] = ExpiryRule.objects.all()
        return context


class RuleCreatePage(ServiceFormPage):
    permission_required = "club.add_pointsrule"
    form_class = forms.RuleForm
    title = _("New points rule")
    success_message = _("The rule was added.")

    def get_context_data(self, **kwargs):
        kwargs.setdefault("cancel_url", reverse("club:rules"))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        data = form.cleaned_values()
        return services.rule_create(actor=self.request.user, **data)

    def success_url_for(self, obj):
        return reverse("club:rules")


class RuleChangePage(ServiceFormPage):
    """积分标准修改: a new version from a date; or retire the rule."""

    permission_required = "club.change_pointsrule"
    form_class = forms.RuleChangeForm
    template_name = "club/rule_change.html"
    success_message = _("A new version of the rule was added.")

    @cached_property
    def rule(self):
        return get_object_or_404(PointsRule, pk=self.kwargs["pk"])

    def get_initial(self):
        rule = self.rule
        return {"name": rule.name, "business": rule.business, "rate": rule.rate, "amount": rule.amount,
                "min_years": rule.min_years, "max_years": rule.max_years,
                "valid_from": (timezone.localdate().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", _("Change rule %(code)s") % {"code": self.rule.code})
        kwargs.setdefault("cancel_url", reverse("club:rules"))
        kwargs["rule"] = self.rule
        kwargs["versions"] = PointsRule.objects.filter(code=self.rule.code).order_by("-version")
        kwargs["retire_form"] = forms.RuleRetireForm()
        return super().get_context_data(**kwargs)

    def perform(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if v is not None and v != ""}
        return services.rule_change(actor=self.request.user, rule=self.rule, **data)

    def success_url_for(self, obj):
        return reverse("club:rules")


class RuleRetireView(PermissionRequiredMixin, View):
    permission_required = "club.change_pointsrule"

    def post(self, request, pk: int):
        rule = get_object_or_404(PointsRule, pk=pk)
        form = forms.RuleRetireForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the last day and a reason."))
            return redirect("club:rule_change", pk=pk)
        try:
            services.rule_retire(actor=request.user, rule=rule, **form.cleaned_data)
            messages.success(request, _("The rule was retired."))
        except KamsError as exc:
            messages.error(request, exc.text)
        return redirect("club:rules")


class ExpiryRuleCreatePage(ServiceFormPage):
    permission_required = "club.add_expiryrule"
    form_class = forms.ExpiryRuleForm
    title = _("New points expiry rule")
    success_message = _("The expiry rule was added.")

    def get_context_data(self, **kwargs):
        kwargs.setdefault("cancel_url", reverse("club:rules"))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        return services.expiry_rule_create(actor=self.request.user, **form.cleaned_data)

    def success_url_for(self, obj):
        return reverse("club:rules")


# --- Monthly runs ------------------------------------------------------------------------------------


class RunListPage(ListPage):
    """积分计算: the monthly runs, each with its report."""

    permission_required = "club.view_pointsrun"
    model = PointsRun
    title = _("Monthly points runs")
    export_name = "points-runs"
    template_name = "club/runs.html"
    columns = [
        (_("Period"), lambda r: f"{r.period:%Y-%m}"),
        (_("State"), lambda r: r.get_state_display()),
        (_("Members credited"), lambda r: r.members),
        (_("Points"), lambda r: sum((r.totals or {}).values())),
        (_("Chunks"), lambda r: r.chunks_total),
        (_("Started at"), lambda r: timezone.localtime(r.started_at).strftime("%Y-%m-%d %H:%M")),
        (_("Finished at"), lambda r: timezone.localtime(r.finished_at).strftime("%Y-%m-%d %H:%M") if r.finished_at else ""),
    ]

    def row_url(self, row):
        return reverse("club:run", args=[row.pk])

    def get_context_data(self, **kwargs):
        from kams.club.jobs import last_month
        from kams.system.models import JobRun

        context = super().get_context_data(**kwargs)
        context["form"] = forms.RunForm(initial={"period": f"{last_month():%Y-%m}"})
        context["jobs"] = JobRun.objects.filter(name="club.points_run").order_by("-created_at")[:5]
        return context


class RunStartView(PermissionRequiredMixin, View):
    permission_required = "club.add_pointsrun"

    def post(self, request):
        from kams.club.jobs import points_run_start
        from kams.core.errors import InvalidInput

        form = forms.RunForm(request.POST)
        try:
            period = parse_period(form.cleaned_data["period"] if form.is_valid() else "")
            if period >= timezone.localdate().replace(day=1):
                raise InvalidInput(_("period: only a month that has ended can be calculated."))
            points_run_start(actor=request.user, period=period)
            messages.success(request, _("The points run was queued; its progress shows below."))
        except KamsError as exc:
            messages.error(request, exc.text)
        return redirect("club:runs")


class RunDetailPage(PermissionRequiredMixin, TemplateView):
    """积分计算报告: points by category and level, with the rule versions used."""

    permission_required = "club.view_pointsrun"
    template_name = "club/run_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run = get_object_or_404(PointsRun, pk=self.kwargs["pk"])
        report = run_report(run)
        labels = dict(PointsCategory.choices)
        chart = {
            "categories": [str(labels.get(r["category"], r["category"])) for r in report["by_category"]],
            "points": [r["points"] for r in report["by_category"]],
            "levels": [r["account__member__level__name"] for r in report["by_level"]],
            "level_points": [r["points"] for r in report["by_level"]],
        }
        context.update(run=run, report=report, chart=chart, labels=labels, title=_("Points run %(period)s")
                       % {"period": f"{run.period:%Y-%m}"})
        return context


# --- Catalogue -----------------------------------------------------------------------------------------


class ItemListPage(ListPage):
    permission_required = "club.view_redemptionitem"
    model = RedemptionItem
    title = _("Redemption catalogue")
    export_name = "redemption-catalogue"
    template_name = "club/items.html"
    columns = [
        (_("Code"), lambda i: i.code),
        (_("Name"), lambda i: i.name),
        (_("Kind"), lambda i: i.get_kind_display()),
        (_("Points"), lambda i: i.points),
        (_("Face value (yuan)"), lambda i: i.face_value),
        (_("Cost to us (yuan)"), lambda i: i.unit_cost),
        (_("Automatic"), lambda i: _("Yes") if i.auto_redeemable else ""),
        (_("On offer"), lambda i: _("Yes") if i.is_active else _("No")),
        (_("Issued by"), lambda i: i.get_issuer_display()),
    ]

    def row_url(self, row):
        return reverse("club:item", args=[row.pk])


class ItemCreatePage(ServiceFormPage):
    permission_required = "club.add_redemptionitem"
    form_class = forms.ItemForm
    title = _("New redemption item")
    success_message = _("The item was added to the catalogue.")

    def get_context_data(self, **kwargs):
        kwargs.setdefault("cancel_url", reverse("club:items"))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        data = dict(form.cleaned_data)
        data["minutes"] = data.get("minutes") or 0
        return services.item_save(actor=self.request.user, **data)

    def success_url_for(self, obj):
        return reverse("club:item", args=[obj.pk])


class ItemPage(ServiceFormPage):
    """An item with its rules per level (积分消费规则); the form sets one level's rule."""

    permission_required = "club.view_redemptionitem"
    form_class = forms.RedemptionRuleForm
    template_name = "club/item.html"
    success_message = _("The rule for the level was saved.")

    @cached_property
    def item(self):
        return get_object_or_404(RedemptionItem, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        from kams.club.models import ClubLevel

        kwargs["item"] = self.item
        kwargs["title"] = str(self.item)
        rules = {r.level_id: r for r in RedemptionRule.objects.filter(item=self.item)}
        kwargs["levels"] = [(lv, rules.get(lv.pk), redeeming.item_price(self.item, lv)) for lv in ClubLevel.objects.all()]
        kwargs["totals"] = redemption_totals(Redemption.objects.filter(item=self.item))
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("club.change_redemptionrule"):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def perform(self, form):
        return services.redemption_rule_save(actor=self.request.user, item=self.item, **form.cleaned_data)

    def success_url_for(self, obj):
        return reverse("club:item", args=[self.item.pk])


# --- Desk and redemptions ------------------------------------------------------------------------------


class DeskPage(PermissionRequiredMixin, TemplateView):
    """积分消费 at the desk: look a card up, see the member and redeem."""

    permission_required = "club.add_redemption"
    template_name = "club/desk.html"

    def card(self, card_no: str):
        if not card_no:
            return None
        return Card.objects.select_related("member__level").filter(card_no=card_no.strip()).first()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        card_no = self.request.GET.get("card_no", "") or kwargs.get("card_no", "")
        context["lookup"] = forms.DeskLookupForm(initial={"card_no": card_no})
        card = self.card(card_no)
        if card_no and (card is None or not ClubMember.objects.visible_to(self.request.user).filter(pk=card.member_id).exists()):
            context["not_found"] = True
            card = None
        if card is not None:
            member = card.member
            items = [(i.code, f"{i.name} — {p} {_('points')}") for i in RedemptionItem.objects.filter(is_active=True)
                     if (p := redeeming.item_price(i, member.level)) is not None]
            context.update(
                card=card, summary=member_summary(card),
                form=kwargs.get("form") or forms.DeskRedeemForm(initial={"card_no": card.card_no}, items=items),
                recent=Redemption.objects.filter(member=member).select_related("item")[:10],
            )
        context["title"] = _("Redemption desk")
        return context

    def post(self, request):
        card = self.card(request.POST.get("card_no", ""))
        if card is None:
            raise Http404
        items = [(i.code, i.name) for i in RedemptionItem.objects.filter(is_active=True)]
        form = forms.DeskRedeemForm(request.POST, items=items)
        if form.is_valid():
            try:
                redemption, created = redeeming.redeem(
                    actor=request.user, card_no=card.card_no, item=form.cleaned_data["item"],
                    quantity=form.cleaned_data["quantity"], channel_kind=ChannelKind.STAFF,
                    idempotency_key=form.cleaned_data["idempotency_key"], location=form.cleaned_data["location"],
                )
                messages.success(request, _("Redeemed %(points)s points for %(item)s × %(quantity)s.")
                                 % {"points": redemption.points, "item": redemption.item.name,
                                    "quantity": redemption.quantity})
                return redirect(reverse("club:desk") + f"?card_no={card.card_no}")
            except KamsError as exc:
                form.add_error(None, exc.text)
        return self.render_to_response(self.get_context_data(card_no=card.card_no, form=form))


class RedemptionFilter(django_filters.FilterSet):
    member_no = django_filters.CharFilter(label=_("Member number"), field_name="member__member_no")
    card_no = django_filters.CharFilter(label=_("Card number"), field_name="card__card_no")
    item = django_filters.ModelChoiceFilter(label=_("Item"), queryset=RedemptionItem.objects.all())
    channel_kind = django_filters.ChoiceFilter(label=_("Channel"), choices=ChannelKind.choices)
    state = django_filters.ChoiceFilter(label=_("State"), choices=RedemptionState.choices)
    since = django_filters.DateFilter(label=_("From"), field_name="created_at", lookup_expr="date__gte",
                                      widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}))
    until = django_filters.DateFilter(label=_("To"), field_name="created_at", lookup_expr="date__lte",
                                      widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}))
    unit = OrgUnitSubtreeFilter(org_path="member__customer__org_unit__path")

    class Meta:
        model = Redemption
        fields = ["member_no", "card_no", "item", "channel_kind", "state", "since", "until", "unit"]


class RedemptionListPage(ListPage):
    """积分消费查询: who, when, what, where."""

    permission_required = "club.view_redemption"
    model = Redemption
    title = _("Redemptions")
    filterset_class = RedemptionFilter
    export_name = "redemptions"
    template_name = "club/redemptions.html"
    default_sort = "-at"
    sort_fields = {"at": "created_at", "points": "points"}
    columns = [
        (_("At"), lambda r: timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M")),
        (_("Member"), lambda r: _member_cell(r.member)),
        (_("Card number"), lambda r: r.card.card_no if r.card_id else ""),
        (_("Item"), lambda r: r.item.name),
        (_("Quantity"), lambda r: r.quantity),
        (_("Points"), lambda r: r.points),
        (_("Cost (yuan)"), lambda r: r.cost),
        (_("Channel"), lambda r: r.get_channel_kind_display()),
        (_("Where"), lambda r: r.location or r.source),
        (_("Operator"), lambda r: r.operator.get_username() if r.operator_id else ""),
        (_("State"), lambda r: r.get_state_display()),
    ]

    def get_base_queryset(self):
        return Redemption.objects.select_related("member", "card", "item", "operator")

    def row_url(self, row):
        return reverse("club:redemption_reverse", args=[row.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["totals"] = redemption_totals(self.object_list)
        return context


class RedemptionReversePage(ServiceFormPage):
    permission_required = "club.reverse_redemption"
    form_class = forms.ReasonForm
    success_message = _("The redemption was reversed and the points given back.")

    @cached_property
    def redemption(self):
        return Redemption.objects.select_related("member", "item").get_visible(self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        r = self.redemption
        kwargs.setdefault("title", _("Reverse %(points)s points of %(member)s for %(item)s")
                          % {"points": r.points, "member": r.member.name, "item": r.item.name})
        kwargs.setdefault("cancel_url", reverse("club:redemptions"))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        return redeeming.redemption_reverse(actor=self.request.user, redemption=self.redemption, **form.cleaned_data)

    def success_url_for(self, obj):
        return reverse("club:redemptions")


class StatementPage(PermissionRequiredMixin, TemplateView):
    """月度积分帐单 of one member: opening and closing balance, entries by category, redemptions."""

    permission_required = "club.view_pointsentry"
    template_name = "club/statement.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        member = ClubMember.objects.select_related("level", "points").get_visible(self.request.user, pk=self.kwargs["pk"])
        try:
            month = parse_period(self.request.GET.get("month", "")) if self.request.GET.get("month") else None
        except KamsError:
            month = None
        month = month or timezone.localdate().replace(day=1)
        statement = member_statement(member, month)
        labels = dict(PointsCategory.choices)
        kinds = dict(PointsKind.choices)
        for row in statement["by_category"]:
            row["label"] = f"{kinds.get(row['kind'], row['kind'])} · {labels.get(row['category'], row['category'])}"
        previous = (month - datetime.timedelta(days=1)).replace(day=1)
        following = (month + datetime.timedelta(days=32)).replace(day=1)
        context.update(member=member, statement=statement, month=month, previous=previous, following=following,
                       title=_("Points statement of %(name)s, %(month)s") % {"name": member.name, "month": f"{month:%Y-%m}"},
                       entries=PointsEntry.objects.filter(account_id=member.pk).order_by("-created_at", "-id")[:20],
                       lots=member.points.lots.filter(remaining__gt=0).order_by("expires_on")[:20]
                       if hasattr(member, "points") else [],
                       earned=PointsEntry.objects.filter(account_id=member.pk, points__gt=0).aggregate(s=Sum("points"))["s"] or 0)
        return context


# --- Channels ------------------------------------------------------------------------------------------


class ChannelListPage(ListPage):
    """Channel systems of the channel API (POS, terminals, partners) and their tokens."""

    permission_required = "club.view_redemptionchannel"
    model = RedemptionChannel
    title = _("Redemption channels")
    export_name = "redemption-channels"
    template_name = "club/channels.html"
    columns = [
        (_("Code"), lambda c: c.code),
        (_("Name"), lambda c: c.name),
        (_("Kind"), lambda c: c.get_kind_display()),
        (_("Unit"), lambda c: c.org_unit.name),
        (_("Token ends with"), lambda c: f"…{c.token_hint}"),
        (_("Active"), lambda c: _("Yes") if c.is_active else _("No")),
        (_("Last used at"), lambda c: timezone.localtime(c.last_used_at).strftime("%Y-%m-%d %H:%M") if c.last_used_at else ""),
    ]

    def get_base_queryset(self):
        return RedemptionChannel.objects.select_related("org_unit")


class ChannelCreatePage(ServiceFormPage):
    permission_required = "club.add_redemptionchannel"
    form_class = forms.ChannelForm
    title = _("New redemption channel")

    def extra_form_kwargs(self):
        return {"user": self.request.user}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("cancel_url", reverse("club:channels"))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        channel, token = services.channel_create(actor=self.request.user, **form.cleaned_data)
        messages.warning(self.request, _("The token of %(code)s, shown only now: %(token)s")
                         % {"code": channel.code, "token": token})
        return channel

    def success_url_for(self, obj):
        return reverse("club:channels")


class ChannelActionView(PermissionRequiredMixin, View):
    permission_required = "club.change_redemptionchannel"

    def post(self, request, pk: int, action: str):
        channel = RedemptionChannel.objects.get_visible(request.user, pk=pk)
        try:
            if action == "rotate":
                channel, token = services.channel_rotate(actor=request.user, channel=channel)
                messages.warning(request, _("The token of %(code)s, shown only now: %(token)s")
                                 % {"code": channel.code, "token": token})
            elif action in ("enable", "disable"):
                services.channel_set_active(actor=request.user, channel=channel, active=action == "enable")
                messages.success(request, _("The channel was updated."))
            else:
                raise Http404
        except KamsError as exc:
            messages.error(request, exc.text)
        return redirect("club:channels")



class MonthlyStatementPage(PermissionRequiredMixin, TemplateView):
    """月度积分消费帐单: per member, the month's redemptions and balance; the Excel export is the
    file for the billing system's bill line (members who chose the bill)."""

    permission_required = "club.view_redemption"
    template_name = "club/monthly_statements.html"

    def period(self):
        from kams.club.jobs import last_month

        try:
            return parse_period(self.request.GET["month"]) if self.request.GET.get("month") else last_month()
        except KamsError:
            return last_month()

    def rows(self):
        from kams.club.jobs import statement_rows

        visible = ClubMember.objects.visible_to(self.request.user).values("pk")
        rows = statement_rows(self.period()).filter(member_id__in=visible)
        if self.request.GET.get("channel"):
            rows = rows.filter(member__statement_channel=self.request.GET["channel"])
        return rows

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            from kams.web.exports import xlsx_response

            columns = [
                (_("Member number"), lambda r: r["member__member_no"]), (_("Name"), lambda r: r["member__name"]),
                (_("Number"), lambda r: r["member__msisdn"]), (_("Redemptions"), lambda r: r["count"]),
                (_("Points redeemed"), lambda r: r["points"]), (_("Balance now"), lambda r: r["member__points__balance"]),
                (_("Statements by"), lambda r: r["member__statement_channel"]),
            ]
            return xlsx_response(rows=self.rows().iterator(), columns=columns,
                                 filename=f"points-statement-{self.period():%Y-%m}", sheet=str(_("Monthly statements")))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        from django.core.paginator import Paginator

        from kams.club.enums import StatementChannel

        context = super().get_context_data(**kwargs)
        page = Paginator(self.rows(), 50).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(title=_("Monthly statements"), month=self.period(), page_obj=page, rows=page.object_list,
                       channels=StatementChannel.choices, channel=self.request.GET.get("channel", ""),
                       query=query.urlencode())
        return context

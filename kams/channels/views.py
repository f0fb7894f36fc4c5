"""Pages of the channels (渠道管理): agents, their authorisations, levels and accounts, agent
types and the periodic re-grading.

Every page reads through scoped selectors (another city's agent answers 404); every write
goes to one service of ``kams.channels.services`` or ``kams.channels.levels``.
"""

from __future__ import annotations

from functools import cached_property

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from kams.audit.selectors import history_of
from kams.channels import forms, levels, selectors, services
from kams.channels.enums import SubAccountKind
from kams.channels.filters import AgentFilter
from kams.channels.models import Agent, AgentType
from kams.core.errors import KamsError
from kams.web.exports import xlsx_response
from kams.web.lists import ListPage
from kams.web.pages import ServiceFormPage


class AgentListPage(ListPage):
    """代理商/分销商档案."""

    permission_required = "channels.view_agent"
    model = Agent
    title = _("Agents")
    template_name = "channels/list.html"
    filterset_class = AgentFilter
    export_name = "agents"
    sort_fields = {"code": "code", "name": "name", "level": "level", "status": "status", "unit": "org_unit__path"}
    default_sort = "code"
    columns = [
        (_("Agent code"), lambda a: a.code),
        (_("Name"), lambda a: a.name),
        (_("Category"), lambda a: a.get_category_display()),
        (_("Agent type"), lambda a: a.agent_type.name if a.agent_type else ""),
        (_("Channel level"), lambda a: a.get_level_display()),
        (_("Status"), lambda a: a.get_status_display()),
        (_("Marketing department"), lambda a: a.org_unit.name),
        (_("Channel manager"), lambda a: a.manager.name if a.manager else ""),
        (_("Credit line (yuan)"), lambda a: a.credit_line),
        (_("Credit score"), lambda a: a.credit_score),
        (_("Registered on"), lambda a: a.registered_on),
    ]

    def get_queryset(self):
        return selectors.agents_for(self.request.user)

    def row_url(self, row):
        return reverse("channels:agent", args=[row.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        actions = []
        if user.has_perm("channels.add_agent"):
            actions.append((reverse("channels:agent_create"), gettext("New agent application"), "bi-plus-lg"))
        if user.has_perm("channels.view_agentlevelchange"):
            actions.append((reverse("channels:regrade"), gettext("Re-grading"), "bi-sort-up"))
        context["page_actions"] = actions
        return context


class _AgentMixin:
    @cached_property
    def agent(self) -> Agent:
        return selectors.agents_for(self.request.user).get_visible(self.request.user, pk=self.kwargs["pk"])


class AgentDetailPage(_AgentMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "channels.view_agent"
    template_name = "channels/agent_detail.html"

    def get_context_data(self, **kwargs):
        user, agent = self.request.user, self.agent
        can_money = user.has_perm("channels.view_ledgertransaction")
        return super().get_context_data(
            title=str(agent), agent=agent,
            authorisations=selectors.authorisations_of(agent),
            accounts=selectors.accounts_of(agent) if can_money else None,
            transactions=selectors.transactions_for(user).filter(agent=agent)[:20] if can_money else None,
            level_changes=selectors.level_changes_of(agent)[:30],
            subscribers=selectors.subscriber_counts(agent),
            case=services.agent_case(agent),
            history=history_of(user, agent), **kwargs,
        )


class _AgentForm(_AgentMixin, ServiceFormPage):
    template_name = "channels/agent_form.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("cancel_url", reverse("channels:agent", args=[self.agent.pk]))
        kwargs.setdefault("agent", self.agent)
        return super().get_context_data(**kwargs)

    def success_url_for(self, obj):
        return reverse("channels:agent", args=[self.agent.pk])


class AgentCreatePage(ServiceFormPage):
    permission_required = "channels.add_agent"
    form_class = forms.AgentForm
    title = _("New agent application")
    success_message = _("The application was recorded and its qualification case opened.")

    def extra_form_kwargs(self):
        return {"user": self.request.user}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("cancel_url", reverse("channels:agents"))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        return services.agent_create(actor=self.request.user, **form.cleaned_data)

    def success_url_for(self, obj):
        return reverse("channels:agent", args=[obj.pk])


class AgentEditPage(_AgentForm):
    permission_required = "channels.change_agent"
    form_class = forms.AgentForm
    success_message = _("The agent was saved.")

    def extra_form_kwargs(self):
        return {"user": self.request.user, "editing": True}

    def get_initial(self):
        return {name: getattr(self.agent, name) for name in forms.AgentForm.field_names}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", gettext("Edit %(agent)s") % {"agent": self.agent})
        return super().get_context_data(**kwargs)

    def perform(self, form):
        return services.agent_update(actor=self.request.user, agent=self.agent, **form.cleaned_data)


class AgentRegisterPage(_AgentForm):
    permission_required = "channels.register_agent"
    form_class = forms.NoteForm
    success_message = _("The agent was registered and its accounts opened.")

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", gettext("Approve and register %(agent)s") % {"agent": self.agent})
        kwargs.setdefault("case", services.agent_case(self.agent))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        return services.agent_register(actor=self.request.user, agent=self.agent, note=form.cleaned_data["note"])


class AgentDeregisterPage(_AgentForm):
    permission_required = "channels.register_agent"
    form_class = forms.ReasonForm
    success_message = _("The agent was deregistered.")

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", gettext("Deregister %(agent)s") % {"agent": self.agent})
        return super().get_context_data(**kwargs)

    def perform(self, form):
        return services.agent_deregister(actor=self.request.user, agent=self.agent, reason=form.cleaned_data["reason"])


class AuthorisePage(_AgentForm):
    permission_required = "channels.add_agentauthorisation"
    form_class = forms.AuthoriseForm
    success_message = _("The authorisation was saved.")

    def get_initial(self):
        business = self.request.GET.get("business")
        auth = selectors.authorisations_of(self.agent).filter(business=business).first() if business else None
        if auth is None:
            return {}
        return {"business": auth.business, "can_sell": auth.can_sell, "can_serve": auth.can_serve,
                "stock_limit": auth.stock_limit}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", gettext("Authorise %(agent)s") % {"agent": self.agent})
        return super().get_context_data(**kwargs)

    def perform(self, form):
        return services.authorisation_set(actor=self.request.user, agent=self.agent, **form.cleaned_data)


class RevokePage(_AgentForm):
    permission_required = "channels.delete_agentauthorisation"
    form_class = forms.RevokeForm
    success_message = _("The authorisation was revoked.")

    def get_initial(self):
        return {"business": self.request.GET.get("business", "")}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", gettext("Revoke an authorisation of %(agent)s") % {"agent": self.agent})
        return super().get_context_data(**kwargs)

    def perform(self, form):
        return services.authorisation_revoke(actor=self.request.user, agent=self.agent, **form.cleaned_data)


class LevelChangePage(_AgentForm):
    permission_required = "channels.grade_agent"
    form_class = forms.LevelForm
    success_message = _("The channel level was changed.")

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", gettext("Change the channel level of %(agent)s") % {"agent": self.agent})
        return super().get_context_data(**kwargs)

    def perform(self, form):
        return services.level_change(actor=self.request.user, agent=self.agent, **form.cleaned_data)


class PaymentPage(_AgentForm):
    permission_required = "channels.add_ledgertransaction"
    form_class = forms.MoneyForm
    success_message = _("The payment was posted.")

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", gettext("Payment by %(agent)s") % {"agent": self.agent})
        kwargs.setdefault("accounts", selectors.accounts_of(self.agent))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        return services.account_payment(actor=self.request.user, agent=self.agent, **form.cleaned_data)


class WithdrawalPage(PaymentPage):
    success_message = _("The withdrawal was posted.")

    def extra_form_kwargs(self):
        return {"default_account": SubAccountKind.REBATE}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", gettext("Cash withdrawal by %(agent)s") % {"agent": self.agent})
        return super().get_context_data(**kwargs)

    def perform(self, form):
        return services.account_withdrawal(actor=self.request.user, agent=self.agent, **form.cleaned_data)


def _day(value, default):
    day = parse_date(value or "") if value else None
    return day or default


class StatementPage(_AgentMixin, PermissionRequiredMixin, TemplateView):
    """对帐单: the agent's entries of a period with opening and closing balances; Excel export."""

    permission_required = "channels.view_ledgerentry"
    template_name = "channels/statement.html"

    def dates(self):
        today = timezone.localdate()
        start = _day(self.request.GET.get("start"), today.replace(day=1))
        end = _day(self.request.GET.get("end"), today)
        if end < start:
            start, end = end, start
        return start, end

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            start, end = self.dates()
            result = selectors.statement(self.agent, start, end)
            columns = [
                (_("Time"), lambda e: e.created_at),
                (_("Transaction"), lambda e: e.transaction_id),
                (_("Kind"), lambda e: e.transaction.get_kind_display()),
                (_("Sub-account"), lambda e: e.account.get_kind_display()),
                (_("Amount (yuan)"), lambda e: e.amount),
                (_("Balance after (yuan)"), lambda e: e.balance_after),
                (_("Method"), lambda e: e.transaction.get_method_display()),
                (_("Memo"), lambda e: e.transaction.memo),
            ]
            return xlsx_response(rows=result.entries, columns=columns, filename=f"statement-{self.agent.code}",
                                 sheet=str(_("Account statement")))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        start, end = self.dates()
        query = self.request.GET.copy()
        query["export"] = "xlsx"
        query["start"], query["end"] = start.isoformat(), end.isoformat()
        return super().get_context_data(
            title=gettext("Account statement of %(agent)s") % {"agent": self.agent}, agent=self.agent,
            statement=selectors.statement(self.agent, start, end), start=start, end=end,
            export_url="?" + query.urlencode(), **kwargs,
        )


class AgentTypeListPage(ListPage):
    permission_required = "channels.view_agenttype"
    model = AgentType
    title = _("Agent types")
    template_name = "channels/list.html"
    export_name = "agent-types"
    columns = [
        (_("Code"), lambda t: t.code),
        (_("Name"), lambda t: t.name),
        (_("Category"), lambda t: t.get_category_display()),
        (_("Active"), lambda t: gettext("Yes") if t.is_active else gettext("No")),
        (_("Agents"), lambda t: t.agent_count),
    ]

    def get_queryset(self):
        return selectors.agent_types()

    def row_url(self, row):
        return reverse("channels:agent_type_edit", args=[row.pk]) if self.request.user.has_perm(
            "channels.change_agenttype") else None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_actions"] = [(reverse("channels:agent_type_create"), gettext("New agent type"), "bi-plus-lg")] \
            if self.request.user.has_perm("channels.add_agenttype") else []
        return context


class AgentTypeFormPage(ServiceFormPage):
    permission_required = "channels.add_agenttype"
    form_class = forms.AgentTypeForm
    success_message = _("The agent type was saved.")

    @cached_property
    def obj(self):
        return AgentType.objects.get_visible(self.request.user, pk=self.kwargs["pk"]) if "pk" in self.kwargs else None

    def extra_form_kwargs(self):
        return {"editing": self.obj is not None}

    def get_initial(self):
        return {n: getattr(self.obj, n) for n in forms.AgentTypeForm.field_names} if self.obj else {}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", self.obj.name if self.obj else gettext("New agent type"))
        kwargs.setdefault("cancel_url", reverse("channels:agent_types"))
        if self.obj is not None:
            kwargs.setdefault("history", history_of(self.request.user, self.obj))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        return services.agent_type_save(actor=self.request.user, agent_type=self.obj, **form.cleaned_data)

    def success_url_for(self, obj):
        return reverse("channels:agent_types")


class RegradePage(PermissionRequiredMixin, TemplateView):
    """定期重新审定渠道级别: pick a month, see the proposals, apply them."""

    permission_required = "channels.view_agentlevelchange"
    template_name = "channels/regrade.html"

    def get_context_data(self, **kwargs):
        period = self.request.GET.get("period") or f"{levels.last_month():%Y-%m}"
        result, error = None, None
        try:
            result = levels.regrade(period=period, actor=self.request.user)
        except KamsError as exc:
            error = exc.text
        return super().get_context_data(title=_("Channel level re-grading"), period=period, result=result,
                                        error=error, thresholds=levels.thresholds(), **kwargs)

    def post(self, request, *args, **kwargs):
        period = request.POST.get("period", "")
        try:
            result = levels.regrade(period=period, actor=request.user, apply=True)
        except KamsError as exc:
            messages.error(request, exc.text)
        else:
            messages.success(request, gettext("%(period)s: %(evaluated)s agents judged, %(up)s up, %(down)s down.") % {
                "period": f"{result.period:%Y-%m}", "evaluated": result.evaluated, "up": result.upgrades,
                "down": result.downgrades})
        return redirect(reverse("channels:regrade") + f"?period={period}")


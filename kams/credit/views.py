"""Pages of credit management (CUS-08): the account credit list with statistics, the credit
log, setting a grade by hand, the standards and initial rules, the re-grading button and
the CSV export for the billing system's credit control.

Every page reads through scoped selectors; every write goes to one service of
``kams.credit.services``, which checks permission and scope again and writes both logs.
"""

import csv
import datetime
from functools import cached_property

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Count
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from kams.audit.selectors import audit_entries_for
from kams.credit import selectors, services
from kams.credit.enums import GRADE_BADGES, GRADE_COLOURS, CreditGrade, CreditSource
from kams.credit.filters import AccountCreditFilter, CreditChangeFilter
from kams.credit.forms import CreditSetForm, RuleForm, StandardForm
from kams.credit.models import AccountCredit, CreditChange, CreditRun, CreditStandard, InitialGradeRule
from kams.customers.enums import AccountStatus
from kams.customers.models import PayingAccount
from kams.web.lists import ListPage
from kams.web.pages import ServiceFormPage


class HtmlCell:
    """A cell that shows as HTML on the page and as plain text in the Excel export."""

    def __init__(self, text, html):
        self.text, self.html = str(text), html

    def __str__(self) -> str:
        return self.text

    def __html__(self) -> str:
        return str(self.html)


def grade_cell(grade: str | None) -> HtmlCell | str:
    if not grade:
        return ""
    label = CreditGrade(grade).label
    return HtmlCell(label, format_html('<span class="badge {}">{}</span>', GRADE_BADGES[grade], label))


def _customer_url(account) -> str:
    return reverse("customers:detail", args=[account.customer_id]) + "#section-credit"


class AccountCreditListPage(ListPage):
    """帐户信用度: grades and limits of the accounts in scope, with counts by grade per city."""

    permission_required = "credit.view_accountcredit"
    model = AccountCredit
    title = _("Account credit")
    filterset_class = AccountCreditFilter
    export_name = "account-credit"
    template_name = "credit/accounts.html"
    sort_fields = {"account": "account__account_no", "limit": "limit", "assessed": "assessed_at", "changed": "changed_at"}
    default_sort = "account"

    def get_base_queryset(self):
        return AccountCredit.objects.select_related("account", "account__customer", "account__customer__org_unit")

    def get(self, request, *args, **kwargs):
        may_set = request.user.has_perm("credit.change_accountcredit")
        self.columns = [
            (_("Account number"), lambda c: c.account.account_no),
            (_("Account name"), lambda c: c.account.name),
            (_("Customer"), lambda c: c.account.customer.name),
            (_("Region"), lambda c: c.account.customer.org_unit.name),
            (_("Grade"), lambda c: grade_cell(c.grade)),
            (_("Credit limit (yuan)"), lambda c: c.limit),
            (_("Source"), lambda c: c.get_source_display()),
            (_("Assessed at"), lambda c: c.assessed_at),
            (_("Assessor"), lambda c: c.assessor_name),
            (_("Reason"), lambda c: c.reason),
        ]
        if may_set:
            self.columns.append(
                (_("Action"), lambda c: HtmlCell("", format_html(
                    '<a class="btn btn-sm btn-link py-0" href="{}">{}</a>', reverse("credit:set", args=[c.account_id]),
                    gettext("Set grade"),
                )))
            )
        return super().get(request, *args, **kwargs)

    def row_url(self, row):
        return _customer_url(row.account)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        counts = selectors.grade_counts(self.object_list)
        context["grade_counts"] = [
            {"grade": grade, "label": label, "count": counts[grade], "badge": GRADE_BADGES[grade]}
            for grade, label in CreditGrade.choices
        ]
        context["by_city"] = selectors.grades_by_city(self.object_list)
        context["colours"] = {str(k): v for k, v in GRADE_COLOURS.items()}
        context["ungraded"] = (
            PayingAccount.objects.visible_to(user).filter(status=AccountStatus.ACTIVE, credit__isnull=True).count()
        )
        context["export_csv_url"] = reverse("credit:export_csv")
        context["runs"] = CreditRun.objects.all()[:5] if user.has_perm("credit.view_creditrun") else []
        return context


class CreditChangesPage(ListPage):
    """信用度日志: every operation on the credit of accounts in scope, with the assessor, and
    the number of changes by grade per city."""

    permission_required = "credit.view_creditchange"
    model = CreditChange
    title = _("Credit log")
    filterset_class = CreditChangeFilter
    export_name = "credit-log"
    template_name = "credit/changes.html"
    sort_fields = {"at": "at"}
    default_sort = "-at"
    columns = [
        (_("Time"), lambda c: c.at),
        (_("Account number"), lambda c: c.account.account_no),
        (_("Customer"), lambda c: c.account.customer.name),
        (_("Region"), lambda c: c.account.customer.org_unit.name),
        (_("From grade"), lambda c: grade_cell(c.old_grade)),
        (_("To grade"), lambda c: grade_cell(c.new_grade)),
        (_("From limit"), lambda c: c.old_limit),
        (_("To limit"), lambda c: c.new_limit),
        (_("Source"), lambda c: c.get_source_display()),
        (_("Reason"), lambda c: c.reason),
        (_("Assessor"), lambda c: c.assessor_name),
    ]

    def get_queryset(self):
        return selectors.changes_for(self.request.user)

    def row_url(self, row):
        return _customer_url(row.account)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["by_city"] = selectors.grades_by_city(self.object_list, grade_field="new_grade")
        context["colours"] = {str(k): v for k, v in GRADE_COLOURS.items()}
        sources = dict(CreditSource.choices)
        by_source = self.object_list.order_by().values("source").annotate(n=Count("pk")).order_by("-n", "source")
        context["by_source"] = {
            "labels": [str(sources.get(row["source"], row["source"])) for row in by_source],
            "values": [row["n"] for row in by_source],
        }
        return context


class CreditSetPage(ServiceFormPage):
    """人工设定信用度: grade (and optionally a custom limit) of one account, with a reason."""

    permission_required = "credit.change_accountcredit"
    form_class = CreditSetForm
    template_name = "credit/form.html"
    success_message = _("The credit grade was saved.")

    @cached_property
    def account(self):
        return PayingAccount.objects.select_related("customer").get_visible(self.request.user, pk=self.kwargs["pk"])

    @cached_property
    def credit(self):
        return AccountCredit.objects.filter(account=self.account).first()

    def get_initial(self):
        return {"grade": self.credit.grade} if self.credit else {}

    def get_context_data(self, **kwargs):
        suggestion = selectors.grade_suggest(self.account)
        return super().get_context_data(
            title=_("Credit of account %(no)s") % {"no": self.account.account_no},
            account=self.account,
            credit=self.credit,
            credit_badge=GRADE_BADGES.get(self.credit.grade) if self.credit else "",
            suggestion=(CreditGrade(suggestion[0]).label, suggestion[1]) if suggestion else None,
            standards=CreditStandard.objects.all(),
            cancel_url=_customer_url(self.account),
            **kwargs,
        )

    def perform(self, form):
        data = form.cleaned_data
        return services.credit_set(
            actor=self.request.user, account=self.account, grade=data["grade"], limit=data["limit"], reason=data["reason"]
        )

    def success_url_for(self, obj):
        return _customer_url(self.account)


class StandardsPage(PermissionRequiredMixin, TemplateView):
    """信用评级标准: limits and thresholds per grade, initial rules, runs and their history."""

    permission_required = "credit.view_creditstandard"
    template_name = "credit/standards.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        standards = {s.grade: s for s in CreditStandard.objects.all()}
        history = audit_entries_for(user).filter(
            target_type__in=["credit.creditstandard", "credit.initialgraderule"]
        )[:20]
        from kams.system.parameters import param

        return super().get_context_data(
            title=_("Credit standards"),
            standards=[(grade, label, GRADE_BADGES[grade], standards.get(grade)) for grade, label in CreditGrade.choices],
            rules=InitialGradeRule.objects.all(),
            history=history,
            runs=CreditRun.objects.all()[:10],
            hold_days=param("credit.manual_hold_days"),
            **kwargs,
        )


class StandardEditPage(ServiceFormPage):
    permission_required = "credit.change_creditstandard"
    form_class = StandardForm
    success_message = _("The credit standard was saved.")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.standard = get_object_or_404(CreditStandard, grade=kwargs["grade"])
        self.title = _("Credit standard: %(grade)s") % {"grade": self.standard.get_grade_display()}
        self.cancel_url = reverse("credit:standards")

    def extra_form_kwargs(self):
        return {"grade": self.standard.grade}

    def get_initial(self):
        return {name: getattr(self.standard, name) for name in StandardForm.base_fields if name != "reason"}

    def perform(self, form):
        values = dict(form.cleaned_data)
        reason = values.pop("reason", "")
        values["description"] = values.get("description") or ""
        return services.credit_standard_save(actor=self.request.user, standard=self.standard, reason=reason, **values)

    def success_url_for(self, obj):
        return reverse("credit:standards")


class RuleEditPage(ServiceFormPage):
    permission_required = "credit.change_initialgraderule"
    form_class = RuleForm
    success_message = _("The initial grade rule was saved.")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.rule = get_object_or_404(InitialGradeRule, pk=kwargs["pk"]) if "pk" in kwargs else None
        self.title = _("Initial grade rule %(priority)s") % {"priority": self.rule.priority} if self.rule else _("New initial grade rule")
        self.cancel_url = reverse("credit:standards")

    def get_initial(self):
        if self.rule is None:
            return {"is_active": True}
        return {name: getattr(self.rule, name) for name in RuleForm.base_fields}

    def perform(self, form):
        return services.initial_rule_save(actor=self.request.user, rule=self.rule, **form.cleaned_data)

    def success_url_for(self, obj):
        return reverse("credit:standards")


class RegradeView(PermissionRequiredMixin, View):
    permission_required = "credit.add_creditrun"

    def post(self, request):
        run = services.credit_regrade_request(actor=request.user)
        messages.success(request, _("The re-grading #%(id)s is queued; follow it on the jobs page.") % {"id": run.pk})
        return redirect("credit:accounts")


class InitialAssignView(PermissionRequiredMixin, View):
    permission_required = "credit.add_creditrun"

    def post(self, request):
        count = services.credits_initial_assign_request(actor=request.user)
        messages.success(request, _("%(n)s accounts got their initial grade.") % {"n": count})
        return redirect("credit:accounts")


class _Echo:
    def write(self, value):
        return value


class ExportCsvView(PermissionRequiredMixin, View):
    """The grades for the billing system's credit control as CSV (docs/formats/credit-export.md)."""

    permission_required = "credit.view_accountcredit"

    def get(self, request):
        since = None
        raw = request.GET.get("changed_since", "").strip()
        if raw:
            since = parse_datetime(raw) or _parse_date(raw)
            if since is None:
                return HttpResponseBadRequest(gettext("changed_since: “%(value)s” is not a date or time.") % {"value": raw})
            if timezone.is_naive(since):
                since = timezone.make_aware(since)
        rows = selectors.credit_export(request.user, changed_since=since)
        writer = csv.writer(_Echo())

        def lines():
            yield writer.writerow(["account_no", "grade", "limit", "assessed_at", "changed_at"])
            for credit in rows.iterator(chunk_size=2000):
                yield writer.writerow(
                    [credit.account.account_no, credit.grade, f"{credit.limit:.2f}",
                     timezone.localtime(credit.assessed_at).isoformat(), timezone.localtime(credit.changed_at).isoformat()]
                )

        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="credit-{stamp}.csv"'
        return response


def _parse_date(raw: str):
    try:
        day = datetime.date.fromisoformat(raw)
    except ValueError:
        return None
    return datetime.datetime.combine(day, datetime.time.min)

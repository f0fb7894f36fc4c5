"""Pages of collection and merge (CUS-03, CUS-04, SVC-05): admission rules, candidates and
their review, my first contacts, the duplicates queue with its side-by-side comparison, and
the merge confirmation.

Every write goes to one service of ``kams.collection.services``, which checks permission
and scope again, runs the transaction and writes the audit log; a refused step shows the
service's message and changes nothing. Records are read through the scoped managers, so a
record outside the user's scope is a 404.
"""

from functools import cached_property

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from kams.audit.models import AuditEntry
from kams.collection import services
from kams.collection.enums import CandidateState, PairState
from kams.collection.filters import CandidateFilter, DuplicateFilter, FirstContactFilter
from kams.collection.forms import AdmitForm, DoneForm, MergeForm, RejectForm, RuleForm
from kams.collection.models import AdmissionRule, Candidate, DuplicatePair, FirstContactTask
from kams.collection.normalise import normalise_name
from kams.core.errors import KamsError
from kams.core.masking import mask_certificate, mask_phone
from kams.org.scoping import scope_for
from kams.web.lists import ListPage
from kams.web.pages import ServiceFormPage


def _customer_link(customer):
    return format_html('<a href="{}">{}</a>', reverse("customers:detail", args=[customer.pk]), customer.name)


# --- Admission rules -------------------------------------------------------------------------------


class RuleListPage(ListPage):
    permission_required = "collection.view_admissionrule"
    model = AdmissionRule
    title = _("Admission rules")
    template_name = "collection/rules.html"
    export_name = "admission-rules"
    columns = [
        (_("Name"), lambda r: r.name),
        (_("Customer type"), lambda r: r.get_customer_type_display()),
        (_("Minimum average monthly revenue (yuan)"), lambda r: r.min_monthly_revenue),
        (_("Months averaged"), lambda r: r.months),
        (_("Minimum active members"), lambda r: r.min_members),
        (_("Active"), lambda r: r.is_active),
        (_("Updated at"), lambda r: r.updated_at),
    ]

    def row_url(self, row):
        return reverse("collection:rule_edit", args=[row.pk])


class RuleCreatePage(ServiceFormPage):
    permission_required = "collection.add_admissionrule"
    form_class = RuleForm
    template_name = "collection/rule_form.html"
    title = _("New admission rule")
    success_message = _("The rule was saved.")

    def get_context_data(self, **kwargs):
        return super().get_context_data(cancel_url=reverse("collection:rules"), **kwargs)

    def perform(self, form):
        return services.rule_save(actor=self.request.user, **form.values())

    def success_url_for(self, obj):
        return reverse("collection:rules")


class RuleEditPage(RuleCreatePage):
    """Change a rule; its history (every version, from the audit log) is shown below."""

    permission_required = "collection.view_admissionrule"

    @cached_property
    def rule(self):
        return AdmissionRule.objects.get_visible(self.request.user, pk=self.kwargs["pk"])

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("collection.change_admissionrule"):
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": AdmissionRule.objects.get(pk=self.rule.pk)}

    def get_context_data(self, **kwargs):
        history = AuditEntry.objects.filter(target_type="collection.admissionrule", target_id=str(self.rule.pk))
        return super().get_context_data(
            title=_("Admission rule: %(name)s") % {"name": self.rule.name}, history=history[:50],
            read_only=not self.request.user.has_perm("collection.change_admissionrule"), **kwargs,
        )

    def perform(self, form):
        return services.rule_save(
            actor=self.request.user, rule=self.rule, reason=form.cleaned_data["reason"], **form.values()
        )


# --- Candidates ------------------------------------------------------------------------------------


class CandidateListPage(ListPage):
    """大客户候选名单: filter, export, and open one to admit or reject it."""

    permission_required = "collection.view_candidate"
    model = Candidate
    filterset_class = CandidateFilter
    title = _("Key-account candidates")
    template_name = "collection/candidates.html"
    export_name = "key-account-candidates"
    sort_fields = {"revenue": "revenue", "created": "created_at", "customer": "customer__name"}
    columns = [
        (_("Customer"), lambda c: c.customer.name),
        (_("Customer number"), lambda c: c.customer.code),
        (_("Customer type"), lambda c: c.customer.get_customer_type_display()),
        (_("Region"), lambda c: c.customer.org_unit.name),
        (_("Rule"), lambda c: c.rule.name),
        (_("Average monthly revenue"), lambda c: c.revenue),
        (_("Months averaged"), lambda c: c.months),
        (_("Judged up to"), lambda c: f"{c.period:%Y-%m}"),
        (_("Active members"), lambda c: c.members),
        (_("State"), lambda c: c.get_state_display()),
        (_("Account manager"), lambda c: c.manager.name if c.manager else (c.customer.account_manager.name if c.customer.account_manager else "")),
        (_("Reason"), lambda c: c.reason),
        (_("Found at"), lambda c: c.created_at),
    ]

    def get_base_queryset(self):
        return Candidate.objects.select_related(
            "customer", "customer__org_unit", "customer__account_manager", "rule", "manager"
        )

    def row_url(self, row):
        return reverse("collection:candidate_detail", args=[row.pk])

    def get(self, request, *args, **kwargs):
        if not request.GET:  # open candidates first: the review queue
            request.GET = request.GET.copy()
            request.GET["state"] = CandidateState.OPEN
        return super().get(request, *args, **kwargs)


class CandidateDetailPage(PermissionRequiredMixin, TemplateView):
    """One candidate with its evidence; admit it (choosing the manager) or reject it."""

    permission_required = "collection.view_candidate"
    template_name = "collection/candidate_detail.html"

    @cached_property
    def candidate(self):
        return Candidate.objects.select_related("customer", "customer__org_unit", "rule", "manager").get_visible(
            self.request.user, pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        user = self.request.user
        candidate = self.candidate
        kwargs.setdefault("admit_form", AdmitForm(user=user, customer=candidate.customer))
        kwargs.setdefault("reject_form", RejectForm())
        return super().get_context_data(
            title=_("Candidate: %(name)s") % {"name": candidate.customer.name}, candidate=candidate,
            can_review=candidate.state == CandidateState.OPEN and user.has_perm("collection.review_candidate"),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("collection.review_candidate"):
            raise PermissionDenied
        candidate = self.candidate
        action = request.POST.get("action")
        admit_form = AdmitForm(request.POST if action == "admit" else None, user=request.user, customer=candidate.customer)
        reject_form = RejectForm(request.POST if action == "reject" else None)
        form = admit_form if action == "admit" else reject_form
        if form.is_valid():
            try:
                if action == "admit":
                    services.candidate_admit(
                        actor=request.user, candidate=candidate, manager=form.cleaned_data["manager"],
                        note=form.cleaned_data["note"],
                    )
                    messages.success(request, _("The customer is admitted; its manager has a first contact to make."))
                else:
                    services.candidate_reject(actor=request.user, candidate=candidate, reason=form.cleaned_data["reason"])
                    messages.success(request, _("The candidate was rejected."))
                return redirect("collection:candidates")
            except KamsError as exc:
                form.add_error(None, exc.text)
        return self.render_to_response(self.get_context_data(admit_form=admit_form, reject_form=reject_form))


class CandidatesGenerateView(PermissionRequiredMixin, View):
    permission_required = "collection.add_candidate"

    def post(self, request):
        run = services.candidates_generate_request(actor=request.user)
        messages.success(request, _("The candidate search #%(id)s is queued; follow it on the jobs page.") % {"id": run.pk})
        return redirect("collection:candidates")


# --- First contacts --------------------------------------------------------------------------------


class FirstContactListPage(ListPage):
    """我的首次接触: the first contacts the user owes (directors: ``?all=1`` for their scope)."""

    permission_required = "collection.view_firstcontacttask"
    model = FirstContactTask
    filterset_class = FirstContactFilter
    template_name = "collection/first_contacts.html"
    export_name = "first-contacts"
    columns = [
        (_("Customer"), lambda t: t.customer.name),
        (_("Customer number"), lambda t: t.customer.code),
        (_("Region"), lambda t: t.customer.org_unit.name),
        (_("Account manager"), lambda t: t.manager.name),
        (_("Due on"), lambda t: t.due_on),
        (_("Overdue"), lambda t: not t.done and t.due_on < timezone.localdate()),
        (_("Done"), lambda t: t.done),
        (_("Result"), lambda t: t.result),
    ]

    @property
    def everyone(self) -> bool:
        return self.request.GET.get("all") == "1" and not scope_for(self.request.user).own_only

    @property
    def title(self):
        return _("First contacts") if self.everyone else _("My first contacts")

    def get_base_queryset(self):
        tasks = FirstContactTask.objects.select_related("customer", "customer__org_unit", "manager")
        if not self.everyone:
            tasks = tasks.filter(manager__user=self.request.user)
        return tasks

    def row_url(self, row):
        return None if row.done else reverse("collection:first_contact_done", args=[row.pk])


class FirstContactDonePage(ServiceFormPage):
    permission_required = "collection.change_firstcontacttask"
    form_class = DoneForm
    template_name = "collection/form.html"
    success_message = _("The first contact is recorded.")

    @cached_property
    def task(self):
        return FirstContactTask.objects.select_related("customer").get_visible(self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("First contact with %(name)s") % {"name": self.task.customer.name},
            cancel_url=reverse("collection:first_contacts"),
            lead=_("Due on %(date)s.") % {"date": self.task.due_on}, **kwargs,
        )

    def perform(self, form):
        return services.first_contact_done(actor=self.request.user, task=self.task, result=form.cleaned_data["result"])

    def success_url_for(self, obj):
        return reverse("collection:first_contacts")


# --- Duplicates and merge ---------------------------------------------------------------------------


class DuplicateListPage(ListPage):
    """疑似重复客户: the review queue, best matches first."""

    permission_required = "collection.view_duplicatepair"
    model = DuplicatePair
    filterset_class = DuplicateFilter
    title = _("Possible duplicates")
    template_name = "collection/duplicates.html"
    export_name = "possible-duplicates"
    sort_fields = {"score": "score", "found": "created_at"}
    columns = [
        (_("Customer A"), lambda p: p.a.name),
        (_("Customer B"), lambda p: p.b.name),
        (_("Similarity"), lambda p: p.score),
        (_("Reasons"), lambda p: "、".join(p.reason_labels())),
        (_("Region"), lambda p: p.org_unit.name),
        (_("State"), lambda p: p.get_state_display()),
        (_("Reason"), lambda p: p.reason),
        (_("Found at"), lambda p: p.created_at),
    ]

    def get_base_queryset(self):
        return DuplicatePair.objects.select_related("a", "b", "org_unit")

    def row_url(self, row):
        return reverse("collection:duplicate_detail", args=[row.pk])

    def get(self, request, *args, **kwargs):
        if not request.GET:
            request.GET = request.GET.copy()
            request.GET["state"] = PairState.OPEN
        return super().get(request, *args, **kwargs)


class DuplicatesFindView(PermissionRequiredMixin, View):
    permission_required = "collection.add_duplicatepair"

    def post(self, request):
        run = services.duplicates_find_request(actor=request.user)
        messages.success(request, _("The duplicate search #%(id)s is queued; follow it on the jobs page.") % {"id": run.pk})
        return redirect("collection:duplicates")


def comparison(user, pair: DuplicatePair) -> list[dict]:
    """The two customers side by side, row by row, with the rows that differ marked."""
    personal = user.has_perm("customers.view_personal_data")
    rows = []

    def add(label, getter, *, mask=None):
        values = []
        for customer in (pair.a, pair.b):
            value = getter(customer)
            values.append(mask(value) if (mask and not personal) else value)
        rows.append({"label": label, "a": values[0], "b": values[1], "same": values[0] == values[1]})

    add(_("Customer number"), lambda c: c.code)
    add(_("Customer name"), lambda c: c.name)
    add(_("Name for comparison"), lambda c: normalise_name(c.name))
    add(_("Status"), lambda c: c.get_status_display())
    add(_("Customer type"), lambda c: c.get_customer_type_display())
    add(_("Region"), lambda c: c.org_unit.name)
    add(_("Account manager"), lambda c: c.account_manager.name if c.account_manager else "")
    add(_("Industry"), lambda c: str(c.industry or ""))
    add(_("Certificate number"), lambda c: c.certificate_no, mask=mask_certificate)
    add(_("Phone"), lambda c: c.phone, mask=mask_phone)
    add(_("Address"), lambda c: c.address)
    add(_("Created at"), lambda c: c.created_at)
    for label, related in (
        (_("Paying accounts"), "accounts"), (_("Members"), "members"), (_("Contacts"), "contacts"),
        (_("Contracts"), "contracts"), (_("Bills"), "bills"),
    ):
        add(label, lambda c, r=related: getattr(c, r).count())
    return rows


class DuplicateDetailPage(PermissionRequiredMixin, TemplateView):
    """Side-by-side comparison of a pair; dismiss it with a reason, or go on to merge it."""

    permission_required = "collection.view_duplicatepair"
    template_name = "collection/duplicate_detail.html"

    @cached_property
    def pair(self):
        return DuplicatePair.objects.select_related(
            "a", "b", "a__org_unit", "b__org_unit", "a__account_manager", "b__account_manager", "org_unit"
        ).get_visible(self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        user, pair = self.request.user, self.pair
        kwargs.setdefault("dismiss_form", RejectForm())
        return super().get_context_data(
            title=_("Possible duplicate"), pair=pair, rows=comparison(user, pair),
            can_dismiss=pair.state == PairState.OPEN and user.has_perm("collection.change_duplicatepair"),
            can_merge=pair.state == PairState.OPEN and user.has_perm("collection.approve_merge"),
            merges=pair.merges.select_related("survivor", "duplicate", "merged_by"),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("collection.change_duplicatepair"):
            raise PermissionDenied
        form = RejectForm(request.POST)
        if form.is_valid():
            try:
                services.pair_dismiss(actor=request.user, pair=self.pair, reason=form.cleaned_data["reason"])
            except KamsError as exc:
                form.add_error(None, exc.text)
            else:
                messages.success(request, _("The pair is marked as not duplicates."))
                return redirect("collection:duplicates")
        return self.render_to_response(self.get_context_data(dismiss_form=form))


class MergePage(ServiceFormPage):
    """归并确认: which customer is kept, what moves to it; then the merge in one step."""

    permission_required = "collection.approve_merge"
    form_class = MergeForm
    template_name = "collection/merge.html"
    success_message = _("The customers were merged.")

    @cached_property
    def pair(self):
        return DuplicatePair.objects.select_related("a", "b").get_visible(self.request.user, pk=self.kwargs["pk"])

    def extra_form_kwargs(self):
        return {"pair": self.pair}

    def get_initial(self):
        # Keep the current customer, else the older record.
        a, b = self.pair.a, self.pair.b
        keep = b if (b.status == "current" and a.status != "current") else a
        return {"survivor": keep.pk}

    def get_context_data(self, **kwargs):
        a, b = self.pair.a, self.pair.b
        return super().get_context_data(
            title=_("Merge customers"), pair=self.pair,
            previews=[(a, b, services.merge_preview(a, b)), (b, a, services.merge_preview(b, a))],
            cancel_url=reverse("collection:duplicate_detail", args=[self.pair.pk]), **kwargs,
        )

    def perform(self, form):
        survivor = self.pair.a if form.cleaned_data["survivor"] == self.pair.a_id else self.pair.b
        return services.pair_merge(actor=self.request.user, pair=self.pair, survivor=survivor, reason=form.cleaned_data["reason"])

    def success_url_for(self, obj):
        return reverse("customers:detail", args=[obj.survivor_id])

"""业务流程 (SVC-12, SVC-13, OTH-01 … OTH-06): cases running on BPMN process definitions.

* ``ProcessDefinition`` — one version of one BPMN process (the file's XML as uploaded or as
  shipped under ``processes/``). New cases start on the active version; a running case keeps
  the specs it started with inside its serialised workflow, so uploading a new version never
  changes it.
* ``Case`` — one request, complaint, fault, order or visit: its process, customer, unit,
  data captured so far and the serialised SpiffWorkflow state (a few KB), saved after every step.
* ``WorkItem`` — every ready user task of a case, with its role, assignee, org unit and
  deadline; the live board and the SLA sweep read these rows, never the workflow blobs.
* ``CaseEvent`` — the case's history (opened, each step, hand-overs, warnings, escalations).
* ``Holiday`` — the holiday calendar for working-time limits (法定节假日 and 调休 workdays).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kams.org.scoping import UNSCOPED, ScopedQuerySet, ScopeSpec
from kams.service.enums import (
    CalendarKind,
    CaseSource,
    CaseStatus,
    Channel,
    DefinitionSource,
    EventKind,
    ItemStatus,
)


class ProcessDefinition(models.Model):
    key = models.CharField(_("process key"), max_length=64, db_index=True)
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.GENERAL)
    calendar = models.CharField(_("calendar"), max_length=10, choices=CalendarKind.choices, default=CalendarKind.WORKING)
    resolution_limit = models.CharField(_("resolution limit"), max_length=20, blank=True)
    customer_required = models.BooleanField(_("customer required"), default=True)
    start_form = models.JSONField(_("opening form"), default=list, blank=True)
    steps = models.JSONField(_("steps"), default=list, blank=True, help_text=_("The user tasks: id, name, role, limit."))
    bpmn = models.TextField(_("BPMN XML"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    is_active = models.BooleanField(_("active"), default=False)
    source = models.CharField(_("source"), max_length=10, choices=DefinitionSource.choices, default=DefinitionSource.PACKAGE)
    note = models.CharField(_("note"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["key", "-version"]
        verbose_name = _("process definition")
        verbose_name_plural = _("process definitions")
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="service_definition_key_version"),
            models.UniqueConstraint(fields=["key"], condition=Q(is_active=True), name="service_definition_one_active"),
        ]
        permissions = [("upload_processdefinition", _("Can upload a new process version"))]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def display_name(self) -> str:
        from django.utils.translation import get_language

        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


CASE_SCOPE = ScopeSpec(org="org_unit", owner="owner")


class Case(models.Model):
    number = models.CharField(_("case number"), max_length=24, unique=True)
    definition = models.ForeignKey(
        ProcessDefinition, on_delete=models.PROTECT, related_name="cases", verbose_name=_("process")
    )
    process_key = models.CharField(_("process key"), max_length=64, db_index=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(_("received through"), max_length=10, choices=CaseSource.choices, default=CaseSource.CENTER)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="cases",
        verbose_name=_("customer"),
    )
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("org unit"))
    owner = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="owned_cases",
        verbose_name=_("responsible manager"),
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("opened from")
    )
    status = models.CharField(_("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    data = models.JSONField(_("data"), default=dict, blank=True)
    state = models.TextField(_("workflow state"), blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=0)
    external_id = models.CharField(_("external ID"), max_length=100, blank=True, db_index=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, null=True, blank=True, unique=True)
    opened_at = models.DateTimeField(_("opened at"), db_index=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("opened by"),
    )
    due_at = models.DateTimeField(_("expected resolution"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = CASE_SCOPE

    class Meta:
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["org_unit", "status"]),
            models.Index(fields=["customer", "status"]),
            models.Index(fields=["process_key", "status", "opened_at"]),
        ]
        permissions = [("cancel_case", _("Can cancel a case")), ("reassign_workitem", _("Can reassign work items"))]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class WorkItem(models.Model):
    """待办: one ready user task of a case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="work_items", verbose_name=_("case"))
    task_id = models.UUIDField(_("task ID"))
    step = models.CharField(_("step ID"), max_length=64)
    step_name = models.CharField(_("step"), max_length=200)
    process_key = models.CharField(_("process key"), max_length=64)
    role = models.CharField(_("role"), max_length=40, db_index=True)
    assignee = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="work_items",
        verbose_name=_("assignee"),
    )
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("org unit"))
    status = models.CharField(_("status"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    calendar = models.CharField(_("calendar"), max_length=10, choices=CalendarKind.choices)
    time_limit = models.CharField(_("time limit"), max_length=20, blank=True)
    escalate_to = models.CharField(_("escalation chain"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("started at"))
    warn_at = models.DateTimeField(_("warn at"))
    deadline = models.DateTimeField(_("deadline"))
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    # When the sweep must next look at this item (the warning, then each escalation); null
    # once done or at the end of the chain. The sweep is one range scan of this index.
    next_alert_at = models.DateTimeField(_("next alert at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("completed by")
    )
    late = models.BooleanField(_("late"), null=True, blank=True, help_text=_("Set when the step is done."))
    form = models.JSONField(_("form"), default=list, blank=True, help_text=_("The step's form fields, from its process."))
    result = models.JSONField(_("result"), default=dict, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit", owner="assignee")

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("work item")
        verbose_name_plural = _("work items")
        constraints = [models.UniqueConstraint(fields=["case", "task_id"], name="service_workitem_task_once")]
        indexes = [
            models.Index(fields=["next_alert_at"], name="service_wi_next_alert", condition=Q(next_alert_at__isnull=False)),
            models.Index(fields=["status", "org_unit", "deadline"], name="service_wi_board"),
            models.Index(fields=["assignee", "status", "deadline"], name="service_wi_assignee"),
            models.Index(fields=["process_key", "completed_at"], name="service_wi_stats"),
        ]

    def __str__(self) -> str:
        return f"{self.case.number} · {self.step_name}"


class CaseEvent(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("case"))
    at = models.DateTimeField(_("at"), db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    step = models.CharField(_("step ID"), max_length=64, blank=True)
    step_name = models.CharField(_("step"), max_length=200, blank=True)
    actor = models.ForeignKey(
        "org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    text = models.CharField(_("text"), max_length=500, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="case__org_unit", owner="case__owner")

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")


class Holiday(models.Model):
    """节假日: a weekday off, or (``is_workday``) a weekend day worked (调休)."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=60)
    is_workday = models.BooleanField(_("working day"), default=False, help_text=_("A weekend day that is worked (调休)."))

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class ArrearsRecord(models.Model):
    """欠费信息记录到客户资料中 (SVC-02): arrears found by the dunning of a yellow-channel case."""

    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="arrears_records", verbose_name=_("customer"))
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="arrears_records", verbose_name=_("case"))
    amount = models.DecimalField(_("arrears (yuan)"), max_digits=14, decimal_places=2)
    period = models.CharField(_("billing period"), max_length=7, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey("org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="customer__org_unit", owner="customer__account_manager")

    class Meta:
        ordering = ["-recorded_at"]
        verbose_name = _("arrears record")
        verbose_name_plural = _("arrears records")

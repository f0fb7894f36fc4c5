"""Writes of the process engine: definitions, cases and their steps (work items).

Every function checks permission and scope, runs in one transaction and writes the audit
log. A case advances under a row lock, and its workflow state, work items, data and history
are saved together, so two people completing the same step cannot both succeed.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kams.audit.services import audit_record
from kams.core.errors import InvalidInput
from kams.org.models import OrgUnit, Role, Staff
from kams.org.scoping import require_in_scope, require_perm, scope_for
from kams.service import engine
from kams.service.actions import ActionContext, action_names, action_run
from kams.service.calendar import WorkingCalendar, add_limit
from kams.service.enums import CalendarKind, CaseSource, CaseStatus, DefinitionSource, EventKind, ItemStatus
from kams.service.errors import (
    AssignedElsewhere,
    CaseNotOpen,
    InvalidProcess,
    NotYourStep,
    StepNotOpen,
)
from kams.service.forms_spec import form_clean
from kams.service.models import Case, CaseEvent, ProcessDefinition, WorkItem
from kams.system.parameters import param

# --- Definitions -----------------------------------------------------------------------------------


def _role_codes() -> set[str]:
    return set(Role.objects.values_list("code", flat=True))


def _store(parsed: engine.Parsed, xml: bytes, *, source: str, actor: Any = None, note: str = "") -> ProcessDefinition:
    latest = ProcessDefinition.objects.filter(key=parsed.key).aggregate(v=Max("version"))["v"] or 0
    ProcessDefinition.objects.filter(key=parsed.key, is_active=True).update(is_active=False)
    return ProcessDefinition.objects.create(
        key=parsed.key, version=latest + 1, name=parsed.name[:100], name_en=parsed.name_en[:100],
        channel=parsed.channel, calendar=parsed.calendar, resolution_limit=parsed.resolution_limit,
        customer_required=parsed.customer_required, start_form=parsed.start_form, steps=parsed.steps,
        bpmn=xml.decode(), sha256=engine.sha256(xml), is_active=True, source=source, note=note[:300],
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
    )


def _active_files(exclude: str = "") -> dict[str, bytes]:
    return {
        d.key: d.bpmn.encode()
        for d in ProcessDefinition.objects.filter(is_active=True).exclude(key=exclude).only("key", "bpmn")
    }


@transaction.atomic
def definitions_sync_package() -> list[ProcessDefinition]:
    """Install the process files shipped in ``processes/``: a new version when a file
    changed, unless an administrator's upload is the active version of that process.
    The built-in roles come first (after a ``flush`` they are gone)."""
    from kams.org.builtin_roles import ensure_builtin_roles_now

    if not Role.objects.filter(is_system=True).exists():
        ensure_builtin_roles_now()
    roles, actions = _role_codes(), action_names()
    files = engine.package_files()
    created = []
    for key, xml in files.items():
        digest = engine.sha256(xml)
        active = ProcessDefinition.objects.filter(key=key, is_active=True).first()
        if active is not None and (active.sha256 == digest or active.source == DefinitionSource.UPLOAD):
            continue
        parsed = engine.read_definition(xml, roles=roles, actions=actions)
        created.append(_store(parsed, xml, source=DefinitionSource.PACKAGE))
    return created


@transaction.atomic
def definition_upload(*, actor: Any, xml: bytes, note: str = "") -> ProcessDefinition:
    """上传流程: a new version of a process from any BPMN modeler. It must parse, name
    existing roles, carry well-formed limits and forms, and call only known processes;
    otherwise InvalidProcess and nothing changes. Running cases keep their version."""
    require_perm(actor, "service.upload_processdefinition")
    parsed = engine.read_definition(xml, roles=_role_codes(), actions=action_names())
    others = _active_files(exclude=parsed.key)
    missing = parsed.called - set(others) - {parsed.key}
    if missing:
        raise InvalidProcess(problem=_("it calls unknown processes %(keys)s") % {"keys": ", ".join(sorted(missing))})
    engine.specs_check(parsed.key, {**{k: others[k] for k in parsed.called if k in others}, parsed.key: xml})
    definition = _store(parsed, xml, source=DefinitionSource.UPLOAD, actor=actor, note=note)
    audit_record(
        actor=actor, action="service.definition_upload", target=definition,
        after={"key": definition.key, "version": definition.version, "sha256": definition.sha256}, reason=note,
        target_repr=str(definition),
    )
    return definition


@transaction.atomic
def definition_activate(*, actor: Any, definition: ProcessDefinition, reason: str) -> ProcessDefinition:
    """Make an earlier (or later) version the one new cases start on."""
    require_perm(actor, "service.upload_processdefinition")
    if not reason.strip():
        raise InvalidInput(_("reason: say why this version is activated."))
    before = ProcessDefinition.objects.filter(key=definition.key, is_active=True).values_list("version", flat=True).first()
    ProcessDefinition.objects.filter(key=definition.key, is_active=True).update(is_active=False)
    ProcessDefinition.objects.filter(pk=definition.pk).update(is_active=True)
    definition.refresh_from_db()
    audit_record(
        actor=actor, action="service.definition_activate", target=definition, before={"version": before},
        after={"version": definition.version}, reason=reason, target_repr=str(definition),
    )
    return definition


def active_definition(key: str) -> ProcessDefinition:
    definition = ProcessDefinition.objects.filter(key=key, is_active=True).first()
    if definition is None:
        definitions_sync_package()
        definition = ProcessDefinition.objects.filter(key=key, is_active=True).first()
    if definition is None:
        raise InvalidInput(_("process: there is no process %(key)s.") % {"key": key})
    return definition


# --- People and units ------------------------------------------------------------------------


def staff_of(actor: Any) -> Staff | None:
    return getattr(actor, "staff", None) if actor is not None and actor.is_authenticated else None


def role_codes_of(staff: Staff | None) -> set[str]:
    if staff is None:
        return set()
    return set(staff.roles.values_list("code", flat=True))


def _ancestor_paths(unit: OrgUnit) -> list[str]:
    step = OrgUnit.steplen
    return [unit.path[:i] for i in range(step, len(unit.path) + 1, step)]


def holders(role: str, unit: OrgUnit) -> tuple[OrgUnit, list[Staff]]:
    """Who takes a ``role`` step of a case held by ``unit``: the holders of the role in the
    smallest unit around it — the unit itself, else its parent's subtree (a city's
    maintenance department for a district's fault), and so on up. Returns the unit the
    step belongs to (theirs when they share one) and those people."""
    ancestors = _ancestor_paths(unit)
    people = list(
        Staff.objects.filter(roles__code=role, is_active=True, org_unit__path__startswith=ancestors[min(1, len(ancestors) - 1)])
        .select_related("org_unit", "user").order_by("employee_no").distinct()
    )
    if not people:
        people = list(Staff.objects.filter(roles__code=role, is_active=True, org_unit__path__in=ancestors[:1])
                      .select_related("org_unit", "user").order_by("employee_no"))
    for prefix in reversed(ancestors):
        near = [p for p in people if p.org_unit.path.startswith(prefix)]
        if near:
            units = {p.org_unit_id for p in near}
            if len(units) == 1:
                return near[0].org_unit, near
            return OrgUnit.objects.get(path=prefix), near
    return unit, []


# --- Cases ------------------------------------------------------------------------------------


def _number(case: Case) -> str:
    return f"SR{timezone.localtime(case.opened_at):%y%m%d}{case.pk:06d}"


def _event(case: Case, kind: str, *, at: datetime.datetime, actor: Staff | None = None, item: Any = None,
           text: str = "", detail: dict | None = None) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, at=at, kind=kind, actor=actor, text=text[:500], detail=detail or {},
        step=getattr(item, "step", "") or "", step_name=getattr(item, "step_name", "") or "",
    )


@transaction.atomic
def case_open(
    *,
    actor: Any,
    process: str,
    title: str,
    data: dict[str, Any] | None = None,
    customer: Any = None,
    org_unit: OrgUnit | None = None,
    owner: Staff | None = None,
    source: str = CaseSource.CENTER,
    parent: Case | None = None,
    external_id: str = "",
    idempotency_key: str | None = None,
    as_step: bool = False,
    now: datetime.datetime | None = None,
) -> Case:
    """受理: open a case of ``process`` and create the work items of its first steps.

    ``data`` is checked against the process's opening form. ``as_step`` is set when a
    completed step opens the case (the step's role is the authority, not ``add_case``).
    The same ``idempotency_key`` twice gives back the first case."""
    if idempotency_key:
        existing = Case.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
    if not as_step:
        require_perm(actor, "service.add_case")
    definition = active_definition(process)
    if customer is not None and not as_step:  # a follow-up case serves the first case's customer
        require_in_scope(actor, customer)
    elif customer is None and definition.customer_required:
        raise InvalidInput(_("customer: a %(process)s case needs a customer.") % {"process": definition.display_name()})
    if not (title or "").strip():
        raise InvalidInput(_("title: give the case a short title."))
    if source not in CaseSource.values:
        raise InvalidInput(_("source: unknown channel %(value)s.") % {"value": source})
    values = form_clean(definition.start_form, data or {})
    extra = {k: v for k, v in (data or {}).items() if k.startswith("_")}  # links (contract id …) kept as given
    actor_staff = staff_of(actor)
    unit = org_unit or (customer.org_unit if customer is not None else getattr(actor_staff, "org_unit", None))
    if unit is None:
        raise InvalidInput(_("org_unit: say which unit handles the case."))
    if not as_step and not scope_for(actor).covers_unit(unit):
        raise InvalidInput(_("org_unit: %(unit)s is outside your scope.") % {"unit": unit})
    if owner is None and customer is not None:
        owner = customer.account_manager
    now = now or timezone.now()
    case_data = engine.json_safe({**values, **extra})
    for key in ("contract_id",):
        if key in (data or {}) and key not in case_data:
            case_data[key] = data[key]
    case = Case(
        number=f"tmp-{uuid.uuid4().hex[:20]}", definition=definition, process_key=definition.key,
        channel=definition.channel, title=title.strip()[:200], source=source, customer=customer, org_unit=unit,
        owner=owner, parent=parent, data=case_data, external_id=external_id[:100], idempotency_key=idempotency_key,
        opened_at=now, opened_by=actor if actor is not None and actor.is_authenticated else None,
    )
    if definition.resolution_limit:
        case.due_at = add_limit(now, definition.resolution_limit, definition.calendar)
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        if idempotency_key:
            return Case.objects.get(idempotency_key=idempotency_key)
        raise
    case.number = _number(case)
    called = {d.key: d.bpmn for d in ProcessDefinition.objects.filter(is_active=True).exclude(key=definition.key)}
    workflow = engine.workflow_new(definition, called, case_data)
    _event(case, EventKind.OPENED, at=now, actor=actor_staff, text=case.title, detail={"data": case_data, "source": source})
    _advance(case, workflow, now=now, actor=actor)
    audit_record(
        actor=actor, action="service.case_open", target=case, org_unit=unit,
        after={"process": f"{definition.key} v{definition.version}", "customer": str(customer or ""), "data": case_data},
        target_repr=str(case),
    )
    return case


def _advance(case: Case, workflow: Any, *, now: datetime.datetime, actor: Any) -> None:
    """After the workflow moved: create work items for new ready steps, cancel those that
    vanished, close the case when the workflow completed, save everything."""
    ready = {str(t.id): t for t in engine.ready_steps(workflow)}
    open_items = {str(i.task_id): i for i in case.work_items.filter(status=ItemStatus.OPEN)}
    for task_id, item in open_items.items():
        if task_id not in ready:
            item.status, item.next_alert_at, item.completed_at = ItemStatus.CANCELLED, None, now
            item.save(update_fields=["status", "next_alert_at", "completed_at"])
    calendar = None
    for task_id, task in ready.items():
        if task_id in open_items:
            continue
        props = engine.step_properties(task)
        kind = props.get("calendar") or case.definition.calendar
        if kind == CalendarKind.WORKING and calendar is None:
            calendar = WorkingCalendar.load(now)
        role = task.task_spec.lane or ""
        unit, people = holders(role, case.org_unit)
        assignee = _pick_assignee(case, role, people)
        limit = props.get("time_limit", "PT1H")
        deadline = add_limit(now, limit, kind, calendar=calendar)
        warn_at = add_limit(now, limit, kind, fraction=float(param("service.warn_ratio")), calendar=calendar)
        item = WorkItem.objects.create(
            case=case, task_id=task.id, step=task.task_spec.bpmn_id or task.task_spec.name,
            step_name=(task.task_spec.bpmn_name or task.task_spec.name)[:200], process_key=case.process_key,
            role=role, assignee=assignee, org_unit=assignee.org_unit if assignee else unit, calendar=kind, time_limit=limit,
            escalate_to=props.get("escalate_to", ""), form=engine.step_form(task), started_at=now, warn_at=warn_at, deadline=deadline,
            next_alert_at=warn_at,
        )
        _event(case, EventKind.STEP_READY, at=now, item=item,
               text=_("Due %(deadline)s, %(who)s") % {
                   "deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M"),
                   "who": assignee.name if assignee else _("role %(role)s") % {"role": role}})
    if workflow.is_completed():
        case.status, case.closed_at = CaseStatus.CLOSED, now
        _event(case, EventKind.CLOSED, at=now, actor=staff_of(actor))
    case.state = engine.workflow_dump(workflow)
    case.revision += 1
    case.save()


def _pick_assignee(case: Case, role: str, people: list[Staff]) -> Staff | None:
    """Who takes a new step: whoever did this role earlier in the case, else the case's
    manager when the role is theirs, else the only holder of the role; otherwise the step
    waits in the role's pool to be claimed."""
    earlier = (
        case.work_items.filter(role=role, assignee__isnull=False, assignee__is_active=True)
        .order_by("-pk").values_list("assignee_id", flat=True).first()
    )
    if earlier:
        return Staff.objects.get(pk=earlier)
    if case.owner_id and case.owner.is_active and case.owner.roles.filter(code=role).exists():
        return case.owner
    if len(people) == 1:
        return people[0]
    return None


def _locked(item: WorkItem) -> tuple[Case, WorkItem]:
    case = Case.objects.select_for_update(of=("self",)).select_related("definition", "org_unit", "customer").get(pk=item.case_id)
    item = WorkItem.objects.select_related("assignee").get(pk=item.pk)
    if case.status != CaseStatus.OPEN:
        raise CaseNotOpen(status=case.get_status_display())
    if item.status != ItemStatus.OPEN:
        raise StepNotOpen()
    return case, item


def _check_role(actor: Any, item: WorkItem) -> Staff | None:
    staff = staff_of(actor)
    if not actor.is_superuser and item.role not in role_codes_of(staff):
        role = Role.objects.filter(code=item.role).values_list("name", flat=True).first() or item.role
        raise NotYourStep(role=role)
    if not scope_for(actor).covers_unit(item.org_unit) and not (staff and item.assignee_id == staff.pk):
        from django.http import Http404

        raise Http404
    return staff


@transaction.atomic
def workitem_complete(*, actor: Any, item: WorkItem, values: dict[str, Any], now: datetime.datetime | None = None) -> Case:
    """办理: complete a step with its form. Checks the role, the scope, the assignment and
    every field; runs the step's action; moves the case to its next steps."""
    case, item = _locked(item)
    staff = _check_role(actor, item)
    if item.assignee_id and (staff is None or item.assignee_id != staff.pk) and not actor.is_superuser:
        raise AssignedElsewhere(name=item.assignee.name)
    now = now or timezone.now()
    workflow = engine.workflow_load(case.state)
    task = workflow.get_task_from_id(item.task_id)
    from SpiffWorkflow.util.task import TaskState

    if task.state != TaskState.READY:
        raise StepNotOpen()
    cleaned = engine.json_safe(form_clean(engine.step_form(task), values))
    props = engine.step_properties(task)
    note = ""
    if props.get("action"):
        note = action_run(props["action"], ActionContext(case=case, values=cleaned, actor=actor, step={**props, "id": item.step}))
    task.set_data(**cleaned)
    task.run()
    workflow.do_engine_steps()
    item.status, item.completed_at, item.completed_by = ItemStatus.DONE, now, staff
    item.assignee = item.assignee or staff
    item.late, item.result, item.next_alert_at = now > item.deadline, cleaned, None
    item.save(update_fields=["status", "completed_at", "completed_by", "assignee", "late", "result", "next_alert_at"])
    case.data = {**case.data, **cleaned}
    _event(case, EventKind.COMPLETED, at=now, actor=staff, item=item, text=note, detail={"values": cleaned, "late": item.late})
    _advance(case, workflow, now=now, actor=actor)
    audit_record(
        actor=actor, action="service.step_complete", target=case, org_unit=case.org_unit,
        after={"step": item.step_name, "values": cleaned, "late": item.late}, target_repr=str(case),
    )
    return case


@transaction.atomic
def workitem_claim(*, actor: Any, item: WorkItem) -> WorkItem:
    """签收: take an unassigned step of one's role."""
    case, item = _locked(item)
    staff = _check_role(actor, item)
    if staff is None:
        raise InvalidInput(_("Only staff can take a step."))
    if item.assignee_id and item.assignee_id != staff.pk:
        raise AssignedElsewhere(name=item.assignee.name)
    item.assignee = staff
    item.save(update_fields=["assignee"])
    _event(case, EventKind.CLAIMED, at=timezone.now(), actor=staff, item=item)
    audit_record(actor=actor, action="service.step_claim", target=case, after={"step": item.step_name}, target_repr=str(case))
    return item


def _may_reassign(actor: Any, item: WorkItem, staff: Staff | None) -> None:
    if actor.has_perm("service.reassign_workitem"):
        require_in_scope(actor, item.org_unit)
        return
    if staff is None or item.assignee_id != staff.pk:
        raise AssignedElsewhere(name=item.assignee.name if item.assignee else _("nobody"))


def _check_target(item_role: str, unit: OrgUnit, target: Staff) -> None:
    if not target.is_active or not target.roles.filter(code=item_role).exists():
        raise InvalidInput(_("to: %(name)s does not hold the role this step needs.") % {"name": target.name})
    if not target.org_unit.path.startswith(unit.path[: OrgUnit.steplen * 2]):
        raise InvalidInput(_("to: %(name)s works outside this step's city.") % {"name": target.name})


@transaction.atomic
def workitem_handover(*, actor: Any, item: WorkItem, to: Staff, reason: str) -> WorkItem:
    """转派: the assignee (or a director) gives the step to another holder of its role."""
    case, item = _locked(item)
    staff = staff_of(actor)
    _may_reassign(actor, item, staff)
    _check_target(item.role, item.org_unit, to)
    if not reason.strip():
        raise InvalidInput(_("reason: say why the step is handed over."))
    before = item.assignee.name if item.assignee else ""
    item.assignee = to
    item.save(update_fields=["assignee"])
    _event(case, EventKind.HANDED_OVER, at=timezone.now(), actor=staff, item=item, text=reason,
           detail={"from": before, "to": to.name})
    audit_record(actor=actor, action="service.step_handover", target=case, before={"assignee": before},
                 after={"assignee": to.name, "step": item.step_name}, reason=reason, target_repr=str(case))
    return item


@transaction.atomic
def workitems_reassign(*, actor: Any, source: Staff, target: Staff, reason: str) -> int:
    """批量转派: every open step of ``source`` (absent) goes to ``target``. Steps whose role
    ``target`` does not hold are left and reported by the count difference."""
    require_perm(actor, "service.reassign_workitem")
    require_in_scope(actor, source)
    require_in_scope(actor, target)
    if not reason.strip():
        raise InvalidInput(_("reason: say why the steps are reassigned."))
    if source.pk == target.pk:
        raise InvalidInput(_("to: choose someone else."))
    roles = role_codes_of(target)
    items = list(WorkItem.objects.select_for_update().filter(assignee=source, status=ItemStatus.OPEN, role__in=roles))
    now, staff = timezone.now(), staff_of(actor)
    WorkItem.objects.filter(pk__in=[i.pk for i in items]).update(assignee=target)
    CaseEvent.objects.bulk_create([
        CaseEvent(case_id=i.case_id, at=now, kind=EventKind.HANDED_OVER, actor=staff, step=i.step, step_name=i.step_name,
                  text=reason[:500], detail={"from": source.name, "to": target.name, "bulk": True})
        for i in items
    ])
    audit_record(actor=actor, action="service.steps_reassign", target=source,
                 after={"to": target.name, "items": len(items)}, reason=reason, target_repr=str(source))
    return len(items)


@transaction.atomic
def case_cancel(*, actor: Any, case: Case, reason: str, permission: str = "service.cancel_case") -> Case:
    """Cancel an open case. ``permission``: a domain whose own decision supersedes its case
    (an agent registered directly ends its qualification case) names the permission of that
    decision."""
    require_perm(actor, permission)
    require_in_scope(actor, case)
    if not reason.strip():
        raise InvalidInput(_("reason: say why the case is cancelled."))
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.status != CaseStatus.OPEN:
        raise CaseNotOpen(status=case.get_status_display())
    now = timezone.now()
    case.work_items.filter(status=ItemStatus.OPEN).update(status=ItemStatus.CANCELLED, next_alert_at=None, completed_at=now)
    case.status, case.closed_at = CaseStatus.CANCELLED, now
    case.save(update_fields=["status", "closed_at"])
    _event(case, EventKind.CANCELLED, at=now, actor=staff_of(actor), text=reason)
    audit_record(actor=actor, action="service.case_cancel", target=case, before={"status": CaseStatus.OPEN},
                 after={"status": CaseStatus.CANCELLED}, reason=reason, target_repr=str(case))
    return case


@transaction.atomic
def case_note(*, actor: Any, case: Case, text: str) -> CaseEvent:
    """A note in the case log (投诉日志, 处理记录)."""
    require_perm(actor, "service.view_case")
    require_in_scope(actor, case)
    if not text.strip():
        raise InvalidInput(_("text: write the note."))
    event = _event(case, EventKind.NOTE, at=timezone.now(), actor=staff_of(actor), text=text.strip())
    audit_record(actor=actor, action="service.case_note", target=case, after={"text": text.strip()[:500]}, target_repr=str(case))
    return event


# --- Holiday calendar -------------------------------------------------------------------------


@transaction.atomic
def holiday_save(*, actor: Any, date: datetime.date, name: str, is_workday: bool = False) -> Any:
    """节假日: add or change a day of the working-time calendar."""
    from kams.service.models import Holiday

    require_perm(actor, "service.change_holiday")
    if not name.strip():
        raise InvalidInput(_("name: name the holiday."))
    if is_workday and date.weekday() < 5:
        raise InvalidInput(_("is_workday: %(date)s is a weekday already.") % {"date": date})
    if not is_workday and date.weekday() >= 5:
        raise InvalidInput(_("date: %(date)s is a weekend day already.") % {"date": date})
    holiday, created = Holiday.objects.update_or_create(date=date, defaults={"name": name.strip(), "is_workday": is_workday})
    audit_record(actor=actor, action="service.holiday_save", target=holiday,
                 after={"date": date, "name": holiday.name, "is_workday": is_workday}, target_repr=str(holiday))
    return holiday


@transaction.atomic
def holiday_delete(*, actor: Any, holiday: Any) -> None:
    require_perm(actor, "service.delete_holiday")
    audit_record(actor=actor, action="service.holiday_delete", target=holiday,
                 before={"date": holiday.date, "name": holiday.name}, target_repr=str(holiday))
    holiday.delete()

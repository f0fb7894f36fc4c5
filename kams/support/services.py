"""Writes of service support (SVC-01 templates and records, SVC-09, SVC-10, SVC-11, SVC-14).

Every function checks the actor's permission and scope, runs in one transaction and writes
the audit log; bad input raises a translated ``KamsError`` before anything is changed.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kams.audit.services import audit_record, snapshot
from kams.core.errors import Conflict
from kams.customers.enums import CustomerStatus, CustomerType
from kams.customers.models import Contact, Customer
from kams.notify.services import notify
from kams.org.models import OrgUnit, Staff
from kams.org.scoping import require_in_scope, require_perm, scope_for
from kams.support.enums import (
    PERSON_SUBJECTS,
    AnswerSatisfaction,
    CheckKind,
    CheckResult,
    ConsultationChannel,
    ConsultationTopic,
    Feasibility,
    ImpactReason,
    LineStatus,
    LineType,
    NoticeKind,
    NoticeState,
    ResourceKind,
    SolutionState,
    SubjectKind,
)
from kams.support.errors import (
    DuplicateAssessment,
    FaultCaseRefused,
    NoticeClosed,
    NotResponsible,
    SolutionArchived,
    SolutionNotConcluded,
    SupportInvalid,
    TemplateNotValid,
)
from kams.support.models import (
    Consultation,
    CustomerLine,
    CutoverImpact,
    CutoverNotice,
    EmergencyStep,
    LineCheck,
    LineFault,
    ProjectRecord,
    ProjectRecordChange,
    QualityAssessment,
    QualityIndicator,
    QualityScore,
    ServiceClass,
    SolutionTemplate,
    TechnicalSolution,
    payback,
)
from kams.system.parameters import param

CENT = Decimal("0.01")
TEMPLATE_FIELDS = (
    "name", "valid_from", "valid_until", "customer_types", "content", "equipment_notes", "engineering_notes",
)
SOLUTION_FIELDS = (
    "state", "survey_result", "resources_available", "investment", "expected_monthly_revenue", "monthly_cost",
    "payback_months", "feasibility", "conclusion", "archive_category",
)
RECORD_FIELDS = ("kind", "name", "specification", "quantity", "location", "accepted_on", "notes", "is_active")
LINE_FIELDS = (
    "line_type", "service_class", "bandwidth_mbps", "a_end", "z_end", "network_element", "status", "ordered_on",
    "activated_on", "notes",
)
CLASS_FIELDS = ("availability_pct", "response_minutes", "repair_hours", "activation_days", "description")
INDICATOR_FIELDS = ("code", "name", "subject_kind", "weight", "max_score", "description", "order", "is_active")


def _staff(actor: Any) -> Staff | None:
    return getattr(actor, "staff", None) if actor is not None and actor.is_authenticated else None


def _name_of(actor: Any) -> str:
    staff = _staff(actor)
    if staff is not None:
        return f"{staff.name} ({staff.employee_no})"[:100]
    return actor.get_username()[:100] if actor is not None else "system"


def _text(value: Any) -> str:
    return (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()


def _required(field: str, value: Any) -> str:
    text = _text(value)
    if not text:
        raise SupportInvalid(field=field, problem=_("this field is required"))
    return text


def _decimal(field: str, value: Any, *, allow_none: bool = True, minimum: Decimal | None = Decimal("0")) -> Decimal | None:
    if value is None or value == "":
        if allow_none:
            return None
        raise SupportInvalid(field=field, problem=_("this field is required"))
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise SupportInvalid(field=field, problem=_("“%(value)s” is not a number") % {"value": value}) from None
    if not number.is_finite():
        raise SupportInvalid(field=field, problem=_("“%(value)s” is not a number") % {"value": value})
    if minimum is not None and number < minimum:
        raise SupportInvalid(field=field, problem=_("the value must be at least %(min)s") % {"min": minimum})
    return number


def _choice(field: str, value: Any, choices: Any, *, blank: bool = False) -> str:
    if blank and not value:
        return ""
    if value not in choices.values:
        raise SupportInvalid(field=field, problem=_("“%(value)s” is not one of the choices") % {"value": value})
    return value


def _check_unit(actor: Any, unit: OrgUnit, field: str = "org_unit") -> None:
    if not scope_for(actor).covers_unit(unit):
        raise SupportInvalid(field=field, problem=_("%(unit)s is outside your scope") % {"unit": unit})


def _dated_number(prefix: str, obj: Any, at: datetime.datetime | None = None) -> str:
    return f"{prefix}{timezone.localtime(at or timezone.now()):%y%m%d}{obj.pk:05d}"


# --- 客户服务方案模型 (solution templates) ----------------------------------------------------------


def _clean_template(values: dict[str, Any]) -> dict[str, Any]:
    values = dict(values)
    values["name"] = _required("name", values.get("name"))
    values["content"] = _required("content", values.get("content"))
    if not isinstance(values.get("valid_from"), datetime.date):
        raise SupportInvalid(field="valid_from", problem=_("give the date the template is valid from"))
    until = values.get("valid_until")
    if until is not None and until < values["valid_from"]:
        raise SupportInvalid(field="valid_until", problem=_("the end of validity is before its start"))
    types = list(values.get("customer_types") or [])
    for value in types:
        _choice("customer_types", value, CustomerType)
    values["customer_types"] = sorted(set(types))
    values["equipment_notes"] = _text(values.get("equipment_notes"))
    values["engineering_notes"] = _text(values.get("engineering_notes"))
    return values


@transaction.atomic
def template_create(*, actor: Any, number: str, industries: Iterable[Any] = (), **values: Any) -> SolutionTemplate:
    """新增方案模型: version 1 of a new template number."""
    require_perm(actor, "support.add_solutiontemplate")
    number = _required("number", number).upper()
    unknown = set(values) - set(TEMPLATE_FIELDS)
    if unknown:
        raise SupportInvalid(field=", ".join(sorted(unknown)), problem=_("unknown field"))
    values = _clean_template(values)
    if SolutionTemplate.objects.filter(number=number).exists():
        raise Conflict(_("number: a solution template %(number)s exists already; edit it to make a new version.") % {"number": number})
    template = SolutionTemplate.objects.create(number=number, version=1, is_current=True, created_by=actor, **values)
    template.industries.set(list(industries))
    audit_record(actor=actor, action="support.template_create", target=template,
                 after={**snapshot(template, TEMPLATE_FIELDS), "industries": sorted(str(i) for i in industries)})
    return template


@transaction.atomic
def template_revise(
    *, actor: Any, template: SolutionTemplate, change_note: str, industries: Iterable[Any] | None = None, **values: Any
) -> SolutionTemplate:
    """修改方案模型: a new version with the changes; the old version is kept (solutions made
    from it still point at it) and stops being current."""
    require_perm(actor, "support.change_solutiontemplate")
    unknown = set(values) - set(TEMPLATE_FIELDS)
    if unknown:
        raise SupportInvalid(field=", ".join(sorted(unknown)), problem=_("unknown field"))
    current = SolutionTemplate.objects.select_for_update().filter(number=template.number, is_current=True).first()
    if current is None or current.pk != template.pk:
        raise Conflict(_("template: only the current version of %(number)s can be edited.") % {"number": template.number})
    note = _required("change_note", change_note)
    merged = {f: getattr(current, f) for f in TEMPLATE_FIELDS}
    merged.update(values)
    merged = _clean_template(merged)
    old_industries = list(current.industries.all())
    new_industries = list(industries) if industries is not None else old_industries
    before = {**snapshot(current, TEMPLATE_FIELDS), "industries": sorted(str(i) for i in old_industries)}
    current.is_current = False
    current.save(update_fields=["is_current"])
    revised = SolutionTemplate.objects.create(
        number=current.number, version=current.version + 1, is_current=True, created_by=actor, change_note=note[:300],
        **merged,
    )
    revised.industries.set(new_industries)
    audit_record(
        actor=actor, action="support.template_revise", target=revised, before=before, reason=note,
        after={**snapshot(revised, TEMPLATE_FIELDS), "industries": sorted(str(i) for i in new_industries), "version": revised.version},
    )
    return revised


# --- 技术方案 (technical solutions) -----------------------------------------------------------------


def _editable(solution: TechnicalSolution) -> TechnicalSolution:
    solution = TechnicalSolution.objects.select_for_update().get(pk=solution.pk)
    if solution.state == SolutionState.ARCHIVED:
        raise SolutionArchived(number=solution.number)
    return solution


@transaction.atomic
def solution_create(
    *, actor: Any, customer: Customer, template: SolutionTemplate, title: str = "", case: Any = None,
    today: datetime.date | None = None,
) -> TechnicalSolution:
    """根据方案模型生成技术方案: the template's content becomes the draft of the customer's
    solution, linked to the green-channel case it serves."""
    require_perm(actor, "support.add_technicalsolution")
    require_in_scope(actor, customer)
    today = today or timezone.localdate()
    if not template.is_current or not template.is_valid_on(today):
        raise TemplateNotValid(number=f"{template.number} v{template.version}", day=today.isoformat())
    if template.customer_types and customer.customer_type not in template.customer_types:
        raise SupportInvalid(
            field="template",
            problem=_("%(number)s is not meant for customers of type %(type)s") % {
                "number": template.number, "type": customer.get_customer_type_display()},
        )
    if case is not None:
        require_in_scope(actor, case)
        if case.customer_id != customer.pk:
            raise SupportInvalid(field="case", problem=_("the case %(number)s is of another customer") % {"number": case.number})
        if case.channel != "green":
            raise SupportInvalid(field="case", problem=_("technical solutions are made for green-channel (acceptance) cases"))
    solution = TechnicalSolution.objects.create(
        number=f"tmp-{uuid.uuid4().hex[:16]}", customer=customer, case=case, template=template,
        title=(_text(title) or f"{customer.name} · {template.name}")[:200], content=template.content,
        owner=_staff(actor),
    )
    solution.number = _dated_number("TS", solution)
    solution.save(update_fields=["number"])
    audit_record(actor=actor, action="support.solution_create", target=solution,
                 after={"template": str(template), "customer": str(customer), "case": case.number if case else None})
    return solution


@transaction.atomic
def solution_survey(*, actor: Any, solution: TechnicalSolution, survey_result: str, resources_available: bool) -> TechnicalSolution:
    """资源调查: what the survey found and whether the resources are there."""
    require_perm(actor, "support.change_technicalsolution")
    require_in_scope(actor, solution)
    result = _required("survey_result", survey_result)
    if resources_available not in (True, False):
        raise SupportInvalid(field="resources_available", problem=_("say whether the resources are available"))
    solution = _editable(solution)
    before = snapshot(solution, SOLUTION_FIELDS)
    solution.survey_result, solution.resources_available = result, resources_available
    solution.save()
    audit_record(actor=actor, action="support.solution_survey", target=solution, before=before, after=snapshot(solution, SOLUTION_FIELDS))
    return solution


@transaction.atomic
def solution_analyse(
    *, actor: Any, solution: TechnicalSolution, investment: Any, expected_monthly_revenue: Any, monthly_cost: Any = 0,
) -> TechnicalSolution:
    """投资分析 (with finance): investment and expected monthly revenue; the payback period in
    months is computed."""
    require_perm(actor, "support.change_technicalsolution")
    require_in_scope(actor, solution)
    invest = _decimal("investment", investment, allow_none=False)
    revenue = _decimal("expected_monthly_revenue", expected_monthly_revenue, allow_none=False)
    cost = _decimal("monthly_cost", monthly_cost if monthly_cost not in (None, "") else 0, allow_none=False)
    solution = _editable(solution)
    before = snapshot(solution, SOLUTION_FIELDS)
    solution.investment, solution.expected_monthly_revenue = invest.quantize(CENT), revenue.quantize(CENT)
    solution.monthly_cost = cost.quantize(CENT)
    solution.payback_months = payback(solution.investment, solution.expected_monthly_revenue, solution.monthly_cost)
    solution.analysed_by = _staff(actor)
    solution.save()
    audit_record(actor=actor, action="support.solution_analyse", target=solution, before=before, after=snapshot(solution, SOLUTION_FIELDS))
    return solution


@transaction.atomic
def solution_conclude(*, actor: Any, solution: TechnicalSolution, feasibility: str, conclusion: str) -> TechnicalSolution:
    """可行性分析报告: feasible (a letter of intent follows) or not (the project ends and the
    customer's need is kept on file as a potential customer's)."""
    require_perm(actor, "support.change_technicalsolution")
    require_in_scope(actor, solution)
    if feasibility not in (Feasibility.FEASIBLE, Feasibility.INFEASIBLE):
        raise SupportInvalid(field="feasibility", problem=_("conclude feasible or not feasible"))
    text = _required("conclusion", conclusion)
    solution = _editable(solution)
    if feasibility == Feasibility.FEASIBLE and solution.resources_available is False:
        raise SupportInvalid(field="feasibility", problem=_("the resource survey found no resources: the solution cannot be feasible"))
    before = snapshot(solution, SOLUTION_FIELDS)
    solution.feasibility, solution.conclusion = feasibility, text
    solution.state, solution.concluded_at = SolutionState.CONCLUDED, timezone.now()
    solution.save()
    audit_record(actor=actor, action="support.solution_conclude", target=solution, before=before, after=snapshot(solution, SOLUTION_FIELDS))
    return solution


@transaction.atomic
def solution_archive(*, actor: Any, solution: TechnicalSolution, category: str) -> TechnicalSolution:
    """分类归档: a concluded solution is filed under a category and no longer changes."""
    require_perm(actor, "support.archive_technicalsolution")
    require_in_scope(actor, solution)
    category = _required("archive_category", category)
    solution = _editable(solution)
    if solution.state != SolutionState.CONCLUDED:
        raise SolutionNotConcluded(number=solution.number)
    before = snapshot(solution, SOLUTION_FIELDS)
    solution.state, solution.archive_category, solution.archived_at = SolutionState.ARCHIVED, category[:60], timezone.now()
    solution.save()
    audit_record(actor=actor, action="support.solution_archive", target=solution, before=before, after=snapshot(solution, SOLUTION_FIELDS))
    return solution


# --- 项目资料管理 (project records) ------------------------------------------------------------------


def _record_values(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(RECORD_FIELDS)
    if unknown:
        raise SupportInvalid(field=", ".join(sorted(unknown)), problem=_("unknown field"))
    if "kind" in values:
        _choice("kind", values["kind"], ResourceKind)
    if "name" in values:
        values["name"] = _required("name", values["name"])
    if "quantity" in values and (values["quantity"] is None or int(values["quantity"]) < 1):
        raise SupportInvalid(field="quantity", problem=_("the quantity must be at least 1"))
    for field in ("specification", "location", "notes"):
        if field in values:
            values[field] = _text(values[field])
    return values


def _record_history(record: ProjectRecord, *, actor: Any, before: dict | None, reason: str) -> None:
    ProjectRecordChange.objects.create(
        record=record, revision=record.revision, before=before, after=snapshot(record, RECORD_FIELDS),
        reason=reason[:300], changed_by=_staff(actor), changed_by_name=_name_of(actor), at=timezone.now(),
    )


@transaction.atomic
def record_add(
    *, actor: Any, customer: Customer, case: Any = None, solution: TechnicalSolution | None = None, **values: Any
) -> ProjectRecord:
    """项目资料: record a resource the customer occupies after acceptance."""
    require_perm(actor, "support.add_projectrecord")
    require_in_scope(actor, customer)
    values = _record_values(dict(values))
    for field in ("kind", "name"):
        if field not in values:
            raise SupportInvalid(field=field, problem=_("this field is required"))
    for linked, label in ((case, "case"), (solution, "solution")):
        if linked is not None:
            require_in_scope(actor, linked)
            if linked.customer_id != customer.pk:
                raise SupportInvalid(field=label, problem=_("it belongs to another customer"))
    record = ProjectRecord.objects.create(customer=customer, case=case, solution=solution, **values)
    _record_history(record, actor=actor, before=None, reason=_("Recorded"))
    audit_record(actor=actor, action="support.record_add", target=record, after=snapshot(record, RECORD_FIELDS))
    return record


@transaction.atomic
def record_change(*, actor: Any, record: ProjectRecord, reason: str, **values: Any) -> ProjectRecord:
    """A change of a project record, kept as history with its reason."""
    require_perm(actor, "support.change_projectrecord")
    require_in_scope(actor, record)
    reason = _required("reason", reason)
    values = _record_values(dict(values))
    record = ProjectRecord.objects.select_for_update().get(pk=record.pk)
    before = snapshot(record, RECORD_FIELDS)
    for field, value in values.items():
        setattr(record, field, value)
    if snapshot(record, RECORD_FIELDS) == before:
        return record
    record.revision += 1
    record.save()
    _record_history(record, actor=actor, before=before, reason=reason)
    audit_record(actor=actor, action="support.record_change", target=record, before=before,
                 after=snapshot(record, RECORD_FIELDS), reason=reason)
    return record


# --- 服务质量管理 (SVC-09) -----------------------------------------------------------------------------


@transaction.atomic
def indicator_save(*, actor: Any, indicator: QualityIndicator | None = None, **values: Any) -> QualityIndicator:
    """Add or change a quality indicator (its weight counts for assessments made afterwards)."""
    require_perm(actor, "support.change_qualityindicator")
    unknown = set(values) - set(INDICATOR_FIELDS)
    if unknown:
        raise SupportInvalid(field=", ".join(sorted(unknown)), problem=_("unknown field"))
    before = snapshot(indicator, INDICATOR_FIELDS) if indicator else None
    indicator = QualityIndicator.objects.select_for_update().get(pk=indicator.pk) if indicator else QualityIndicator()
    for field, value in values.items():
        setattr(indicator, field, value)
    indicator.code = _required("code", indicator.code)
    indicator.name = _required("name", indicator.name)
    indicator.subject_kind = _choice("subject_kind", indicator.subject_kind or "", SubjectKind, blank=True)
    weight = _decimal("weight", indicator.weight, allow_none=False)
    if weight <= 0 or weight > 100:
        raise SupportInvalid(field="weight", problem=_("the weight must be above 0 and at most 100"))
    if not indicator.max_score or int(indicator.max_score) < 1:
        raise SupportInvalid(field="max_score", problem=_("the maximum score must be at least 1"))
    try:
        with transaction.atomic():
            indicator.save()
    except IntegrityError:
        raise Conflict(_("code: another indicator has the code %(code)s.") % {"code": indicator.code}) from None
    audit_record(actor=actor, action="support.indicator_save", target=indicator, before=before, after=snapshot(indicator, INDICATOR_FIELDS))
    return indicator


def indicators_for(subject_kind: str) -> list[QualityIndicator]:
    return list(QualityIndicator.objects.filter(is_active=True).filter(Q(subject_kind="") | Q(subject_kind=subject_kind)))


def weighted_total(rows: list[tuple[Decimal, Decimal, int]]) -> Decimal:
    """Total on a 100-point scale: Σ(score ÷ max × 100 × weight) ÷ Σweight."""
    weights = sum((w for _s, w, _m in rows), Decimal("0"))
    if not weights:
        return Decimal("0.00")
    points = sum((Decimal(s) / Decimal(m) * 100 * w for s, w, m in rows), Decimal("0"))
    return (points / weights).quantize(CENT)


@transaction.atomic
def assessment_record(
    *, actor: Any, subject_kind: str, period: datetime.date, scores: dict[str, Any], staff: Staff | None = None,
    subject_name: str = "", org_unit: OrgUnit | None = None, comment: str = "",
) -> QualityAssessment:
    """服务质量考核: score a subject for a month on every active indicator that applies to its
    kind; the weighted total (of 100) is computed. A person (account manager, customer
    representative) is named by ``staff``; partners, channels and agents by name."""
    require_perm(actor, "support.add_qualityassessment")
    _choice("subject_kind", subject_kind, SubjectKind)
    if not isinstance(period, datetime.date):
        raise SupportInvalid(field="period", problem=_("give the month assessed"))
    period = period.replace(day=1)
    if subject_kind in PERSON_SUBJECTS:
        if staff is None:
            raise SupportInvalid(field="staff", problem=_("choose the staff member assessed"))
        _check_unit(actor, staff.org_unit, "staff")
        subject_name, org_unit, key = staff.name, staff.org_unit, f"staff:{staff.pk}"
    else:
        staff = None
        subject_name = _required("subject_name", subject_name)
        org_unit = org_unit or getattr(_staff(actor), "org_unit", None)
        if org_unit is None:
            raise SupportInvalid(field="org_unit", problem=_("this field is required"))
        _check_unit(actor, org_unit)
        key = f"name:{subject_name.lower()}"
    indicators = indicators_for(subject_kind)
    if not indicators:
        raise SupportInvalid(field="scores", problem=_("no active indicator applies to this kind of subject"))
    by_key = {str(k): v for k, v in (scores or {}).items()}
    unknown = set(by_key) - {i.code for i in indicators} - {str(i.pk) for i in indicators}
    if unknown:
        raise SupportInvalid(field="scores", problem=_("unknown indicators: %(codes)s") % {"codes": ", ".join(sorted(unknown))})
    rows = []
    for indicator in indicators:
        raw = by_key.get(indicator.code, by_key.get(str(indicator.pk)))
        if raw in (None, ""):
            raise SupportInvalid(field=indicator.code, problem=_("score the indicator “%(name)s”") % {"name": indicator.name})
        score = _decimal(indicator.code, raw, allow_none=False)
        if score > indicator.max_score:
            raise SupportInvalid(field=indicator.code, problem=_("the score is at most %(max)s") % {"max": indicator.max_score})
        rows.append((indicator, score))
    if QualityAssessment.objects.filter(subject_kind=subject_kind, subject_key=key, period=period).exists():
        raise DuplicateAssessment(subject=subject_name, period=f"{period:%Y-%m}")
    total = weighted_total([(s, i.weight, i.max_score) for i, s in rows])
    assessment = QualityAssessment.objects.create(
        subject_kind=subject_kind, staff=staff, subject_name=subject_name[:120], subject_key=key[:140], org_unit=org_unit,
        period=period, total=total, comment=_text(comment), assessed_by=_staff(actor), assessed_at=timezone.now(),
    )
    QualityScore.objects.bulk_create(
        [QualityScore(assessment=assessment, indicator=i, score=s.quantize(CENT), weight=i.weight, max_score=i.max_score) for i, s in rows]
    )
    audit_record(actor=actor, action="support.assessment_record", target=assessment, org_unit=org_unit,
                 after={"subject": subject_name, "period": f"{period:%Y-%m}", "total": total,
                        "scores": {i.code: s for i, s in rows}})
    return assessment


# --- 咨询记录 (SVC-10) -------------------------------------------------------------------------------


@transaction.atomic
def consultation_record(
    *, actor: Any, channel: str, content: str, topic: str = ConsultationTopic.OTHER, customer: Customer | None = None,
    asked_at: datetime.datetime | None = None, caller_name: str = "", caller_phone: str = "", answer: str = "",
    answered_by: Staff | None = None, answer_satisfaction: str = "",
) -> Consultation:
    """快速录入咨询: the question, the answer, who answered and how satisfied the caller was."""
    require_perm(actor, "support.add_consultation")
    _choice("channel", channel, ConsultationChannel)
    _choice("topic", topic, ConsultationTopic)
    _choice("answer_satisfaction", answer_satisfaction, AnswerSatisfaction, blank=True)
    content = _required("content", content)
    asked_at = asked_at or timezone.now()
    if asked_at > timezone.now() + datetime.timedelta(minutes=5):
        raise SupportInvalid(field="asked_at", problem=_("the time lies in the future"))
    me = _staff(actor)
    if customer is not None:
        require_in_scope(actor, customer)
        unit, owner = customer.org_unit, customer.account_manager or me
    else:
        if me is None:
            raise SupportInvalid(field="customer", problem=_("without a customer, only staff can record a consultation"))
        unit, owner = me.org_unit, me
    answer = _text(answer)
    if answer_satisfaction and not answer:
        raise SupportInvalid(field="answer_satisfaction", problem=_("rate the answer only once there is one"))
    consultation = Consultation.objects.create(
        customer=customer, org_unit=unit, owner=owner, channel=channel, topic=topic, asked_at=asked_at,
        caller_name=_text(caller_name)[:60], caller_phone=_text(caller_phone)[:20], content=content, answer=answer,
        answered_by=(answered_by or me) if answer else None, answer_satisfaction=answer_satisfaction or "",
        recorded_by=actor,
    )
    audit_record(actor=actor, action="support.consultation_record", target=consultation,
                 after={"channel": channel, "topic": topic, "customer": str(customer or ""), "satisfaction": answer_satisfaction})
    return consultation


@transaction.atomic
def consultation_answer(
    *, actor: Any, consultation: Consultation, answer: str, answer_satisfaction: str = ""
) -> Consultation:
    """答复 (or the caller's rating, given later)."""
    require_perm(actor, "support.change_consultation")
    require_in_scope(actor, consultation)
    answer = _required("answer", answer)
    _choice("answer_satisfaction", answer_satisfaction, AnswerSatisfaction, blank=True)
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    before = {"answer": consultation.answer, "answer_satisfaction": consultation.answer_satisfaction}
    if consultation.answer != answer:
        consultation.answered_by = _staff(actor)
    consultation.answer = answer
    consultation.answer_satisfaction = answer_satisfaction or consultation.answer_satisfaction
    consultation.save()
    audit_record(actor=actor, action="support.consultation_answer", target=consultation, before=before,
                 after={"answer": answer, "answer_satisfaction": consultation.answer_satisfaction})
    return consultation


# --- 专线服务等级 (SVC-14) -----------------------------------------------------------------------------


@transaction.atomic
def service_class_save(*, actor: Any, service_class: ServiceClass, **values: Any) -> ServiceClass:
    """Change the SLA figures of a class."""
    require_perm(actor, "support.change_serviceclass")
    unknown = set(values) - set(CLASS_FIELDS)
    if unknown:
        raise SupportInvalid(field=", ".join(sorted(unknown)), problem=_("unknown field"))
    service_class = ServiceClass.objects.select_for_update().get(pk=service_class.pk)
    before = snapshot(service_class, CLASS_FIELDS)
    if "availability_pct" in values:
        pct = _decimal("availability_pct", values["availability_pct"], allow_none=False, minimum=Decimal("90"))
        if pct > 100:
            raise SupportInvalid(field="availability_pct", problem=_("the availability is at most 100%"))
        values["availability_pct"] = pct
    if "repair_hours" in values:
        values["repair_hours"] = _decimal("repair_hours", values["repair_hours"], allow_none=False, minimum=Decimal("0.25"))
    for field in ("response_minutes", "activation_days"):
        if field in values and (values[field] is None or int(values[field]) < 1):
            raise SupportInvalid(field=field, problem=_("the value must be at least %(min)s") % {"min": 1})
    for field, value in values.items():
        setattr(service_class, field, value)
    service_class.save()
    audit_record(actor=actor, action="support.service_class_save", target=service_class, before=before,
                 after=snapshot(service_class, CLASS_FIELDS))
    return service_class


def _check_line(values: dict[str, Any]) -> None:
    line_type = _choice("line_type", values.get("line_type"), LineType)
    service_class = values.get("service_class")
    if service_class is None:
        raise SupportInvalid(field="service_class", problem=_("this field is required"))
    if service_class.line_type != line_type:
        raise SupportInvalid(
            field="service_class",
            problem=_("%(cls)s is a class of another kind of line") % {"cls": service_class},
        )
    _choice("status", values.get("status") or LineStatus.PLANNED, LineStatus)
    if not values.get("bandwidth_mbps") or int(values["bandwidth_mbps"]) < 1:
        raise SupportInvalid(field="bandwidth_mbps", problem=_("the bandwidth must be at least 1 Mbit/s"))
    values["a_end"] = _required("a_end", values.get("a_end"))
    values["network_element"] = _required("network_element", values.get("network_element"))
    for field in ("z_end", "notes"):
        values[field] = _text(values.get(field))


@transaction.atomic
def line_add(*, actor: Any, customer: Customer, line_no: str, **values: Any) -> CustomerLine:
    """A customer's private line (or WLAN, broadband) with its service class."""
    require_perm(actor, "support.add_customerline")
    require_in_scope(actor, customer)
    line_no = _required("line_no", line_no)
    unknown = set(values) - set(LINE_FIELDS)
    if unknown:
        raise SupportInvalid(field=", ".join(sorted(unknown)), problem=_("unknown field"))
    _check_line(values)
    values["status"] = values.get("status") or LineStatus.PLANNED
    if CustomerLine.objects.filter(line_no=line_no).exists():
        raise Conflict(_("line_no: the line %(no)s is recorded already.") % {"no": line_no})
    line = CustomerLine.objects.create(customer=customer, line_no=line_no, **values)
    audit_record(actor=actor, action="support.line_add", target=line, after={"line_no": line_no, **snapshot(line, LINE_FIELDS)})
    return line


@transaction.atomic
def line_change(*, actor: Any, line: CustomerLine, **values: Any) -> CustomerLine:
    require_perm(actor, "support.change_customerline")
    require_in_scope(actor, line)
    unknown = set(values) - set(LINE_FIELDS)
    if unknown:
        raise SupportInvalid(field=", ".join(sorted(unknown)), problem=_("unknown field"))
    line = CustomerLine.objects.select_for_update().get(pk=line.pk)
    before = snapshot(line, LINE_FIELDS)
    merged = {f: getattr(line, f) for f in LINE_FIELDS}
    merged.update(values)
    _check_line(merged)
    for field, value in merged.items():
        setattr(line, field, value)
    line.save()
    audit_record(actor=actor, action="support.line_change", target=line, before=before, after=snapshot(line, LINE_FIELDS))
    return line


@transaction.atomic
def line_check_record(
    *, actor: Any, line: CustomerLine, kind: str, result: str, at: datetime.datetime | None = None,
    availability_pct: Any = None, latency_ms: Any = None, packet_loss_pct: Any = None, note: str = "",
) -> LineCheck:
    """开通测试 / 监控: one test or monitoring record. A passed activation test puts a line that
    is planned or being tested into service."""
    require_perm(actor, "support.add_linecheck")
    require_in_scope(actor, line)
    _choice("kind", kind, CheckKind)
    _choice("result", result, CheckResult)
    pct = _decimal("availability_pct", availability_pct)
    if pct is not None and pct > 100:
        raise SupportInvalid(field="availability_pct", problem=_("the availability is at most 100%"))
    loss = _decimal("packet_loss_pct", packet_loss_pct)
    if loss is not None and loss > 100:
        raise SupportInvalid(field="packet_loss_pct", problem=_("the packet loss is at most 100%"))
    at = at or timezone.now()
    check = LineCheck.objects.create(
        line=line, kind=kind, result=result, at=at, availability_pct=pct, latency_ms=_decimal("latency_ms", latency_ms),
        packet_loss_pct=loss, note=_text(note)[:300], checked_by=_staff(actor),
    )
    line = CustomerLine.objects.select_for_update().get(pk=line.pk)
    if kind == CheckKind.ACTIVATION_TEST and result == CheckResult.PASSED and line.status in (LineStatus.PLANNED, LineStatus.TESTING):
        line.status = LineStatus.ACTIVE
        line.activated_on = line.activated_on or timezone.localtime(at).date()
        line.save(update_fields=["status", "activated_on", "updated_at"])
    elif kind == CheckKind.ACTIVATION_TEST and line.status == LineStatus.PLANNED:
        line.status = LineStatus.TESTING
        line.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="support.line_check", target=line,
                 after={"kind": kind, "result": result, "at": at, "line_status": line.status})
    return check


def fault_process_keys() -> set[str]:
    return {k.strip() for k in str(param("support.fault_processes")).split(",") if k.strip()}


def _check_fault_times(reported: datetime.datetime, responded: Any, restored: Any) -> None:
    if responded is not None and responded < reported:
        raise SupportInvalid(field="responded_at", problem=_("the response is before the fault was reported"))
    if restored is not None and restored < reported:
        raise SupportInvalid(field="restored_at", problem=_("the restoration is before the fault was reported"))


@transaction.atomic
def line_fault_link(
    *, actor: Any, line: CustomerLine, case: Any, responded_at: datetime.datetime | None = None,
    restored_at: datetime.datetime | None = None, note: str = "",
) -> LineFault:
    """Link a level-1/level-2 fault case to the line it concerns, so that its response and
    repair are measured against the line's class SLA."""
    require_perm(actor, "support.add_linefault")
    require_in_scope(actor, line)
    require_in_scope(actor, case)
    if case.process_key not in fault_process_keys():
        raise FaultCaseRefused(problem=_("%(number)s is not a fault case") % {"number": case.number})
    if case.customer_id != line.customer_id:
        raise FaultCaseRefused(problem=_("%(number)s is a case of another customer") % {"number": case.number})
    _check_fault_times(case.opened_at, responded_at, restored_at)
    if LineFault.objects.filter(case=case).exists():
        raise Conflict(_("case: %(number)s is linked to a line already.") % {"number": case.number})
    fault = LineFault.objects.create(
        line=line, case=case, reported_at=case.opened_at, responded_at=responded_at, restored_at=restored_at,
        note=_text(note)[:300], linked_by=_staff(actor),
    )
    audit_record(actor=actor, action="support.line_fault_link", target=fault, target_repr=str(fault),
                 after={"line": line.line_no, "case": case.number})
    return fault


@transaction.atomic
def line_fault_times(
    *, actor: Any, fault: LineFault, responded_at: datetime.datetime | None, restored_at: datetime.datetime | None,
    note: str = "",
) -> LineFault:
    """Maintenance records the real response and restoration times of a fault."""
    require_perm(actor, "support.change_linefault")
    require_in_scope(actor, fault)
    fault = LineFault.objects.select_for_update().get(pk=fault.pk)
    _check_fault_times(fault.reported_at, responded_at, restored_at)
    if responded_at and restored_at and restored_at < responded_at:
        raise SupportInvalid(field="restored_at", problem=_("the restoration is before the response"))
    before = {"responded_at": fault.responded_at, "restored_at": fault.restored_at}
    fault.responded_at, fault.restored_at = responded_at, restored_at
    fault.note = _text(note)[:300] or fault.note
    fault.save()
    audit_record(actor=actor, action="support.line_fault_times", target=fault, target_repr=str(fault), before=before,
                 after={"responded_at": responded_at, "restored_at": restored_at})
    return fault


# --- 网络割接通知与应急流程 (SVC-11) -----------------------------------------------------------------


def _open_notice(notice: CutoverNotice) -> CutoverNotice:
    notice = CutoverNotice.objects.select_for_update().get(pk=notice.pk)
    if not notice.is_open:
        raise NoticeClosed(number=notice.number, state=notice.get_state_display())
    return notice


def _check_responsible(actor: Any, staff: Any, field: str = "responsible") -> Staff:
    if not isinstance(staff, Staff) or not staff.is_active:
        raise SupportInvalid(field=field, problem=_("choose an active staff member"))
    _check_unit(actor, staff.org_unit, field)
    return staff


@transaction.atomic
def notice_create(
    *, actor: Any, title: str, starts_at: datetime.datetime, ends_at: datetime.datetime, impact: str,
    kind: str = NoticeKind.CUTOVER, network_element: str = "", areas: Iterable[OrgUnit] = (),
    org_unit: OrgUnit | None = None, steps: Iterable[dict[str, Any]] = (),
) -> CutoverNotice:
    """发布割接通知: what is cut over (a network element and/or areas), when, with what impact;
    optionally with the steps of its emergency process and who is responsible for each."""
    require_perm(actor, "support.add_cutovernotice")
    _choice("kind", kind, NoticeKind)
    title, impact = _required("title", title), _required("impact", impact)
    if not isinstance(starts_at, datetime.datetime) or not isinstance(ends_at, datetime.datetime):
        raise SupportInvalid(field="starts_at", problem=_("give the start and end times"))
    if ends_at <= starts_at:
        raise SupportInvalid(field="ends_at", problem=_("the end is not after the start"))
    areas = list(areas)
    element = _text(network_element)
    if not areas and not element:
        raise SupportInvalid(field="areas", problem=_("name the network element or the affected areas"))
    for area in areas:
        _check_unit(actor, area, "areas")
    unit = org_unit or getattr(_staff(actor), "org_unit", None)
    if unit is None:
        raise SupportInvalid(field="org_unit", problem=_("this field is required"))
    _check_unit(actor, unit)
    steps = list(steps)
    for step in steps:
        _required("steps", step.get("name"))
        _check_responsible(actor, step.get("responsible"))
    notice = CutoverNotice.objects.create(
        number=f"tmp-{uuid.uuid4().hex[:16]}", kind=kind, title=title[:200], network_element=element[:80],
        starts_at=starts_at, ends_at=ends_at, impact=impact, org_unit=unit, created_by=_staff(actor),
    )
    notice.number = _dated_number("GJ", notice, starts_at)
    notice.save(update_fields=["number"])
    notice.areas.set(areas)
    EmergencyStep.objects.bulk_create([
        EmergencyStep(notice=notice, order=i, name=_text(s["name"])[:120], responsible=s["responsible"], due_at=s.get("due_at"))
        for i, s in enumerate(steps, start=1)
    ])
    audit_record(actor=actor, action="support.notice_create", target=notice, org_unit=unit,
                 after={"title": title, "element": element, "areas": [str(a) for a in areas],
                        "starts_at": starts_at, "ends_at": ends_at, "steps": len(steps)})
    return notice


def affected_customers(notice: CutoverNotice) -> dict[int, dict[str, Any]]:
    """The rule: current key accounts in an affected area, and those whose lines in service
    run over the affected network element (whatever their city: the network decides).
    {customer id: {"reason", "lines"}}."""
    found: dict[int, dict[str, Any]] = {}
    paths = [a.path for a in notice.areas.all()]
    if paths:
        in_areas = Q()
        for path in paths:
            in_areas |= Q(org_unit__path__startswith=path)
        for pk in Customer.objects.filter(in_areas, status=CustomerStatus.CURRENT).values_list("pk", flat=True):
            found[pk] = {"reason": ImpactReason.AREA, "lines": []}
    if notice.network_element:
        lines = CustomerLine.objects.filter(
            network_element__iexact=notice.network_element, customer__status=CustomerStatus.CURRENT,
            status__in=(LineStatus.ACTIVE, LineStatus.TESTING, LineStatus.SUSPENDED),
        ).values_list("customer_id", "line_no")
        for customer_id, line_no in lines:
            entry = found.setdefault(customer_id, {"reason": ImpactReason.LINE, "lines": []})
            if entry["reason"] == ImpactReason.AREA:
                entry["reason"] = ImpactReason.BOTH
            entry["lines"].append(line_no)
    return found


def _impacts_refresh(notice: CutoverNotice) -> int:
    """Add the affected customers not yet listed; returns how many were added."""
    found = affected_customers(notice)
    existing = set(notice.impacts.values_list("customer_id", flat=True))
    new = [
        CutoverImpact(notice=notice, customer_id=pk, reason=v["reason"], lines=sorted(v["lines"]))
        for pk, v in found.items() if pk not in existing
    ]
    CutoverImpact.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


@transaction.atomic
def notice_find_affected(*, actor: Any, notice: CutoverNotice) -> int:
    """找出受影响的大客户 by the rule above; safe to run again (adds only new ones)."""
    require_perm(actor, "support.change_cutovernotice")
    require_in_scope(actor, notice)
    notice = _open_notice(notice)
    added = _impacts_refresh(notice)
    audit_record(actor=actor, action="support.notice_find_affected", target=notice, after={"added": added})
    return added


def _primary_contact(customer: Customer) -> Contact | None:
    contacts = [c for c in Contact.objects.filter(customer=customer).order_by("-is_primary", "pk") if c.mobile]
    return contacts[0] if contacts else None


@transaction.atomic
def notice_send(*, actor: Any, notice: CutoverNotice) -> dict[str, int]:
    """通知受影响客户: an SMS to each affected customer's primary contact and to its account
    manager, through the outbox. Idempotent per (notice, customer, recipient): sending again
    sends only to customers added since."""
    require_perm(actor, "support.send_cutovernotice")
    require_in_scope(actor, notice)
    notice = _open_notice(notice)
    _impacts_refresh(notice)
    now = timezone.now()
    fmt = "%Y-%m-%d %H:%M"
    base = {
        "number": notice.number, "kind": notice.get_kind_display(), "title": notice.title, "impact": notice.impact,
        "starts": timezone.localtime(notice.starts_at).strftime(fmt), "ends": timezone.localtime(notice.ends_at).strftime(fmt),
    }
    sent = customers = without_contact = 0
    impacts = notice.impacts.select_related("customer", "customer__account_manager").select_for_update(of=("self",))
    for impact in impacts:
        customer = impact.customer
        manager = customer.account_manager
        contact = _primary_contact(customer)
        values = {**base, "customer": customer.name, "manager": manager.name if manager else "",
                  "manager_mobile": manager.mobile if manager else "", "contact": contact.name if contact else _("nobody")}
        created_here = 0
        if contact is not None:
            _msg, created = notify(
                channel="sms", recipient=contact.mobile, recipient_name=contact.name,
                body=_format(param("support.cutover_sms"), values), purpose="support.cutover",
                idempotency_key=f"support.cutover:{notice.pk}:{customer.pk}:contact",
                org_unit=customer.org_unit, owner=manager, target=notice,
            )
            created_here += int(created)
            impact.contact_name, impact.contact_mobile = contact.name[:60], contact.mobile[:20]
        else:
            without_contact += 1
        if manager is not None and manager.mobile:
            _msg, created = notify(
                channel="sms", recipient=manager.mobile, recipient_name=manager.name,
                body=_format(param("support.cutover_manager_sms"), values), purpose="support.cutover_manager",
                idempotency_key=f"support.cutover:{notice.pk}:{customer.pk}:manager",
                org_unit=customer.org_unit, owner=manager, target=notice,
            )
            created_here += int(created)
        if created_here:
            customers += 1
            sent += created_here
            impact.messages_sent += created_here
            impact.notified_at = impact.notified_at or now
            impact.recorded_by = impact.recorded_by or _staff(actor)
            impact.save()
    if notice.state == NoticeState.DRAFT:
        notice.state, notice.notified_at = NoticeState.NOTIFIED, now
        notice.save(update_fields=["state", "notified_at"])
    result = {"customers": customers, "messages": sent, "without_contact": without_contact}
    audit_record(actor=actor, action="support.notice_send", target=notice, after=result)
    return result


def _format(template: str, values: dict[str, Any]) -> str:
    class Missing(dict):
        def __missing__(self, key):
            return "{" + key + "}"

    return template.format_map(Missing(values))


@transaction.atomic
def impact_acknowledge(*, actor: Any, impact: CutoverImpact, acknowledged_by: str, note: str = "",
                       at: datetime.datetime | None = None) -> CutoverImpact:
    """客户确认: the customer confirmed it knows of the cut-over (by phone, SMS reply …)."""
    require_perm(actor, "support.change_cutoverimpact")
    require_in_scope(actor, impact)
    who = _required("acknowledged_by", acknowledged_by)
    impact = CutoverImpact.objects.select_for_update().get(pk=impact.pk)
    if impact.acknowledged_at is not None:
        raise Conflict(_("%(customer)s acknowledged this notice already.") % {"customer": impact.customer.name})
    if impact.notified_at is None:
        raise SupportInvalid(field="acknowledged_by", problem=_("the customer has not been notified yet"))
    impact.acknowledged_at, impact.acknowledged_by, impact.ack_note = at or timezone.now(), who[:60], _text(note)[:300]
    impact.recorded_by = _staff(actor) or impact.recorded_by
    impact.save()
    audit_record(actor=actor, action="support.impact_acknowledge", target=impact, target_repr=str(impact),
                 after={"by": who, "note": impact.ack_note})
    return impact


@transaction.atomic
def step_add(*, actor: Any, notice: CutoverNotice, name: str, responsible: Staff, due_at: datetime.datetime | None = None) -> EmergencyStep:
    """应急流程: add a step with the person responsible for it."""
    require_perm(actor, "support.change_cutovernotice")
    require_in_scope(actor, notice)
    name = _required("name", name)
    _check_responsible(actor, responsible)
    notice = _open_notice(notice)
    order = (notice.steps.aggregate(m=Max("order"))["m"] or 0) + 1
    step = EmergencyStep.objects.create(notice=notice, order=order, name=name[:120], responsible=responsible, due_at=due_at)
    audit_record(actor=actor, action="support.step_add", target=notice, after={"step": name, "responsible": str(responsible), "due_at": due_at})
    return step


@transaction.atomic
def step_done(*, actor: Any, step: EmergencyStep, result: str, at: datetime.datetime | None = None) -> EmergencyStep:
    """闭环: the responsible person (or whoever runs the notice) records what was done, when."""
    require_perm(actor, "support.change_emergencystep")
    require_in_scope(actor, step)
    result = _required("result", result)
    me = _staff(actor)
    step = EmergencyStep.objects.select_for_update().select_related("notice").get(pk=step.pk)
    if (me is None or me.pk != step.responsible_id) and not actor.has_perm("support.change_cutovernotice"):
        raise NotResponsible()
    if not step.notice.is_open:
        raise NoticeClosed(number=step.notice.number, state=step.notice.get_state_display())
    if step.done_at is not None:
        raise Conflict(_("The step “%(name)s” is done already.") % {"name": step.name})
    step.done_at, step.done_by, step.result = at or timezone.now(), me, result[:500]
    step.save()
    audit_record(actor=actor, action="support.step_done", target=step.notice,
                 after={"step": step.name, "result": step.result, "late": step.late})
    return step


@transaction.atomic
def notice_close(*, actor: Any, notice: CutoverNotice, summary: str) -> CutoverNotice:
    """Close a notice once every emergency step is done: the loop is closed."""
    require_perm(actor, "support.change_cutovernotice")
    require_in_scope(actor, notice)
    summary = _required("summary", summary)
    notice = _open_notice(notice)
    open_steps = notice.steps.filter(done_at__isnull=True).count()
    if open_steps:
        raise SupportInvalid(field="steps", problem=_("%(n)s emergency steps are not done yet") % {"n": open_steps})
    notice.state, notice.closed_at, notice.summary = NoticeState.CLOSED, timezone.now(), summary
    notice.save(update_fields=["state", "closed_at", "summary"])
    audit_record(actor=actor, action="support.notice_close", target=notice, after={"summary": summary})
    return notice


@transaction.atomic
def notice_cancel(*, actor: Any, notice: CutoverNotice, reason: str) -> CutoverNotice:
    require_perm(actor, "support.change_cutovernotice")
    require_in_scope(actor, notice)
    reason = _required("reason", reason)
    notice = _open_notice(notice)
    notice.state, notice.closed_at, notice.summary = NoticeState.CANCELLED, timezone.now(), reason
    notice.save(update_fields=["state", "closed_at", "summary"])
    audit_record(actor=actor, action="support.notice_cancel", target=notice, reason=reason)
    return notice

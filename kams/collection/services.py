"""Writes of collection and merge (CUS-03, CUS-04, SVC-05).

Each function checks permission and scope, runs in one transaction and writes the audit
log. The two batch operations — ``candidates_generate`` and ``duplicates_find`` — are
set-based and idempotent: running them twice changes nothing the second time.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from typing import Any, Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kams.audit.services import audit_record, snapshot
from kams.collection.enums import CandidateState, MatchReason, PairState
from kams.collection.errors import (
    CandidateClosed,
    CustomerHistorical,
    ManagerRequired,
    MergeConflict,
    NotPotential,
    PairClosed,
    ReasonRequired,
    SurvivorNotInPair,
)
from kams.collection.models import AdmissionRule, Candidate, DuplicatePair, FirstContactTask, Merge
from kams.collection.normalise import normalise_address, normalise_certificate, normalise_name, normalise_phone
from kams.core.errors import InvalidInput
from kams.customers.enums import CustomerStatus, CustomerType
from kams.customers.models import Contact, Customer, Member, Relation
from kams.org.models import OrgUnit, Staff
from kams.org.scoping import require_in_scope, require_perm
from kams.system.models import JobRun

CHUNK = 2000

# --- Admission rules ------------------------------------------------------------------------------

RULE_FIELDS = ("name", "customer_type", "min_monthly_revenue", "months", "min_members", "is_active", "note")


@transaction.atomic
def rule_save(*, actor: Any, rule: AdmissionRule | None = None, reason: str = "", **values: Any) -> AdmissionRule:
    """Define or change an admission rule; the audit log keeps every version (its history)."""
    require_perm(actor, "collection.add_admissionrule" if rule is None else "collection.change_admissionrule")
    unknown = set(values) - set(RULE_FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    if "customer_type" in values and values["customer_type"] not in CustomerType.values:
        raise InvalidInput(_("customer_type: not a customer type."))
    if values.get("min_monthly_revenue") is not None and Decimal(values["min_monthly_revenue"]) < 0:
        raise InvalidInput(_("min_monthly_revenue: the amount cannot be negative."))
    if "months" in values and not 1 <= int(values["months"]) <= 24:
        raise InvalidInput(_("months: between 1 and 24 months."))
    name = values.get("name", rule.name if rule else "")
    clash = AdmissionRule.objects.filter(name=name).exclude(pk=rule.pk if rule else None)
    if clash.exists():
        raise InvalidInput(_("name: a rule with this name already exists."))
    if rule is None:
        rule, before = AdmissionRule(**values), None
    else:
        rule = AdmissionRule.objects.select_for_update().get(pk=rule.pk)
        before = snapshot(rule, RULE_FIELDS)
        for field, value in values.items():
            setattr(rule, field, value)
    try:
        rule.full_clean()
    except ValidationError as exc:
        raise InvalidInput("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
    rule.save()
    rule.refresh_from_db()
    after = snapshot(rule, RULE_FIELDS)
    if after != before:
        audit_record(
            actor=actor, action="collection.rule_create" if before is None else "collection.rule_update",
            target=rule, before=before, after=after, reason=reason,
        )
    return rule


# --- Candidates (CUS-03, SVC-05) ------------------------------------------------------------------


def candidates_generate(*, actor: Any = None, progress: Any = None) -> dict:
    """客户资料采集: every active rule against the latest billed months. A potential customer
    of the rule's type whose billed total over the rule's window, divided by the months of the
    window (a month without bills counts as zero), reaches the threshold — and that has
    enough active members when the rule asks for them — becomes an open candidate with its
    evidence. A customer with an open candidate, or rejected for the same month, is left
    alone, so a second run adds nothing. Rules are tried highest threshold first; the first
    that a customer meets is the one recorded."""
    from kams.billing.models import BillSummary
    from kams.billing.selectors import latest_periods

    rules = list(AdmissionRule.objects.filter(is_active=True))
    if progress is not None:
        progress.set_total(len(rules))
    created: list[Candidate] = []
    with transaction.atomic():
        taken = set(Candidate.objects.filter(state=CandidateState.OPEN).values_list("customer_id", flat=True))
        rejected = set(
            Candidate.objects.filter(state=CandidateState.REJECTED).values_list("customer_id", "period")
        )
        for rule in rules:
            periods = latest_periods(rule.months)
            if periods:
                created += _rule_candidates(rule, periods, taken, rejected, BillSummary)
            if progress is not None:
                progress.advance(1, message=rule.name)
        Candidate.objects.bulk_create(created, batch_size=CHUNK)
        result = {
            "rules": len(rules),
            "candidates": len(created),
            "customers": [c.customer_id for c in created][:500],
        }
        audit_record(actor=actor, action="collection.candidates_generate", target_repr=str(len(created)), after=result)
    return result


def _money(value) -> str:
    return f"{Decimal(value):.2f}"


def _rule_candidates(rule, periods, taken: set, rejected: set, BillSummary) -> list[Candidate]:
    window = len(periods)
    threshold = rule.min_monthly_revenue * window
    totals = (
        BillSummary.objects.filter(
            period__in=periods, customer__status=CustomerStatus.POTENTIAL, customer__customer_type=rule.customer_type
        )
        .values("customer")
        .annotate(total=Sum("total"))
        .filter(total__gte=threshold)
    )
    qualified = {row["customer"]: row["total"] for row in totals}
    qualified = {pk: total for pk, total in qualified.items() if pk not in taken and (pk, periods[0]) not in rejected}
    if not qualified:
        return []
    members = dict(
        Member.objects.filter(customer_id__in=list(qualified), is_active=True)
        .values("customer")
        .annotate(n=Count("pk"))
        .values_list("customer", "n")
    )
    if rule.min_members:
        qualified = {pk: t for pk, t in qualified.items() if members.get(pk, 0) >= rule.min_members}
    monthly: dict[int, dict[str, str]] = defaultdict(dict)
    for row in (
        BillSummary.objects.filter(customer_id__in=list(qualified), period__in=periods)
        .values("customer", "period")
        .annotate(total=Sum("total"))
    ):
        monthly[row["customer"]][f"{row['period']:%Y-%m}"] = _money(row["total"])
    result = []
    for pk, total in qualified.items():
        taken.add(pk)
        result.append(
            Candidate(
                customer_id=pk, rule=rule, period=periods[0], months=window,
                revenue=(total / window).quantize(Decimal("0.01")), members=members.get(pk, 0),
                evidence={
                    "rule": rule.name, "threshold": str(rule.min_monthly_revenue), "min_members": rule.min_members,
                    "total": _money(total), "months": [f"{p:%Y-%m}" for p in periods], "monthly": monthly[pk],
                },
            )
        )
    return result


def _open_candidate(actor: Any, candidate: Candidate) -> Candidate:
    require_perm(actor, "collection.review_candidate")
    require_in_scope(actor, candidate)
    candidate = Candidate.objects.select_for_update().select_related("customer").get(pk=candidate.pk)
    if candidate.state != CandidateState.OPEN:
        raise CandidateClosed(state=candidate.get_state_display())
    return candidate


@transaction.atomic
def candidate_admit(*, actor: Any, candidate: Candidate, manager: Staff | None, note: str = "") -> Candidate:
    """纳入大客户: the potential customer becomes current, with ``manager`` as its account
    manager (checked like any assignment: in the reviewer's scope and the customer's region),
    its level suggested from its bills, and a first-contact task for the manager."""
    from kams.customers import services as customer_services
    from kams.customers.selectors import level_suggest
    from kams.system.parameters import param

    candidate = _open_candidate(actor, candidate)
    if manager is None:
        raise ManagerRequired()
    customer = Customer.objects.select_for_update().get(pk=candidate.customer_id)
    if customer.status != CustomerStatus.POTENTIAL:
        raise NotPotential(customer=f"{customer.code} {customer.name}")
    if customer.account_manager_id != manager.pk:
        customer, _suggestion = customer_services.customer_update(
            actor=actor, customer=customer, changes={"account_manager": manager},
            reason=_("Admitted as a key account"),
        )
    before = snapshot(customer, ("status", "level", "joined_on"))
    today = timezone.localdate()
    customer.status = CustomerStatus.CURRENT
    customer.joined_on = customer.joined_on or today
    customer.level = level_suggest(customer)
    customer.save(update_fields=["status", "joined_on", "level", "updated_at"])
    audit_record(
        actor=actor, action="customers.admit", target=customer, before=before,
        after=snapshot(customer, ("status", "level", "joined_on")), reason=note or candidate.rule.name,
    )
    task = FirstContactTask.objects.create(
        customer=customer, manager=manager, candidate=candidate,
        due_on=today + datetime.timedelta(days=param("collection.first_contact_days")),
    )
    candidate.state = CandidateState.ADMITTED
    candidate.manager, candidate.reason = manager, note
    candidate.decided_by, candidate.decided_at = actor, timezone.now()
    candidate.save(update_fields=["state", "manager", "reason", "decided_by", "decided_at"])
    audit_record(
        actor=actor, action="collection.candidate_admit", target=candidate,
        before={"state": CandidateState.OPEN},
        after={"state": candidate.state, "manager": str(manager), "first_contact": task.pk, "due_on": task.due_on},
        reason=note,
    )
    return candidate


@transaction.atomic
def candidate_reject(*, actor: Any, candidate: Candidate, reason: str) -> Candidate:
    """不纳入: the customer stays potential; the same month's bills will not propose it again."""
    if not (reason or "").strip():
        raise ReasonRequired()
    candidate = _open_candidate(actor, candidate)
    candidate.state = CandidateState.REJECTED
    candidate.reason = reason.strip()
    candidate.decided_by, candidate.decided_at = actor, timezone.now()
    candidate.save(update_fields=["state", "reason", "decided_by", "decided_at"])
    audit_record(
        actor=actor, action="collection.candidate_reject", target=candidate,
        before={"state": CandidateState.OPEN}, after={"state": candidate.state}, reason=candidate.reason,
    )
    return candidate


@transaction.atomic
def first_contact_done(*, actor: Any, task: FirstContactTask, result: str = "") -> FirstContactTask:
    """The manager records that the first contact took place, and how it went."""
    require_perm(actor, "collection.change_firstcontacttask")
    require_in_scope(actor, task)
    task = FirstContactTask.objects.select_for_update().get(pk=task.pk)
    if task.done:
        raise InvalidInput(_("This first contact is already recorded as done."))
    task.done, task.done_at, task.result = True, timezone.now(), (result or "").strip()[:500]
    task.save(update_fields=["done", "done_at", "result"])
    audit_record(
        actor=actor, action="collection.first_contact_done", target=task,
        before={"done": False}, after={"done": True, "result": task.result},
    )
    return task


# --- Duplicates (CUS-04) ------------------------------------------------------------------------

MAX_GROUP = 50  # a certificate or phone shared by more customers is a placeholder, not evidence
PHONE_BONUS = 20
ADDRESS_BONUS = 10
# Two people of the same name are common (张鹏, 王娟…): for individual customers a name
# counts for at most this much, so only a shared certificate, or the name with the phone and
# the address, makes them a pair.
PERSON_NAME_CAP = 60


class _Units:
    """The org tree in memory: the city of a unit, the smallest unit above two units."""

    def __init__(self) -> None:
        rows = list(OrgUnit.objects.values_list("pk", "path", "kind"))
        self.path = {pk: path for pk, path, _kind in rows}
        self.by_path = {path: pk for pk, path, _kind in rows}
        self.kind = {path: kind for _pk, path, kind in rows}
        self.step = OrgUnit.steplen

    def city(self, unit_pk: int) -> str:
        path = self.path[unit_pk]
        for end in range(self.step, len(path) + 1, self.step):
            if self.kind.get(path[:end]) == "city":
                return path[:end]
        return path

    def common(self, a: int, b: int) -> int:
        pa, pb = self.path[a], self.path[b]
        n = 0
        while n < min(len(pa), len(pb)) and pa[n] == pb[n]:
            n += 1
        n -= n % self.step
        return self.by_path[pa[:n]] if n else a


def _blocks(rows: list[dict]) -> Iterable[list[dict]]:
    """Blocking for the fuzzy pass: customers of one city sharing the first or the last two
    characters of their normalised name (the city's own name cut off the front). Two keys per
    customer keep a typo at one end from hiding a pair; every block is small, so the pass is
    O(n·k), not O(n²)."""
    blocks: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        stem = row["stem"]
        blocks[(row["city"], "^", stem[:2])].append(row)
        blocks[(row["city"], "$", stem[-2:])].append(row)
    return (block for block in blocks.values() if len(block) > 1)


def _city_names() -> dict[str, str]:
    names = dict(OrgUnit.objects.filter(kind="city").values_list("path", "name"))
    return {path: normalise_name(name.removesuffix("分公司").removesuffix("市")) for path, name in names.items()}


def duplicates_find(*, actor: Any = None, progress: Any = None) -> dict:
    """Find possible duplicates among non-historical customers.

    One pass over the customers computes the normalised name, certificate, phone and address.
    Exact matches are grouped by their normalised key (a hash GROUP BY: normalisation — NFKC,
    bracketed suffixes, company forms — is not something SQL can do portably); fuzzy names are
    compared with rapidfuzz inside blocks (``_blocks``). A pair's score is 100 for the same
    certificate, else the name similarity plus a bonus for a shared phone or address; pairs
    reaching the threshold parameter are recorded. Pairs already recorded keep their state:
    an open one gets its new score, a dismissed one is not raised again."""
    from rapidfuzz import fuzz, process

    from kams.system.parameters import param

    threshold = param("collection.duplicate_threshold")
    units = _Units()
    cities = _city_names()
    rows = []
    for pk, name, cert, phone, address, unit, kind in (
        Customer.objects.exclude(status=CustomerStatus.HISTORICAL)
        .values_list("pk", "name", "certificate_no", "phone", "address", "org_unit_id", "customer_type")
        .iterator(chunk_size=CHUNK)
    ):
        norm = normalise_name(name)
        city = units.city(unit)
        stem = norm.removeprefix(cities.get(city, "\0")) or norm
        rows.append({
            "pk": pk, "name": norm, "stem": stem, "cert": normalise_certificate(cert), "phone": normalise_phone(phone),
            "address": normalise_address(address), "unit": unit, "city": city, "kind": kind,
        })
    if progress is not None:
        progress.set_total(len(rows) * 2)
    by_pk = {row["pk"]: row for row in rows}
    found: set[tuple[int, int]] = set()

    def pairs_of(members: list[int]) -> None:
        if 1 < len(members) <= MAX_GROUP:
            members = sorted(members)
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    found.add((a, b))

    for key in ("cert", "phone", "name"):
        groups: dict[str, list[int]] = defaultdict(list)
        for row in rows:
            if len(row[key]) >= 5 or (key == "name" and row[key]):
                groups[row[key]].append(row["pk"])
        for members in groups.values():
            pairs_of(members)
    for block in _blocks(rows):
        # One city per block: its name, shared by most, would only inflate the similarity.
        names = [row["stem"] for row in block]
        for i, row in enumerate(block[:-1]):
            for _choice, _similarity, j in process.extract(
                row["stem"], names[i + 1 :], scorer=fuzz.ratio, score_cutoff=threshold, limit=None
            ):
                other = block[i + 1 + j]["pk"]
                if other != row["pk"]:
                    found.add((min(row["pk"], other), max(row["pk"], other)))
        if progress is not None:
            progress.advance(len(block))

    scored: dict[tuple[int, int], tuple[int, list[str]]] = {}
    for a, b in found:
        score, reasons = _score(by_pk[a], by_pk[b], threshold, fuzz)
        if score >= threshold:
            scored[(a, b)] = (score, reasons)
    return _record_pairs(actor, scored, by_pk, units)


def _score(x: dict, y: dict, threshold: int, fuzz) -> tuple[int, list[str]]:
    key = "stem" if x["city"] == y["city"] else "name"
    name_score = int(round(fuzz.ratio(x[key], y[key])))
    reasons = []
    if x["cert"] and x["cert"] == y["cert"]:
        reasons.append(MatchReason.CERTIFICATE.value)
    if name_score >= threshold:
        reasons.append(MatchReason.NAME.value)
    if x["kind"] != y["kind"]:
        score = 0  # a company and a person, or two kinds of key account: only a certificate links them
    elif x["kind"] != CustomerType.GROUP:
        score = min(name_score, PERSON_NAME_CAP)
    else:
        score = name_score
    if x["phone"] and x["phone"] == y["phone"]:
        reasons.append(MatchReason.PHONE.value)
        score += PHONE_BONUS
    if x["address"] and x["address"] == y["address"]:
        reasons.append(MatchReason.ADDRESS.value)
        score += ADDRESS_BONUS
    if MatchReason.CERTIFICATE in reasons:
        score = 100
    return min(score, 100), reasons


def _record_pairs(actor: Any, scored: dict, by_pk: dict, units: _Units) -> dict:
    with transaction.atomic():
        existing = {
            (a, b): pair
            for pair in DuplicatePair.objects.filter(state=PairState.OPEN).only("pk", "a_id", "b_id", "score", "reasons")
            for a, b in [(pair.a_id, pair.b_id)]
        }
        closed = set(DuplicatePair.objects.exclude(state=PairState.OPEN).values_list("a_id", "b_id"))
        new, changed = [], []
        for (a, b), (score, reasons) in scored.items():
            if (a, b) in closed:
                continue
            pair = existing.get((a, b))
            if pair is None:
                new.append(DuplicatePair(
                    a_id=a, b_id=b, score=score, reasons=reasons,
                    org_unit_id=units.common(by_pk[a]["unit"], by_pk[b]["unit"]),
                ))
            elif (pair.score, pair.reasons) != (score, reasons):
                pair.score, pair.reasons, pair.updated_at = score, reasons, timezone.now()
                changed.append(pair)
        DuplicatePair.objects.bulk_create(new, batch_size=CHUNK, ignore_conflicts=True)
        DuplicatePair.objects.bulk_update(changed, ["score", "reasons", "updated_at"], batch_size=CHUNK)
        result = {"customers": len(by_pk), "pairs": len(scored), "new": len(new), "rescored": len(changed)}
        audit_record(actor=actor, action="collection.duplicates_find", target_repr=str(len(new)), after=result)
    return result


def _open_pair(actor: Any, pair: DuplicatePair, perm: str) -> DuplicatePair:
    require_perm(actor, perm)
    require_in_scope(actor, pair)
    pair = DuplicatePair.objects.select_for_update().select_related("a", "b").get(pk=pair.pk)
    if pair.state != PairState.OPEN:
        raise PairClosed(state=pair.get_state_display())
    return pair


@transaction.atomic
def pair_dismiss(*, actor: Any, pair: DuplicatePair, reason: str) -> DuplicatePair:
    """非重复: the two are different customers; the detection will not raise them again."""
    if not (reason or "").strip():
        raise ReasonRequired()
    pair = _open_pair(actor, pair, "collection.change_duplicatepair")
    pair.state, pair.reason = PairState.DISMISSED, reason.strip()
    pair.decided_by, pair.decided_at = actor, timezone.now()
    pair.save(update_fields=["state", "reason", "decided_by", "decided_at", "updated_at"])
    audit_record(
        actor=actor, action="collection.pair_dismiss", target=pair,
        before={"state": PairState.OPEN}, after={"state": pair.state}, reason=pair.reason,
    )
    return pair


# --- Merge (CUS-04) -------------------------------------------------------------------------------

# What a merge never moves: the collection's own records about the two customers.
NOT_MOVED = (Candidate, DuplicatePair, Merge)
# Basic data the survivor takes from the duplicate where its own is blank.
FILLED = ("certificate_type", "certificate_no", "phone", "address", "postcode", "email", "industry", "account_manager")


def _moving_relations():
    """Every foreign key and many-to-many link to Customer outside ``NOT_MOVED`` and
    ``Relation``: the customer domain's records (accounts, members, contacts, contracts,
    preferences, level history…), bills, and whatever later domains hang on a customer."""
    for rel in Customer._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and rel.is_relation):
            continue
        model = rel.related_model
        # The rows of an implicit many-to-many table move with their ManyToManyRel.
        if model in NOT_MOVED or model is Relation or model._meta.auto_created or model is Customer:
            continue
        yield rel


def merge_preview(survivor: Customer, duplicate: Customer) -> list[tuple[str, str, int]]:
    """(label, verbose name, count) of what merging ``duplicate`` into ``survivor`` moves."""
    result = []
    for rel in _moving_relations():
        if rel.many_to_many:
            mine = next(f for f in rel.through._meta.fields if f.is_relation and f.related_model is Customer)
            count = rel.through._base_manager.filter(**{mine.name: duplicate}).count()
        else:
            count = rel.related_model._base_manager.filter(**{rel.field.name: duplicate}).count()
        if count:
            result.append((rel.related_model._meta.label_lower, str(rel.related_model._meta.verbose_name_plural), count))
    relations = Relation.objects.filter(customer=duplicate).count() + Relation.objects.filter(other=duplicate).count()
    if relations:
        result.append((Relation._meta.label_lower, str(Relation._meta.verbose_name_plural), relations))
    return result


def _audit_move(actor, survivor, duplicate, label: str, ids: list, **extra) -> None:
    audit_record(
        actor=actor, action="collection.merge_move", target=survivor,
        before={"model": label, "customer": duplicate.code, "ids": ids},
        after={"model": label, "customer": survivor.code, "ids": ids, **extra},
    )


def _move_records(actor: Any, survivor: Customer, duplicate: Customer) -> dict[str, int]:
    moved: dict[str, int] = {}
    if Contact.objects.filter(customer=survivor, is_primary=True).exists():
        Contact.objects.filter(customer=duplicate, is_primary=True).update(is_primary=False)
    for rel in _moving_relations():
        model = rel.related_model
        label = model._meta.label_lower
        try:
            with transaction.atomic():
                if rel.many_to_many:
                    ids = _move_many(rel, survivor, duplicate)
                else:
                    rows = model._base_manager.filter(**{rel.field.name: duplicate})
                    ids = list(rows.values_list("pk", flat=True))
                    if ids:
                        rows.update(**{rel.field.name: survivor})
        except IntegrityError as exc:
            raise MergeConflict(model=model._meta.verbose_name_plural, problem=str(exc)[:200]) from None
        if ids:
            moved[label] = moved.get(label, 0) + len(ids)
            _audit_move(actor, survivor, duplicate, label, ids, field=rel.field.name)
    moved_relations, dropped = _move_relations(survivor, duplicate)
    if moved_relations or dropped:
        moved[Relation._meta.label_lower] = len(moved_relations)
        _audit_move(actor, survivor, duplicate, Relation._meta.label_lower, moved_relations, dropped=dropped)
    return moved


def _move_many(rel, survivor: Customer, duplicate: Customer) -> list:
    """A many-to-many link to Customer: re-point the through rows, dropping those that would
    link the same object to the survivor twice."""
    through = rel.through
    mine = next(f for f in through._meta.fields if f.is_relation and f.related_model is Customer)
    theirs = next(f for f in through._meta.fields if f.is_relation and f.related_model is rel.related_model and f is not mine)
    already = through._base_manager.filter(**{mine.name: survivor}).values(theirs.attname)
    through._base_manager.filter(**{mine.name: duplicate, f"{theirs.attname}__in": already}).delete()
    rows = through._base_manager.filter(**{mine.name: duplicate})
    ids = list(rows.values_list(theirs.attname, flat=True))
    rows.update(**{mine.name: survivor})
    return ids


def _move_relations(survivor: Customer, duplicate: Customer) -> tuple[list[int], list[int]]:
    """Relations of the duplicate become the survivor's; those between the two, and those
    the survivor already has, are dropped."""
    between = Relation.objects.filter(customer=duplicate, other=survivor) | Relation.objects.filter(
        customer=survivor, other=duplicate
    )
    dropped = list(between.values_list("pk", flat=True))
    have = set(Relation.objects.filter(customer=survivor).values_list("other_id", "kind"))
    have_inverse = set(Relation.objects.filter(other=survivor).values_list("customer_id", "kind"))
    for rel in Relation.objects.filter(customer=duplicate).exclude(pk__in=dropped):
        if (rel.other_id, rel.kind) in have:
            dropped.append(rel.pk)
    for rel in Relation.objects.filter(other=duplicate).exclude(pk__in=dropped):
        if (rel.customer_id, rel.kind) in have_inverse:
            dropped.append(rel.pk)
    Relation.objects.filter(pk__in=dropped).delete()
    outgoing = Relation.objects.filter(customer=duplicate)
    incoming = Relation.objects.filter(other=duplicate)
    moved = list(outgoing.values_list("pk", flat=True)) + list(incoming.values_list("pk", flat=True))
    outgoing.update(customer=survivor)
    incoming.update(other=survivor)
    return moved, dropped


def _fill_blanks(survivor: Customer, duplicate: Customer) -> None:
    for field in ("phone", "address", "postcode", "email", "industry_id", "account_manager_id"):
        if not getattr(survivor, field) and getattr(duplicate, field):
            setattr(survivor, field, getattr(duplicate, field))
    if not survivor.certificate_no and duplicate.certificate_no:
        taken = (
            Customer.objects.active()
            .filter(certificate_type=duplicate.certificate_type, certificate_no=duplicate.certificate_no)
            .exclude(pk__in=[survivor.pk, duplicate.pk])
            .exists()
        )
        if not taken:
            survivor.certificate_type, survivor.certificate_no = duplicate.certificate_type, duplicate.certificate_no
    if duplicate.status == CustomerStatus.CURRENT:
        survivor.status = CustomerStatus.CURRENT
    if duplicate.joined_on and (survivor.joined_on is None or duplicate.joined_on < survivor.joined_on):
        survivor.joined_on = duplicate.joined_on


@transaction.atomic
def pair_merge(*, actor: Any, pair: DuplicatePair, survivor: Customer, reason: str = "") -> Merge:
    """客户归并, approved by the group-customer department: move every record of the
    duplicate to ``survivor`` (set-based, one audit entry per record type naming the ids),
    let the survivor take the duplicate's basic data where its own is blank (and its current
    status), cancel the duplicate ("merged into …") and record the merge."""
    from kams.customers import services as customer_services

    pair = _open_pair(actor, pair, "collection.approve_merge")
    if survivor.pk not in (pair.a_id, pair.b_id):
        raise SurvivorNotInPair()
    duplicate_pk = pair.b_id if survivor.pk == pair.a_id else pair.a_id
    locked = {c.pk: c for c in Customer.objects.select_for_update().filter(pk__in=[pair.a_id, pair.b_id])}
    survivor, duplicate = locked[survivor.pk], locked[duplicate_pk]
    for customer in (survivor, duplicate):
        require_in_scope(actor, customer)
        if customer.status == CustomerStatus.HISTORICAL:
            raise CustomerHistorical(customer=f"{customer.code} {customer.name}")

    moved = _move_records(actor, survivor, duplicate)
    note = _("merged into %(code)s %(name)s") % {"code": survivor.code, "name": survivor.name}
    # Other open pairs of the duplicate are settled by this merge; its open candidacy too.
    others = DuplicatePair.objects.filter(state=PairState.OPEN).exclude(pk=pair.pk)
    settled = list((others.filter(a=duplicate) | others.filter(b=duplicate)).values_list("pk", flat=True))
    DuplicatePair.objects.filter(pk__in=settled).update(
        state=PairState.DISMISSED, reason=note, decided_by=actor, decided_at=timezone.now(), updated_at=timezone.now()
    )
    withdrawn = list(
        Candidate.objects.filter(customer=duplicate, state=CandidateState.OPEN).values_list("pk", flat=True)
    )
    Candidate.objects.filter(pk__in=withdrawn).update(
        state=CandidateState.REJECTED, reason=note, decided_by=actor, decided_at=timezone.now()
    )
    customer_services.customer_cancel(actor=actor, customer=duplicate, reason=note)

    before = snapshot(survivor, (*FILLED, "status", "joined_on"))
    _fill_blanks(survivor, duplicate)
    after = snapshot(survivor, (*FILLED, "status", "joined_on"))
    if after != before:
        survivor.save()
        audit_record(actor=actor, action="collection.merge_fill", target=survivor, before=before, after=after, reason=note)

    pair.state, pair.reason = PairState.MERGED, reason.strip()
    pair.decided_by, pair.decided_at = actor, timezone.now()
    pair.save(update_fields=["state", "reason", "decided_by", "decided_at", "updated_at"])
    merge = Merge.objects.create(
        pair=pair, survivor=survivor, duplicate=duplicate, moved=moved, reason=reason.strip(), merged_by=actor
    )
    audit_record(
        actor=actor, action="collection.merge", target=merge,
        before={"duplicate": f"{duplicate.code} {duplicate.name}", "survivor": f"{survivor.code} {survivor.name}"},
        after={"moved": moved, "pairs_settled": settled, "candidates_withdrawn": withdrawn},
        reason=reason,
    )
    return merge


# --- Background jobs ------------------------------------------------------------------------------


def _request(actor: Any, perm: str, name: str, label: str, task_name: str) -> JobRun:
    require_perm(actor, perm)
    run = JobRun.objects.create(name=name, label=label, started_by=actor)
    audit_record(actor=actor, action=f"{name}_request", target=run)

    def enqueue() -> None:
        from kams.collection import tasks

        getattr(tasks, task_name).enqueue(job_run_id=run.pk, actor_id=actor.pk)

    transaction.on_commit(enqueue)
    return run


@transaction.atomic
def candidates_generate_request(*, actor: Any) -> JobRun:
    """Queue the candidate generation for ``kams worker``; progress shows on the jobs page."""
    return _request(actor, "collection.add_candidate", "collection.candidates_generate", _("Key-account candidates"), "candidates_generate_task")


@transaction.atomic
def duplicates_find_request(*, actor: Any) -> JobRun:
    """Queue the duplicate detection for ``kams worker``."""
    return _request(actor, "collection.add_duplicatepair", "collection.duplicates_find", _("Duplicate detection"), "duplicates_find_task")

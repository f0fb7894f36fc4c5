"""Writes of the return forms (返单交接 CH-08, 返单录入 CH-09).

Every function checks permission and scope, runs in one transaction and writes the audit log.
Batches are set-based: one query locks the numbers, one ``bulk_create`` writes the lines and
one ``UPDATE … WHERE`` moves the numbers on. Customers and member subscribers are created
through ``kams.customers.services`` (one call per form: that service validates, numbers and
audits each one), inside the same transaction, so a refused form leaves nothing behind.
"""

from __future__ import annotations

import datetime
import hashlib
import uuid
from dataclasses import dataclass
from typing import Any, Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kams.audit.services import audit_record
from kams.channels.enums import SubscriberStatus
from kams.channels.models import Agent, AgentSubscriber
from kams.core.errors import Conflict, InvalidInput, KamsError
from kams.core.tables import table_rows
from kams.customers.enums import Business, CertificateType, CustomerType
from kams.customers.models import Customer
from kams.customers.services import customer_create, member_add
from kams.org.models import Staff
from kams.org.scoping import require_in_scope, require_perm
from kams.resources.enums import ItemState, ResourceKind
from kams.resources.models import ResourceItem
from kams.returnforms.enums import EntryBatchStatus
from kams.returnforms.errors import FileRefused, HandoverSwitchedOff, NumbersNotEligible
from kams.returnforms.models import EntryBatch, FormEntry, Handover, HandoverLine
from kams.system.parameters import param

MAX_NUMBERS = 10_000  # numbers in one handover, one range or one file
SHOWN_PROBLEMS = 20  # numbers named in one error message


def handover_enabled() -> bool:
    """``channels.return_handover``: forms are handed over before they are entered."""
    return bool(param("channels.return_handover"))


# --- Numbers --------------------------------------------------------------------------------------


def parse_numbers(text: str) -> list[tuple[str, str]]:
    """The numbers of a pasted list: one per line, optionally followed by the subscriber's
    name (``13912345678 张三``), or a range ``13912345600-13912345699``. Duplicates are kept once."""
    found: dict[str, str] = {}
    for raw in (text or "").replace(",", "\n").replace(";", "\n").replace("，", "\n").splitlines():
        line = raw.strip()
        if not line:
            continue
        head, _sep, rest = line.partition(" ")
        head, rest = head.strip(), rest.strip()
        if "-" in head or "~" in head:
            first, _sep, last = head.replace("~", "-").partition("-")
            first, last = first.strip(), last.strip()
            if not (first.isdigit() and last.isdigit() and len(first) == len(last) and int(first) <= int(last)):
                raise InvalidInput(_("numbers: “%(range)s” is not a range of numbers of equal length.") % {"range": head})
            if int(last) - int(first) + 1 > MAX_NUMBERS:
                raise InvalidInput(_("numbers: a range may hold at most %(max)s numbers.") % {"max": MAX_NUMBERS})
            for value in range(int(first), int(last) + 1):
                found.setdefault(str(value).zfill(len(first)), "")
            continue
        if not head.isdigit() or not 5 <= len(head) <= 20:
            raise InvalidInput(_("numbers: “%(number)s” is not a number.") % {"number": head})
        found[head] = rest[:60] or found.get(head, "")
    if len(found) > MAX_NUMBERS:
        raise InvalidInput(_("numbers: at most %(max)s numbers at once.") % {"max": MAX_NUMBERS})
    return list(found.items())


def _problem(number: str, item: ResourceItem | None, agent: Agent, state: str) -> str | None:
    """Why ``number`` cannot be used by ``agent`` when it must be in ``state`` (None: it can)."""
    if item is None:
        return _("%(number)s is not a number of the sales system") % {"number": number}
    if item.agent_id != agent.pk:
        return _("%(number)s is not held by this agent (%(state)s)") % {
            "number": number, "state": item.get_state_display()}
    if item.state == ItemState.ENTERED:
        return _("%(number)s is already entered") % {"number": number}
    if item.state != state:
        return _("%(number)s is %(state)s, not %(wanted)s") % {
            "number": number, "state": item.get_state_display(), "wanted": ItemState(state).label}
    return None


def _locked_items(numbers: Iterable[str]) -> dict[str, ResourceItem]:
    """The number items named, locked for the transaction: one query."""
    items = ResourceItem.objects.select_for_update().filter(kind=ResourceKind.NUMBER, serial__in=list(numbers))
    return {item.serial: item for item in items}


def _refuse(problems: list[str]) -> None:
    if problems:
        shown = "; ".join(problems[:SHOWN_PROBLEMS])
        if len(problems) > SHOWN_PROBLEMS:
            shown += " " + _("(and %(count)s more)") % {"count": len(problems) - SHOWN_PROBLEMS}
        raise NumbersNotEligible(numbers=shown)


def _provisional() -> str:
    return f"new-{uuid.uuid4().hex[:18]}"


# --- Handover (返单交接, CH-08) ---------------------------------------------------------------------


@transaction.atomic
def handover_create(*, actor: Any, agent: Agent, lines: list[tuple[str, str]], received_by: Staff | None = None,
                    handed_at: datetime.datetime | None = None, note: str = "") -> Handover:
    """An agent hands back the forms of ``lines`` (number, subscriber name): numbers of kind
    number the agent holds as picked up. They become handed over (one UPDATE)."""
    require_perm(actor, "returnforms.add_handover")
    require_in_scope(actor, agent)
    if not handover_enabled():
        raise HandoverSwitchedOff()
    if received_by is not None:
        require_in_scope(actor, received_by)
    lines = list(dict(lines).items())
    if not lines:
        raise InvalidInput(_("numbers: enter at least one number."))
    if len(lines) > MAX_NUMBERS:
        raise InvalidInput(_("numbers: at most %(max)s numbers at once.") % {"max": MAX_NUMBERS})
    now = timezone.now()
    handed_at = handed_at or now
    if handed_at > now + datetime.timedelta(minutes=5):
        raise InvalidInput(_("handed_at: the handover cannot lie in the future."))
    items = _locked_items(number for number, _name in lines)
    _refuse([p for number, _name in lines
             if (p := _problem(number, items.get(number), agent, ItemState.PICKED_UP))])
    handover = Handover.objects.create(
        number=_provisional(), agent=agent, org_unit=agent.org_unit, received_by=received_by, handed_at=handed_at,
        item_count=len(lines), note=note.strip()[:300], created_by=actor,
    )
    # 交接单号: JJ + date + the row's own id, unique without a counter to lock.
    handover.number = f"JJ{timezone.localtime(handed_at):%Y%m%d}{handover.pk:06d}"
    handover.save(update_fields=["number"])
    HandoverLine.objects.bulk_create(
        [HandoverLine(handover=handover, item=items[number], msisdn=number, subscriber_name=name) for number, name in lines]
    )
    moved = ResourceItem.objects.filter(
        pk__in=[items[number].pk for number, _name in lines], agent=agent, state=ItemState.PICKED_UP,
    ).update(state=ItemState.HANDED_OVER, state_changed_at=now)
    if moved != len(lines):
        raise Conflict()
    audit_record(actor=actor, action="returnforms.handover", target=handover, org_unit=agent.org_unit, after={
        "agent": str(agent), "handed_at": handed_at.isoformat(), "numbers": len(lines),
        "received_by": str(received_by or ""), "first": lines[0][0], "last": lines[-1][0],
    })
    return handover


# --- Entry (返单录入, CH-09) -------------------------------------------------------------------------


@dataclass
class EntryRow:
    """One form to enter. ``customer`` is an existing customer (in the actor's scope) or None:
    then a new individual customer is created from the subscriber's data."""

    msisdn: str
    subscriber_name: str
    activated_on: datetime.date
    certificate_type: str = CertificateType.ID_CARD
    certificate_no: str = ""
    contact_phone: str = ""
    package: str = ""
    business: str = ""  # empty: the number's own line of business
    customer: Customer | None = None
    line: int = 0


class _Refused(Exception):
    def __init__(self, errors: list[dict]):
        self.errors = errors
        self.first: KamsError | None = None
        super().__init__("refused")


def _row_problems(row: EntryRow) -> list[str]:
    problems = []
    if not row.msisdn.isdigit():
        problems.append(_("number: “%(number)s” is not a number.") % {"number": row.msisdn})
    if not row.subscriber_name.strip():
        problems.append(_("subscriber name: this field is required."))
    if row.certificate_type not in CertificateType.values:
        problems.append(_("certificate type: “%(value)s” is not a certificate type.") % {"value": row.certificate_type})
    if row.business and row.business not in Business.values:
        problems.append(_("business: “%(value)s” is not a line of business.") % {"value": row.business})
    if row.activated_on > timezone.localdate():
        problems.append(_("activation date: it cannot lie in the future."))
    return problems


def _enter(*, actor: Any, agent: Agent, rows: list[EntryRow], batch: EntryBatch | None) -> list[FormEntry]:
    """Enter every row or none: raises ``_Refused`` with one error per bad line. Runs inside
    the caller's transaction."""
    switch = handover_enabled()
    wanted = ItemState.HANDED_OVER if switch else ItemState.PICKED_UP
    errors: list[dict] = []
    first_error: list[KamsError] = []

    def fail(row: EntryRow, message: str, exc: KamsError | None = None) -> None:
        errors.append({"line": row.line, "number": row.msisdn, "message": str(message)})
        first_error.append(exc or NumbersNotEligible(numbers=message))

    seen: set[str] = set()
    for row in rows:
        for message in _row_problems(row):
            fail(row, message, InvalidInput(message))
        if row.msisdn in seen:
            fail(row, _("%(number)s appears twice") % {"number": row.msisdn})
        seen.add(row.msisdn)
    items = _locked_items(row.msisdn for row in rows)
    active = set(AgentSubscriber.objects.filter(msisdn__in=list(seen), status=SubscriberStatus.ACTIVE)
                 .values_list("msisdn", flat=True))
    for row in rows:
        problem = _problem(row.msisdn, items.get(row.msisdn), agent, wanted)
        item = items.get(row.msisdn)
        if problem:
            fail(row, problem)
        elif row.msisdn in active:
            fail(row, _("%(number)s is already an agent's subscriber") % {"number": row.msisdn})
        elif row.business and row.business != item.business:
            fail(row, _("%(number)s is a %(own)s number, not %(business)s") % {
                "number": row.msisdn, "own": Business(item.business).label, "business": Business(row.business).label})
        elif not row.business:
            row.business = item.business
    handovers: dict[int, Handover] = {}
    if switch and not errors:
        lines = (HandoverLine.objects.filter(item_id__in=[items[r.msisdn].pk for r in rows], handover__agent=agent)
                 .select_related("handover").order_by("handover__handed_at", "handover_id"))
        handovers = {line.item_id: line.handover for line in lines}  # the latest handover wins
    if not errors:
        for row in rows:
            try:
                with transaction.atomic():
                    row.customer = row.customer or customer_create(
                        actor=actor, name=row.subscriber_name.strip(), customer_type=CustomerType.KEY_INDIVIDUAL,
                        org_unit=agent.org_unit, certificate_type=row.certificate_type,
                        certificate_no=row.certificate_no.strip(), phone=row.contact_phone.strip(),
                        businesses=[row.business], joined_on=row.activated_on,
                    )
                    row.member = member_add(actor=actor, customer=row.customer, msisdn=row.msisdn,
                                            name=row.subscriber_name.strip()[:60], business=row.business,
                                            joined_on=row.activated_on)
            except KamsError as exc:
                fail(row, f"{row.msisdn}: {exc.text}", exc)
    if errors:
        refused = _Refused(sorted(errors, key=lambda e: (e["line"], e["number"])))
        refused.first = first_error[0]
        raise refused
    now = timezone.now()
    reference = {r.msisdn: (handovers[items[r.msisdn].pk].handed_at if switch and items[r.msisdn].pk in handovers
                            else now) for r in rows}
    subscribers = AgentSubscriber.objects.bulk_create([
        AgentSubscriber(agent=agent, msisdn=r.msisdn, business=r.business, package=r.package.strip()[:40],
                        customer=r.customer, member=r.member, activated_on=r.activated_on,
                        reference_at=reference[r.msisdn], source_type="returnforms.formentry")
        for r in rows
    ])
    entries = FormEntry.objects.bulk_create([
        FormEntry(item=items[r.msisdn], msisdn=r.msisdn, agent=agent, org_unit=agent.org_unit,
                  subscriber_name=r.subscriber_name.strip()[:60], certificate_type=r.certificate_type,
                  certificate_no=r.certificate_no.strip()[:32], contact_phone=r.contact_phone.strip()[:20],
                  package=r.package.strip()[:40], business=r.business, activated_on=r.activated_on,
                  customer=r.customer, member=r.member, subscriber=s,
                  handover=handovers.get(items[r.msisdn].pk) if switch else None, batch=batch,
                  reference_at=reference[r.msisdn], entered_at=now, entered_by=actor)
        for r, s in zip(rows, subscribers, strict=True)
    ])
    # source_id: the entry, now that it has its id (bulk_update: one statement per 1,000 rows).
    for entry, subscriber in zip(entries, subscribers, strict=True):
        subscriber.source_id = str(entry.pk)
    AgentSubscriber.objects.bulk_update(subscribers, ["source_id"], batch_size=1000)
    moved = ResourceItem.objects.filter(
        pk__in=[items[r.msisdn].pk for r in rows], agent=agent, state=wanted,
    ).update(state=ItemState.ENTERED, state_changed_at=now)
    if moved != len(rows):
        raise Conflict()
    return entries


def _check_entry_actor(actor: Any, agent: Agent, rows: Iterable[EntryRow]) -> None:
    require_perm(actor, "returnforms.add_formentry")
    require_in_scope(actor, agent)
    for row in rows:
        if row.customer is not None:
            require_in_scope(actor, row.customer)


def form_entry_create(*, actor: Any, agent: Agent, row: EntryRow) -> FormEntry:
    """返单录入 of one form: the number must be handed over (switch on) or picked up (switch
    off) by ``agent``; creates the customer if none is given, the member subscriber and the
    agent's subscriber; the number becomes entered."""
    _check_entry_actor(actor, agent, [row])
    try:
        with transaction.atomic():
            entry = _enter(actor=actor, agent=agent, rows=[row], batch=None)[0]
            audit_record(actor=actor, action="returnforms.entry", target=entry, org_unit=agent.org_unit, after={
                "number": entry.msisdn, "agent": str(agent), "customer": str(entry.customer),
                "reference_at": entry.reference_at.isoformat(),
            })
    except _Refused as refused:
        raise refused.first from None
    return entry


# --- Entry from a file (批量返单录入) ------------------------------------------------------------------

FILE_COLUMNS = {
    "msisdn": ("number", "msisdn", "号码", "手机号码", "用户号码"),
    "subscriber_name": ("name", "subscriber_name", "姓名", "用户姓名", "客户姓名"),
    "certificate_type": ("certificate_type", "证件类型"),
    "certificate_no": ("certificate_no", "证件号码", "证件号"),
    "contact_phone": ("phone", "contact_phone", "联系电话"),
    "package": ("package", "套餐", "套餐编码"),
    "business": ("business", "业务"),
    "activated_on": ("activated_on", "activation_date", "开通日期", "激活日期"),
    "customer": ("customer", "customer_code", "客户编号"),
}
REQUIRED_COLUMNS = ("msisdn", "subscriber_name", "activated_on")
CERTIFICATE_ALIASES = {"身份证": CertificateType.ID_CARD, "居民身份证": CertificateType.ID_CARD,
                       "护照": CertificateType.PASSPORT, "营业执照": CertificateType.BUSINESS_LICENCE,
                       "其他": CertificateType.OTHER}


def _header(cells: list[str]) -> dict[str, int]:
    names = [c.strip().lower() for c in cells]
    found = {}
    for column, aliases in FILE_COLUMNS.items():
        for alias in aliases:
            if alias.lower() in names:
                found[column] = names.index(alias.lower())
                break
    missing = [c for c in REQUIRED_COLUMNS if c not in found]
    if missing:
        raise InvalidInput(_("The first line must name the columns number, name, activated_on (and certificate_type, "
                             "certificate_no, phone, package, business, customer); missing: %(columns)s.")
                           % {"columns": ", ".join(missing)})
    return found


def _file_rows(actor: Any, content: bytes, file_name: str) -> tuple[list[EntryRow], list[dict]]:
    """The rows of a file and the errors of the lines that could not be read. Customers are
    looked up with one query, in the actor's scope."""
    cells = iter(table_rows(content, file_name))
    try:
        _first, head = next(cells)
    except StopIteration:
        raise InvalidInput(_("The file is empty.")) from None
    columns = _header(head)
    raw: list[tuple[int, dict[str, str]]] = []
    for line, values in cells:
        if not any(values):
            continue
        raw.append((line, {c: (values[i] if i < len(values) else "").strip() for c, i in columns.items()}))
        if len(raw) > MAX_NUMBERS:
            raise InvalidInput(_("numbers: at most %(max)s numbers at once.") % {"max": MAX_NUMBERS})
    codes = {v["customer"] for _line, v in raw if v.get("customer")}
    customers = {c.code: c for c in Customer.objects.visible_to(actor).filter(code__in=codes)} if codes else {}
    rows, errors = [], []
    for line, v in raw:
        number = v["msisdn"]
        try:
            activated_on = datetime.date.fromisoformat(v["activated_on"][:10])
        except ValueError:
            errors.append({"line": line, "number": number, "message": _(
                "activation date: “%(value)s” is not a date (YYYY-MM-DD).") % {"value": v["activated_on"]}})
            continue
        code = v.get("customer", "")
        if code and code not in customers:
            errors.append({"line": line, "number": number, "message": _(
                "customer: no customer %(code)s in your scope.") % {"code": code}})
            continue
        certificate = v.get("certificate_type", "") or CertificateType.ID_CARD
        rows.append(EntryRow(
            line=line, msisdn=number, subscriber_name=v["subscriber_name"], activated_on=activated_on,
            certificate_type=CERTIFICATE_ALIASES.get(certificate, certificate), certificate_no=v.get("certificate_no", ""),
            contact_phone=v.get("contact_phone", ""), package=v.get("package", ""),
            business=v.get("business", ""), customer=customers.get(code) if code else None,
        ))
    return rows, errors


def entry_file_upload(*, actor: Any, agent: Agent, content: bytes, file_name: str) -> EntryBatch:
    """批量返单录入: every line of the file is entered, or none. A refused file is kept with
    its per-line errors (status refused) and changes nothing else; a file whose content was
    entered before for this agent answers that earlier batch and changes nothing."""
    require_perm(actor, "returnforms.add_formentry")
    require_in_scope(actor, agent)
    digest = hashlib.sha256(content).hexdigest()
    earlier = EntryBatch.objects.filter(agent=agent, content_hash=digest, status=EntryBatchStatus.DONE).first()
    if earlier is not None:
        return earlier
    rows, errors = _file_rows(actor, content, file_name)
    if not rows and not errors:
        raise InvalidInput(_("The file holds no forms."))
    name = file_name.rsplit("/", 1)[-1][:200]
    line_count = len(rows) + len(errors)
    if not errors:
        try:
            with transaction.atomic():
                batch = EntryBatch.objects.create(agent=agent, org_unit=agent.org_unit, file_name=name,
                                                  content_hash=digest, status=EntryBatchStatus.DONE,
                                                  line_count=len(rows), entered_count=len(rows), created_by=actor)
                _enter(actor=actor, agent=agent, rows=rows, batch=batch)
                audit_record(actor=actor, action="returnforms.entry_file", target=batch, org_unit=agent.org_unit,
                             after={"file": name, "agent": str(agent), "entered": len(rows)})
            return batch
        except _Refused as refused:
            errors = refused.errors
        except IntegrityError:
            raise Conflict() from None
    with transaction.atomic():
        batch = EntryBatch.objects.create(agent=agent, org_unit=agent.org_unit, file_name=name, content_hash=digest,
                                          status=EntryBatchStatus.REFUSED, line_count=line_count, entered_count=0, errors=errors, created_by=actor)
        audit_record(actor=actor, action="returnforms.entry_file_refused", target=batch, org_unit=agent.org_unit,
                     after={"file": name, "agent": str(agent), "errors": len(errors)})
    return batch


def refusal(batch: EntryBatch) -> FileRefused:
    """The error to show (or raise in the API) for a refused file."""
    return FileRefused(count=len({e["line"] for e in batch.errors}))

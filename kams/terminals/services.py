"""Writes of the mobile terminal domain (移动终端管理, PRD-05). Each checks permission and
scope, runs in one transaction and writes the audit log; bad input raises a domain error
and changes nothing."""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Iterable

from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kams.audit.services import audit_record, snapshot
from kams.channels import ledger
from kams.channels.enums import HouseAccountKind
from kams.channels.models import Agent
from kams.core.errors import InvalidInput
from kams.core.tables import table_rows
from kams.org.scoping import require_in_scope, require_perm
from kams.resources.enums import ItemState, ResourceKind
from kams.resources.models import ResourceItem
from kams.terminals import errors
from kams.terminals.enums import AnomalyKind, AnomalyStatus, ImportSource, SaleStatus, SubsidyKind
from kams.terminals.models import (
    Anomaly,
    HandsetModel,
    Observation,
    ObservationImport,
    SubsidisedSale,
    SubsidyLevel,
)

CENT = Decimal("0.01")
MSISDN = re.compile(r"^1\d{10}$")
SELLABLE_STATES = (ItemState.PICKED_UP, ItemState.HANDED_OVER)
MAX_OBSERVATION_ROWS = 200_000


# --- Identifiers ---------------------------------------------------------------------------------


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        n = int(char)
        if index % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def clean_imei(value: Any) -> str:
    """电子串号: 15 digits, the last one the Luhn check digit."""
    imei = str(value or "").strip()
    if len(imei) != 15 or not imei.isdigit() or not luhn_ok(imei):
        raise errors.InvalidImei(imei=imei or "—")
    return imei


def clean_msisdn(value: Any) -> str:
    msisdn = str(value or "").strip()
    if not MSISDN.match(msisdn):
        raise errors.InvalidMsisdn(msisdn=msisdn or "—")
    return msisdn


# --- Handset models and subsidy levels ------------------------------------------------------------

MODEL_FIELDS = ["brand", "model", "list_price", "is_active"]


def _price(value: Any, label: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidInput(_("%(field)s: enter an amount.") % {"field": label}) from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(CENT):
        raise InvalidInput(_("%(field)s: enter an amount of zero or more with at most two decimals.") % {"field": label})
    return amount


@transaction.atomic
def handset_model_save(*, actor: Any, brand: str, model: str, list_price: Any, is_active: bool = True,
                       handset_model: HandsetModel | None = None) -> HandsetModel:
    """终端机型: create a model, or change ``handset_model``."""
    require_perm(actor, "terminals.change_handsetmodel" if handset_model else "terminals.add_handsetmodel")
    brand, model = brand.strip(), model.strip()
    if not brand or not model:
        raise InvalidInput(_("Give the brand and the model."))
    price = _price(list_price, _("list price"))
    clash = HandsetModel.objects.filter(brand=brand, model=model)
    if handset_model:
        clash = clash.exclude(pk=handset_model.pk)
    if clash.exists():
        raise InvalidInput(_("The model %(brand)s %(model)s is already on record.") % {"brand": brand, "model": model})
    before = snapshot(handset_model, MODEL_FIELDS) if handset_model else None
    target = handset_model or HandsetModel()
    target.brand, target.model, target.list_price, target.is_active = brand, model, price, is_active
    target.save()
    audit_record(actor=actor, action="terminals.model_change" if handset_model else "terminals.model_add",
                 target=target, before=before, after=snapshot(target, MODEL_FIELDS))
    return target


LEVEL_FIELDS = ["handset_model", "business", "package", "kind", "value", "valid_from", "valid_to", "version", "note"]


@transaction.atomic
def subsidy_level_set(*, actor: Any, handset_model: HandsetModel, business: str, kind: str, value: Any,
                      valid_from: datetime.date, package: str = "", note: str = "") -> SubsidyLevel:
    """设置终端补贴额度: a new version of the level of (model, business, package) from
    ``valid_from``. The version in force before it ends the day before; a version that
    already starts on or after ``valid_from`` is refused (correct it by a later version)."""
    require_perm(actor, "terminals.add_subsidylevel")
    package = package.strip()
    if kind not in SubsidyKind.values:
        raise errors.BadSubsidy(detail=_("unknown kind %(kind)s.") % {"kind": kind})
    amount = _price(value, _("amount or percentage"))
    if kind == SubsidyKind.PERCENT and amount > 100:
        raise errors.BadSubsidy(detail=_("a percentage is at most 100."))
    if kind == SubsidyKind.AMOUNT and amount > handset_model.list_price:
        raise errors.BadSubsidy(detail=_("the amount exceeds the list price %(price)s.") % {"price": handset_model.list_price})
    versions = SubsidyLevel.objects.select_for_update().filter(handset_model=handset_model, business=business,
                                                               package=package)
    if versions.filter(valid_from__gte=valid_from).exists():
        raise errors.LevelOverlaps(date=valid_from)
    previous = versions.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from)).order_by("-version").first()
    if previous is not None:
        before = snapshot(previous, LEVEL_FIELDS)
        previous.valid_to = valid_from - datetime.timedelta(days=1)
        previous.save(update_fields=["valid_to"])
        audit_record(actor=actor, action="terminals.level_close", target=previous, before=before,
                     after=snapshot(previous, LEVEL_FIELDS))
    level = SubsidyLevel.objects.create(
        handset_model=handset_model, business=business, package=package, kind=kind, value=amount,
        valid_from=valid_from, version=(versions.aggregate(v=Max("version"))["v"] or 0) + 1, note=note.strip(),
    )
    audit_record(actor=actor, action="terminals.level_set", target=level, after=snapshot(level, LEVEL_FIELDS))
    return level


def subsidy_level_for(*, handset_model: HandsetModel, business: str, package: str = "",
                      on: datetime.date) -> SubsidyLevel | None:
    """The level in force on ``on``: the package's own level before the business-wide one."""
    candidates = SubsidyLevel.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=on), handset_model=handset_model, business=business,
        valid_from__lte=on, package__in={package.strip(), ""},
    )
    return min(candidates, key=lambda level: (level.package == "", -level.version), default=None)


# --- Subsidised sales ---------------------------------------------------------------------------

SALE_FIELDS = ["imei", "msisdn", "agent", "handset_model", "level", "business", "package", "subsidy_amount",
               "commitment_months", "monthly_amortisation", "sold_on", "status"]


@transaction.atomic
def subsidised_sale_record(*, actor: Any, imei: str, msisdn: str, business: str, commitment_months: int,
                           package: str = "", handset_model: HandsetModel | None = None,
                           sold_on: datetime.date | None = None) -> SubsidisedSale:
    """补贴终端销售: bind the handset ``imei`` (held by an agent) to the number it is sold
    with, at the subsidy level in force; the handset item becomes "entered"."""
    require_perm(actor, "terminals.add_subsidisedsale")
    imei, msisdn = clean_imei(imei), clean_msisdn(msisdn)
    sold_on = sold_on or timezone.localdate()
    if not 1 <= int(commitment_months or 0) <= 60:
        raise InvalidInput(_("commitment months: between 1 and 60."))
    item = (ResourceItem.objects.visible_to(actor).select_for_update()
            .filter(kind=ResourceKind.HANDSET, serial=imei, state__in=SELLABLE_STATES, agent__isnull=False).first())
    if item is None:
        if SubsidisedSale.objects.filter(imei=imei).exists():
            raise errors.HandsetAlreadySold(imei=imei)
        raise errors.HandsetNotHeld(imei=imei)
    agent = Agent.objects.get(pk=item.agent_id)
    require_in_scope(actor, agent)
    bound = SubsidisedSale.objects.filter(msisdn=msisdn, status=SaleStatus.ACTIVE).first()
    if bound is not None:
        raise errors.NumberAlreadyBound(msisdn=msisdn, imei=bound.imei)
    if handset_model is None:
        handset_model = HandsetModel.objects.filter(model=item.model, is_active=True).first()
        if handset_model is None:
            raise errors.UnknownHandsetModel(model=item.model or "—")
    level = subsidy_level_for(handset_model=handset_model, business=business, package=package, on=sold_on)
    if level is None:
        raise errors.NoSubsidyLevel(model=handset_model, business=business, date=sold_on)
    amount = level.subsidy_for(handset_model.list_price)
    months = int(commitment_months)
    sale = SubsidisedSale.objects.create(
        item=item, imei=imei, msisdn=msisdn, agent=agent, org_unit_id=agent.org_unit_id, handset_model=handset_model,
        level=level, business=business, package=package.strip(), list_price=handset_model.list_price,
        subsidy_amount=amount, commitment_months=months,
        monthly_amortisation=(amount / months).quantize(CENT, rounding=ROUND_HALF_UP), sold_on=sold_on,
        created_by=actor,
    )
    updated = ResourceItem.objects.filter(pk=item.pk, state__in=SELLABLE_STATES).update(
        state=ItemState.ENTERED, state_changed_at=timezone.now())
    if updated != 1:  # pragma: no cover - the row is locked above
        raise errors.HandsetNotHeld(imei=imei)
    audit_record(actor=actor, action="terminals.sale_record", target=sale, org_unit=agent.org_unit,
                 after=snapshot(sale, SALE_FIELDS))
    return sale


# --- Observations and detection ----------------------------------------------------------------


@dataclass(frozen=True)
class ObservationRow:
    imei: str
    msisdn: str
    seen_on: datetime.date


def observation_row(line: int, imei: Any, msisdn: Any, seen: Any) -> ObservationRow:
    try:
        imei_ok, msisdn_ok = clean_imei(imei), clean_msisdn(msisdn)
        if isinstance(seen, datetime.datetime):
            seen = seen.date()
        seen_on = seen if isinstance(seen, datetime.date) else datetime.date.fromisoformat(str(seen or "").strip()[:10])
    except ValueError:
        raise errors.BadObservationFile(detail=_("line %(line)s: the date is not YYYY-MM-DD.") % {"line": line}) from None
    except errors.TerminalError as exc:
        raise errors.BadObservationFile(detail=_("line %(line)s: %(error)s") % {"line": line, "error": exc.text}) from None
    return ObservationRow(imei_ok, msisdn_ok, seen_on)


def read_observation_file(name: str, content: bytes) -> list[ObservationRow]:
    """Rows of a CSV (UTF-8 or GBK) or .xlsx file with the columns imei, msisdn, seen_on (a
    header line first). Any bad line refuses the whole file."""
    if not name.lower().endswith((".csv", ".xlsx")):
        raise errors.BadObservationFile(detail=_("only .csv and .xlsx files are read."))
    try:
        lines = [cells for _line, cells in table_rows(content, name)]
    except InvalidInput:
        raise errors.BadObservationFile(detail=_("not an .xlsx workbook.")) from None
    header = [str(c).strip().lower() for c in (lines[0] if lines else [])]
    if not {"imei", "msisdn", "seen_on"} <= set(header):
        raise errors.BadObservationFile(detail=_("the first line must name the columns imei, msisdn, seen_on."))
    at = {name: header.index(name) for name in ("imei", "msisdn", "seen_on")}
    rows = []
    for line, cells in enumerate(lines[1:], start=2):
        if not any(str(c).strip() for c in cells):
            continue
        cells = list(cells) + [""] * (len(header) - len(cells))
        value = {name: cells[i] for name, i in at.items()}
        rows.append(observation_row(line, value["imei"], value["msisdn"], value["seen_on"]))
    if len(rows) > MAX_OBSERVATION_ROWS:
        raise errors.BadObservationFile(detail=_("more than %(limit)s rows.") % {"limit": MAX_OBSERVATION_ROWS})
    return rows


DETECT_SQL = """
INSERT INTO terminals_anomaly (kind, sale_id, agent_id, org_unit_id, imei, expected_msisdn, observed_imei,
    observed_msisdn, first_seen, batch_id, status, review_note, created_at)
SELECT %(moved_handset)s, s.id, s.agent_id, s.org_unit_id, s.imei, s.msisdn, o.imei, o.msisdn, MIN(o.seen_on),
    %(batch)s, %(open)s, '', %(now)s
FROM terminals_observation o JOIN terminals_subsidisedsale s ON s.imei = o.imei AND s.msisdn <> o.msisdn
WHERE o.batch_id = %(batch)s AND s.status = %(active)s AND o.seen_on >= s.sold_on
  AND NOT EXISTS (SELECT 1 FROM terminals_anomaly a WHERE a.sale_id = s.id AND a.kind = %(moved_handset)s
                  AND a.observed_imei = o.imei AND a.observed_msisdn = o.msisdn)
GROUP BY s.id, s.agent_id, s.org_unit_id, s.imei, s.msisdn, o.imei, o.msisdn
UNION ALL
SELECT %(moved_sim)s, s.id, s.agent_id, s.org_unit_id, s.imei, s.msisdn, o.imei, o.msisdn, MIN(o.seen_on),
    %(batch)s, %(open)s, '', %(now)s
FROM terminals_observation o JOIN terminals_subsidisedsale s ON s.msisdn = o.msisdn AND s.imei <> o.imei
WHERE o.batch_id = %(batch)s AND s.status = %(active)s AND o.seen_on >= s.sold_on
  AND NOT EXISTS (SELECT 1 FROM terminals_anomaly a WHERE a.sale_id = s.id AND a.kind = %(moved_sim)s
                  AND a.observed_imei = o.imei AND a.observed_msisdn = o.msisdn)
GROUP BY s.id, s.agent_id, s.org_unit_id, s.imei, s.msisdn, o.imei, o.msisdn
"""


def _detect(batch: ObservationImport) -> int:
    """窜机窜卡 detection for the new observations of ``batch``: one INSERT … SELECT. A pair
    already flagged is never flagged again, so loading the same observations twice adds nothing."""
    params = {
        "batch": batch.pk, "open": AnomalyStatus.OPEN, "active": SaleStatus.ACTIVE,
        "moved_handset": AnomalyKind.HANDSET_MOVED, "moved_sim": AnomalyKind.SIM_MOVED,
        "now": connection.ops.adapt_datetimefield_value(timezone.now()),
    }
    with connection.cursor() as cursor:
        cursor.execute(DETECT_SQL, params)
        return max(cursor.rowcount, 0)


@transaction.atomic
def observations_import(*, actor: Any, rows: Iterable[ObservationRow], source: str = ImportSource.API,
                        file_name: str = "", file_hash: str | None = None) -> ObservationImport:
    """Load network observations and flag 窜机窜卡 against the subsidised sales. Rows already
    on record (same IMEI, number and date) are skipped; a file already loaded (same hash)
    answers its earlier import."""
    require_perm(actor, "terminals.add_observationimport")
    if file_hash and (earlier := ObservationImport.objects.filter(file_hash=file_hash).first()):
        return earlier
    unique = list(dict.fromkeys(rows))
    batch = ObservationImport.objects.create(source=source, file_name=file_name[:200], file_hash=file_hash,
                                             rows=len(unique), created_by=actor)
    Observation.objects.bulk_create(
        [Observation(batch=batch, imei=r.imei, msisdn=r.msisdn, seen_on=r.seen_on) for r in unique],
        batch_size=2000, ignore_conflicts=True,
    )
    # Rows already on record kept their first batch: the new ones are those of this batch.
    batch.new_rows = Observation.objects.filter(batch=batch).count()
    batch.flags_created = _detect(batch) if batch.new_rows else 0
    batch.save(update_fields=["new_rows", "flags_created"])
    audit_record(actor=actor, action="terminals.observations_import", target=batch,
                 after={"file": file_name, "rows": batch.rows, "new": batch.new_rows, "flags": batch.flags_created})
    return batch


def observation_file_import(*, actor: Any, name: str, content: bytes) -> ObservationImport:
    """An uploaded file: read whole (any bad line refuses it), then loaded once per content."""
    require_perm(actor, "terminals.add_observationimport")
    digest = hashlib.sha256(content).hexdigest()
    if earlier := ObservationImport.objects.filter(file_hash=digest).first():
        return earlier
    rows = read_observation_file(name, content)
    try:
        return observations_import(actor=actor, rows=rows, source=ImportSource.UPLOAD, file_name=name,
                                   file_hash=digest)
    except IntegrityError:  # the same file loaded concurrently
        return ObservationImport.objects.get(file_hash=digest)


# --- Review ---------------------------------------------------------------------------------

ANOMALY_FIELDS = ["status", "recovery_amount", "review_note", "reviewed_by", "reviewed_at"]


def _open_anomaly(actor: Any, anomaly: Anomaly) -> tuple[Anomaly, dict]:
    require_perm(actor, "terminals.review_anomaly")
    require_in_scope(actor, anomaly)
    locked = Anomaly.objects.select_for_update().select_related("sale").get(pk=anomaly.pk)
    if locked.status != AnomalyStatus.OPEN:
        raise errors.AnomalyNotOpen(status=locked.get_status_display())
    return locked, snapshot(locked, ANOMALY_FIELDS)


@transaction.atomic
def anomaly_confirm(*, actor: Any, anomaly: Anomaly, recovery_amount: Any = None, note: str = "") -> Anomaly:
    """确认窜机窜卡: the flag stands; the subsidy to recover (default: the part not yet amortised
    when first seen) is taken back from the agent's account — rebate, then prepayment, then
    overdraft within the credit line (``ledger.recover``, idempotent per flag) — and the sale is
    marked recovered. An agent whose account cannot cover it: a clear error, nothing changes."""
    locked, before = _open_anomaly(actor, anomaly)
    sale = locked.sale
    if recovery_amount in (None, ""):
        amount = unamortised(sale, locked.first_seen)
    else:
        amount = _price(recovery_amount, _("subsidy recovered"))
        if amount > sale.subsidy_amount:
            raise InvalidInput(_("The amount recovered exceeds the subsidy %(amount)s.") % {"amount": sale.subsidy_amount})
    now = timezone.now()
    locked.status, locked.recovery_amount, locked.review_note = AnomalyStatus.CONFIRMED, amount, note.strip()
    locked.reviewed_by, locked.reviewed_at = actor, now
    locked.save(update_fields=ANOMALY_FIELDS)
    SubsidisedSale.objects.filter(pk=sale.pk).update(status=SaleStatus.RECOVERED)
    if amount > 0:
        ledger.recover(sale.agent, amount, house_kind=HouseAccountKind.ADJUSTMENT,
                       reference=f"terminals.anomaly:{locked.pk}", source=locked, actor=actor,
                       memo=_("Subsidy recovered: handset %(imei)s") % {"imei": sale.imei})
    audit_record(actor=actor, action="terminals.anomaly_confirm", target=locked, before=before,
                 after=snapshot(locked, ANOMALY_FIELDS), reason=note)
    return locked


@transaction.atomic
def anomaly_dismiss(*, actor: Any, anomaly: Anomaly, reason: str) -> Anomaly:
    """排除: not a misuse (e.g. the subscriber's own second handset); the reason is required."""
    if not (reason or "").strip():
        raise InvalidInput(_("Give the reason for dismissing the flag."))
    locked, before = _open_anomaly(actor, anomaly)
    locked.status, locked.review_note = AnomalyStatus.DISMISSED, reason.strip()
    locked.reviewed_by, locked.reviewed_at = actor, timezone.now()
    locked.save(update_fields=ANOMALY_FIELDS)
    audit_record(actor=actor, action="terminals.anomaly_dismiss", target=locked, before=before,
                 after=snapshot(locked, ANOMALY_FIELDS), reason=reason)
    return locked


def months_between(start: datetime.date, end: datetime.date) -> int:
    """Whole months from ``start`` to ``end`` (0 when ``end`` is earlier)."""
    months = (end.year - start.year) * 12 + end.month - start.month - (1 if end.day < start.day else 0)
    return max(months, 0)


def unamortised(sale: SubsidisedSale, on: datetime.date) -> Decimal:
    """The subsidy not yet amortised on ``on`` (成本摊销): what remains of the commitment."""
    done = min(months_between(sale.sold_on, on), sale.commitment_months)
    if done >= sale.commitment_months:
        return Decimal("0.00")
    return max(sale.subsidy_amount - sale.monthly_amortisation * done, Decimal("0.00"))

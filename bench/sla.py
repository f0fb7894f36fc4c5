"""The SLA sweep (SVC-13) and one step of a case, against the bare-SQL floor of the same work.

Builds the demo org tree and staff (everyone with a mobile), ``--items`` open work items
(default 1,000,000) over ``--items / 10`` cases, set-based (``generate_series`` on
PostgreSQL, a recursive CTE on SQLite). At the sweep's moment 1 % of the items are due for
their warning (half with an assignee, half waiting in the maintenance pool of their city),
0.5 % are past their deadline (0.3 % warned and due for the director, 0.1 % never warned,
0.1 % at level 1 and due for the company leader) and the rest are due later.

* The sweep. KAMS is ``sla_sweep(now=...)``: batches of 2,000 due items found by a range
  scan of the partial index on ``next_alert_at`` (``SELECT … FOR UPDATE SKIP LOCKED`` with the
  case, assignee and unit joined), for each item in Python the new alert columns, the people
  (the assignee, else the role's holders around the item's unit, looked up once per role and
  unit), the message text, then per batch ``bulk_update`` of the items, ``bulk_create`` of
  the case events and ``notify_many`` of the outbox messages (one delivery round queued
  after commit). The floor does the same work in one transaction: one indexed SELECT of the
  due items into a temporary table, the same people looked up with ``holders()`` once per
  role and unit into another, one UPDATE … FROM of the items' warned_at, next_alert_at,
  escalation_level and escalated_at, one INSERT … SELECT of the case events (names and the
  detail JSON aggregated in SQL) and one INSERT … SELECT … ON CONFLICT DO NOTHING of the
  messages (text built in SQL from the same translated template), and one delivery round
  queued. Between runs the items' alert columns are restored and the run's events,
  messages and queued tasks deleted (untimed); the items, events and messages both leave
  are compared. Also timed: a sweep when nothing is due, the pure index probe.
* One step. ``--cases`` cases (default 200) of the shipped ``fault_level1`` process, else
  of the test fixture ``mini.bpmn``, opened through ``case_open``; KAMS is
  ``workitem_complete`` on each case's first step by a staff user holding its role (row
  lock, workflow deserialised and run, the form checked, items, events, state blob and
  audit saved). The floor does, per step on as many other cases, in one transaction: lock
  the case row, update its state blob with one of the same size, mark the work item done,
  insert the next work item, insert two case events and one audit entry. Median per step.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import statistics
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from common import analyze, header, line, org_units, setup, vendor

NOW = datetime.datetime(2026, 6, 15, 2, 0, tzinfo=datetime.timezone.utc)  # a Monday, 10:00 in Shanghai
IDLE = NOW - datetime.timedelta(hours=1)  # nothing is due yet: every item's next alert is later
LIMIT = 4 * 3600  # the seeded steps' time limit (PT4H)
ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "kams/service/tests/fixtures/mini.bpmn"
FAULT = ROOT / "kams/service/processes/fault_level1.bpmn"


# --- Building ---------------------------------------------------------------------------------


def _ts(offset: str) -> str:
    """SQL for NOW + ``offset`` seconds, in the column format Django writes."""
    if vendor() == "postgresql":
        return f"(TIMESTAMPTZ '{NOW:%Y-%m-%d %H:%M:%S}+00' + ({offset}) * INTERVAL '1 second')"
    return f"datetime('{NOW:%Y-%m-%d %H:%M:%S}', ({offset}) || ' seconds')"


def _series(count: int) -> str:
    """``g`` from 0 to count - 1."""
    if vendor() == "postgresql":
        return f"generate_series(0, {count - 1}) AS s(g)"
    return f"(WITH RECURSIVE t(g) AS (SELECT 0 UNION ALL SELECT g + 1 FROM t WHERE g < {count - 1}) SELECT g FROM t) AS s"


def build(items: int, per_case: int) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from kams.customers.enums import CustomerStatus, CustomerType
    from kams.customers.models import Customer
    from kams.demo.generator import DemoContext, build_staff
    from kams.org.models import OrgUnit, Staff
    from kams.service import services
    from kams.service.models import Case, WorkItem
    from kams.system.parameters import param

    started = time.perf_counter()
    districts = org_units()
    ctx = DemoContext(size="small")
    ctx.units.update({u.code: u for u in OrgUnit.objects.all()})
    with transaction.atomic():
        build_staff(ctx)
    units = OrgUnit.objects.in_bulk(districts)
    managers = {
        s.org_unit_id: s for s in Staff.objects.filter(org_unit_id__in=districts, roles__code="account_manager").order_by("employee_no")
    }
    customers = []
    for n, district in enumerate(districts):
        customers.append(Customer.objects.create(
            code=f"SLA{n:04d}", name=f"基准客户{n}", customer_type=CustomerType.GROUP, status=CustomerStatus.CURRENT,
            org_unit_id=district, account_manager=managers[district],
        ))
    admin = get_user_model().objects.get(username="admin")
    definition = services.definition_upload(actor=admin, xml=MINI.read_bytes())
    wh = {u.code: u.pk for u in OrgUnit.objects.filter(code__endswith="-WH")}
    cases = items // per_case
    warn_after = int(LIMIT * float(param("service.warn_ratio")))
    pg = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_sla_map (k integer PRIMARY KEY, district_id integer, customer_id integer, am_id integer, wh_id integer)")
        cursor.executemany(
            "INSERT INTO bench_sla_map VALUES (%s, %s, %s, %s, %s)",
            [(k, c.org_unit_id, c.pk, c.account_manager_id, wh[units[c.org_unit_id].code.split("-")[0] + "-WH"]) for k, c in enumerate(customers)],
        )
        n = len(customers)
        cursor.execute(
            "INSERT INTO service_case (number, definition_id, process_key, channel, title, source, customer_id, org_unit_id, owner_id, "
            "parent_id, status, data, state, revision, external_id, idempotency_key, opened_at, opened_by_id, due_at, closed_at) "
            f"SELECT 'B' || CAST(g AS VARCHAR), {definition.pk}, 'mini', 'red', '基准工单', 'center', m.customer_id, m.district_id, m.am_id, "
            f"NULL, 'open', '{{}}', '', 0, '', NULL, {_ts('-86400')}, NULL, NULL, NULL FROM {_series(cases)} JOIN bench_sla_map m ON m.k = g % {n}"
        )
        cursor.execute("SELECT MIN(id), MAX(id), COUNT(*) FROM service_case")
        low, high, count = cursor.fetchone()
        assert high - low + 1 == count == cases, "case ids are not contiguous"
        # r: the item's class (per mille), j: a jitter of up to 2,000 s, so: start relative to NOW.
        uuid_sql = "lpad(to_hex(g), 32, '0')::uuid" if pg else "printf('%032x', g)"
        cursor.execute(
            "INSERT INTO service_workitem (case_id, task_id, step, step_name, process_key, role, assignee_id, org_unit_id, status, "
            "calendar, time_limit, escalate_to, started_at, warn_at, deadline, warned_at, escalation_level, escalated_at, "
            "next_alert_at, completed_at, completed_by_id, late, result) "
            f"SELECT {low} + b.c, {uuid_sql}, CASE WHEN g % 2 = 0 THEN 'record' ELSE 'repair' END, "
            "CASE WHEN g % 2 = 0 THEN '记录故障' ELSE '维修' END, 'mini', "
            "CASE WHEN g % 2 = 0 THEN 'account_manager' ELSE 'maintenance' END, CASE WHEN g % 2 = 0 THEN m.am_id END, "
            "CASE WHEN g % 2 = 0 THEN m.district_id ELSE m.wh_id END, 'open', '24x7', 'PT4H', 'director,company_leader', "
            f"{_ts('so')}, {_ts(f'so + {warn_after}')}, {_ts(f'so + {LIMIT}')}, "
            f"CASE WHEN r BETWEEN 10 AND 12 OR r = 14 THEN {_ts(f'so + {warn_after}')} END, CASE WHEN r = 14 THEN 1 ELSE 0 END, "
            f"CASE WHEN r = 14 THEN {_ts(f'so + {LIMIT}')} END, "
            f"CASE WHEN r BETWEEN 10 AND 12 THEN {_ts(f'so + {LIMIT}')} WHEN r = 14 THEN {_ts(f'so + {2 * LIMIT}')} "
            f"ELSE {_ts(f'so + {warn_after}')} END, NULL, NULL, NULL, '{{}}' "
            f"FROM (SELECT g, c, r, CASE WHEN r < 10 THEN -{warn_after} - j WHEN r < 14 THEN -{LIMIT} - 1 - j "
            f"WHEN r = 14 THEN -{2 * LIMIT} - 1 - j ELSE -j END AS so "
            f"FROM (SELECT g, g / {per_case} AS c, (g / 2) % 1000 AS r, g % 2000 AS j FROM {_series(cases * per_case)}) a) b "
            f"JOIN bench_sla_map m ON m.k = b.c % {n}"
        )
        # The due items' alert columns as seeded, to restore them between runs.
        cursor.execute(
            "CREATE TABLE bench_sla_orig AS SELECT id, warned_at, next_alert_at, escalation_level, escalated_at "
            "FROM service_workitem WHERE next_alert_at <= %s",
            [connection.ops.adapt_datetimefield_value(NOW)],
        )
    if pg:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        analyze()
    print(
        f"database: {connection.vendor}; {Staff.objects.count()} staff, {Case.objects.count():,} cases, "
        f"{WorkItem.objects.count():,} open work items, {WorkItem.objects.filter(next_alert_at__lte=NOW).count():,} due "
        f"at the sweep; built in {time.perf_counter() - started:.0f} s"
    )
    return {"customers": customers}


# --- The sweep: reset, KAMS, floor, result ------------------------------------------------------


def reset_sweep() -> None:
    from django.db import connection
    from django_tasks_db.models import DBTaskResult

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE service_workitem SET warned_at = o.warned_at, next_alert_at = o.next_alert_at, "
            "escalation_level = o.escalation_level, escalated_at = o.escalated_at FROM bench_sla_orig o WHERE service_workitem.id = o.id"
        )
        cursor.execute("DELETE FROM service_caseevent WHERE kind IN ('warned', 'escalated')")
        cursor.execute("DELETE FROM notify_message WHERE purpose = 'service.sla'")
    DBTaskResult.objects.all().delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE service_workitem")
            cursor.execute("VACUUM ANALYZE service_caseevent")
            cursor.execute("VACUUM ANALYZE notify_message")


def run_kams(now: datetime.datetime) -> dict:
    from kams.service.sla import sla_sweep

    return sla_sweep(now=now)


def _template_sql(template: str, fields: dict[str, str]) -> tuple[str, list[str]]:
    """A translated ``%(name)s`` template as SQL concatenation: literals bound, fields as SQL."""
    parts, params = [], []
    for index, piece in enumerate(re.split(r"%\((\w+)\)s", template)):
        if index % 2:
            parts.append(f"({fields[piece]})")
        elif piece:
            parts.append("%s")
            params.append(piece.replace("%%", "%"))
    return " || ".join(parts) or "''", params


def floor_sql(now: datetime.datetime) -> dict:
    """The sweep's work set-based in SQL, in one transaction."""
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from kams.notify.tasks import retry_queued_task
    from kams.org.models import OrgUnit
    from kams.service.services import holders

    pg = connection.vendor == "postgresql"
    at = connection.ops.adapt_datetimefield_value(now)
    temp = "CREATE TEMP TABLE {} ON COMMIT DROP AS " if pg else "CREATE TEMP TABLE {} AS "
    if pg:
        next_escalation = "a.deadline + (a.deadline - a.started_at) * a.level"
        local_deadline = f"to_char(a.deadline AT TIME ZONE '{settings.TIME_ZONE}', 'YYYY-MM-DD HH24:MI')"
        aggregate = (
            "SELECT t.item_id, string_agg(s.name, ', ' ORDER BY t.pos) AS names, json_agg(s.name ORDER BY t.pos) AS tos "
            "FROM sla_to t JOIN org_staff s ON s.id = t.staff_id GROUP BY t.item_id"
        )
        detail = "json_build_object('level', a.level, 'to', COALESCE(p.tos, '[]'::json))::jsonb"
    else:
        next_escalation = "datetime(unixepoch(a.deadline) + (unixepoch(a.deadline) - unixepoch(a.started_at)) * a.level, 'unixepoch')"
        offset = int(timezone.localtime(now).utcoffset().total_seconds())
        local_deadline = f"strftime('%%Y-%%m-%%d %%H:%%M', a.deadline, '{offset:+d} seconds')"
        aggregate = (
            "SELECT item_id, group_concat(name, ', ') AS names, json_group_array(name) AS tos FROM "
            "(SELECT t.item_id, s.name FROM sla_to t JOIN org_staff s ON s.id = t.staff_id ORDER BY t.item_id, t.pos) GROUP BY item_id"
        )
        detail = "json_object('level', a.level, 'to', json(COALESCE(p.tos, '[]')))"
    warn_body, warn_params = _template_sql(
        _("[KAMS] Case %(number)s, step %(step)s is due at %(deadline)s."),
        {"number": "c.number", "step": "a.step_name", "deadline": local_deadline},
    )
    esc_body, esc_params = _template_sql(
        _("[KAMS] Escalation: case %(number)s, step %(step)s (%(who)s) was due at %(deadline)s and is not done."),
        {"number": "c.number", "step": "a.step_name", "deadline": local_deadline, "who": "COALESCE(asg.name, a.role)"},
    )
    with transaction.atomic(), connection.cursor() as cursor:
        # 1. The due items: one range scan of the partial index.
        cursor.execute(
            temp.format("sla_due") + "SELECT id, case_id, step, step_name, role, assignee_id, org_unit_id, deadline, started_at, "
            "escalate_to, warned_at, escalation_level, escalated_at, CASE WHEN warned_at IS NULL AND deadline > %s THEN 1 ELSE 0 END AS warn "
            "FROM service_workitem WHERE next_alert_at <= %s",
            [at, at],
        )
        # 2. Each escalation chain by level (a handful of distinct chains).
        cursor.execute("SELECT DISTINCT escalate_to FROM sla_due")
        chains = []
        for (text,) in cursor.fetchall():
            roles = [c for c in text.split(",") if c]
            chains += [(text, level, role, int(level == len(roles))) for level, role in enumerate(roles, start=1)]
        cursor.execute("CREATE TEMP TABLE sla_chain (escalate_to varchar(200), level integer, role varchar(40), is_last integer)"
                       + (" ON COMMIT DROP" if pg else ""))
        cursor.executemany("INSERT INTO sla_chain VALUES (%s, %s, %s, %s)", chains)
        # What happens to each item: warned (level unchanged), escalated (level + 1), or the chain
        # is used up (esc_role NULL: no event); who_role is whose holders are told.
        cursor.execute(
            temp.format("sla_act") + "SELECT d.*, CASE WHEN d.warn = 1 OR c.role IS NULL THEN d.escalation_level "
            "ELSE d.escalation_level + 1 END AS level, c.role AS esc_role, c.is_last, "
            "CASE WHEN d.warn = 1 AND d.assignee_id IS NULL THEN d.role WHEN d.warn = 0 THEN c.role END AS who_role "
            "FROM sla_due d LEFT JOIN sla_chain c ON d.warn = 0 AND c.escalate_to = d.escalate_to AND c.level = d.escalation_level + 1"
        )
        # 3. The holders of each role around each unit, as holders() finds them.
        cursor.execute("SELECT DISTINCT who_role, org_unit_id FROM sla_act WHERE who_role IS NOT NULL")
        pairs = cursor.fetchall()
        found = OrgUnit.objects.in_bulk({unit for _role, unit in pairs})
        people = [(role, unit, p.pk, pos) for role, unit in pairs for pos, p in enumerate(holders(role, found[unit])[1])]
        cursor.execute("CREATE TEMP TABLE sla_holders (role varchar(40), org_unit_id integer, staff_id integer, pos integer)"
                       + (" ON COMMIT DROP" if pg else ""))
        cursor.executemany("INSERT INTO sla_holders VALUES (%s, %s, %s, %s)", people)
        cursor.execute(
            temp.format("sla_to") + "SELECT id AS item_id, assignee_id AS staff_id, 0 AS pos FROM sla_act WHERE warn = 1 AND assignee_id IS NOT NULL "
            "UNION ALL SELECT a.id, h.staff_id, h.pos FROM sla_act a JOIN sla_holders h ON h.role = a.who_role AND h.org_unit_id = a.org_unit_id"
        )
        # 4. The items.
        cursor.execute(
            f"UPDATE service_workitem SET warned_at = COALESCE(a.warned_at, %s), next_alert_at = CASE WHEN a.warn = 1 THEN a.deadline "
            f"WHEN a.esc_role IS NULL OR a.is_last = 1 THEN NULL ELSE {next_escalation} END, escalation_level = a.level, "
            "escalated_at = CASE WHEN a.esc_role IS NOT NULL THEN %s ELSE a.escalated_at END FROM sla_act a WHERE service_workitem.id = a.id",
            [at, at],
        )
        changed = cursor.rowcount
        # 5. The events.
        cursor.execute(
            "INSERT INTO service_caseevent (case_id, at, kind, step, step_name, actor_id, text, detail) "
            "SELECT a.case_id, %s, CASE WHEN a.warn = 1 THEN 'warned' ELSE 'escalated' END, a.step, a.step_name, NULL, "
            f"COALESCE(SUBSTR(p.names, 1, 500), %s), {detail} FROM sla_act a LEFT JOIN ({aggregate}) p ON p.item_id = a.id "
            "WHERE a.warn = 1 OR a.esc_role IS NOT NULL",
            [at, _("nobody holds the role")],
        )
        # 6. The messages: SMS to a mobile, else e-mail; a key that exists already is skipped.
        cursor.execute(
            "INSERT INTO notify_message (channel, recipient, recipient_name, subject, body, purpose, idempotency_key, org_unit_id, "
            "owner_id, target_type, target_id, state, attempts, last_error, provider_id, created_at, sent_at) "
            "SELECT channel, recipient, recipient_name, SUBSTR(body, 1, 200), body, 'service.sla', key, org_unit_id, owner_id, "
            "'service.case', target_id, 'queued', 0, '', '', %s, NULL FROM (SELECT "
            "CASE WHEN s.mobile <> '' THEN 'sms' ELSE 'email' END AS channel, CASE WHEN s.mobile <> '' THEN s.mobile ELSE s.email END AS recipient, "
            "SUBSTR(s.name, 1, 100) AS recipient_name, "
            f"CASE WHEN a.warn = 1 THEN {warn_body} ELSE {esc_body} END AS body, "
            "'sla:' || CAST(a.id AS VARCHAR) || ':' || CASE WHEN a.warn = 1 THEN 'warn' ELSE 'esc' || CAST(a.level AS VARCHAR) END "
            "|| ':' || CAST(s.id AS VARCHAR) AS key, a.org_unit_id, s.id AS owner_id, CAST(a.case_id AS VARCHAR) AS target_id "
            "FROM sla_to t JOIN sla_act a ON a.id = t.item_id JOIN org_staff s ON s.id = t.staff_id "
            "JOIN service_case c ON c.id = a.case_id LEFT JOIN org_staff asg ON asg.id = a.assignee_id "
            "WHERE s.mobile <> '' OR s.email <> '') x WHERE true ON CONFLICT DO NOTHING",
            [at, *warn_params, *esc_params],
        )
        cursor.execute("SELECT SUM(warn), SUM(CASE WHEN warn = 0 AND esc_role IS NOT NULL THEN 1 ELSE 0 END) FROM sla_act")
        warned, escalated = cursor.fetchone()
        if not pg:
            for table in ("sla_due", "sla_chain", "sla_act", "sla_holders", "sla_to"):
                cursor.execute(f"DROP TABLE {table}")
        transaction.on_commit(retry_queued_task.enqueue)
    return {"warned": int(warned or 0), "escalated": int(escalated or 0), "rows changed": changed}


def sweep_result() -> tuple[dict, Counter, set]:
    """The due items' alert columns, the sweep's events and messages, for comparing."""
    from django.db.models.expressions import RawSQL

    from kams.notify.models import Message
    from kams.service.models import CaseEvent, WorkItem

    items = {
        row[0]: row[1:] for row in WorkItem.objects.filter(pk__in=RawSQL("SELECT id FROM bench_sla_orig", []))
        .values_list("pk", "warned_at", "next_alert_at", "escalation_level", "escalated_at")
    }
    events = Counter(
        (case, at, kind, step, name, text, json.dumps(detail, sort_keys=True))
        for case, at, kind, step, name, text, detail in CaseEvent.objects.filter(kind__in=["warned", "escalated"])
        .values_list("case_id", "at", "kind", "step", "step_name", "text", "detail")
    )
    messages = set(
        Message.objects.filter(purpose="service.sla").values_list(
            "idempotency_key", "channel", "recipient", "recipient_name", "subject", "body", "org_unit_id", "owner_id",
            "target_type", "target_id", "state")
    )
    return items, events, messages


def idle_probe(now: datetime.datetime) -> int:
    """The floor of a sweep with nothing due: the first batch's indexed query, empty."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM service_workitem WHERE next_alert_at <= %s",
            [connection.ops.adapt_datetimefield_value(now)],
        )
        return len(cursor.fetchall())


def plan(now: datetime.datetime) -> tuple[str, str]:
    """How the database finds the due items: the sweep's batch query (as the ORM writes it,
    without the row lock) and the floor's."""
    from django.db import connection

    from kams.service.models import WorkItem

    query = WorkItem.objects.filter(next_alert_at__lte=now, pk__gt=0).order_by("pk").values("pk")[:2000]
    sql, params = query.query.sql_with_params()
    prefix = "EXPLAIN " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
    out = []
    with connection.cursor() as cursor:
        for text, args in ((sql, params), ("SELECT id FROM service_workitem WHERE next_alert_at <= %s", [connection.ops.adapt_datetimefield_value(now)])):
            cursor.execute(prefix + text, args)
            out.append(" | ".join(str(r[-1]).strip() for r in cursor.fetchall()))
    return out[0], out[1]


# --- One step of a case ---------------------------------------------------------------------------


def _fill(form: list[dict]) -> dict[str, Any]:
    """Valid values for every field of a form (a yes to every question, the first choice)."""
    values: dict[str, Any] = {}
    for field in form:
        kind = field["type"]
        values[field["name"]] = {
            "text": "基准测试", "textarea": "基准测试：线路中断，已联系客户。", "bool": True, "int": 1, "decimal": "1.00",
            "date": "2026-06-15", "datetime": "2026-06-15 10:00",
        }.get(kind) if kind != "choice" else field["choices"][0][0]
    return values


def steps(count: int, customers: list[Any]) -> tuple[list[float], list[float], str]:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from kams.audit.models import AuditEntry
    from kams.service import services
    from kams.service.enums import ItemStatus
    from kams.service.models import Case, CaseEvent, WorkItem

    process = "mini"
    if FAULT.exists():
        try:
            services.definitions_sync_package()
            services.active_definition("fault_level1")
            process = "fault_level1"
        except Exception as exc:  # a shipped file being rewritten: fall back to the fixture
            print(f"fault_level1 not usable ({exc}); using mini.bpmn")
    definition = services.active_definition(process)
    forms = {s["id"]: s.get("form", []) for s in definition.steps}
    opened = []
    for n in range(2 * count):
        customer = customers[n % len(customers)]
        opened.append(services.case_open(
            actor=customer.account_manager.user, process=process, customer=customer, title=f"基准工单 {n}",
            data=_fill(definition.start_form),
        ))

    def first_item(case: Case) -> WorkItem:
        return case.work_items.filter(status=ItemStatus.OPEN).select_related("assignee__user", "org_unit").order_by("pk").first()

    def actor_for(item: WorkItem) -> Any:
        if item.assignee_id:
            return item.assignee.user
        return services.holders(item.role, item.org_unit)[1][0].user

    # KAMS: workitem_complete on the first step of each of the first ``count`` cases.
    kams_ms, sizes = [], []
    for case in opened[:count]:
        item = first_item(case)
        actor, values = actor_for(item), _fill(forms.get(item.step, []))
        actor = get_user_model().objects.get(pk=actor.pk)  # a fresh user, as a request has
        start = time.perf_counter()
        done = services.workitem_complete(actor=actor, item=item, values=values)
        kams_ms.append((time.perf_counter() - start) * 1000)
        sizes.append(len(done.state))
    sample = Case.objects.get(pk=opened[0].pk)
    blob = sample.state.ljust(int(statistics.mean(sizes)))[: int(statistics.mean(sizes))]
    done_item = sample.work_items.exclude(status=ItemStatus.OPEN).order_by("pk").first()
    next_item = sample.work_items.filter(status=ItemStatus.OPEN).order_by("pk").first()
    events = list(CaseEvent.objects.filter(case=sample, kind__in=["completed", "step_ready"]).order_by("pk"))
    audit = AuditEntry.objects.filter(action="service.step_complete", target_id=str(sample.pk)).first()
    if next_item is None:  # the process closed after one step: insert a like item all the same
        next_item = done_item
    pg = connection.vendor == "postgresql"
    ops = connection.ops

    # The floor: the same writes in bare SQL on each of the other ``count`` cases.
    floor_ms = []
    for case in opened[count:]:
        item = first_item(case)
        now = timezone.now()
        at = ops.adapt_datetimefield_value(now)
        start = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT id, revision FROM service_case WHERE id = %s" + (" FOR UPDATE" if pg else ""), [case.pk])
            cursor.fetchone()
            cursor.execute("UPDATE service_case SET state = %s, revision = revision + 1, data = %s WHERE id = %s",
                           [blob, json.dumps(sample.data), case.pk])
            cursor.execute(
                "UPDATE service_workitem SET status = 'done', completed_at = %s, completed_by_id = %s, "
                "assignee_id = COALESCE(assignee_id, %s), late = %s, result = %s, next_alert_at = NULL WHERE id = %s",
                [at, done_item.completed_by_id, done_item.completed_by_id, False, json.dumps(done_item.result), item.pk],
            )
            cursor.execute(
                "INSERT INTO service_workitem (case_id, task_id, step, step_name, process_key, role, assignee_id, org_unit_id, status, "
                "calendar, time_limit, escalate_to, started_at, warn_at, deadline, warned_at, escalation_level, escalated_at, "
                "next_alert_at, completed_at, completed_by_id, late, result) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'open', %s, %s, %s, %s, %s, %s, NULL, 0, NULL, %s, NULL, NULL, NULL, '{}')",
                [case.pk, uuid.uuid4() if pg else uuid.uuid4().hex, next_item.step, next_item.step_name,
                 next_item.process_key, next_item.role, next_item.assignee_id, next_item.org_unit_id, next_item.calendar,
                 next_item.time_limit, next_item.escalate_to, at, ops.adapt_datetimefield_value(next_item.warn_at),
                 ops.adapt_datetimefield_value(next_item.deadline), ops.adapt_datetimefield_value(next_item.warn_at)],
            )
            cursor.execute(
                "INSERT INTO service_caseevent (case_id, at, kind, step, step_name, actor_id, text, detail) VALUES "
                "(%s, %s, %s, %s, %s, %s, %s, %s), (%s, %s, %s, %s, %s, %s, %s, %s)",
                [v for e in events[-2:] for v in (case.pk, at, e.kind, e.step, e.step_name, e.actor_id, e.text, json.dumps(e.detail))],
            )
            cursor.execute(
                "INSERT INTO audit_auditentry (at, actor_id, actor_name, actor_staff_id, org_unit_id, action, target_type, target_id, "
                'target_repr, "before", "after", reason, ip, request_id)'
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, NULL, %s, '', NULL, '')",
                [at, audit.actor_id, audit.actor_name, audit.actor_staff_id, audit.org_unit_id, audit.action, audit.target_type,
                 str(case.pk), str(case)[:200], json.dumps(audit.after)],
            )
        floor_ms.append((time.perf_counter() - start) * 1000)
    return kams_ms, floor_ms, f"{process}: {done_item.step_name} → {next_item.step_name}, state {len(blob):,} bytes"


# --- Main ---------------------------------------------------------------------------------------


def line_ms(case: str, kams: float, floor: float, extra: str = "") -> None:
    print(f"{case:<46}{kams:>9.2f}{floor:>9.2f}{kams / floor:>8.1f}  {extra}".rstrip())


def _drop_pg_database() -> None:
    """Start from no database at all: ``flush`` (in ``setup``) sends post_migrate, where the
    service app installs the shipped processes — and they fail to parse once the flush has
    removed the roles they name."""
    import os

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return
    import dj_database_url
    import psycopg

    conf = dj_database_url.parse(url)
    params = {k: v for k, v in {"host": conf["HOST"], "port": conf["PORT"], "user": conf["USER"], "password": conf["PASSWORD"]}.items() if v}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{conf["NAME"]}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=1_000_000, help="open work items")
    parser.add_argument("--per-case", type=int, default=10, help="open work items per case")
    parser.add_argument("--cases", type=int, default=200, help="cases advanced by one step (and as many by the floor)")
    parser.add_argument("--repeat", type=int, default=3, help="timed sweeps of each; the median is printed")
    parser.add_argument("--profile", metavar="FILE", help="also run KAMS's sweep under cProfile and save the stats")
    args = parser.parse_args()

    _drop_pg_database()
    setup("sla")
    seeded = build(args.items, args.per_case)

    def measure(fn) -> tuple[float, dict, tuple]:
        samples, result = [], {}
        for _ in range(args.repeat):
            reset_sweep()
            start = time.perf_counter()
            result = fn(NOW)
            samples.append(time.perf_counter() - start)
        return statistics.median(samples), result, sweep_result()

    print(f"\nSLA sweep over {args.items:,} open work items on {vendor()} (median of {args.repeat})")
    kams_plan, floor_plan = plan(NOW)
    print(f"due items found by KAMS: {kams_plan}\n                  floor: {floor_plan}")
    header("case")
    kams_s, kams_counts, kams_state = measure(run_kams)
    floor_s, floor_counts, floor_state = measure(floor_sql)
    (ki, ke, km), (fi, fe, fm) = kams_state, floor_state
    differ = sum(ki[pk] != fi.get(pk) for pk in ki)
    line("sweep, 1.5 % due (warn 1 %, escalate 0.5 %)", kams_s, floor_s,
         f"warned/escalated {kams_counts['warned']:,}/{kams_counts['escalated']:,} vs "
         f"{floor_counts['warned']:,}/{floor_counts['escalated']:,}; {floor_counts['rows changed']:,} rows changed")
    print(f"{'':46}events {sum(ke.values()):,} vs {sum(fe.values()):,} ({sum((ke - fe).values()) + sum((fe - ke).values())} differ), "
          f"messages {len(km):,} vs {len(fm):,} ({len(km ^ fm)} differ), items {len(ki):,} ({differ} differ)")

    reset_sweep()
    idle = []
    for fn in (run_kams, idle_probe):
        samples = []
        for _ in range(50):
            start = time.perf_counter()
            fn(IDLE)
            samples.append((time.perf_counter() - start) * 1000)
        idle.append(statistics.median(samples))
    print(f"\n{'case':<46}{'KAMS ms':>9}{'floor ms':>9}{'ratio':>8}")
    line_ms("sweep, nothing due (index probe, median of 50)", idle[0], idle[1])

    try:
        kams_ms, floor_ms, what = steps(args.cases, seeded["customers"])
    except Exception as exc:  # a KAMS error is a finding of the run: print it, keep the rest
        print(f"{'one step of a case':<46}KAMS failed: {type(exc).__name__}: {str(exc).splitlines()[0]}")
    else:
        line_ms(f"one step of a case (median of {args.cases})", statistics.median(kams_ms), statistics.median(floor_ms),
                f"{what}; p90 {statistics.quantiles(kams_ms, n=10)[-1]:.1f} vs {statistics.quantiles(floor_ms, n=10)[-1]:.1f} ms")

    if args.profile:
        import cProfile

        reset_sweep()
        cProfile.runctx("run_kams(now)", globals(), {"run_kams": run_kams, "now": NOW}, args.profile)
        print(f"profile saved to {args.profile}")


if __name__ == "__main__":
    main()

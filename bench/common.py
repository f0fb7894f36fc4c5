"""What the large-volume benchmarks share: a fresh database, the demo org tree, set-based
inserts of seed rows, and the printed table.

A fresh database is SQLite in a temporary ``KAMS_VAR_DIR``, or the PostgreSQL database named
by ``DATABASE_URL`` (created when missing, migrated, flushed). Media files (a bill import's
stored file) go to the temporary directory in both cases. ``KAMS_DEBUG`` defaults to 0 here,
as in production: with DEBUG on, Django formats and keeps the SQL of every query.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def setup(prefix: str) -> Path:
    """Point KAMS at a fresh database; return the temporary directory of this run."""
    work = Path(tempfile.mkdtemp(prefix=f"kams-bench-{prefix}-"))
    os.environ["KAMS_VAR_DIR"] = str(work)
    # As the worker runs in production: with DEBUG on, Django keeps every query's SQL.
    os.environ.setdefault("KAMS_DEBUG", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kams.settings")
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        _create_pg_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    from kams.org.models import OrgUnit

    call_command("migrate", interactive=False, verbosity=0)
    if OrgUnit.objects.exists():
        call_command("flush", interactive=False, verbosity=0)
    # A worker or web process loads the URLconf once; a job that links its result to a page
    # would otherwise pay the import of every view (~0.8 s) inside the first timed run.
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018
    return work


def _create_pg_database(url: str) -> None:
    import dj_database_url
    import psycopg

    conf = dj_database_url.parse(url)
    params = {k: v for k, v in {"host": conf["HOST"], "port": conf["PORT"], "user": conf["USER"], "password": conf["PASSWORD"]}.items() if v}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [conf["NAME"]]).fetchone():
            conn.execute(f'CREATE DATABASE "{conf["NAME"]}"')


def org_units() -> list[int]:
    """The demo org tree (province, cities, districts) and the ids of its districts, where
    customers belong."""
    from django.db import transaction

    from kams.customers.reference_data import ensure_reference_data_now
    from kams.demo.generator import DemoContext, build_org_tree
    from kams.org.enums import UnitKind
    from kams.org.models import OrgUnit

    with transaction.atomic():
        build_org_tree(DemoContext(size="small"))
        ensure_reference_data_now()
    return list(OrgUnit.objects.filter(kind=UnitKind.DISTRICT).order_by("path").values_list("id", flat=True))


def vendor() -> str:
    from django.db import connection

    return connection.vendor


def bulk_insert(model: Any, rows: Iterable[dict[str, Any]]) -> int:
    """Insert rows (column → value; the model's defaults fill the rest) with COPY on
    PostgreSQL and one ``executemany`` on SQLite. Seed data only: no signals, no checks."""
    from django.db import connection, models, transaction

    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    defaults: dict[str, Any] = {}
    for f in fields:
        if isinstance(f, models.JSONField):
            defaults[f.column] = json.dumps(f.get_default())
        elif isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
            defaults[f.column] = now
        elif f.has_default():
            defaults[f.column] = f.get_default()
        elif f.null:
            defaults[f.column] = None
        else:
            defaults[f.column] = ""
    table = model._meta.db_table
    pg = connection.vendor == "postgresql"

    def values(row: dict[str, Any]) -> tuple:
        out = []
        for column in columns:
            value = row.get(column, defaults[column])
            if not pg and isinstance(value, (datetime.date, Decimal)):
                value = str(value)
            out.append(value)
        return tuple(out)

    count = 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            if pg:
                with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(values(row))
                        count += 1
            else:
                tuples = [values(row) for row in rows]
                cursor.cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", tuples
                )
                count = len(tuples)
    return count


def analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(fn: Callable[[], Any], reset: Callable[[], Any] | None = None) -> tuple[float, Any]:
    if reset is not None:
        reset()
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def header(title: str) -> None:
    print(f"{title:<46}{'KAMS s':>9}{'floor s':>9}{'ratio':>8}")


def line(case: str, kams: float, floor: float, extra: str = "") -> None:
    print(f"{case:<46}{kams:>9.2f}{floor:>9.2f}{kams / floor:>8.2f}  {extra}".rstrip())

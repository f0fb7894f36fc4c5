"""Backup and restore of the whole database (ORG-08, 数据备份): ``kams backup FILE`` and
``kams restore FILE``.

One portable format for every supported backend: a zip file with ``manifest.json`` and one
member ``tables/<db_table>.jsonl`` per table, one JSON line per row, rows in primary-key
order. A backup taken on SQLite restores into PostgreSQL and back.

Each line is the *canonical row encoding*: the row's values (in ``concrete_fields`` order, as
the ORM returns them) as a compact JSON list with sorted object keys, datetimes in full ISO
form (UTC, microseconds kept), binary data in base64. Both backends yield the same Python
values for the same data, so the same data gives the same bytes, and the SHA-256 of a
table's lines is a fingerprint comparable across backends (``table_fingerprints``).

Consistency while the server runs: all tables are read inside one read-only snapshot
transaction on a private connection (see ``_snapshot``), so the backup is the database as
of one instant, and concurrent writers are neither blocked nor seen.
"""

from __future__ import annotations

import base64
import copy
import datetime
import hashlib
import json
import os
import sys
import tempfile
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import django
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.functions import Collate
from django.utils import timezone

from kams.org.models import Role
from kams.system.jobs import JobProgress, job_run, print_progress
from kams.system.models import JobRun

FORMAT = "kams-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNK_SIZE = 2000


class BackupError(Exception):
    """A backup could not be written, or a file cannot be restored; the message says why."""


# --- Which tables, and how a row is encoded ---------------------------------------------------


def backed_up_models() -> list[type[models.Model]]:
    """Every model that owns a table: concrete models and auto-created many-to-many
    tables, sorted by table name. Proxy, unmanaged and swapped-out models own none."""
    found = {
        m._meta.db_table: m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and not m._meta.swapped
    }
    return [found[t] for t in sorted(found)]


def seeded_tables() -> set[str]:
    """Tables that migrations fill (content types, permissions, the built-in roles and
    their groups). A migrated, otherwise empty database has rows here; a restore replaces
    them with the backup's, so that ids match the rows that refer to them."""
    seeded = [ContentType, Permission, Group, Group.permissions.through, Role]
    return {m._meta.db_table for m in seeded}


def columns(model: type[models.Model]) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]


class _RowEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, but lossless: it cuts datetimes to milliseconds, which would make
    a restored row differ from its original. Binary values travel as base64, which is
    what ``BinaryField.to_python`` decodes."""

    def default(self, o: Any) -> Any:
        if isinstance(o, (datetime.datetime, datetime.time)):
            return o.isoformat()
        if isinstance(o, (bytes, bytearray, memoryview)):
            return base64.b64encode(bytes(o)).decode("ascii")
        return super().default(o)


def encode_row(row: Iterable[Any]) -> bytes:
    return (
        json.dumps(list(row), cls=_RowEncoder, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        + "\n"
    ).encode("utf-8")


def _rows(model: type[models.Model], using: str, exclude_pk: Any = None) -> Iterator[bytes]:
    """The table's canonical lines in primary-key order. Text keys are ordered bytewise
    (collation "C" on PostgreSQL, SQLite's default BINARY) so the order, and with it the
    checksum, is the same on every backend."""
    meta = model._meta
    pk = meta.pk
    key_field = pk.target_field if pk.is_relation else pk
    order: Any = pk.attname
    is_text = isinstance(key_field, (models.CharField, models.TextField))
    if is_text and connections[using].vendor == "postgresql":
        order = Collate(models.F(pk.attname), "C")
    qs = model._base_manager.using(using).order_by(order)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    rows = qs.values_list(*[f.attname for f in meta.concrete_fields]).iterator(chunk_size=CHUNK_SIZE)
    for row in rows:
        yield encode_row(row)


def _fingerprints_on(using: str) -> dict[str, tuple[int, str]]:
    result = {}
    for model in backed_up_models():
        digest, count = hashlib.sha256(), 0
        for line in _rows(model, using):
            digest.update(line)
            count += 1
        result[model._meta.db_table] = (count, digest.hexdigest())
    return result


def table_fingerprints(using: str = "default") -> dict[str, tuple[int, str]]:
    """``{db_table: (row count, SHA-256 of the canonical lines)}`` of a live database,
    computed exactly as a backup's manifest records them. Read in one snapshot, or inside
    the caller's transaction when there is one (so it sees the caller's own writes)."""
    if connections[using].in_atomic_block:
        return _fingerprints_on(using)
    with _snapshot(using) as alias:
        return _fingerprints_on(alias)


def applied_migrations(using: str) -> list[str]:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        return sorted(f"{app}.{name}" for app, name in cursor.fetchall())


# --- The snapshot -----------------------------------------------------------------------------


@contextmanager
def _snapshot(using: str) -> Iterator[str]:
    """Open one read-only snapshot of database ``using``; yields the alias to read through.

    The snapshot lives on a *private* connection, registered under a temporary alias, for
    two reasons. First, the job progress of a backup is written through the ordinary
    connection while the snapshot is open: on PostgreSQL a write inside a READ ONLY
    transaction fails; on SQLite it would upgrade the read transaction to a write
    transaction, take the write lock for the rest of the backup and fail with
    SQLITE_BUSY_SNAPSHOT once anybody else has committed. Second, KAMS configures SQLite
    with ``transaction_mode = IMMEDIATE`` (writers queue at BEGIN instead of failing later),
    so ``atomic()`` on the ordinary connection would take the write lock and stall the
    server's writers for the whole backup.

    PostgreSQL: ``SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`` as the first
    statement of the transaction — every query then sees the data as of the first one.

    SQLite: the private connection uses ``transaction_mode = DEFERRED`` and
    ``PRAGMA query_only``. In WAL mode (which KAMS sets) a deferred transaction takes its
    read snapshot at its first SELECT and keeps it until it ends, while writers go on
    committing to the WAL; the first statement is the read of the migration state, issued
    at once. (The WAL cannot be checkpointed past the snapshot meanwhile, so it grows
    during a long backup and shrinks afterwards.)

    An in-memory SQLite database (the test database) exists only inside this process, and
    a second connection to it shares its cache with table-level locks, which would refuse
    the progress writes. There the ordinary connection is used: no other process can write
    to such a database, so one transaction on it is a snapshot already.
    """
    connection = connections[using]
    if connection.vendor not in {"sqlite", "postgresql"}:
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {connection.vendor}.")
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        with transaction.atomic(using=using):
            yield using
        return

    alias = f"{using}__snapshot_{uuid.uuid4().hex}"
    settings_dict = copy.deepcopy(connection.settings_dict)
    if connection.vendor == "sqlite":
        settings_dict["OPTIONS"]["transaction_mode"] = "DEFERRED"
    private: BaseDatabaseWrapper = type(connection)(settings_dict, alias)
    connections[alias] = private
    try:
        with transaction.atomic(using=alias):
            with private.cursor() as cursor:
                if private.vendor == "postgresql":
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                else:
                    cursor.execute("PRAGMA query_only = ON")
                cursor.execute("SELECT COUNT(*) FROM django_migrations")  # the snapshot starts here
            yield alias
            # Nothing was written; ending the transaction just releases the snapshot.
            transaction.set_rollback(True, using=alias)
    finally:
        private.close()
        del connections[alias]


# --- Backup -----------------------------------------------------------------------------------


@contextmanager
def _temporary_file_for(path: Path) -> Iterator[IO[bytes]]:
    """A temporary file beside ``path`` that replaces ``path`` only when the block ends
    normally: there is never a half-written backup under the wanted name. The file is
    readable by the owner only — it holds password hashes and customer data."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fh = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".part", delete=False)
    try:
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(fh.name, path)
    except BaseException:
        Path(fh.name).unlink(missing_ok=True)
        raise


def create_backup(
    path: str | os.PathLike, *, using: str = "default", echo: bool = False, run: JobRun | None = None
) -> dict:
    """Write a consistent backup of database ``using`` to ``path``; returns the manifest.

    The job run is created first, outside any transaction, and shown on the jobs page;
    its progress goes through the ordinary connection while the rows are read from the
    snapshot's private one (see ``_snapshot``). The backup leaves out its own job-run row:
    captured mid-flight it would read "running" forever in a restored database.
    """
    path = Path(path)
    models_ = backed_up_models()
    params = {"path": str(path), "database": using}
    with job_run("system.backup", label=f"Backup → {path.name}", params=params, echo=echo, run=run) as job:
        own_run = job.run.pk if using == DEFAULT_DB_ALIAS else None  # job runs live in "default"
        with _temporary_file_for(path) as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as archive:
            with _snapshot(using) as alias:
                taken_at = timezone.now()
                stamp = timezone.localtime(taken_at).timetuple()[:6]
                migrations = applied_migrations(alias)
                counts = {m: m._base_manager.using(alias).count() for m in models_}
                job.set_total(sum(counts.values()))
                tables = {}
                for model in models_:
                    table = model._meta.db_table
                    digest, count = hashlib.sha256(), 0
                    exclude = own_run if model is JobRun else None
                    info = zipfile.ZipInfo(f"tables/{table}.jsonl", date_time=stamp)
                    info.compress_type = zipfile.ZIP_DEFLATED
                    with archive.open(info, "w", force_zip64=True) as member:
                        for line in _rows(model, alias, exclude_pk=exclude):
                            member.write(line)
                            digest.update(line)
                            count += 1
                            if count % CHUNK_SIZE == 0:
                                job.advance(CHUNK_SIZE, table)
                    job.advance(count % CHUNK_SIZE, table)
                    tables[table] = {
                        "model": model._meta.label_lower,
                        "columns": columns(model),
                        "rows": count,
                        "sha256": digest.hexdigest(),
                    }
            manifest = {
                "format": FORMAT,
                "version": FORMAT_VERSION,
                "created_at": taken_at.isoformat(),
                "vendor": connections[using].vendor,
                "django": django.get_version(),
                "migrations": migrations,
                "tables": tables,
            }
            archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        job.run.result = {
            "path": str(path),
            "tables": len(tables),
            "rows": sum(t["rows"] for t in tables.values()),
        }
    return manifest


# --- Restore ----------------------------------------------------------------------------------


class _ConsoleProgress(JobProgress):
    """Restore progress on the console only. A restore records no job run: the job-run
    table is itself part of what is restored, and a row written into the target first
    would make it non-empty and could collide with a restored id."""

    def __init__(self, label: str, total: int, *, echo: bool) -> None:
        super().__init__(JobRun(name="system.restore", label=label, progress_total=total), echo=echo)

    def _write(self, force: bool = False) -> None:
        if self.echo:
            print_progress(self.run)

    def finish(self) -> None:
        if self.echo:
            print_progress(self.run)
            sys.stderr.write("\n")


def _read_manifest(archive: zipfile.ZipFile) -> dict:
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except (KeyError, ValueError) as exc:
        raise BackupError(f"Not a KAMS backup: no readable {MANIFEST}.") from exc
    if manifest.get("format") != FORMAT or manifest.get("version") != FORMAT_VERSION:
        raise BackupError(
            f"Unsupported backup format {manifest.get('format')!r} version {manifest.get('version')!r}; "
            f"this KAMS reads {FORMAT!r} version {FORMAT_VERSION}."
        )
    tables = manifest.get("tables")
    if not (
        isinstance(manifest.get("migrations"), list)
        and isinstance(tables, dict)
        and all(isinstance(t, dict) and {"columns", "rows", "sha256"} <= t.keys() for t in tables.values())
    ):
        raise BackupError(f"The backup is damaged: {MANIFEST} is incomplete.")
    return manifest


def _check_compatible(manifest: dict, using: str) -> list[type[models.Model]]:
    """Refuse a backup whose schema differs from the target's: same applied migrations,
    same tables, same columns. Returns the target's models in the backup's order."""
    try:
        ours = set(applied_migrations(using))
    except DatabaseError as exc:
        raise BackupError(f"The target database is not migrated; run 'kams migrate' first ({exc}).") from exc
    theirs = set(manifest["migrations"])
    if theirs != ours:
        missing, extra = sorted(theirs - ours), sorted(ours - theirs)
        raise BackupError(
            "The backup was taken at another migration state than the target database. "
            f"Only in the backup: {', '.join(missing[:10]) or '-'}; "
            f"only in the target: {', '.join(extra[:10]) or '-'}. "
            "Restore with the KAMS version that made the backup, into a database migrated with it."
        )
    models_ = {m._meta.db_table: m for m in backed_up_models()}
    tables = manifest["tables"]
    if set(tables) != set(models_):
        raise BackupError(
            f"The backup's tables differ from the target's: only in the backup "
            f"{sorted(set(tables) - set(models_))}, only in the target {sorted(set(models_) - set(tables))}."
        )
    for table, info in tables.items():
        if info["columns"] != columns(models_[table]):
            raise BackupError(f"The columns of {table} differ between the backup and the target.")
    return [models_[t] for t in sorted(tables)]


def _check_members(archive: zipfile.ZipFile, manifest: dict) -> None:
    """Check every table against its row count and checksum before the database is
    touched, so a damaged or altered file is refused outright."""
    for table, info in manifest["tables"].items():
        digest, count = hashlib.sha256(), 0
        try:
            with archive.open(f"tables/{table}.jsonl") as member:
                for line in member:
                    digest.update(line)
                    count += 1
        except (KeyError, zipfile.BadZipFile, OSError) as exc:
            raise BackupError(f"The backup is damaged: table {table} cannot be read ({exc}).") from exc
        if (count, digest.hexdigest()) != (info["rows"], info["sha256"]):
            raise BackupError(f"The backup is damaged or altered: table {table} does not match its checksum.")


def _converter(field: models.Field, connection: BaseDatabaseWrapper):
    """JSON value → database parameter: ``to_python`` then ``get_db_prep_save``, which
    applies no ``auto_now`` and no defaults, so every value is restored as it was.

    A JSON field reads back as None both for SQL NULL and for JSON ``null``. The ORM
    stores None as SQL NULL, so None goes back as NULL — except in a NOT NULL column,
    where it can only have been JSON ``null``."""
    json_null = None
    if isinstance(field, models.JSONField) and not field.null:
        json_null = connection.ops.adapt_json_value(None, field.encoder)

    def convert(value: Any) -> Any:
        if value is None:
            return json_null
        return field.get_db_prep_save(field.to_python(value), connection)

    return convert


def _has_rows(connection: BaseDatabaseWrapper, table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
        return cursor.fetchone() is not None


def _insert_table(
    archive: zipfile.ZipFile,
    model: type[models.Model],
    connection: BaseDatabaseWrapper,
    progress: JobProgress,
) -> None:
    table = model._meta.db_table
    fields = model._meta.concrete_fields
    converters = [_converter(f, connection) for f in fields]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    batch: list[list[Any]] = []
    with archive.open(f"tables/{table}.jsonl") as member, connection.cursor() as cursor:
        for line in member:
            values = json.loads(line)
            if len(values) != len(fields):
                raise BackupError(f"The backup is damaged: a row of {table} has {len(values)} values.")
            batch.append([convert(v) for convert, v in zip(converters, values)])
            if len(batch) >= CHUNK_SIZE:
                cursor.executemany(sql, batch)
                progress.advance(len(batch), table)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            progress.advance(len(batch), table)


def restore_backup(
    path: str | os.PathLike, *, using: str = "default", force: bool = False, echo: bool = False
) -> dict:
    """Restore the backup at ``path`` into database ``using``; returns its manifest.

    The target must be migrated to the backup's migration state and hold no data beyond
    what migrations create (``seeded_tables``), unless ``force`` — then its data in every
    backed-up table is replaced. Everything happens in one transaction: the rows are
    inserted with plain INSERTs (no ``save()``, so ``auto_now`` keeps its hands off the
    timestamps; the append-only trigger on the audit log refuses UPDATEs only), in any
    table order — Django creates foreign keys DEFERRABLE INITIALLY DEFERRED on SQLite and
    PostgreSQL, and they are checked once all rows are in. Sequences are reset, then the
    restored tables' fingerprints must equal the manifest's, or nothing is kept.
    """
    path = Path(path)
    connection = connections[using]
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise BackupError(f"Cannot read {path}: {exc}") from exc
    with archive:
        manifest = _read_manifest(archive)
        models_ = _check_compatible(manifest, using)
        _check_members(archive, manifest)
        progress = _ConsoleProgress(
            f"Restore ← {path.name}", sum(t["rows"] for t in manifest["tables"].values()), echo=echo
        )
        expected = {t: (info["rows"], info["sha256"]) for t, info in manifest["tables"].items()}
        seeded = seeded_tables()
        try:
            with transaction.atomic(using=using):
                tables = [m._meta.db_table for m in models_]
                occupied = [t for t in tables if t not in seeded and _has_rows(connection, t)]
                if occupied and not force:
                    raise BackupError(
                        f"The target database is not empty ({', '.join(occupied[:8])}"
                        f"{', …' if len(occupied) > 8 else ''}). Restore into a freshly migrated "
                        "database, or pass --force to replace its data."
                    )
                with connection.cursor() as cursor:
                    for table in tables if force else sorted(seeded & set(tables)):
                        cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
                for model in models_:
                    _insert_table(archive, model, connection, progress)
                with connection.cursor() as cursor:
                    for statement in connection.ops.sequence_reset_sql(no_style(), models_):
                        cursor.execute(statement)
                connection.check_constraints()
                restored = _fingerprints_on(using)
                if restored != expected:
                    wrong = sorted(t for t in expected if restored.get(t) != expected[t])
                    raise BackupError(
                        f"The restored data does not match the backup (tables {', '.join(wrong)}); "
                        "nothing was restored."
                    )
        except DatabaseError as exc:
            raise BackupError(f"The restore failed and was rolled back: {exc}") from exc
        progress.finish()
    return manifest

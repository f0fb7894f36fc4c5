"""Job runs with progress (ORG-07): what the jobs page and the CLI progress bar read.

    with job_run("demo.load", label="...", total=n) as job:
        ...
        job.advance(500)

Progress is written in its own short statements (outside any batch transaction of the
caller's chunks), at most every ``min_interval`` seconds, so a page polling the row sees it
move without slowing the work down.
"""

from __future__ import annotations

import sys
import time
import traceback
from contextlib import contextmanager
from typing import Any, Iterator

from django.db import transaction
from django.utils import timezone

from kams.system.models import JobRun, JobState


class JobProgress:
    def __init__(self, run: JobRun, *, echo: bool, min_interval: float = 0.5) -> None:
        self.run = run
        self.echo = echo
        self.min_interval = min_interval
        self._last_write = 0.0

    def set_total(self, total: int) -> None:
        self.run.progress_total = total
        self._write(force=True)

    def advance(self, n: int = 1, message: str = "") -> None:
        self.run.progress_done += n
        if message:
            self.run.message = message[:300]
        self._write()

    def _write(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_write < self.min_interval:
            return
        self._last_write = now
        JobRun.objects.filter(pk=self.run.pk).update(
            progress_done=self.run.progress_done,
            progress_total=self.run.progress_total,
            message=self.run.message,
        )
        if self.echo:
            print_progress(self.run)


def print_progress(run: JobRun) -> None:
    width = 30
    filled = int(width * run.percent / 100)
    bar = "#" * filled + "-" * (width - filled)
    sys.stderr.write(
        f"\r{run.label or run.name} [{bar}] {run.percent:3d}% "
        f"{run.progress_done}/{run.progress_total} {run.message[:40]:<40}"
    )
    sys.stderr.flush()


@contextmanager
def job_run(
    name: str,
    *,
    label: str = "",
    total: int = 0,
    params: dict | None = None,
    actor: Any = None,
    echo: bool = False,
    run: JobRun | None = None,
) -> Iterator[JobProgress]:
    """Record a job run around a block: running → succeeded, or failed with the error."""
    if transaction.get_connection().in_atomic_block:
        # The row must be visible to other sessions while the job runs.
        raise RuntimeError("job_run must not be started inside a transaction")
    if run is None:
        run = JobRun.objects.create(
            name=name, label=label, params=params or {}, progress_total=total, started_by=actor
        )
    run.state = JobState.RUNNING
    run.started_at = timezone.now()
    run.progress_total = total or run.progress_total
    run.save(update_fields=["state", "started_at", "progress_total"])
    progress = JobProgress(run, echo=echo)
    try:
        yield progress
    except BaseException as exc:
        run.state = JobState.FAILED
        run.error = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:5000]
        run.finished_at = timezone.now()
        run.save(update_fields=["state", "error", "finished_at", "progress_done", "message"])
        if echo:
            sys.stderr.write("\n")
        raise
    else:
        run.state = JobState.SUCCEEDED
        run.finished_at = timezone.now()
        if run.progress_total and run.progress_done < run.progress_total:
            run.progress_done = run.progress_total
        run.save(
            update_fields=["state", "finished_at", "progress_done", "progress_total", "message", "result"]
        )
        if echo:
            print_progress(run)
            sys.stderr.write("\n")

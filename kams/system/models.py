"""System parameters (ORG-06) and background job runs (ORG-07)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kams.org.scoping import UNSCOPED, ScopedQuerySet


class SystemParameter(models.Model):
    """系统参数 — the stored value of a parameter declared in code (``kams.system.parameters``).

    A parameter without a row has its declared default."""

    key = models.CharField(_("key"), max_length=100, unique=True)
    value = models.JSONField(_("value"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        verbose_name = _("system parameter")
        verbose_name_plural = _("system parameters")

    def __str__(self) -> str:
        return self.key


class ParameterChange(models.Model):
    """One change of a parameter: who, when, from what to what, why."""

    key = models.CharField(_("key"), max_length=100, db_index=True)
    old_value = models.JSONField(_("old value"), null=True)
    new_value = models.JSONField(_("new value"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("parameter change")
        verbose_name_plural = _("parameter changes")


class JobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class JobRun(models.Model):
    """One run of a background or command-line job, with its progress (ORG-07)."""

    name = models.CharField(_("job"), max_length=100, db_index=True)
    label = models.CharField(_("description"), max_length=200, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=JobState.choices, default=JobState.QUEUED)
    progress_done = models.BigIntegerField(_("done"), default=0)
    progress_total = models.BigIntegerField(_("total"), default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    task_result_id = models.CharField(_("task ID"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    # Job runs are province-wide operations: who may see them is decided by permission.
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        indexes = [models.Index(fields=["state", "created_at"])]
        permissions = [("run_backup", _("Can start a backup"))]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.state == JobState.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(self.progress_done * 100 / self.progress_total))

    @property
    def duration(self):
        if not self.started_at:
            return None
        from django.utils import timezone

        return (self.finished_at or timezone.now()) - self.started_at


class ScheduledRun(models.Model):
    """One slot of a periodic job that the scheduler has enqueued. The unique (job, slot)
    pair is what makes the schedule safe with two schedulers or a restarted one: a slot is
    enqueued exactly once."""

    job = models.CharField(_("job"), max_length=100)
    slot = models.DateTimeField(_("slot"))
    enqueued_at = models.DateTimeField(_("enqueued at"), auto_now_add=True)
    task_result_id = models.CharField(_("task ID"), max_length=64, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        ordering = ["-slot"]
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="scheduled_run_once_per_slot")]
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")

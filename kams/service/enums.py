from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    """The seed's three service channels (绿色/黄色/红色通道) and everything else."""

    GREEN = "green", _("Green channel (acceptance)")
    YELLOW = "yellow", _("Yellow channel (complaints, billing)")
    RED = "red", _("Red channel (faults)")
    GENERAL = "general", _("General")


class CalendarKind(models.TextChoices):
    ALWAYS = "24x7", _("Calendar time (24×7)")
    WORKING = "working", _("Working time")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class CaseSource(models.TextChoices):
    """受理渠道: where the request came in."""

    CENTER = "center", _("Key-account centre")
    HOTLINE_1001 = "1001", _("1001 hotline")
    HOTLINE_10018 = "10018", _("10018 hotline")
    HOTLINE_10019 = "10019", _("10019 hotline")
    WEBSITE = "web", _("Club website")
    SHOP = "shop", _("Business hall")
    AGENT = "agent", _("Agent")
    MANAGER = "manager", _("Account manager")
    SYSTEM = "system", _("Other system (API)")


class ItemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class SlaState(models.TextChoices):
    ON_TIME = "on_time", _("On time")
    DUE_SOON = "due_soon", _("Due soon")
    LATE = "late", _("Late")


class EventKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    STEP_READY = "step_ready", _("Step ready")
    COMPLETED = "completed", _("Step completed")
    CLAIMED = "claimed", _("Claimed")
    HANDED_OVER = "handed_over", _("Handed over")
    WARNED = "warned", _("Deadline warning")
    ESCALATED = "escalated", _("Escalated")
    ACTION = "action", _("Action")
    NOTE = "note", _("Note")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class DefinitionSource(models.TextChoices):
    PACKAGE = "package", _("Shipped with KAMS")
    UPLOAD = "upload", _("Uploaded")

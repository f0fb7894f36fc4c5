"""Time limits (SVC-13): ISO-8601 durations counted in calendar time (24×7, for faults) or in
working time (office processes: working hours on working days, with the holiday calendar).

In working time a day is one working day's hours (``service.workday_start`` to
``service.workday_end``), so ``P0.5D`` (半天) is half of it and ``PT2H`` two working hours.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from kams.core.errors import InvalidInput
from kams.service.enums import CalendarKind

_DURATION = re.compile(
    r"^P(?:(?P<days>\d+(?:\.\d+)?)D)?(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?)?$"
)


def parse_limit(text: str) -> tuple[Decimal, int]:
    """``P1D`` → (1 day, 0 s); ``PT2H30M`` → (0, 9000 s). Raises InvalidInput otherwise."""
    match = _DURATION.match((text or "").strip())
    if not match or not any(match.groupdict().values()) or text.endswith("T"):
        raise InvalidInput(_("time limit: %(value)s is not a duration like PT30M, PT2H, P0.5D or P3D.") % {"value": text})
    days = Decimal(match["days"] or 0)
    seconds = int(Decimal(match["hours"] or 0) * 3600 + Decimal(match["minutes"] or 0) * 60)
    if days == 0 and seconds == 0:
        raise InvalidInput(_("time limit: %(value)s is zero; use PT10M for an immediate step.") % {"value": text})
    return days, seconds


def _clock(value: str) -> datetime.time:
    hour, minute = value.split(":")
    return datetime.time(int(hour), int(minute))


class WorkingCalendar:
    """Working days are Monday–Friday unless a ``Holiday`` says otherwise."""

    def __init__(self, start: datetime.time, end: datetime.time, holidays: dict[datetime.date, bool]):
        self.start, self.end, self.holidays = start, end, holidays
        self.day_seconds = (
            datetime.datetime.combine(datetime.date.min, end) - datetime.datetime.combine(datetime.date.min, start)
        ).total_seconds()

    @classmethod
    def load(cls, around: datetime.datetime) -> WorkingCalendar:
        from kams.service.models import Holiday
        from kams.system.parameters import param

        day = timezone.localtime(around).date()
        holidays = dict(
            Holiday.objects.filter(date__gte=day - datetime.timedelta(days=7), date__lte=day + datetime.timedelta(days=400))
            .values_list("date", "is_workday")
        )
        return cls(_clock(param("service.workday_start")), _clock(param("service.workday_end")), holidays)

    def is_working_day(self, day: datetime.date) -> bool:
        if day in self.holidays:
            return self.holidays[day]
        return day.weekday() < 5

    def add(self, moment: datetime.datetime, seconds: float) -> datetime.datetime:
        """``seconds`` of working time after ``moment``."""
        tz = timezone.get_current_timezone()
        local = timezone.localtime(moment)
        day = local.date()
        remaining = seconds
        for _i in range(3660):
            if self.is_working_day(day):
                opens = datetime.datetime.combine(day, self.start, tzinfo=tz)
                closes = datetime.datetime.combine(day, self.end, tzinfo=tz)
                begin = max(opens, local)
                if begin < closes:
                    available = (closes - begin).total_seconds()
                    if remaining <= available:
                        return begin + datetime.timedelta(seconds=remaining)
                    remaining -= available
            day += datetime.timedelta(days=1)
            local = datetime.datetime.combine(day, datetime.time(0, 0), tzinfo=tz)
        raise InvalidInput(_("time limit: no working time within ten years; check the holiday calendar."))


def limit_seconds(text: str, kind: str, calendar: WorkingCalendar | None) -> float:
    days, seconds = parse_limit(text)
    day_length = 86400 if kind == CalendarKind.ALWAYS else calendar.day_seconds
    return float(days) * day_length + seconds


def add_limit(
    moment: datetime.datetime, text: str, kind: str, *, fraction: float = 1.0, calendar: WorkingCalendar | None = None
) -> datetime.datetime:
    """The moment ``fraction`` of the limit ``text`` after ``moment`` in the given calendar."""
    if kind == CalendarKind.ALWAYS:
        return moment + datetime.timedelta(seconds=limit_seconds(text, kind, None) * fraction)
    calendar = calendar or WorkingCalendar.load(moment)
    return calendar.add(moment, limit_seconds(text, kind, calendar) * fraction)

"""Test support of the club's service information, reused by the member portal's tests.

``make_activity`` plans (and opens) an activity through the real services: by default a
Nanjing activity that started an hour ago and ends in three hours, so members can register
and their attendance can be confirmed at once.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone


def make_activity(province, *, actor: str = "js_club", unit: str = "NJ", name: str = "紫金山高尔夫邀请赛",
                  capacity: int = 10, points: int = 100, levels: Any = None, open_it: bool = True,
                  starts_at: datetime.datetime | None = None, **values: Any):
    from kams.clubinfo import services

    user = province.user(actor)
    starts_at = starts_at or timezone.now() - datetime.timedelta(hours=1)
    values.setdefault("ends_at", starts_at + datetime.timedelta(hours=4))
    activity = services.activity_save(
        actor=user, name=name, kind=values.pop("kind", "sports"), org_unit=province.units[unit],
        place=values.pop("place", "紫金山国际高尔夫球场"), starts_at=starts_at, capacity=capacity, points_reward=points,
        budget=values.pop("budget", Decimal("20000")), levels=levels, **values,
    )
    if open_it:
        activity = services.activity_open(actor=user, activity=activity)
    return activity

"""Lockout after repeated failed logins (ORG-09), by django-axes, tuned by system parameters."""

from datetime import timedelta

from kams.system.parameters import param


def failure_limit(request, credentials) -> int:
    return param("security.login_failure_limit")


def cooloff_time(request) -> timedelta:
    return timedelta(minutes=param("security.login_cooloff_minutes"))

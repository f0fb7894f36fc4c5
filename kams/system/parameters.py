"""系统参数 (ORG-06): typed parameters declared in code, stored values in the database.

Declare once, beside the code that reads it::

    LOGIN_FAILURE_LIMIT = declare("security.login_failure_limit", kind=Kind.INT, default=5,
                                  min_value=1, max_value=20, label=_("..."))

and read it anywhere through the one accessor: ``param("security.login_failure_limit")``.
Administrators change values on the parameters page; ``kams.system.services.parameter_set``
validates, records the change history and writes the audit log.
"""

from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class Kind:
    INT = "int"
    DECIMAL = "decimal"
    BOOL = "bool"
    TEXT = "text"
    CHOICE = "choice"
    DATE = "date"

    LABELS = {
        INT: _("Whole number"),
        DECIMAL: _("Decimal number"),
        BOOL: _("Switch"),
        TEXT: _("Text"),
        CHOICE: _("Choice"),
        DATE: _("Date"),
    }


@dataclass(frozen=True)
class Parameter:
    key: str
    kind: str
    default: Any
    label: Any
    help: Any = ""
    group: Any = ""
    min_value: Any = None
    max_value: Any = None
    choices: tuple[tuple[str, Any], ...] = field(default=())

    def clean(self, raw: Any) -> Any:
        """Turn user input (text from a form, or JSON from the API) into a typed value, or
        raise ``ValidationError`` with a translated message."""
        try:
            value = self._convert(raw)
        except (TypeError, ValueError, decimal.InvalidOperation):
            raise ValidationError(
                _("%(value)s is not a valid %(kind)s."),
                params={"value": raw, "kind": Kind.LABELS[self.kind]},
                code="invalid",
            ) from None
        if self.min_value is not None and value < self.min_value:
            raise ValidationError(
                _("The value must be at least %(min)s."), params={"min": self.min_value}, code="min"
            )
        if self.max_value is not None and value > self.max_value:
            raise ValidationError(
                _("The value must be at most %(max)s."), params={"max": self.max_value}, code="max"
            )
        if self.kind == Kind.CHOICE and value not in dict(self.choices):
            raise ValidationError(
                _("%(value)s is not one of the allowed choices."), params={"value": raw}, code="choice"
            )
        return value

    def _convert(self, raw: Any) -> Any:
        if self.kind == Kind.INT:
            if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
                raise ValueError(raw)
            return int(str(raw).strip())
        if self.kind == Kind.DECIMAL:
            value = decimal.Decimal(str(raw).strip())
            if not value.is_finite():
                raise ValueError(raw)
            return value
        if self.kind == Kind.BOOL:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in {"1", "true", "yes", "on"}:
                return True
            if text in {"0", "false", "no", "off", ""}:
                return False
            raise ValueError(raw)
        if self.kind == Kind.DATE:
            if isinstance(raw, datetime.date):
                return raw
            return datetime.date.fromisoformat(str(raw).strip())
        if raw is None:
            raise ValueError(raw)
        return str(raw).strip()

    def to_json(self, value: Any) -> Any:
        if self.kind == Kind.DECIMAL:
            return str(value)
        if self.kind == Kind.DATE:
            return value.isoformat()
        return value

    def from_json(self, stored: Any) -> Any:
        return self._convert(stored)


_registry: dict[str, Parameter] = {}


def declare(key: str, **kwargs: Any) -> Parameter:
    """Declare a parameter. Declaring the same key twice is a programming error."""
    parameter = Parameter(key=key, **kwargs)
    if key in _registry and _registry[key] != parameter:
        raise ValueError(f"parameter {key} declared twice")
    parameter.clean(parameter.default)
    _registry[key] = parameter
    return parameter


def definition(key: str) -> Parameter:
    try:
        return _registry[key]
    except KeyError:
        raise KeyError(f"unknown parameter {key}") from None


def definitions() -> list[Parameter]:
    return sorted(_registry.values(), key=lambda p: (str(p.group), p.key))


def param(key: str) -> Any:
    """The current value of a parameter: the stored one, else the declared default."""
    from kams.system.models import SystemParameter

    parameter = definition(key)
    stored = SystemParameter.objects.filter(key=key).values_list("value", flat=True).first()
    if stored is None:
        return parameter.default
    return parameter.from_json(stored)

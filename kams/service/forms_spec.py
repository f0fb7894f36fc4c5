"""Step and opening forms declared in the BPMN files (``form`` / ``start_form`` properties):
a JSON list of fields ``{"name", "type", "label", "label_en", "required", "choices"}``.

``form_fields`` checks a declaration; ``form_clean`` turns submitted values into JSON-safe
case data (dates as ISO text, decimals as numbers so gateway conditions can compare them)
or raises InvalidInput naming every bad field; ``django_form`` builds the page's form.
"""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kams.core.errors import InvalidInput

TYPES = ("text", "textarea", "bool", "int", "decimal", "date", "datetime", "choice")
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


def form_fields(raw: Any) -> list[dict]:
    """The checked field list of a ``form`` property (JSON text or list)."""
    if raw in (None, ""):
        return []
    try:
        fields = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError as exc:
        raise ValueError(f"form is not JSON: {exc}") from None
    if not isinstance(fields, list):
        raise ValueError("form must be a JSON list of fields")
    seen = set()
    for field in fields:
        if not isinstance(field, dict) or not _NAME.match(str(field.get("name", ""))):
            raise ValueError(f"form field {field!r} needs a lower-case name")
        if field.get("type") not in TYPES:
            raise ValueError(f"form field {field['name']}: type must be one of {', '.join(TYPES)}")
        if field["name"] in seen:
            raise ValueError(f"form field {field['name']} appears twice")
        seen.add(field["name"])
        if field["type"] == "choice" and not field.get("choices"):
            raise ValueError(f"form field {field['name']}: a choice needs choices")
    return fields


def label_of(field: dict) -> str:
    if field.get("label_en") and (get_language() or "").startswith("en"):
        return field["label_en"]
    return field.get("label") or field["name"]


def _choice_label(choice: list) -> str:
    if len(choice) > 2 and (get_language() or "").startswith("en"):
        return choice[2]
    return choice[1] if len(choice) > 1 else choice[0]


def _value(field: dict, raw: Any) -> Any:
    kind = field["type"]
    if kind == "bool":
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in ("true", "1", "yes", "y", "on", "是"):
            return True
        if text in ("false", "0", "no", "n", "off", "否"):
            return False
        raise ValueError(_("answer yes or no"))
    if kind == "int":
        return int(str(raw).strip())
    if kind == "decimal":
        try:
            return float(Decimal(str(raw).strip()))
        except InvalidOperation:
            raise ValueError(_("enter a number")) from None
    if kind == "date":
        value = raw if isinstance(raw, datetime.date) else parse_date(str(raw).strip())
        if value is None:
            raise ValueError(_("enter a date like 2026-11-24"))
        return value.isoformat()
    if kind == "datetime":
        value = raw if isinstance(raw, datetime.datetime) else parse_datetime(str(raw).strip())
        if value is None:
            raise ValueError(_("enter a date and time like 2026-11-24 09:30"))
        return value.isoformat()
    if kind == "choice":
        allowed = [str(c[0]) for c in field["choices"]]
        if str(raw) not in allowed:
            raise ValueError(_("choose one of %(choices)s") % {"choices": ", ".join(allowed)})
        return str(raw)
    text = str(raw).strip()
    if len(text) > (4000 if kind == "textarea" else 300):
        raise ValueError(_("too long"))
    return text


def form_clean(fields: list[dict], submitted: dict[str, Any]) -> dict[str, Any]:
    """Validate ``submitted`` against ``fields``. Unknown keys are ignored."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for field in fields:
        raw = submitted.get(field["name"])
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if field.get("required", False) or field["type"] == "bool" and field.get("required", True):
                problems.append(_("%(field)s: this field is required.") % {"field": label_of(field)})
            continue
        try:
            values[field["name"]] = _value(field, raw)
        except (TypeError, ValueError) as exc:
            message = str(exc) if str(exc) and not str(exc).startswith("invalid literal") else _("not valid")
            problems.append(f"{label_of(field)}: {message}")
    if problems:
        raise InvalidInput(" ".join(problems))
    return values


def django_form(fields: list[dict], *, data: Any = None, initial: dict | None = None, prefix: str | None = None) -> forms.Form:
    """A plain Django form for a step, so pages render and validate it like any other."""
    form = forms.Form(data=data, initial=initial, prefix=prefix)
    for field in fields:
        label, required = label_of(field), bool(field.get("required", False))
        kind = field["type"]
        if kind == "bool":
            form_field = forms.TypedChoiceField(
                label=label, choices=[("true", _("Yes")), ("false", _("No"))], widget=forms.RadioSelect,
                required=field.get("required", True),
            )
        elif kind == "choice":
            form_field = forms.ChoiceField(label=label, choices=[(c[0], _choice_label(c)) for c in field["choices"]], required=required)
        elif kind == "int":
            form_field = forms.IntegerField(label=label, required=required)
        elif kind == "decimal":
            form_field = forms.DecimalField(label=label, required=required, max_digits=14, decimal_places=2)
        elif kind == "date":
            form_field = forms.DateField(label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}))
        elif kind == "datetime":
            form_field = forms.DateTimeField(
                label=label, required=required, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
            )
        elif kind == "textarea":
            form_field = forms.CharField(label=label, required=required, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
        else:
            form_field = forms.CharField(label=label, required=required, max_length=300)
        form.fields[field["name"]] = form_field
    return form

"""TMF630 attribute filtering and sorting.

A viewset declares the attributes a client may filter and sort on, as TMF attribute name →
ORM lookup path::

    tmf_filter_fields = {
        "name": "name",
        "status": "status",
        "validFor.startDateTime": "valid_from",
        "creationDate": "created_at",
    }

and the query string then supports:

* ``status=active`` — equality; ``status=active,pending`` — any of the values (``__in``);
* ``creationDate.gt=…``, ``.gte``, ``.lt``, ``.lte`` — comparisons on date, date-time and
  number attributes; several parameters are combined with AND;
* ``sort=creationDate`` / ``sort=-creationDate,name`` — ordering over the same attributes.

``id`` is always filterable and sortable (on the primary key). Values are parsed by the
model field's own ``to_python`` (booleans as the JSON literals ``true``/``false``), so
"2024-05-01" is a date and "12.5" a decimal exactly as the column expects; a date-time
without an offset is in the server's time zone; a value that does not parse is a 400.

Unknown query parameters are a 400, not ignored: a misspelt filter that was silently
dropped would answer with (and let a client export or act on) every row in scope. The
reserved parameters ``fields``, ``offset``, ``limit`` and ``sort`` (and DRF's ``format``) are
never filters; a viewset may name further ones in ``tmf_extra_params``.

Filtering applies to collections only; a detail request is looked up by its id alone.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.filters import BaseFilterBackend
from rest_framework.request import Request
from rest_framework.settings import api_settings

from kams.tmf.errors import InvalidQuery

SORT_QUERY_PARAM = "sort"
RESERVED_PARAMS = frozenset({"fields", "offset", "limit", SORT_QUERY_PARAM})
COMPARISONS = {"gt": "gt", "gte": "gte", "lt": "lt", "lte": "lte"}
ORDERED_FIELD_TYPES: tuple[type[models.Field], ...] = (
    models.DateField,  # DateTimeField is a DateField subclass
    models.TimeField,
    models.IntegerField,
    models.FloatField,
    models.DecimalField,
    models.DurationField,
)


class TMFAttributeFilterBackend(BaseFilterBackend):
    """Filters and sorts a collection by the view's ``tmf_filter_fields``."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view: Any) -> QuerySet:
        if getattr(view, "detail", False):
            return queryset
        attributes = filter_attributes(view)
        spans_many = False
        ignored = {*RESERVED_PARAMS, api_settings.URL_FORMAT_OVERRIDE, *getattr(view, "tmf_extra_params", ())}
        for param, values in request.query_params.lists():
            if param in ignored:
                continue
            attribute, operator = _split_param(param, attributes)
            path = attributes[attribute]
            field, many = _model_field(queryset.model, path)
            spans_many |= many
            for raw in values:
                if operator == "exact":
                    parsed = [_parse(field, attribute, item) for item in raw.split(",")]
                    lookup = {path: parsed[0]} if len(parsed) == 1 else {f"{path}__in": parsed}
                else:
                    if not isinstance(field, ORDERED_FIELD_TYPES):
                        raise InvalidQuery(
                            _("“%(attribute)s” cannot be compared with “.%(operator)s”.")
                            % {"attribute": attribute, "operator": operator}
                        )
                    lookup = {f"{path}__{COMPARISONS[operator]}": _parse(field, attribute, raw)}
                queryset = queryset.filter(**lookup)
        if spans_many:
            # A filter through a to-many relation yields a row per matching related row.
            queryset = queryset.distinct()
        ordering = request.query_params.get(SORT_QUERY_PARAM)
        if ordering:
            queryset = queryset.order_by(*sort_keys(ordering, attributes), "pk")
        return queryset

    def get_schema_operation_parameters(self, view: Any) -> list[dict]:
        attributes = sorted(filter_attributes(view))
        parameters = [
            {
                "name": attribute,
                "required": False,
                "in": "query",
                "description": "Equal to the value, or to any of comma-separated values; "
                f"compare with {attribute}.gt, .gte, .lt or .lte",
                "schema": {"type": "string"},
            }
            for attribute in attributes
        ]
        parameters.append(
            {
                "name": SORT_QUERY_PARAM,
                "required": False,
                "in": "query",
                "description": "Comma-separated attributes to sort by; prefix with - for descending: "
                + ", ".join(attributes),
                "schema": {"type": "string"},
            }
        )
        return parameters


def filter_attributes(view: Any) -> Mapping[str, str]:
    """The view's TMF attribute → ORM path mapping, with ``id`` always present."""
    return {"id": "pk", **getattr(view, "tmf_filter_fields", {})}


def sort_keys(ordering: str, attributes: Mapping[str, str]) -> list[str]:
    keys = []
    for item in (part.strip() for part in ordering.split(",")):
        descending = item.startswith("-")
        attribute = item.lstrip("+-")
        if attribute not in attributes:
            raise InvalidQuery(
                _("Cannot sort by “%(attribute)s”. Sortable attributes: %(allowed)s.")
                % {"attribute": attribute, "allowed": _listing(attributes)}
            )
        keys.append(("-" if descending else "") + attributes[attribute])
    return keys


def _split_param(param: str, attributes: Mapping[str, str]) -> tuple[str, str]:
    """``creationDate.gte`` → ``("creationDate", "gte")``. Attribute names may themselves
    contain dots (``validFor.startDateTime``), so a whole-name match wins."""
    if param in attributes:
        return param, "exact"
    attribute, _dot, operator = param.rpartition(".")
    if attribute in attributes and operator in COMPARISONS:
        return attribute, operator
    raise InvalidQuery(
        _("Unknown query parameter “%(param)s”. Filterable attributes: %(allowed)s.")
        % {"param": param, "allowed": _listing(attributes)}
    )


def _model_field(model: type[models.Model], path: str) -> tuple[models.Field, bool]:
    """The model field at the end of an ORM path such as ``owner__org_unit__name``, and
    whether the path goes through a to-many relation."""
    field: Any = None
    many = False
    for name in path.split("__"):
        if field is not None:
            model = field.related_model
        try:
            field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        except FieldDoesNotExist as exc:
            message = f"{model.__name__} has no field {name!r} (tmf_filter_fields: {path!r})"
            raise LookupError(message) from exc
        many |= bool(field.many_to_many or field.one_to_many)
    if field.is_relation:
        return field.target_field, many
    return field, many


def _parse(field: models.Field, attribute: str, raw: str) -> Any:
    text = raw.strip()
    if isinstance(field, models.DateTimeField) and "T" in text:
        # An unencoded "+08:00" offset arrives as " 08:00".
        text = text.replace(" ", "+")
    if isinstance(field, models.BooleanField):
        # JSON literals, as the attribute appears in the resource; Django's own parser
        # wants "True"/"False".
        value = {"true": True, "false": False}.get(text)
    else:
        try:
            value = field.to_python(text)
        except ValidationError:
            value = None
    if value is None:
        raise InvalidQuery(
            _("“%(value)s” is not a valid value for “%(attribute)s”.")
            % {"value": raw, "attribute": attribute}
        )
    if isinstance(value, datetime.datetime) and timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def _listing(names: Iterable[str]) -> str:
    return ", ".join(sorted(names))

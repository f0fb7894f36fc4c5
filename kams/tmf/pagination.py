"""TMF630 paging: ``offset``/``limit`` in, a bare JSON array out, counts in headers.

TMF collections are plain arrays (no ``{"count", "results"}`` envelope); the total number of
matching resources travels in ``X-Total-Count`` and the size of this page in
``X-Result-Count``, as the TMF Open API specifications declare for every ``GET`` collection.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response

from kams.tmf.errors import InvalidQuery

TOTAL_COUNT_HEADER = "X-Total-Count"
RESULT_COUNT_HEADER = "X-Result-Count"


class TMFPagination(BasePagination):
    offset_query_param = "offset"
    limit_query_param = "limit"
    default_limit = 100
    max_limit = 1000

    def paginate_queryset(self, queryset: QuerySet, request: Request, view: Any = None) -> list:
        offset = self._integer(request, self.offset_query_param, default=0, high=None)
        limit = self._integer(
            request, self.limit_query_param, default=self.default_limit, high=self.max_limit
        )
        if not queryset.ordered:
            # Slicing an unordered queryset may repeat or skip rows between pages.
            queryset = queryset.order_by("pk")
        self.total_count = queryset.count()
        self.page = list(queryset[offset : offset + limit]) if offset < self.total_count else []
        return self.page

    def get_paginated_response(self, data: list) -> Response:
        return Response(
            data,
            headers={TOTAL_COUNT_HEADER: str(self.total_count), RESULT_COUNT_HEADER: str(len(data))},
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return schema

    def get_schema_operation_parameters(self, view: Any) -> list[dict]:
        return [
            {
                "name": self.offset_query_param,
                "required": False,
                "in": "query",
                "description": "Requested index for start of resources to be provided in response",
                "schema": {"type": "integer", "minimum": 0, "default": 0},
            },
            {
                "name": self.limit_query_param,
                "required": False,
                "in": "query",
                "description": "Requested number of resources to be provided in response",
                "schema": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": self.max_limit,
                    "default": self.default_limit,
                },
            },
        ]

    def _integer(self, request: Request, name: str, *, default: int, high: int | None) -> int:
        """A non-negative integer parameter; anything else is a 400, never silently replaced,
        so a client's typo does not quietly turn into a different page."""
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            return default
        value = int(raw) if raw.isascii() and raw.isdigit() else -1
        if value < 0 or (high is not None and value > high):
            if high is None:
                message = _("“%(param)s” must be a whole number of 0 or more, not “%(value)s”.")
            else:
                message = _("“%(param)s” must be a whole number from 0 to %(high)s, not “%(value)s”.")
            raise InvalidQuery(message % {"param": name, "value": raw, "high": high})
        return value

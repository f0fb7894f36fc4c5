"""One list page for every domain: scoped queryset → filters → sort → page, or Excel.

    class StaffList(ListPage):
        model = Staff
        permission_required = "org.view_staff"
        filterset_class = StaffFilter
        columns = [(_("Name"), lambda s: s.name), ...]
        sort_fields = {"name": "name", "unit": "org_unit__path"}
        export_name = "staff"

A list read through a domain's scoped selector sets ``rows_for = staticmethod(selector)``
(called with the user) instead of ``model``; ``row_route`` names the page a row opens.
"""

from collections.abc import Callable
from typing import Any

from django.core.paginator import Paginator
from django.urls import reverse
from django.views.generic import TemplateView

from kams.org.scoping import ScopedPageMixin
from kams.system.parameters import param
from kams.web.exports import Column, xlsx_response


class ListPage(ScopedPageMixin, TemplateView):
    model: Any = None
    filterset_class: Any = None
    columns: list[Column] = []
    sort_fields: dict[str, str] = {}
    default_sort: str = ""
    export_name: str = "export"
    title: Any = ""
    template_name = "web/list.html"
    rows_for: Callable[[Any], Any] | None = None  # a scoped selector: rows_for(user)
    row_route: str = ""  # the URL name of a row's page, reversed with its pk

    def get_base_queryset(self):
        return self.model._default_manager.all()

    def get_queryset(self):
        if self.rows_for is not None:
            return self.rows_for(self.request.user)
        return self.get_base_queryset().visible_to(self.request.user)

    def filtered(self):
        queryset = self.get_queryset()
        self.filterset = None
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(self.request.GET or None, queryset=queryset, request=self.request)
            queryset = self.filterset.qs if self.filterset.is_bound and self.filterset.is_valid() else queryset
        sort = self.request.GET.get("sort", self.default_sort)
        key = sort.lstrip("-")
        if key in self.sort_fields:
            field = self.sort_fields[key]
            queryset = queryset.order_by(("-" if sort.startswith("-") else "") + field, "pk")
        self.sort = sort
        return queryset

    def prepare(self, rows: list[Any]) -> list[Any]:
        """Last look at a page (or an export chunk) of rows before they are shown, e.g. to
        mask personal data the reader may not see."""
        return rows

    def _prepared(self, rows):
        chunk: list[Any] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == 2000:
                yield from self.prepare(chunk)
                chunk = []
        yield from self.prepare(chunk)

    def row_url(self, row: Any) -> str | None:
        """The detail page of a row, linked from its first cell."""
        return reverse(self.row_route, args=[row.pk]) if self.row_route else None

    def get(self, request, *args, **kwargs):
        self.object_list = self.filtered()
        if request.GET.get("export") == "xlsx":
            return xlsx_response(
                rows=self._prepared(self.object_list.iterator(chunk_size=2000)),
                columns=self.columns,
                filename=self.export_name,
                sheet=str(self.title),
            )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paginator = Paginator(self.object_list, param("ui.page_size"))
        page = paginator.get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        export_query = query.copy()
        export_query["export"] = "xlsx"
        context.update(
            {
                "title": self.title,
                "filter": self.filterset,
                "page_obj": page,
                "table": [
                    {"url": self.row_url(row), "cells": [getter(row) for _title, getter in self.columns]}
                    for row in self.prepare(list(page.object_list))
                ],
                "columns": self.columns,
                "header": [title for title, _getter in self.columns],
                "query": query.urlencode(),
                "export_url": "?" + export_query.urlencode(),
                "sort": self.sort,
                "sort_fields": self.sort_fields,
            }
        )
        return context

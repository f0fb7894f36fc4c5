"""TMF630 attribute selection: ``?fields=name,status`` returns only those attributes.

The identifying attributes ``id``, ``href`` and ``@type`` are always kept so a partial
resource can still be recognised and followed. Unknown names are ignored (the specifications
allow a server to return what it has). A dotted name (``validFor.startDateTime``) selects its
top-level attribute (``validFor``): selection works on whole attributes, not inside them.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers
from rest_framework.request import Request

FIELDS_QUERY_PARAM = "fields"
ALWAYS_SELECTED = frozenset({"id", "href", "@type"})


def selected_fields(request: Request | None) -> frozenset[str] | None:
    """The top-level attribute names asked for, or None when every attribute is wanted."""
    if request is None or request.method not in ("GET", "HEAD"):
        return None
    raw = request.query_params.get(FIELDS_QUERY_PARAM)
    if not raw:
        return None
    names = {part.strip().split(".", 1)[0] for part in raw.split(",")}
    return frozenset(name for name in names if name) | ALWAYS_SELECTED


class FieldSelectionMixin:
    """Serializer mixin that drops the attributes ``?fields=`` did not ask for.

    Fields are dropped before serialization (in ``get_fields``), so unselected method fields
    and their queries are never evaluated. Only the top-level resource is trimmed, never a
    nested serializer of another resource, and only on reads, so validation of a write is
    never affected.
    """

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()  # type: ignore[misc]
        if not self._is_top_level():
            return fields
        wanted = selected_fields(self.context.get("request"))  # type: ignore[attr-defined]
        if wanted is None:
            return fields
        return {name: field for name, field in fields.items() if name in wanted}

    def _is_top_level(self) -> bool:
        parent: Any = getattr(self, "parent", None)
        if parent is None:
            return True
        return isinstance(parent, serializers.ListSerializer) and parent.parent is None

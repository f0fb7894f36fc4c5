"""The TMF resource serializer: ``id``, ``href``, ``@type`` (and optionally ``@baseType`` and
``@schemaLocation``) around a model's own attributes, plus ``fields=`` selection.

Subclasses name TMF attributes as fields, with ``source=`` for the model column::

    class CustomerSerializer(TMFModelSerializer):
        creationDate = serializers.DateTimeField(source="created_at", read_only=True)
        validFor = TimePeriodSerializer(source="*")

        class Meta:
            model = Customer
            fields = ["name", "status", "creationDate", "validFor"]
            tmf_type = "Customer"

``@type`` is ``Meta.tmf_type``, else the view's ``tmf_type``, else the model's class name.
``@baseType`` and ``@schemaLocation`` appear when ``Meta.tmf_base_type`` and
``Meta.tmf_schema_location`` are set. ``href`` is the absolute URL of the resource's detail
route: the current viewset's route when the object is of the viewset's own model, else the
route named in ``Meta.tmf_url_name`` (a resource serialized somewhere else, e.g. a reference
nested in another resource), else null.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.db import models
from rest_framework import serializers
from rest_framework.reverse import reverse

from kams.tmf.fields import FieldSelectionMixin


class TMFIdentityMixin:
    """Adds the TMF identity attributes around a serializer's own fields.

    They are built in ``get_fields`` rather than declared because ``@type`` is not a Python
    identifier. The order follows the TMF examples: ``id`` and ``href`` first, the
    ``@``-attributes last.
    """

    def get_fields(self) -> dict[str, serializers.Field]:
        meta = getattr(self, "Meta", None)
        own = super().get_fields()  # type: ignore[misc]
        own.pop("id", None)  # replaced by the string form below
        fields: dict[str, serializers.Field] = {
            "id": serializers.CharField(source="pk", read_only=True),
            "href": serializers.SerializerMethodField(method_name="get_href"),
            **own,
        }
        if getattr(meta, "tmf_base_type", None):
            fields["@baseType"] = serializers.SerializerMethodField(method_name="get_tmf_base_type")
        if getattr(meta, "tmf_schema_location", None):
            fields["@schemaLocation"] = serializers.SerializerMethodField(
                method_name="get_tmf_schema_location"
            )
        fields["@type"] = serializers.SerializerMethodField(method_name="get_tmf_type")
        return fields

    def get_href(self, obj: models.Model) -> str | None:
        context: dict[str, Any] = self.context  # type: ignore[attr-defined]
        url_name = getattr(getattr(self, "Meta", None), "tmf_url_name", None)
        if url_name:
            return reverse(url_name, kwargs={"pk": obj.pk}, request=context.get("request"))
        view = context.get("view")
        if self._view_model is None or not isinstance(obj, self._view_model):
            return None
        lookup_kwarg = view.lookup_url_kwarg or view.lookup_field
        return view.reverse_action("detail", kwargs={lookup_kwarg: getattr(obj, view.lookup_field)})

    def get_tmf_type(self, obj: models.Model) -> str:
        meta_type = getattr(getattr(self, "Meta", None), "tmf_type", None)
        view_type = getattr(self.context.get("view"), "tmf_type", None)  # type: ignore[attr-defined]
        return meta_type or view_type or type(obj).__name__

    def get_tmf_base_type(self, obj: models.Model) -> str:
        return self.Meta.tmf_base_type  # type: ignore[attr-defined]

    def get_tmf_schema_location(self, obj: models.Model) -> str:
        return self.Meta.tmf_schema_location  # type: ignore[attr-defined]

    @cached_property
    def _view_model(self) -> type[models.Model] | None:
        """The model the current viewset serves (its detail route builds ``href``), looked up
        once per serializer rather than once per row."""
        view = self.context.get("view")  # type: ignore[attr-defined]
        if view is None or not getattr(view, "basename", None):
            return None
        return view.get_queryset().model


class TMFModelSerializer(FieldSelectionMixin, TMFIdentityMixin, serializers.ModelSerializer):
    """Base of every TMF resource serializer (see the module docstring)."""

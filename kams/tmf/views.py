"""The TMF resource viewset: list, retrieve, create, partial update and delete.

    class CustomerViewSet(TMFModelViewSet):
        queryset = Customer.objects.select_related("org_unit")
        serializer_class = CustomerSerializer
        tmf_type = "Customer"
        tmf_filter_fields = {"name": "name", "status": "status", "creationDate": "created_at"}

        def perform_create(self, serializer):
            return services.customer_create(actor=self.request.user, **serializer.validated_data)

        def perform_update(self, serializer):
            return services.customer_update(
                actor=self.request.user, customer=serializer.instance, **serializer.validated_data
            )

        def perform_destroy(self, instance):
            services.customer_delete(actor=self.request.user, customer=instance)

Writes go through the domain's service functions (audit, rules, scope checks on the target
org unit live there), so the base ``perform_*`` hooks refuse with 405: a domain that does not
route a write through a service does not get that write at all. ``perform_create`` and
``perform_update`` return the saved instance (or leave it on ``serializer.instance`` as
``serializer.save()`` does), which is then serialized for the response.

Reads always pass ``ScopeFilterBackend`` first, so a list never holds, and a detail request
answers 404 for, anything outside the caller's data scope (ORG-03).

Behaviour per TMF630: collections are bare arrays paged by ``offset``/``limit`` with
``X-Total-Count``/``X-Result-Count`` headers; ``POST`` answers 201 with ``Location``;
``PATCH`` accepts ``application/json`` and ``application/merge-patch+json``; ``DELETE``
answers 204; ``PUT`` is not offered (405), TMF resources being updated by ``PATCH`` only.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from kams.org.scoping import ScopeFilterBackend
from kams.tmf.filters import TMFAttributeFilterBackend
from kams.tmf.pagination import TMFPagination
from kams.tmf.parsers import MergePatchJSONParser


class TMFModelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Base of every TMF resource endpoint (see the module docstring).

    There is deliberately no ``update`` action: without it the router maps no ``PUT`` and DRF
    answers 405 with the TMF error body.
    """

    tmf_type: str = ""
    tmf_filter_fields: dict[str, str] = {}
    filter_backends = [ScopeFilterBackend, TMFAttributeFilterBackend]
    pagination_class = TMFPagination
    parser_classes = [JSONParser, MergePatchJSONParser]
    renderer_classes = [JSONRenderer]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = self.perform_create(serializer) or serializer.instance
        data = self.get_serializer(instance).data
        headers = {"Location": data["href"]} if data.get("href") else {}
        return Response(data, status=status.HTTP_201_CREATED, headers=headers)

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        serializer = self.get_serializer(instance, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        instance = self.perform_update(serializer) or serializer.instance
        return Response(self.get_serializer(instance).data)

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.perform_destroy(self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def perform_create(self, serializer: BaseSerializer) -> models.Model | None:
        """Create through the domain's service and return the new instance."""
        raise MethodNotAllowed(self.request.method)

    def perform_update(self, serializer: BaseSerializer) -> models.Model | None:
        """Update ``serializer.instance`` through the domain's service with
        ``serializer.validated_data`` (only the attributes sent) and return it."""
        raise MethodNotAllowed(self.request.method)

    def perform_destroy(self, instance: models.Model) -> None:
        """Delete (or retire) ``instance`` through the domain's service."""
        raise MethodNotAllowed(self.request.method)

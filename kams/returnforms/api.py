"""REST API of the return forms under /api/v1/channels/returns/ (CH-08, CH-09).

Reads are scoped by the default ``ScopeFilterBackend``; writes go through
``kams.returnforms.services``. Agents and customers named in a body must be in scope (else 404).
"""

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from kams.channels.models import Agent
from kams.core.errors import InvalidInput
from kams.customers.api import CustomerApiPermissions
from kams.customers.models import Customer
from kams.returnforms import services
from kams.returnforms.filters import EntryFilter, HandoverFilter
from kams.returnforms.models import FormEntry, Handover
from kams.returnforms.receipt import receipt_pdf
from kams.returnforms.serializers import (
    FormEntryCreateSerializer,
    FormEntrySerializer,
    HandoverCreateSerializer,
    HandoverDetailSerializer,
    HandoverSerializer,
)


def _agent(request, agent) -> Agent:
    return Agent.objects.visible_to(request.user).get_visible(request.user, pk=agent.pk)


class HandoverViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """返单交接: list, read, create (only while ``channels.return_handover`` is on) and the
    receipt as PDF."""

    queryset = Handover.objects.select_related("agent", "received_by").all()
    filterset_class = HandoverFilter
    permission_classes = [CustomerApiPermissions]
    action_perms = {"create": ["returnforms.add_handover"], "receipt": ["returnforms.view_handover"]}

    def get_serializer_class(self):
        return HandoverDetailSerializer if self.action == "retrieve" else HandoverSerializer

    @extend_schema(request=HandoverCreateSerializer, responses={201: HandoverDetailSerializer})
    def create(self, request):
        data = HandoverCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        lines = [(line["msisdn"].strip(), line["subscriber_name"].strip()) for line in values.get("lines") or []]
        lines += services.parse_numbers(values["numbers"])
        received_by = values.get("received_by")
        handover = services.handover_create(
            actor=request.user, agent=_agent(request, values["agent"]), lines=lines, received_by=received_by,
            handed_at=values.get("handed_at"), note=values["note"],
        )
        return Response(HandoverDetailSerializer(handover).data, status=status.HTTP_201_CREATED)

    @extend_schema(operation_id="api_v1_channels_returns_handovers_receipt",
                   responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY)})
    def receipt(self, request, pk=None):
        """收据证明: the printable receipt of the handover."""
        handover = self.get_object()
        response = HttpResponse(receipt_pdf(handover), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="receipt-{handover.number}.pdf"'
        return response


class FormEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """返单录入: the entered forms; create enters one form."""

    queryset = FormEntry.objects.select_related("agent", "customer", "handover").all()
    serializer_class = FormEntrySerializer
    filterset_class = EntryFilter
    permission_classes = [CustomerApiPermissions]
    action_perms = {"create": ["returnforms.add_formentry"]}

    @extend_schema(request=FormEntryCreateSerializer, responses={201: FormEntrySerializer})
    def create(self, request):
        data = FormEntryCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        customer = None
        code = values.pop("customer").strip()
        if code:
            customer = Customer.objects.visible_to(request.user).filter(code=code).first()
            if customer is None:
                raise InvalidInput(_("customer: no customer %(code)s in your scope.") % {"code": code})
        agent = _agent(request, values.pop("agent"))
        values["msisdn"] = values["msisdn"].strip()
        entry = services.form_entry_create(actor=request.user, agent=agent,
                                           row=services.EntryRow(customer=customer, **values))
        return Response(FormEntrySerializer(entry).data, status=status.HTTP_201_CREATED)

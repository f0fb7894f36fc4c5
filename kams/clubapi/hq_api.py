"""The endpoint headquarters calls (CLUB-21): ``POST /api/v1/club/hq/requests``.

No user logs in here: the HMAC signature of the body (``kams.clubapi.signing``) is the
authentication, checked before anything is read. ``docs/club-api.md`` describes the protocol.
"""

from __future__ import annotations

import logging

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kams.clubapi import hq, signing
from kams.clubapi.enums import HqKind, HqStatus
from kams.clubapi.errors import HqSignatureInvalid, HqTimestampStale

logger = logging.getLogger(__name__)


class HqRequestBodySerializer(serializers.Serializer):
    """For the schema only: the body is read and checked by ``kams.clubapi.hq``."""

    requestId = serializers.CharField(max_length=64, help_text="Headquarters' id of the request; answered once.")
    kind = serializers.ChoiceField(choices=HqKind.choices)
    visitedProvince = serializers.CharField(max_length=10, help_text="Code of the province serving the member.")
    cardNo = serializers.CharField(max_length=20)
    certificateTail = serializers.CharField(required=False, help_text="authenticate: last six characters of the "
                                            "member's certificate number.")
    authRequestId = serializers.CharField(required=False, help_text="Business kinds: the requestId of the member's "
                                          "successful authentication (valid 30 minutes).")
    payload = serializers.DictField(required=False, help_text="redemption: item, quantity, location; data_change: "
                                    "phone, email, address; service_request: description, requestType.")


class HqAnswerSerializer(serializers.Serializer):
    requestId = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.ChoiceField(choices=HqStatus.choices)
    code = serializers.CharField(help_text="Why it was refused or invalid; empty when done.")
    message = serializers.CharField()
    result = serializers.DictField()
    receivedAt = serializers.DateTimeField()
    answeredAt = serializers.DateTimeField(allow_null=True)


SIGNATURE_PARAMETERS = [
    OpenApiParameter(signing.TIMESTAMP_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=True,
                     description="Seconds since 1970 (UTC) when the body was signed; at most 5 minutes old."),
    OpenApiParameter(signing.SIGNATURE_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=True,
                     description='"sha256=" + hex HMAC-SHA256(shared secret, timestamp + "." + body).'),
]


class HqRequestView(APIView):
    """全国性及跨省业务受理: headquarters relays a member's authentication or business request."""

    authentication_classes: list = []
    permission_classes = [AllowAny]  # the signature is the authentication, checked first thing

    @extend_schema(
        operation_id="club_hq_request", tags=["club-hq"], request=HqRequestBodySerializer,
        parameters=SIGNATURE_PARAMETERS,
        responses={
            200: HqAnswerSerializer,
            400: OpenApiResponse(HqAnswerSerializer,
                                 description="The request is invalid (recorded when it has an id)."),
            401: OpenApiResponse(description="Bad signature or stale timestamp: nothing recorded."),
            409: OpenApiResponse(description="The request id was used for a different body."),
            503: OpenApiResponse(description="No shared secret configured."),
        },
    )
    def post(self, request: Request) -> Response:
        body = request.body
        try:
            signing.verify(timestamp=request.headers.get(signing.TIMESTAMP_HEADER),
                           given=request.headers.get(signing.SIGNATURE_HEADER), body=body)
        except (HqSignatureInvalid, HqTimestampStale):
            logger.warning("headquarters request refused: signature or timestamp (from %s)",
                           request.META.get("REMOTE_ADDR"))
            raise
        record, created = hq.hq_request_receive(body=body)
        if not created:
            logger.info("headquarters request %s answered again from the record", record.request_id)
        return Response(hq.answer_body(record), status=hq.answer_status(record))

"""API conventions shared by every app: paging and one error body for every failure.

Errors answer ``{"code", "reason", "message", "status"}`` (the TMF630 error shape, used for
the whole API so clients parse one thing); validation errors add ``"fields"``.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from kams.core.errors import KamsError


class KamsPagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


def error_body(*, code: str, reason: str, message: str, http_status: int, **extra) -> dict:
    return {"code": code, "reason": reason, "message": message, "status": str(http_status), **extra}


def exception_handler(exc, context):
    if isinstance(exc, KamsError):
        return Response(
            error_body(code=exc.code, reason=exc.code, message=exc.text, http_status=exc.status, **exc.extra()),
            status=exc.status,
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.messages)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        body = error_body(
            code="invalid",
            reason=_("Invalid input"),
            message=_flatten(detail),
            http_status=response.status_code,
            fields=detail if isinstance(detail, dict) else {"non_field_errors": detail},
        )
    elif isinstance(exc, exceptions.APIException):
        code = exc.get_codes() if isinstance(exc.get_codes(), str) else "error"
        body = error_body(
            code=code,
            reason=str(exc.default_detail),
            message=str(exc.detail) if not isinstance(exc.detail, (list, dict)) else _flatten(exc.detail),
            http_status=response.status_code,
        )
    else:  # Http404 / PermissionDenied already mapped by DRF
        body = error_body(
            code="not_found" if response.status_code == status.HTTP_404_NOT_FOUND else "forbidden",
            reason=str(response.data.get("detail", "")),
            message=str(response.data.get("detail", "")),
            http_status=response.status_code,
        )
    response.data = body
    return response


def _flatten(detail) -> str:
    if isinstance(detail, dict):
        return "; ".join(f"{key}: {_flatten(value)}" for key, value in detail.items())
    if isinstance(detail, list):
        return " ".join(_flatten(item) for item in detail)
    return str(detail)

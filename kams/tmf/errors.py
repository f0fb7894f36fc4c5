"""TMF630 errors.

The error body itself (``{"code", "reason", "message", "status"}``) is produced for the whole
API by ``kams.core.api.exception_handler`` from any DRF ``APIException``: ``code`` is the
exception's code, ``reason`` its class-level ``default_detail`` and ``message`` the detail of
this occurrence. So a TMF error only needs to be an ``APIException`` with a stable code and a
short reason; nothing here builds a body by hand.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException


class TMFError(APIException):
    """Base of the toolkit's errors: 400 unless a subclass says otherwise."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "tmf_error"
    default_detail = _("The request could not be completed.")


class InvalidQuery(TMFError):
    """A query parameter (paging, filter, sort) that cannot be honoured as written.

    Answered with 400 rather than ignored: a silently dropped filter would return (and let a
    client export or act on) far more rows than it asked for.
    """

    default_code = "invalid_query"
    default_detail = _("Invalid query parameter")

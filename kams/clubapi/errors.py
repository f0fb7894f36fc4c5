"""Errors of the club's outside interfaces. The HQ link answers 401 for a request it cannot
trust (bad signature, stale timestamp) and records nothing of it."""

from django.utils.translation import gettext_lazy as _

from kams.core.errors import KamsError


class HqLinkNotConfigured(KamsError):
    code = "hq.not_configured"
    status = 503
    message = _("The headquarters link has no shared secret configured (KAMS_HQ_SHARED_SECRET).")


class HqSignatureInvalid(KamsError):
    code = "hq.bad_signature"
    status = 401
    message = _("The request's signature is missing or does not match its body.")


class HqTimestampStale(KamsError):
    code = "hq.stale_timestamp"
    status = 401
    message = _("The request's timestamp is missing or more than %(minutes)s minutes away from now.")


class HqRequestIdReused(KamsError):
    code = "hq.request_id_reused"
    status = 409
    message = _("The request id %(request_id)s was already used for a different request.")

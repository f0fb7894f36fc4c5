"""The signature of headquarters' requests (CLUB-21).

Headquarters and the province share a secret (``KAMS_HQ_SHARED_SECRET``: a setting, else
the environment variable). A request carries

* ``X-HQ-Timestamp``: the time it was signed, in whole seconds since 1970 (UTC);
* ``X-HQ-Signature``: ``sha256=`` followed by the lowercase hex HMAC-SHA256, keyed with the
  secret, of the timestamp, a full stop and the raw request body:
  ``hmac(secret, f"{timestamp}.".encode() + body)``.

A signature that does not match, or a timestamp more than five minutes from now (a replayed
or delayed request), is refused with 401. Within the five minutes a replay is harmless: the
request id makes the same request answer the recorded answer.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time

from django.conf import settings

from kams.clubapi.errors import HqLinkNotConfigured, HqSignatureInvalid, HqTimestampStale

TIMESTAMP_HEADER = "X-HQ-Timestamp"
SIGNATURE_HEADER = "X-HQ-Signature"
MAX_SKEW_SECONDS = 5 * 60
PREFIX = "sha256="


def shared_secret() -> bytes:
    secret = getattr(settings, "KAMS_HQ_SHARED_SECRET", "") or os.environ.get("KAMS_HQ_SHARED_SECRET", "")
    if not secret:
        raise HqLinkNotConfigured()
    return secret.encode()


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    """The header value headquarters sends (and tests compute)."""
    digest = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return PREFIX + digest


def verify(*, timestamp: str | None, given: str | None, body: bytes, now: float | None = None) -> None:
    """Raise unless ``given`` signs ``body`` at ``timestamp`` and the timestamp is recent."""
    secret = shared_secret()
    now = time.time() if now is None else now
    stamp = (timestamp or "").strip()
    value = (given or "").strip().lower()
    if not value.startswith(PREFIX):
        value = PREFIX + value  # the bare hex digest is accepted too
    if not stamp or not hmac.compare_digest(value.encode(), signature(secret, stamp, body).encode()):
        raise HqSignatureInvalid()
    # Signed, so the timestamp is headquarters' own: an old one is a replay (or a request
    # held up on the way), which is refused rather than acted on late.
    if not (stamp.isascii() and stamp.isdigit()) or abs(now - int(stamp)) > MAX_SKEW_SECONDS:
        raise HqTimestampStale(minutes=MAX_SKEW_SECONDS // 60)

"""Senders: one per channel, chosen by ``settings.KAMS_NOTIFY_SENDERS``.

* ``EmailSender`` delivers through Django's e-mail backend (SMTP in production:
  ``KAMS_EMAIL_HOST`` …).
* ``HttpSmsSender`` posts to an operator's SMS gateway (``KAMS_SMS_GATEWAY_URL``) as JSON,
  with the message's idempotency key in an ``Idempotency-Key`` header so a retried request
  is not sent twice.
* ``FileSender`` appends to a call list / log file under ``var/`` — for the voice channel
  (the outbound-call team imports the list) and for closed demo networks without a gateway.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.module_loading import import_string


class SendError(Exception):
    """Delivery failed; the message stays queued for a retry (or fails after the last)."""


class EmailSender:
    def send(self, message: Any) -> str:
        sent = send_mail(message.subject or message.body[:60], message.body, None, [message.recipient])
        if sent != 1:
            raise SendError("the mail backend accepted no message")
        return ""


class HttpSmsSender:
    def __init__(self, url: str | None = None, token: str | None = None, timeout: float = 10) -> None:
        self.url = url or settings.KAMS_SMS_GATEWAY_URL
        self.token = token or settings.KAMS_SMS_GATEWAY_TOKEN
        self.timeout = timeout

    def send(self, message: Any) -> str:
        if not self.url:
            raise SendError("no SMS gateway configured (KAMS_SMS_GATEWAY_URL)")
        payload = json.dumps({"to": message.recipient, "text": message.body}).encode()
        request = urllib.request.Request(self.url, data=payload, method="POST")
        request.add_header("Content-Type", "application/json")
        request.add_header("Idempotency-Key", message.idempotency_key)
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (configured URL)
                body = response.read().decode() or "{}"
        except OSError as exc:
            raise SendError(str(exc)) from exc
        try:
            return str(json.loads(body).get("id", ""))
        except (ValueError, AttributeError):
            return ""


class FileSender:
    def __init__(self, path: str | None = None) -> None:
        self.path = Path(path) if path else None

    def send(self, message: Any) -> str:
        path = self.path or settings.VAR_DIR / "outbox" / f"{message.channel}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        line = {
            "at": timezone.now().isoformat(),
            "key": message.idempotency_key,
            "to": message.recipient,
            "name": message.recipient_name,
            "subject": message.subject,
            "text": message.body,
        }
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        return f"{path.name}"


def sender_for(channel: str):
    return import_string(settings.KAMS_NOTIFY_SENDERS[channel])()

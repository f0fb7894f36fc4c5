"""Request context for the audit log: the client address and a request ID, set by the
middleware and read by ``audit_record`` without passing the request through services."""

import contextvars
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class AuditContext:
    ip: str | None = None
    request_id: str = ""


_current: contextvars.ContextVar[AuditContext] = contextvars.ContextVar(
    "kams_audit_context", default=AuditContext()
)


def current() -> AuditContext:
    return _current.get()


def bind(*, ip: str | None, request_id: str | None = None) -> contextvars.Token:
    return _current.set(AuditContext(ip=ip, request_id=request_id or str(uuid.uuid4())))


def reset(token: contextvars.Token) -> None:
    _current.reset(token)

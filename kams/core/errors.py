"""The base of every domain error: a stable code, a translated message, an HTTP status.

Domains subclass ``KamsError`` in their own ``errors.py``; the API turns any of them into a
TMF630-style body ``{code, reason, message, status}`` and pages show the message.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _


class KamsError(Exception):
    code: str = "kams.error"
    message: Any = _("The request could not be completed.")
    status: int = 400

    def __init__(self, message: Any = None, **params: Any) -> None:
        self.params = params
        if message is not None:
            self.message = message
        super().__init__(self.text)

    def extra(self) -> dict:
        """Fields the API adds to the error body beside code, reason and message."""
        return {}

    @property
    def text(self) -> str:
        text = str(self.message)
        try:
            return text % self.params if self.params else text
        except (KeyError, TypeError, ValueError):
            return text


class InvalidInput(KamsError):
    code = "kams.invalid_input"
    message = _("The input is not valid.")


class Conflict(KamsError):
    code = "kams.conflict"
    status = 409
    message = _("The record was changed meanwhile or already exists.")

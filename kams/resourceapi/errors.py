"""Errors of the resource inventory interface (TMF639). Each answers with the TMF error body
``{code, reason, message, status}`` and changes nothing."""

from django.utils.translation import gettext_lazy as _

from kams.core.errors import KamsError


class ResourceDuplicate(KamsError):
    code = "resources.duplicate"
    status = 409
    message = _("%(kind)s %(serial)s is already in the inventory.")


class ResourceStateRefused(KamsError):
    """A change of ``administrativeState`` that the item's life does not allow."""

    code = "resources.state_refused"
    status = 400
    message = _("This change is not allowed for the item in its present state.")


class ResourceNotDeletable(KamsError):
    code = "resources.not_deletable"
    status = 409
    message = _(
        "%(item)s cannot be deleted: only an item in stock that has never been moved, picked up or settled can be; "
        "lock it (void it) instead."
    )

from django.utils.translation import gettext_lazy as _

from kams.core.errors import KamsError


class ActivityFull(KamsError):
    """The conditional increment found no free place: nobody was registered."""

    code = "clubinfo.activity_full"
    status = 409
    message = _("%(activity)s is full: all %(capacity)s places are taken.")


class ActivityNotOpen(KamsError):
    code = "clubinfo.activity_not_open"
    status = 409
    message = _("%(activity)s is %(state)s: registration is not possible.")


class ActivityState(KamsError):
    code = "clubinfo.activity_state"
    status = 409
    message = _("%(activity)s is %(state)s and cannot be %(action)s.")


class NotInvited(KamsError):
    code = "clubinfo.not_invited"
    status = 409
    message = _("%(member)s is not invited to %(activity)s: %(why)s.")


class AlreadyRegistered(KamsError):
    code = "clubinfo.already_registered"
    status = 409
    message = _("%(member)s is registered for %(activity)s already.")


class RegistrationState(KamsError):
    code = "clubinfo.registration_state"
    status = 409
    message = _("This registration is %(state)s: it cannot be %(action)s.")


class MemberNotActive(KamsError):
    code = "clubinfo.member_not_active"
    status = 409
    message = _("%(member)s is %(status)s: only active members are served.")

from django.utils.translation import gettext_lazy as _

from kams.core.errors import KamsError


class UnitKindNotAllowed(KamsError):
    code = "org.unit_kind_not_allowed"
    message = _("A %(kind)s cannot be placed under %(parent)s.")


class OrgUnitHasMembers(KamsError):
    code = "org.unit_has_members"
    status = 409
    message = _("The unit or a unit below it still has active staff; move them first.")


class RoleInUse(KamsError):
    code = "org.role_in_use"
    status = 409
    message = _("The role is still held by staff.")


class RoleTooWide(KamsError):
    code = "org.role_too_wide"
    status = 403
    message = _("You cannot grant the role %(role)s: it sees more data than you do.")

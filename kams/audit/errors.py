from django.utils.translation import gettext_lazy as _

from kams.core.errors import KamsError


class AuditLogIsAppendOnly(KamsError):
    code = "audit.append_only"
    message = _("The audit log cannot be changed or deleted.")

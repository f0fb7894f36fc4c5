from django.utils.translation import gettext_lazy as _

from kams.core.errors import Conflict, InvalidInput, KamsError


class InvalidProcess(InvalidInput):
    code = "service.invalid_process"
    message = _("The process definition is not valid: %(problem)s")


class NotYourStep(KamsError):
    code = "service.not_your_step"
    status = 403
    message = _("This step belongs to the role %(role)s; you do not hold it.")


class AssignedElsewhere(Conflict):
    code = "service.assigned_elsewhere"
    message = _("This step is assigned to %(name)s; it must be handed over first.")


class StepNotOpen(Conflict):
    code = "service.step_not_open"
    message = _("This step is no longer open (someone completed it or the case moved on).")


class CaseNotOpen(Conflict):
    code = "service.case_not_open"
    message = _("The case is %(status)s; it cannot change any more.")

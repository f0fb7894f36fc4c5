from django.utils.translation import gettext_lazy as _

from kams.core.errors import KamsError


class SupportInvalid(KamsError):
    """A field of a service-support record is wrong: ``field: problem``."""

    code = "support.invalid"
    message = _("%(field)s: %(problem)s")


class TemplateNotValid(KamsError):
    code = "support.template_not_valid"
    message = _("template: the solution template %(number)s is not valid on %(day)s.")


class SolutionArchived(KamsError):
    code = "support.solution_archived"
    status = 409
    message = _("The technical solution %(number)s is archived and cannot be changed.")


class SolutionNotConcluded(KamsError):
    code = "support.solution_not_concluded"
    status = 409
    message = _("The technical solution %(number)s has no feasibility conclusion yet: conclude it before archiving.")


class DuplicateAssessment(KamsError):
    code = "support.duplicate_assessment"
    status = 409
    message = _("%(subject)s already has a quality assessment for %(period)s.")


class NoticeClosed(KamsError):
    code = "support.notice_closed"
    status = 409
    message = _("The notice %(number)s is %(state)s and cannot be changed.")


class NotResponsible(KamsError):
    code = "support.not_responsible"
    status = 403
    message = _("Only the person responsible for this step, or whoever runs the notice, may record it.")


class FaultCaseRefused(KamsError):
    code = "support.fault_case_refused"
    message = _("case: %(problem)s")

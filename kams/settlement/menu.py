"""Menu group "Channel settlement" (渠道结算)."""

from django.utils.translation import gettext_lazy as _

from kams.web.menu import MenuItem, register

section = _("Channel settlement")
register(
    MenuItem(section, _("Settlement runs"), "settlement:runs", "bi-calculator", "settlement.view_settlementrun",
             order=620),
    MenuItem(section, _("Agent settlement bills"), "settlement:bills", "bi-receipt", "settlement.view_agentbill",
             order=621),
    MenuItem(section, _("Extractions"), "settlement:extractions", "bi-database-down", "settlement.view_extraction",
             order=622),
    MenuItem(section, _("Business settlement schemes"), "settlement:schemes", "bi-diagram-3",
             "settlement.view_businessscheme", order=623),
    MenuItem(section, _("Composite schemes"), "settlement:composites", "bi-collection",
             "settlement.view_compositescheme", order=624),
    MenuItem(section, _("Agent schemes"), "settlement:agent_schemes", "bi-person-check",
             "settlement.view_agentscheme", order=625),
    MenuItem(section, _("Settlement variables"), "settlement:variables", "bi-braces",
             "settlement.view_settlementvariable", order=626),
)

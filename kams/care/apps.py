from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    """客户服务记录 (SVC-07 … SVC-11, SVC-14, SVC-01 solution templates): visits, care, gifts,
    quality, consultations, cut-over notices, private-line service levels."""

    name = "kams.care"
    label = "care"
    verbose_name = _("Customer care")

    def ready(self) -> None:
        import datetime

        from kams.care import declarations, sections  # noqa: F401  (parameters, 360 section)
        from kams.system.schedule import Periodic, register_periodic
        from kams.web.menu import MenuItem, register

        register_periodic(Periodic(
            "care.proposals", "kams.care.tasks.care_proposals_task", label="Customer care proposals",
            daily_at=datetime.time(6, 30),
        ))
        visits, care = _("Visits"), _("Customer care")
        register(
            MenuItem(visits, _("Quick visit results"), "care:quick", "bi-lightning-charge", "care.change_visit", order=400),
            MenuItem(visits, _("Visits"), "care:visits", "bi-telephone-outbound", "care.view_visit", order=401),
            MenuItem(visits, _("Visit plans"), "care:plans", "bi-calendar-check", "care.view_visitplan", order=402),
            MenuItem(visits, _("Visit statistics"), "care:stats", "bi-bar-chart", "care.view_visit", order=403),
            MenuItem(care, _("Care proposals"), "care:proposals", "bi-bell", "care.view_careproposal", order=410),
            MenuItem(care, _("Care records"), "care:actions", "bi-gift", "care.view_careaction", order=411),
            MenuItem(care, _("Care-pattern library"), "care:rules", "bi-collection", "care.view_carerule", order=412),
            MenuItem(care, _("Gift stock"), "care:stock", "bi-box-seam", "care.view_giftstock", order=413),
            MenuItem(care, _("Gift stock ledger"), "care:moves", "bi-journal-text", "care.view_giftmove", order=414),
            MenuItem(care, _("Gift catalogue"), "care:gifts", "bi-tags", "care.view_gift", order=415),
        )

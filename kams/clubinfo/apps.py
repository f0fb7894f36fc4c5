from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClubInfoConfig(AppConfig):
    """俱乐部服务信息 (CLUB-05, CLUB-06 desk side, CLUB-20, CLUB-23): service standards, outlets
    and content, gifts, personal care, consultations, member activities, the evaluation of the
    service's effect and announcements."""

    name = "kams.clubinfo"
    label = "clubinfo"
    verbose_name = _("Club service information")

    def ready(self) -> None:
        from kams.web.menu import MenuItem, register

        club = _("Loyalty club")
        register(
            MenuItem(club, _("Service standards"), "clubinfo:standards", "bi-award", "clubinfo.view_servicestandard", order=540),
            MenuItem(club, _("Service outlets"), "clubinfo:outlets", "bi-geo-alt", "clubinfo.view_serviceoutlet", order=541),
            MenuItem(club, _("Service content"), "clubinfo:services", "bi-stars", "clubinfo.view_servicecontent", order=542),
            MenuItem(club, _("Member activities"), "clubinfo:activities", "bi-calendar-event", "clubinfo.view_activity", order=543),
            MenuItem(club, _("Member consultations"), "clubinfo:consultations", "bi-chat-dots", "clubinfo.view_memberconsultation", order=544),
            MenuItem(club, _("Personal-care services"), "clubinfo:care", "bi-heart", "clubinfo.view_membercare", order=545),
            MenuItem(club, _("Gifts to members"), "clubinfo:gifts", "bi-gift", "clubinfo.view_membergift", order=546),
            MenuItem(club, _("Service-effect evaluation"), "clubinfo:evaluation", "bi-speedometer2", "clubinfo.view_evaluation", order=547),
            MenuItem(club, _("Announcements"), "clubinfo:announcements", "bi-megaphone", "clubinfo.view_announcement", order=548),
            MenuItem(club, _("Internal notices"), "clubinfo:board", "bi-pin-angle", "clubinfo.view_announcement", order=549),
        )

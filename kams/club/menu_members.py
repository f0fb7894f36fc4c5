"""Menu entries, the monthly job and the personal-data masking of club members and levels,
registered from ``ClubConfig.ready`` by ``register_menu()``."""

import datetime

from django.utils.translation import gettext_lazy as _


def register_menu() -> None:
    from kams.audit.masking import register_personal_fields
    from kams.core.masking import mask_certificate, mask_phone
    from kams.system.schedule import Periodic, register_periodic
    from kams.web.menu import MenuItem, register

    club = _("Loyalty club")
    register(
        MenuItem(club, _("Club members"), "club:members", "bi-person-vcard", "club.view_clubmember", order=500),
        MenuItem(club, _("Qualification review"), "club:review", "bi-person-check", "club.review_clubmember", order=501),
        MenuItem(club, _("Level upgrade and downgrade"), "club:level_runs", "bi-arrow-down-up", "club.review_clubmember", order=502),
        MenuItem(club, _("Annual inspection"), "club:inspections", "bi-clipboard-check", "club.inspect_clubmember", order=503),
        MenuItem(club, _("Level changes"), "club:level_changes", "bi-clock-history", "club.view_memberlevelchange", order=504),
        MenuItem(club, _("Members in arrears"), "club:arrears", "bi-exclamation-triangle", "club.view_clubmember", order=505),
        MenuItem(club, _("Member dunning"), "club:dunnings", "bi-telephone-forward", "club.view_clubmember", order=506),
        MenuItem(club, _("Members at risk"), "club:at_risk", "bi-heart-pulse", "club.view_clubmember", order=507),
        MenuItem(club, _("Club levels"), "club:levels", "bi-award", "club.view_clublevel", order=508),
        MenuItem(club, _("Level rules"), "club:level_rules", "bi-journal-text", "club.view_clublevel", order=509),
    )
    register_periodic(Periodic(
        "club.levels_evaluate", "kams.club.tasks_members.club_levels_task", label="Club level evaluation",
        monthly_on=3, daily_at=datetime.time(4, 0), with_job_run=True,
    ))
    register_personal_fields(
        "club.clubmember", {"msisdn": mask_phone, "certificate_no": mask_certificate, "phone": mask_phone},
        permission="customers.view_personal_data",
    )

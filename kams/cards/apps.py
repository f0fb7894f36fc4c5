from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CardsConfig(AppConfig):
    """会员卡管理 and 会员卡资源管理 (CLUB-07, CLUB-08): member card pages and the stock of
    card blanks."""

    name = "kams.cards"
    label = "cards"
    verbose_name = _("Member cards")

    def ready(self) -> None:
        from kams.web.menu import MenuItem, register

        club = _("Loyalty club")
        register(
            MenuItem(club, _("Member cards"), "cards:list", "bi-credit-card-2-front", "club.view_card", order=510),
            MenuItem(club, _("Card stock"), "cards:stock", "bi-boxes", "cards.view_blankrange", order=512),
            MenuItem(club, _("Card blank ranges"), "cards:ranges", "bi-list-ol", "cards.view_blankrange", order=513),
            MenuItem(club, _("Card stock ledger"), "cards:moves", "bi-journal-text", "cards.view_blankmove", order=514),
            MenuItem(club, _("Card stocktakes"), "cards:stocktakes", "bi-clipboard-check", "cards.view_stocktake", order=515),
            MenuItem(club, _("Card blank status"), "cards:status", "bi-search", "cards.view_blankrange", order=516),
        )

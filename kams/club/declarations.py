"""System parameters of the loyalty club (ORG-06)."""

from django.utils.translation import gettext_lazy as _

from kams.system.parameters import Kind, declare

CLUB = _("Loyalty club")

declare(
    "club.card_prefix", kind=Kind.TEXT, default="86", group=CLUB,
    label=_("Province code at the start of member card numbers"),
    help=_("Card numbers are this code followed by an eight-digit serial."),
)
declare(
    "club.member_prefix", kind=Kind.TEXT, default="JS", group=CLUB,
    label=_("Prefix of member numbers"),
)
declare(
    "club.card_valid_years", kind=Kind.INT, default=3, min_value=1, max_value=10, group=CLUB,
    label=_("Member cards are valid this many years from issue"),
)
declare(
    "club.expiry_warning_days", kind=Kind.INT, default=30, min_value=1, max_value=180, group=CLUB,
    label=_("Warn members this many days before their points expire"),
)
declare(
    "club.expiry_warning_min_points", kind=Kind.INT, default=100, min_value=1, max_value=1000000, group=CLUB,
    label=_("Warn only when at least this many points would expire"),
)
declare(
    "club.run_chunk_size", kind=Kind.INT, default=20000, min_value=100, max_value=1000000, group=CLUB,
    label=_("Members per transaction of the monthly points run"),
)
declare(
    "club.reversal_grace_days", kind=Kind.INT, default=30, min_value=0, max_value=365, group=CLUB,
    label=_("Reversed points whose lot has expired stay valid this many days"),
)

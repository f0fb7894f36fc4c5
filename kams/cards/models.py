"""会员卡资源管理 — the stock of member card blanks (CLUB-08).

Member cards themselves (``kams.club.models.Card``, CLUB-07) belong to the club; this app
keeps the blank cards (空白卡) the province buys and hands down to the cities before a card
is printed on one of them.

Storage: serial ranges, not one row per blank
----------------------------------------------
A blank has a serial such as ``JS2026000001``: letters (the *prefix*) and a number of a fixed
number of digits (the *width*). ``BlankRange`` holds a run of consecutive serials that share
everything else — card level, state, holding unit — as one row ``(prefix, width, first,
last)``. A stock-in of 50,000 blanks is therefore one INSERT; a move of part of a range
splits at most the two segments at its ends (two INSERTs, one UPDATE of the segments in
between) and then merges the moved run with equal neighbours, so the table stays as small as
the history of moves allows. Counts are sums of ``last - first + 1``; "where is serial X" is
an index lookup on ``(prefix, width, first)``. One row per blank would make a stock-in of
50,000 a 50,000-row insert and every distribution an UPDATE of thousands of rows; ranges keep
every operation a handful of statements whatever the quantity.

A blank used for a member card is a one-serial segment in state ``used`` linked to the card.

Ranges never overlap: the services check it before any insert, under a lock of the unit
that receives or gives the blanks (stock-in always happens at the province, so stock-ins are
serialised by the province's lock), so two operations on one unit's stock queue rather than
race.

``BlankMove`` — 会员卡资源流水, the append-only ledger (the database refuses UPDATE): one
line per unit touched by an operation, with the serial run, the kind, the change of the
unit's *in-stock* count (``quantity``: + into stock, − out of it, 0 for a correction between
two states that are both out of stock) and the other unit of a transfer.

``Stocktake`` / ``StocktakeLine`` — 会员卡盘存: blanks counted at one unit per level, the book
(blanks in stock on record at that moment) and the difference. A stocktake changes no stock;
a difference is settled with a status correction (e.g. missing serials → ``lost``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kams.cards.enums import BlankMoveKind, BlankState
from kams.cards.errors import LedgerIsAppendOnly
from kams.org.scoping import ScopedQuerySet, ScopeSpec


def format_serial(prefix: str, width: int, number: int) -> str:
    return f"{prefix}{number:0{width}d}"


class SerialRun(models.Model):
    """Fields of a run of serials shared by the stock and its ledger."""

    level = models.ForeignKey("club.ClubLevel", on_delete=models.PROTECT, related_name="+", verbose_name=_("card level"))
    prefix = models.CharField(_("serial prefix"), max_length=12, blank=True)
    width = models.PositiveSmallIntegerField(_("digits"))
    first = models.BigIntegerField(_("first number"))
    last = models.BigIntegerField(_("last number"))

    class Meta:
        abstract = True

    @property
    def count(self) -> int:
        return self.last - self.first + 1

    @property
    def first_serial(self) -> str:
        return format_serial(self.prefix, self.width, self.first)

    @property
    def last_serial(self) -> str:
        return format_serial(self.prefix, self.width, self.last)

    @property
    def serials(self) -> str:
        return self.first_serial if self.first == self.last else f"{self.first_serial}–{self.last_serial}"


class BlankRange(SerialRun):
    """Consecutive blanks of one level, in one state, held by one unit (see the module text)."""

    state = models.CharField(_("state"), max_length=10, choices=BlankState.choices, default=BlankState.IN_STOCK)
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("held by"))
    card = models.OneToOneField("club.Card", null=True, blank=True, on_delete=models.PROTECT, related_name="blank",
                                verbose_name=_("member card"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit")

    class Meta:
        ordering = ["prefix", "width", "first"]
        verbose_name = _("card blank range")
        verbose_name_plural = _("card blank ranges")
        indexes = [
            models.Index(fields=["prefix", "width", "first"], name="cards_range_serial"),
            models.Index(fields=["org_unit", "level", "state"], name="cards_range_holder"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(first__gte=0) & Q(last__gte=F("first")), name="cards_range_ordered"),
            # A used blank is one serial with its card; no other state has a card.
            models.CheckConstraint(
                condition=(Q(state=BlankState.USED) & Q(card__isnull=False) & Q(first=F("last")))
                | (~Q(state=BlankState.USED) & Q(card__isnull=True)),
                name="cards_used_blank_has_card",
            ),
        ]
        permissions = [
            ("stock_in_blankrange", _("Can take member card blanks into stock")),
            ("distribute_blankrange", _("Can distribute, transfer and return member card blanks")),
            ("void_blankrange", _("Can void member card blanks")),
            ("correct_blankrange", _("Can correct the state of member card blanks")),
        ]

    def __str__(self) -> str:
        return f"{self.serials} ({self.count})"


class BlankMoveQuerySet(ScopedQuerySet):
    def update(self, **kwargs):
        raise LedgerIsAppendOnly()

    def delete(self):
        raise LedgerIsAppendOnly()


class BlankMove(SerialRun):
    """会员卡资源流水: one run of serials moved at one unit; append-only."""

    operation = models.CharField(_("operation"), max_length=32, db_index=True,
                                 help_text=_("The lines written by one operation share this number."))
    kind = models.CharField(_("kind"), max_length=12, choices=BlankMoveKind.choices)
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    counterpart = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("other unit"))
    quantity = models.IntegerField(_("change in stock"),
                                   help_text=_("Positive into the unit's stock, negative out of it."))
    state_from = models.CharField(_("from state"), max_length=10, choices=BlankState.choices, blank=True)
    state_to = models.CharField(_("to state"), max_length=10, choices=BlankState.choices)
    card = models.ForeignKey("club.Card", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("member card"))
    reason = models.CharField(_("reason / note"), max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_name = models.CharField(_("by"), max_length=100, blank=True)
    at = models.DateTimeField(_("at"), db_index=True)

    objects = BlankMoveQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("card stock move")
        verbose_name_plural = _("card stock moves")
        indexes = [models.Index(fields=["org_unit", "level", "at"], name="cards_move_unit")]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise LedgerIsAppendOnly()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerIsAppendOnly()


class Stocktake(models.Model):
    """会员卡盘存: the blanks counted at one unit, level by level, against the book."""

    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    counted_on = models.DateField(_("counted on"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    difference = models.IntegerField(_("total difference"), default=0,
                                     help_text=_("Counted minus book, over all levels."))
    lines_off = models.PositiveSmallIntegerField(_("levels with a difference"), default=0)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    actor_name = models.CharField(_("counted by"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("card stocktake")
        verbose_name_plural = _("card stocktakes")

    def __str__(self) -> str:
        return f"{self.org_unit} {self.counted_on}"


class StocktakeLine(models.Model):
    stocktake = models.ForeignKey(Stocktake, on_delete=models.CASCADE, related_name="lines")
    level = models.ForeignKey("club.ClubLevel", on_delete=models.PROTECT, related_name="+", verbose_name=_("card level"))
    counted = models.PositiveIntegerField(_("counted"))
    book = models.PositiveIntegerField(_("book"))
    difference = models.IntegerField(_("difference"))

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="stocktake__org_unit")

    class Meta:
        ordering = ["stocktake", "level__rank"]
        verbose_name = _("stocktake line")
        verbose_name_plural = _("stocktake lines")
        constraints = [models.UniqueConstraint(fields=["stocktake", "level"], name="cards_stocktake_level_once")]

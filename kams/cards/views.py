"""Pages of member cards (会员卡管理, CLUB-07) and the card stock (会员卡资源管理, CLUB-08).

Every page reads through scoped selectors; every write goes to one service (which checks
permission and scope again and writes the audit log and the ledger).
"""

from __future__ import annotations

from functools import cached_property

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from kams.audit.selectors import history_of
from kams.cards import forms, selectors, services
from kams.cards.enums import BlankState
from kams.cards.filters import BlankMoveFilter, CardFilter, RangeFilter, StocktakeFilter
from kams.cards.models import BlankMove, BlankRange, Stocktake
from kams.club import members
from kams.club.models import Card, ClubMember
from kams.core.errors import InvalidInput, KamsError
from kams.web.exports import xlsx_response
from kams.web.lists import ListPage
from kams.web.pages import ServiceFormPage

ACTION_TITLES = {
    "issue": _("Issue the card"),  # 发卡
    "collect": _("Collected by the member"),  # 领取
    "report_lost": _("Report lost"),  # 挂失
    "unlock": _("Cancel the loss report"),  # 解挂
    "replace": _("Replace / reissue"),  # 补发/换发
    "cancel": _("Cancel the card"),  # 注销
}
ACTION_DONE = {
    "issue": _("The card was issued."), "collect": _("The card was collected."),
    "report_lost": _("The card was reported lost."), "unlock": _("The loss report was cancelled."),
    "replace": _("A new card was issued in place of the old one."), "cancel": _("The card was cancelled."),
}


# --- Member cards -------------------------------------------------------------------------------


class CardListPage(ListPage):
    """会员卡信息查询: the cards of the members in scope."""

    permission_required = "club.view_card"
    model = Card
    title = _("Member cards")
    filterset_class = CardFilter
    export_name = "member-cards"
    template_name = "cards/list.html"
    sort_fields = {"card": "card_no", "applied": "applied_at", "issued": "issued_at"}
    default_sort = "card"
    columns = [
        (_("Card number"), lambda c: c.card_no),
        (_("Member number"), lambda c: c.member.member_no),
        (_("Member"), lambda c: c.member.name),
        (_("Customer"), lambda c: c.member.customer.name),
        (_("Unit"), lambda c: c.member.customer.org_unit.name),
        (_("Level"), lambda c: c.level.name),
        (_("State"), lambda c: c.get_state_display()),
        (_("Card blank serial"), lambda c: c.blank_serial),
        (_("Applied at"), lambda c: c.applied_at),
        (_("Issued at"), lambda c: c.issued_at),
        (_("Valid until"), lambda c: c.valid_until),
    ]

    def get_queryset(self):
        return selectors.cards_for(self.request.user)

    def row_url(self, row):
        return reverse("cards:detail", args=[row.pk])


class CardDetailPage(PermissionRequiredMixin, TemplateView):
    """A card: its data, its blank, the cards it replaced or that replaced it, the moves open
    from its state and its history."""

    permission_required = "club.view_card"
    template_name = "cards/detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        card = selectors.cards_for(user).get_visible(user, pk=self.kwargs["pk"])
        may_move = user.has_perm("club.change_card")
        actions = [(a, ACTION_TITLES[a]) for a in selectors.card_actions(card)] if may_move else []
        replaced_by = Card.objects.visible_to(user).filter(replaces=card).first()
        return super().get_context_data(
            title=card.card_no, card=card, actions=actions, replaced_by=replaced_by,
            blank=BlankRange.objects.visible_to(user).select_related("org_unit").filter(card=card).first(),
            history=history_of(user, card), **kwargs,
        )


class CardApplyPage(ServiceFormPage):
    """会员卡申请: a new card for an active member without one."""

    permission_required = "club.add_card"
    form_class = forms.ApplyForm
    title = _("Apply for a member card")
    success_message = _("The card was applied for.")
    cancel_url = "/club/cards/"

    def get_initial(self):
        return {"member": self.request.GET.get("member", "")}

    def perform(self, form):
        number = form.cleaned_data["member"].strip()
        member = ClubMember.objects.visible_to(self.request.user).filter(member_no__iexact=number).first()
        if member is None:
            raise InvalidInput(gettext("member: no club member with this number in your scope."))
        return members.card_apply(actor=self.request.user, member=member, note=form.cleaned_data["note"])

    def success_url_for(self, obj):
        return reverse("cards:detail", args=[obj.pk])


class CardMovePage(ServiceFormPage):
    """One move of the card state graph; issuing and replacing take a blank from stock."""

    permission_required = "club.change_card"
    form_class = forms.CardMoveForm

    def dispatch(self, request, *args, **kwargs):
        if kwargs["action"] not in members.TRANSITIONS:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def card(self):
        return selectors.cards_for(self.request.user).get_visible(self.request.user, pk=self.kwargs["pk"])

    @property
    def action(self) -> str:
        return self.kwargs["action"]

    def extra_form_kwargs(self):
        return {"user": self.request.user, "action": self.action}

    def get_initial(self):
        if self.action in services.ISSUE_ACTIONS:
            return {"unit": selectors.default_issue_unit(self.request.user, self.card)}
        return {}

    def get_context_data(self, **kwargs):
        kwargs.setdefault("title", f"{ACTION_TITLES[self.action]}: {self.card.card_no} · {self.card.member.name}")
        kwargs.setdefault("cancel_url", reverse("cards:detail", args=[self.card.pk]))
        return super().get_context_data(**kwargs)

    def perform(self, form):
        data = form.cleaned_data
        self.success_message = ACTION_DONE[self.action]
        if self.action in services.ISSUE_ACTIONS:
            return services.card_issue_from_stock(actor=self.request.user, card=self.card, unit=data["unit"],
                                                  serial=data["serial"], action=self.action, reason=data["reason"])
        return members.card_move(actor=self.request.user, card=self.card, action=self.action, reason=data["reason"])

    def success_url_for(self, obj):
        return reverse("cards:detail", args=[obj.pk])


# --- Card stock --------------------------------------------------------------------------------


class StockPage(PermissionRequiredMixin, TemplateView):
    """会员卡资源: the blanks per unit and level by state, and a chart of the stock per city."""

    permission_required = "cards.view_blankrange"
    template_name = "cards/stock.html"

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            data = selectors.stock_by_unit(request.user)
            rows = [(t["unit"], r) for t in data["tables"] for r in t["rows"]]
            columns = [(_("Unit"), lambda t: t[0].name), (_("Card level"), lambda t: t[1]["level"].name)]
            columns += [(label, (lambda i: lambda t: t[1]["counts"][i])(i)) for i, (_s, label) in enumerate(data["states"])]
            columns.append((_("Total"), lambda t: t[1]["total"]))
            return xlsx_response(rows=rows, columns=columns, filename="card-stock", sheet=str(_("Card stock")))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        data = selectors.stock_by_unit(self.request.user)
        return super().get_context_data(title=_("Card stock"), **data, **kwargs)


def _serials_cell(row) -> str:
    return row.serials


class RangeListPage(ListPage):
    """The serial ranges of blanks in scope: who holds them, in what state."""

    permission_required = "cards.view_blankrange"
    model = BlankRange
    title = _("Card blank ranges")
    filterset_class = RangeFilter
    export_name = "card-blank-ranges"
    template_name = "cards/ranges.html"
    sort_fields = {"serial": "prefix", "unit": "org_unit__path", "updated": "updated_at"}
    default_sort = "serial"
    columns = [
        (_("Serials"), _serials_cell),
        (_("Card level"), lambda r: r.level.name),
        (_("Count"), lambda r: r.count),
        (_("State"), lambda r: r.get_state_display()),
        (_("Held by"), lambda r: r.org_unit.name),
        (_("Member card"), lambda r: r.card.card_no if r.card else ""),
        (_("Updated at"), lambda r: r.updated_at),
    ]

    def get_queryset(self):
        return selectors.ranges_for(self.request.user).order_by("prefix", "width", "first")

    def row_url(self, row):
        return reverse("cards:status") + f"?serial={row.first_serial}&last={row.last_serial}"


class MoveListPage(ListPage):
    """会员卡资源流水: every move of blanks, append-only."""

    permission_required = "cards.view_blankmove"
    model = BlankMove
    title = _("Card stock ledger")
    filterset_class = BlankMoveFilter
    export_name = "card-stock-ledger"
    sort_fields = {"at": "at"}
    default_sort = "-at"
    columns = [
        (_("Time"), lambda m: m.at),
        (_("Kind"), lambda m: m.get_kind_display()),
        (_("Unit"), lambda m: m.org_unit.name),
        (_("Card level"), lambda m: m.level.name),
        (_("Serials"), _serials_cell),
        (_("Blanks"), lambda m: m.count),
        (_("Change in stock"), lambda m: m.quantity),
        (_("From state"), lambda m: m.get_state_from_display()),
        (_("To state"), lambda m: m.get_state_to_display()),
        (_("Other unit"), lambda m: m.counterpart.name if m.counterpart else ""),
        (_("Member card"), lambda m: m.card.card_no if m.card else ""),
        (_("Reason / note"), lambda m: m.reason),
        (_("By"), lambda m: m.actor_name),
    ]

    def get_queryset(self):
        return selectors.moves_for(self.request.user)


class _StockFormPage(ServiceFormPage):
    cancel_url = "/club/cards/stock/"

    def extra_form_kwargs(self):
        return {"user": self.request.user}

    def success_url_for(self, obj):
        return reverse("cards:moves") + f"?operation={obj[0].operation}"


class StockInPage(_StockFormPage):
    permission_required = "cards.stock_in_blankrange"
    form_class = forms.StockInForm
    title = _("Card blanks into stock")
    success_message = _("The blanks were taken into stock.")

    def perform(self, form):
        return services.blanks_stock_in(actor=self.request.user, **form.cleaned_data)


class DistributePage(_StockFormPage):
    permission_required = "cards.distribute_blankrange"
    form_class = forms.MoveForm
    title = _("Distribute card blanks")
    success_message = _("The blanks were distributed.")
    service = staticmethod(services.blanks_distribute)

    def perform(self, form):
        return self.service(actor=self.request.user, **form.cleaned_data)


class TransferPage(DistributePage):
    title = _("Transfer card blanks between units")
    success_message = _("The blanks were transferred.")
    service = staticmethod(services.blanks_transfer)


class ReturnPage(DistributePage):
    form_class = forms.ReturnForm
    title = _("Return card blanks to the unit above")
    success_message = _("The blanks were returned.")
    service = staticmethod(services.blanks_return)


class VoidPage(_StockFormPage):
    permission_required = "cards.void_blankrange"
    form_class = forms.VoidForm
    title = _("Void card blanks")
    success_message = _("The blanks were voided.")

    def perform(self, form):
        return services.blanks_void(actor=self.request.user, **form.cleaned_data)


class CorrectPage(_StockFormPage):
    permission_required = "cards.correct_blankrange"
    form_class = forms.CorrectForm
    title = _("Correct the state of card blanks")
    success_message = _("The state of the blanks was corrected.")

    def extra_form_kwargs(self):
        return {}

    def get_initial(self):
        return {"first": self.request.GET.get("serial", ""), "last": self.request.GET.get("last", "")}

    def perform(self, form):
        return services.blanks_correct(actor=self.request.user, **form.cleaned_data)


class StatusPage(PermissionRequiredMixin, TemplateView):
    """会员卡状态查询: where a serial or a range is and in what state."""

    permission_required = "cards.view_blankrange"
    template_name = "cards/status.html"

    def get_context_data(self, **kwargs):
        form = forms.StatusQueryForm(self.request.GET or None)
        context = {"title": _("Card blank status"), "form": form}
        if form.is_bound and form.is_valid():
            try:
                serials = services.parse_range(form.cleaned_data["serial"], form.cleaned_data["last"])
            except KamsError as exc:
                form.add_error(None, exc.text)
            else:
                segments, unknown = selectors.blank_status(self.request.user, serials)
                context.update(serials=serials, segments=segments, unknown=unknown,
                               parts=[(s, min(s.last, serials.last) - max(s.first, serials.first) + 1) for s in segments])
        return super().get_context_data(**context, **kwargs)


# --- Stocktakes -----------------------------------------------------------------------------------


class StocktakeListPage(ListPage):
    """会员卡盘存: the counts in scope with their differences against the book."""

    permission_required = "cards.view_stocktake"
    model = Stocktake
    title = _("Card stocktakes")
    filterset_class = StocktakeFilter
    export_name = "card-stocktakes"
    template_name = "cards/stocktakes.html"
    sort_fields = {"date": "counted_on"}
    default_sort = "-date"
    columns = [
        (_("Counted on"), lambda s: s.counted_on),
        (_("Unit"), lambda s: s.org_unit.name),
        (_("Total difference"), lambda s: s.difference),
        (_("Levels with a difference"), lambda s: s.lines_off),
        (_("Counted by"), lambda s: s.actor_name),
        (_("Note"), lambda s: s.note),
    ]

    def get_queryset(self):
        return selectors.stocktakes_for(self.request.user)

    def row_url(self, row):
        return reverse("cards:stocktake", args=[row.pk])


class StocktakeCreatePage(ServiceFormPage):
    permission_required = "cards.add_stocktake"
    form_class = forms.StocktakeForm
    title = _("Record a card stocktake")
    success_message = _("The stocktake was recorded.")
    cancel_url = "/club/cards/stock/stocktakes/"

    def extra_form_kwargs(self):
        return {"user": self.request.user}

    def perform(self, form):
        d = form.cleaned_data
        return services.stocktake_record(actor=self.request.user, unit=d["unit"], counts=form.counts(),
                                         note=d["note"], counted_on=d["counted_on"])

    def success_url_for(self, obj):
        return reverse("cards:stocktake", args=[obj.pk])


class StocktakeDetailPage(PermissionRequiredMixin, TemplateView):
    permission_required = "cards.view_stocktake"
    template_name = "cards/stocktake_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        stocktake = selectors.stocktakes_for(user).get_visible(user, pk=self.kwargs["pk"])
        lines = list(stocktake.lines.select_related("level"))
        return super().get_context_data(
            title=_("Stocktake of %(unit)s on %(date)s") % {"unit": stocktake.org_unit.name, "date": stocktake.counted_on},
            stocktake=stocktake, lines=lines, in_stock=BlankState.IN_STOCK, **kwargs,
        )

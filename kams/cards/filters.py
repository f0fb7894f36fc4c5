"""Filters of the card and card-stock pages and API. They narrow querysets that are already
scoped; the unit choices offered are scoped too, so a filter never widens a list."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kams.cards.enums import BlankMoveKind, BlankState
from kams.cards.models import BlankMove, BlankRange, Stocktake
from kams.club.enums import CardState
from kams.club.models import Card, ClubLevel
from kams.core.errors import KamsError
from kams.org.filters import OrgUnitSubtreeFilter

DATE = forms.DateInput(attrs={"type": "date"})


def _serial_q(value: str) -> Q:
    """Segments or ledger lines that hold the serial ``value`` (nothing if it is not one)."""
    from kams.cards.services import parse_serial

    try:
        prefix, width, number = parse_serial(value)
    except KamsError:
        return Q(pk__in=[])
    return Q(prefix=prefix, width=width, first__lte=number, last__gte=number)


class CardFilter(django_filters.FilterSet):
    card_no = django_filters.CharFilter(label=_("Card number"), field_name="card_no", lookup_expr="startswith")
    member = django_filters.CharFilter(label=_("Member name or number"), method="filter_member")
    state = django_filters.ChoiceFilter(label=_("State"), choices=CardState.choices)
    level = django_filters.ModelChoiceFilter(label=_("Level"), queryset=ClubLevel.objects.all())
    unit = OrgUnitSubtreeFilter(org_path="member__customer__org_unit__path", label=_("City / unit (and below)"))

    class Meta:
        model = Card
        fields = ["card_no", "member", "state", "level", "unit"]

    def filter_member(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(member__member_no__iexact=value) | Q(member__name__icontains=value)
                               | Q(member__msisdn=value))


class SerialFilterSet(django_filters.FilterSet):
    serial = django_filters.CharFilter(label=_("Serial"), method="filter_serial")

    def filter_serial(self, queryset, name, value):
        return queryset.filter(_serial_q(value)) if value.strip() else queryset


class RangeFilter(SerialFilterSet):
    level = django_filters.ModelChoiceFilter(label=_("Card level"), queryset=ClubLevel.objects.all())
    state = django_filters.ChoiceFilter(label=_("State"), choices=BlankState.choices)
    unit = OrgUnitSubtreeFilter(label=_("Held by (and below)"))

    class Meta:
        model = BlankRange
        fields = ["serial", "level", "state", "unit"]


class BlankMoveFilter(SerialFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=BlankMoveKind.choices)
    level = django_filters.ModelChoiceFilter(label=_("Card level"), queryset=ClubLevel.objects.all())
    unit = OrgUnitSubtreeFilter()
    operation = django_filters.CharFilter(label=_("Operation"))
    since = django_filters.DateFilter(label=_("From"), field_name="at", lookup_expr="date__gte", widget=DATE)
    until = django_filters.DateFilter(label=_("To"), field_name="at", lookup_expr="date__lte", widget=DATE)

    class Meta:
        model = BlankMove
        fields = ["serial", "kind", "level", "unit", "operation", "since", "until"]


class StocktakeFilter(django_filters.FilterSet):
    unit = OrgUnitSubtreeFilter()
    differences = django_filters.BooleanFilter(label=_("With differences"), method="filter_differences",
                                               widget=forms.Select(choices=[("", _("All")), ("true", _("Yes"))]))
    since = django_filters.DateFilter(label=_("From"), field_name="counted_on", lookup_expr="gte", widget=DATE)
    until = django_filters.DateFilter(label=_("To"), field_name="counted_on", lookup_expr="lte", widget=DATE)

    class Meta:
        model = Stocktake
        fields = ["unit", "differences", "since", "until"]

    def filter_differences(self, queryset, name, value):
        return queryset.filter(lines_off__gt=0) if value else queryset

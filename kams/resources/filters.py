"""Filters of the resource pages and API. They narrow querysets that are already scoped."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from kams.channels.models import Agent
from kams.org.filters import OrgUnitSubtreeFilter
from kams.resources.enums import ItemState, MoveKind, PickupStatus, ResourceKind
from kams.resources.models import Movement, PickupOrder, ResourceItem

DATE = forms.DateInput(attrs={"type": "date"})


class ItemFilter(django_filters.FilterSet):
    serial = django_filters.CharFilter(label=_("Serial"), field_name="serial", lookup_expr="startswith")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ResourceKind.choices)
    state = django_filters.ChoiceFilter(label=_("State"), choices=ItemState.choices)
    settled = django_filters.BooleanFilter(label=_("Settled"))
    agent = django_filters.CharFilter(label=_("Agent code"), field_name="agent__code")
    unit = OrgUnitSubtreeFilter(org_path="org_unit__path", label=_("Unit (and below)"))

    class Meta:
        model = ResourceItem
        fields = ["serial", "kind", "state", "settled", "agent", "unit"]


class PickupOrderFilter(django_filters.FilterSet):
    order_no = django_filters.CharFilter(label=_("Order number"), field_name="order_no", lookup_expr="startswith")
    agent = django_filters.ModelChoiceFilter(label=_("Agent"), queryset=Agent.objects.all())
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ResourceKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=PickupStatus.choices)
    since = django_filters.DateFilter(label=_("From"), field_name="created_at", lookup_expr="date__gte", widget=DATE)
    until = django_filters.DateFilter(label=_("Until"), field_name="created_at", lookup_expr="date__lte", widget=DATE)

    class Meta:
        model = PickupOrder
        fields = ["order_no", "agent", "kind", "status", "since", "until"]


class MovementFilter(django_filters.FilterSet):
    serial = django_filters.CharFilter(label=_("Serial"), field_name="serial", lookup_expr="startswith")
    kind = django_filters.ChoiceFilter(label=_("Move"), choices=MoveKind.choices)
    item_kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ResourceKind.choices)
    reference = django_filters.CharFilter(label=_("Order / reference"), field_name="reference")
    since = django_filters.DateFilter(label=_("From"), field_name="at", lookup_expr="date__gte", widget=DATE)
    until = django_filters.DateFilter(label=_("Until"), field_name="at", lookup_expr="date__lte", widget=DATE)

    class Meta:
        model = Movement
        fields = ["serial", "kind", "item_kind", "reference", "since", "until"]

"""Filters of the headquarters request list. They narrow a queryset that is already scoped."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kams.clubapi.enums import HqKind, HqStatus
from kams.clubapi.models import HqRequest
from kams.org.filters import OrgUnitSubtreeFilter

DATE = forms.DateInput(attrs={"type": "date"})


class HqRequestFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Request id, card, member"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=HqKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=HqStatus.choices)
    visited_province = django_filters.CharFilter(label=_("Visited province"), lookup_expr="iexact")
    code = django_filters.CharFilter(label=_("Refusal code"), field_name="error_code", lookup_expr="iexact")
    since = django_filters.DateFilter(label=_("From"), field_name="received_at", lookup_expr="date__gte", widget=DATE)
    until = django_filters.DateFilter(label=_("To"), field_name="received_at", lookup_expr="date__lte", widget=DATE)
    unit = OrgUnitSubtreeFilter()

    class Meta:
        model = HqRequest
        fields = ["q", "kind", "status", "visited_province", "code", "since", "until", "unit"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(request_id__iexact=value) | Q(card_no=value) | Q(member__member_no__iexact=value)
            | Q(member__name__icontains=value)
        )

"""Filters of the collection lists; they narrow scoped querysets and offer only scoped choices."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kams.collection.enums import CandidateState, PairState
from kams.collection.models import AdmissionRule, Candidate, DuplicatePair, FirstContactTask
from kams.customers.enums import CustomerType
from kams.org.filters import YES_NO_ALL, OrgUnitSubtreeFilter


class CandidateFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Customer name or number"), method="search")
    state = django_filters.ChoiceFilter(label=_("State"), choices=CandidateState.choices)
    customer_type = django_filters.ChoiceFilter(
        label=_("Customer type"), field_name="customer__customer_type", choices=CustomerType.choices
    )
    rule = django_filters.ModelChoiceFilter(label=_("Rule"), queryset=AdmissionRule.objects.all())
    unit = OrgUnitSubtreeFilter(org_path="customer__org_unit__path")
    period = django_filters.DateFilter(label=_("Judged up to"))

    class Meta:
        model = Candidate
        fields = ["q", "state", "customer_type", "rule", "unit", "period"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(customer__name__icontains=value) | Q(customer__code=value)) if value else queryset


class FirstContactFilter(django_filters.FilterSet):
    done = django_filters.BooleanFilter(label=_("Done"), widget=YES_NO_ALL)
    unit = OrgUnitSubtreeFilter(org_path="customer__org_unit__path")

    class Meta:
        model = FirstContactTask
        fields = ["done", "unit"]


class DuplicateFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Customer name or number"), method="search")
    state = django_filters.ChoiceFilter(label=_("State"), choices=PairState.choices)
    min_score = django_filters.NumberFilter(label=_("Similarity at least"), field_name="score", lookup_expr="gte")
    unit = OrgUnitSubtreeFilter()

    class Meta:
        model = DuplicatePair
        fields = ["q", "state", "min_score", "unit"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(a__name__icontains=value) | Q(b__name__icontains=value) | Q(a__code=value) | Q(b__code=value)
        )

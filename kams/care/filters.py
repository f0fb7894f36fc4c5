"""Filters of the visit and care pages and API. They narrow querysets that are already
scoped; unit choices offered are scoped too, so a filter never widens a list."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kams.care.enums import CareKind, MoveKind, PlanState, ProposalState
from kams.care.models import CareAction, CareProposal, CareRule, Gift, GiftMove, GiftStock, Visit, VisitPlan
from kams.org.filters import OrgUnitSubtreeFilter
from kams.service.enums import CaseStatus

DATE = forms.DateInput(attrs={"type": "date"})


def _customer(prefix: str, value: str) -> Q:
    value = value.strip()
    return (
        Q(**{f"{prefix}code__iexact": value}) | Q(**{f"{prefix}name__icontains": value})
        | Q(**{f"{prefix}name_initials__startswith": value.lower()})
    )


class CustomerSearch(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Customer"), method="search")
    customer_prefix = "customer__"

    def search(self, queryset, name, value):
        return queryset.filter(_customer(self.customer_prefix, value)) if value.strip() else queryset


class PlanFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(label=_("Plan name"), lookup_expr="icontains")
    state = django_filters.ChoiceFilter(label=_("State"), choices=PlanState.choices)
    unit = OrgUnitSubtreeFilter()

    class Meta:
        model = VisitPlan
        fields = ["name", "state", "unit"]


class VisitFilter(CustomerSearch):
    status = django_filters.ChoiceFilter(label=_("Status"), field_name="case__status", choices=CaseStatus.choices)
    plan = django_filters.ModelChoiceFilter(label=_("Plan"), queryset=lambda r: VisitPlan.objects.visible_to(r.user) if r else VisitPlan.objects.none())
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="filter_overdue",
                                           widget=forms.Select(choices=[("", _("All")), ("true", _("Yes"))]))
    unit = OrgUnitSubtreeFilter()

    class Meta:
        model = Visit
        fields = ["q", "status", "plan", "overdue", "unit"]

    def filter_overdue(self, queryset, name, value):
        if value:
            return queryset.filter(case__status=CaseStatus.OPEN, due_at__lt=timezone.now())
        return queryset


class ProposalFilter(CustomerSearch):
    state = django_filters.ChoiceFilter(label=_("State"), choices=ProposalState.choices)
    rule = django_filters.ModelChoiceFilter(label=_("Care rule"), queryset=CareRule.objects.all())
    since = django_filters.DateFilter(label=_("From"), field_name="occasion_on", lookup_expr="gte", widget=DATE)
    until = django_filters.DateFilter(label=_("To"), field_name="occasion_on", lookup_expr="lte", widget=DATE)
    unit = OrgUnitSubtreeFilter()

    class Meta:
        model = CareProposal
        fields = ["q", "state", "rule", "since", "until", "unit"]


class ActionFilter(CustomerSearch):
    kind = django_filters.ChoiceFilter(label=_("Care"), choices=CareKind.choices)
    rule = django_filters.ModelChoiceFilter(label=_("Care rule"), queryset=CareRule.objects.all())
    gift = django_filters.ModelChoiceFilter(label=_("Gift"), queryset=Gift.objects.all())
    since = django_filters.DateFilter(label=_("From"), field_name="happened_on", lookup_expr="gte", widget=DATE)
    until = django_filters.DateFilter(label=_("To"), field_name="happened_on", lookup_expr="lte", widget=DATE)
    unit = OrgUnitSubtreeFilter()

    class Meta:
        model = CareAction
        fields = ["q", "kind", "rule", "gift", "since", "until", "unit"]


class StockFilter(django_filters.FilterSet):
    gift = django_filters.ModelChoiceFilter(label=_("Gift"), queryset=Gift.objects.all())
    unit = OrgUnitSubtreeFilter()

    class Meta:
        model = GiftStock
        fields = ["gift", "unit"]


class MoveFilter(django_filters.FilterSet):
    gift = django_filters.ModelChoiceFilter(label=_("Gift"), queryset=Gift.objects.all())
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=MoveKind.choices)
    unit = OrgUnitSubtreeFilter()
    since = django_filters.DateFilter(label=_("From"), field_name="at", lookup_expr="date__gte", widget=DATE)
    until = django_filters.DateFilter(label=_("To"), field_name="at", lookup_expr="date__lte", widget=DATE)

    class Meta:
        model = GiftMove
        fields = ["gift", "kind", "unit", "since", "until"]

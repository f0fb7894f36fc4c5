"""Filters of the channel pages and API; they narrow querysets that are already scoped."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kams.channels.enums import AgentLevel, AgentStatus, SubAccountKind, TransactionKind
from kams.channels.models import Agent, AgentType, LedgerTransaction
from kams.org.filters import OrgUnitSubtreeFilter


class AgentFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or code"), method="search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=AgentStatus.choices)
    level = django_filters.ChoiceFilter(label=_("Channel level"), choices=AgentLevel.choices)
    agent_type = django_filters.ModelChoiceFilter(label=_("Agent type"), queryset=AgentType.objects.all())
    unit = OrgUnitSubtreeFilter(label=_("Marketing department (and below)"))

    class Meta:
        model = Agent
        fields = ["q", "status", "level", "agent_type", "unit"]

    def search(self, queryset, name, value):
        value = (value or "").strip()
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value)) if value else queryset


class TransactionFilter(django_filters.FilterSet):
    agent = django_filters.NumberFilter(label=_("Agent"), field_name="agent_id")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=TransactionKind.choices)
    sub_account = django_filters.ChoiceFilter(label=_("Sub-account"), choices=SubAccountKind.choices,
                                              method="filter_account")
    since = django_filters.DateFilter(label=_("From"), field_name="created_at", lookup_expr="date__gte")
    until = django_filters.DateFilter(label=_("To"), field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = LedgerTransaction
        fields = ["agent", "kind", "sub_account", "since", "until"]

    def filter_account(self, queryset, name, value):
        return queryset.filter(entries__account__kind=value, entries__account__agent__isnull=False).distinct() \
            if value else queryset

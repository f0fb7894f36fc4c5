"""Filters of the return-form lists and API. They narrow querysets that are already scoped."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from kams.org.filters import OrgUnitSubtreeFilter
from kams.returnforms.enums import EntryBatchStatus
from kams.returnforms.models import EntryBatch, FormEntry, Handover

DATE = forms.DateInput(attrs={"type": "date"})


class HandoverFilter(django_filters.FilterSet):
    number = django_filters.CharFilter(label=_("Handover number"), field_name="number", lookup_expr="icontains")
    agent = django_filters.CharFilter(label=_("Agent code or name"), method="filter_agent")
    msisdn = django_filters.CharFilter(label=_("Number"), field_name="lines__msisdn", distinct=True)
    unit = OrgUnitSubtreeFilter(label=_("Marketing department (and below)"))
    handed_from = django_filters.DateFilter(label=_("Handed over from"), field_name="handed_at", lookup_expr="date__gte",
                                            widget=DATE)
    handed_to = django_filters.DateFilter(label=_("Handed over to"), field_name="handed_at", lookup_expr="date__lte",
                                          widget=DATE)

    class Meta:
        model = Handover
        fields = ["number", "agent", "msisdn", "unit", "handed_from", "handed_to"]

    def filter_agent(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(agent__code__icontains=value) | Q(agent__name__icontains=value))


class EntryFilter(django_filters.FilterSet):
    msisdn = django_filters.CharFilter(label=_("Number"), field_name="msisdn", lookup_expr="startswith")
    agent = django_filters.CharFilter(label=_("Agent code or name"), method="filter_agent")
    subscriber = django_filters.CharFilter(label=_("Subscriber name"), field_name="subscriber_name",
                                           lookup_expr="icontains")
    unit = OrgUnitSubtreeFilter(label=_("Marketing department (and below)"))
    entered_from = django_filters.DateFilter(label=_("Entered from"), field_name="entered_at", lookup_expr="date__gte",
                                             widget=DATE)
    entered_to = django_filters.DateFilter(label=_("Entered to"), field_name="entered_at", lookup_expr="date__lte",
                                           widget=DATE)

    class Meta:
        model = FormEntry
        fields = ["msisdn", "agent", "subscriber", "unit", "entered_from", "entered_to"]

    def filter_agent(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(agent__code__icontains=value) | Q(agent__name__icontains=value))


class EntryBatchFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=EntryBatchStatus.choices)
    unit = OrgUnitSubtreeFilter(label=_("Marketing department (and below)"))

    class Meta:
        model = EntryBatch
        fields = ["status", "unit"]

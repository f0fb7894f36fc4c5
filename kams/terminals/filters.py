"""Filters of the terminal pages and API; they narrow querysets that are already scoped."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kams.channels.models import Agent
from kams.customers.enums import Business
from kams.org.filters import OrgUnitSubtreeFilter
from kams.terminals.enums import AnomalyKind, AnomalyStatus, SaleStatus
from kams.terminals.models import Anomaly, HandsetModel, SubsidisedSale, SubsidyLevel

DATE = forms.DateInput(attrs={"type": "date"})


def _agents(request):
    user = getattr(request, "user", None)
    return Agent.objects.visible_to(user) if user is not None else Agent.objects.none()


class HandsetModelFilter(django_filters.FilterSet):
    brand = django_filters.CharFilter(label=_("Brand"), lookup_expr="icontains")
    model = django_filters.CharFilter(label=_("Model"), lookup_expr="icontains")

    class Meta:
        model = HandsetModel
        fields = ["brand", "model", "is_active"]


class SubsidyLevelFilter(django_filters.FilterSet):
    handset_model = django_filters.ModelChoiceFilter(label=_("Handset model"), queryset=HandsetModel.objects.all())
    business = django_filters.ChoiceFilter(label=_("Business"), choices=Business.choices)
    on = django_filters.DateFilter(label=_("In force on"), method="filter_on", widget=DATE)

    class Meta:
        model = SubsidyLevel
        fields = ["handset_model", "business", "on"]

    def filter_on(self, queryset, name, value):
        return queryset.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=value), valid_from__lte=value)


class SaleFilter(django_filters.FilterSet):
    imei = django_filters.CharFilter(label=_("IMEI"))
    msisdn = django_filters.CharFilter(label=_("Subscriber number"))
    agent = django_filters.ModelChoiceFilter(label=_("Agent"), queryset=_agents)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=SaleStatus.choices)
    unit = OrgUnitSubtreeFilter()
    since = django_filters.DateFilter(label=_("From"), field_name="sold_on", lookup_expr="gte", widget=DATE)
    until = django_filters.DateFilter(label=_("To"), field_name="sold_on", lookup_expr="lte", widget=DATE)

    class Meta:
        model = SubsidisedSale
        fields = ["imei", "msisdn", "agent", "status", "unit", "since", "until"]


class AnomalyFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=AnomalyKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=AnomalyStatus.choices)
    imei = django_filters.CharFilter(label=_("IMEI"))
    agent = django_filters.ModelChoiceFilter(label=_("Agent"), queryset=_agents)
    unit = OrgUnitSubtreeFilter()
    since = django_filters.DateFilter(label=_("From"), field_name="first_seen", lookup_expr="gte", widget=DATE)
    until = django_filters.DateFilter(label=_("To"), field_name="first_seen", lookup_expr="lte", widget=DATE)

    class Meta:
        model = Anomaly
        fields = ["kind", "status", "imei", "agent", "unit", "since", "until"]

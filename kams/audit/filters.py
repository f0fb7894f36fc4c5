import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kams.audit.models import AuditEntry
from kams.org.filters import OrgUnitSubtreeFilter


class AuditFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(label=_("Actor"), field_name="actor_name", lookup_expr="icontains")
    action = django_filters.CharFilter(label=_("Action"), lookup_expr="istartswith")
    target = django_filters.CharFilter(label=_("Target"), method="search_target")
    unit = OrgUnitSubtreeFilter()
    since = django_filters.DateFilter(
        label=_("From"), field_name="at", lookup_expr="date__gte", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = django_filters.DateFilter(
        label=_("To"), field_name="at", lookup_expr="date__lte", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = AuditEntry
        fields = ["actor", "action", "target", "unit", "since", "until", "target_type", "target_id"]

    def search_target(self, queryset, name, value):
        return queryset.filter(Q(target_repr__icontains=value) | Q(target_id=value))

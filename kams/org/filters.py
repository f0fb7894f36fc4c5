import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kams.org.models import OrgUnit, Role, Staff


def _units(request):
    return OrgUnit.objects.visible_to(request.user) if request else OrgUnit.objects.none()


class StaffFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name, operator ID or login"), method="search")
    unit = django_filters.ModelChoiceFilter(label=_("Org unit (and below)"), queryset=_units, method="under")
    role = django_filters.ModelChoiceFilter(label=_("Role"), queryset=Role.objects.all(), field_name="roles")
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Staff
        fields = ["q", "unit", "role", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(employee_no__icontains=value) | Q(user__username__icontains=value)
        )

    def under(self, queryset, name, value):
        return queryset.filter(org_unit__path__startswith=value.path)

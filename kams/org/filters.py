import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from kams.org.models import OrgUnit, Role, Staff

YES_NO_ALL = forms.Select(choices=[("", _("All")), ("true", _("Yes")), ("false", _("No"))])


def _units(request):
    return OrgUnit.objects.visible_to(request.user) if request else OrgUnit.objects.none()


@extend_schema_field(OpenApiTypes.INT)
class OrgUnitSubtreeFilter(django_filters.ModelChoiceFilter):
    """``?unit=<id>``: rows of that unit and every unit below it. Only units inside the
    user's scope can be chosen, so the filter can narrow a list but never widen it."""

    def __init__(self, *, org_path: str = "org_unit__path", **kwargs):
        kwargs.setdefault("label", _("Org unit (and below)"))
        super().__init__(queryset=_units, **kwargs)
        self.org_path = org_path

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.org_path}__startswith": value.path})


class StaffFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name, operator ID or login"), method="search")
    unit = OrgUnitSubtreeFilter()
    role = django_filters.ModelChoiceFilter(label=_("Role"), queryset=Role.objects.all(), field_name="roles")
    is_active = django_filters.BooleanFilter(label=_("Active"), widget=YES_NO_ALL)

    class Meta:
        model = Staff
        fields = ["q", "unit", "role", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(employee_no__icontains=value) | Q(user__username__icontains=value)
        )

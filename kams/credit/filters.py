"""Filters of the credit pages and API. They narrow querysets that are already scoped; the
unit choices offered are scoped too, so a filter never widens a list."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kams.credit.enums import CreditGrade, CreditSource
from kams.credit.models import AccountCredit, CreditChange
from kams.org.filters import OrgUnitSubtreeFilter

DATE_INPUT = forms.DateInput(attrs={"type": "date"})
ORG_PATH = "account__customer__org_unit__path"


def _account_or_customer(prefix: str, value: str) -> Q:
    value = value.strip()
    return (
        Q(**{f"{prefix}account_no": value})
        | Q(**{f"{prefix}name__icontains": value})
        | Q(**{f"{prefix}customer__code__iexact": value})
        | Q(**{f"{prefix}customer__name__icontains": value})
        | Q(**{f"{prefix}customer__name_initials__startswith": value.lower()})
    )


class AccountCreditFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Customer or account"), method="search")
    grade = django_filters.ChoiceFilter(label=_("Grade"), choices=CreditGrade.choices)
    source = django_filters.ChoiceFilter(label=_("Source"), choices=CreditSource.choices)
    unit = OrgUnitSubtreeFilter(org_path=ORG_PATH)

    class Meta:
        model = AccountCredit
        fields = ["q", "grade", "source", "unit"]

    def search(self, queryset, name, value):
        return queryset.filter(_account_or_customer("account__", value)) if value.strip() else queryset


class CreditChangeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Customer or account"), method="search")
    assessor = django_filters.CharFilter(label=_("Assessor"), field_name="assessor_name", lookup_expr="icontains")
    grade = django_filters.ChoiceFilter(label=_("To grade"), field_name="new_grade", choices=CreditGrade.choices)
    source = django_filters.ChoiceFilter(label=_("Source"), choices=CreditSource.choices)
    unit = OrgUnitSubtreeFilter(org_path=ORG_PATH)
    since = django_filters.DateFilter(label=_("From"), field_name="at", lookup_expr="date__gte", widget=DATE_INPUT)
    until = django_filters.DateFilter(label=_("To"), field_name="at", lookup_expr="date__lte", widget=DATE_INPUT)

    class Meta:
        model = CreditChange
        fields = ["q", "assessor", "grade", "source", "unit", "since", "until"]

    def search(self, queryset, name, value):
        return queryset.filter(_account_or_customer("account__", value)) if value.strip() else queryset


class CreditExportFilter(django_filters.FilterSet):
    changed_since = django_filters.IsoDateTimeFilter(
        label=_("Changed since"), field_name="changed_at", lookup_expr="gte",
        help_text=_("ISO 8601 time, e.g. 2026-11-01T00:00:00+08:00: only grades or limits changed since then."),
    )
    grade = django_filters.ChoiceFilter(label=_("Grade"), choices=CreditGrade.choices)

    class Meta:
        model = AccountCredit
        fields = ["changed_since", "grade"]

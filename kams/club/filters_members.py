"""Filters of the member pages and API. They narrow querysets that are already scoped; the
unit and manager choices offered are scoped too, so a filter never widens a list."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kams.club.enums import ContactResult, DunningState, LevelChangeKind, MemberStatus
from kams.club.models import ClubLevel, ClubMember, MemberDunning, MemberLevelChange
from kams.org.filters import OrgUnitSubtreeFilter
from kams.org.models import Staff

MONTH = forms.DateInput(attrs={"type": "month"})


def _managers(request):
    if request is None:
        return Staff.objects.none()
    return Staff.objects.visible_to(request.user).filter(roles__code="account_manager").distinct().order_by("name")


def _customer_q(prefix: str, value: str) -> Q:
    return (Q(**{f"{prefix}code__iexact": value}) | Q(**{f"{prefix}name__icontains": value})
            | Q(**{f"{prefix}name_initials__startswith": value.lower()}))


def _member_q(prefix: str, value: str) -> Q:
    return (Q(**{f"{prefix}name__icontains": value}) | Q(**{f"{prefix}member_no__iexact": value})
            | Q(**{f"{prefix}msisdn": value}) | Q(**{f"{prefix}phone": value}) | Q(**{f"{prefix}certificate_no__iexact": value}))


class MonthFilter(django_filters.CharFilter):
    """``?period=YYYY-MM``: rows of that month (the monthly run); ``YYYY-MM-DD``: of that day
    (an inspection)."""

    def filter(self, qs, value):
        import datetime

        value = (value or "").strip()
        if not value:
            return qs
        try:
            day = (datetime.date.fromisoformat(value) if len(value) == 10
                   else datetime.datetime.strptime(value, "%Y-%m").date())
        except ValueError:
            return qs.none()
        return qs.filter(**{self.field_name: day})


class MemberFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name, member number, number or phone"), method="search")
    customer = django_filters.CharFilter(label=_("Customer"), method="search_customer")
    level = django_filters.ModelChoiceFilter(label=_("Level"), queryset=ClubLevel.objects.all())
    status = django_filters.ChoiceFilter(label=_("Status"), choices=MemberStatus.choices)
    unit = OrgUnitSubtreeFilter(org_path="customer__org_unit__path", label=_("City or unit (and below)"))
    account_manager = django_filters.ModelChoiceFilter(label=_("Account manager"), queryset=_managers,
                                                       field_name="customer__account_manager")

    class Meta:
        model = ClubMember
        fields = ["q", "customer", "level", "status", "unit", "account_manager"]

    def search(self, queryset, name, value):
        return queryset.filter(_member_q("", value.strip())) if value.strip() else queryset

    def search_customer(self, queryset, name, value):
        return queryset.filter(_customer_q("customer__", value.strip())) if value.strip() else queryset


class LevelChangeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Member"), method="search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=LevelChangeKind.choices)
    period = MonthFilter(label=_("Period (YYYY-MM)"), field_name="period", widget=MONTH)
    new_level = django_filters.ModelChoiceFilter(label=_("To level"), queryset=ClubLevel.objects.all())
    new_status = django_filters.ChoiceFilter(label=_("To status"), choices=MemberStatus.choices)
    unit = OrgUnitSubtreeFilter(org_path="member__customer__org_unit__path", label=_("City or unit (and below)"))

    class Meta:
        model = MemberLevelChange
        fields = ["q", "kind", "period", "new_level", "new_status", "unit"]

    def search(self, queryset, name, value):
        return queryset.filter(_member_q("member__", value.strip())) if value.strip() else queryset


class ArrearsFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Member or customer"), method="search")
    level = django_filters.ModelChoiceFilter(label=_("Level"), queryset=ClubLevel.objects.all())
    marked = django_filters.BooleanFilter(label=_("Marked for dunning"), method="filter_marked",
                                          widget=forms.Select(choices=[("", _("All")), ("true", _("Yes")),
                                                                       ("false", _("No"))]))
    unit = OrgUnitSubtreeFilter(org_path="customer__org_unit__path", label=_("City or unit (and below)"))
    account_manager = django_filters.ModelChoiceFilter(label=_("Account manager"), queryset=_managers,
                                                       field_name="customer__account_manager")

    class Meta:
        model = ClubMember
        fields = ["q", "level", "marked", "unit", "account_manager"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(_member_q("", value) | _customer_q("customer__", value)) if value else queryset

    def filter_marked(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(open_dunning__isnull=not value)


class DunningFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Member or customer"), method="search")
    state = django_filters.ChoiceFilter(label=_("State"), choices=DunningState.choices)
    result = django_filters.ChoiceFilter(label=_("Contact result"), choices=ContactResult.choices)
    unit = OrgUnitSubtreeFilter(org_path="member__customer__org_unit__path", label=_("City or unit (and below)"))

    class Meta:
        model = MemberDunning
        fields = ["q", "state", "result", "unit"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(_member_q("member__", value) | _customer_q("member__customer__", value)) if value else queryset


class RiskFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Member or customer"), method="search")
    reason = django_filters.ChoiceFilter(label=_("Reason"), method="filter_reason", choices=[
        ("risk_arrears", _("Customer in arrears")), ("risk_suspended", _("Suspended by the annual inspection")),
        ("risk_downgraded", _("Downgraded in the last level run")), ("risk_bill_drop", _("Bills fell by more than 30%")),
    ])
    level = django_filters.ModelChoiceFilter(label=_("Level"), queryset=ClubLevel.objects.all())
    unit = OrgUnitSubtreeFilter(org_path="customer__org_unit__path", label=_("City or unit (and below)"))

    class Meta:
        model = ClubMember
        fields = ["q", "reason", "level", "unit"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(_member_q("", value) | _customer_q("customer__", value)) if value else queryset

    def filter_reason(self, queryset, name, value):
        return queryset.filter(**{value: True}) if value else queryset

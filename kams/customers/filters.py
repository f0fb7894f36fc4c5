"""Filters of the customer pages: the key-account list (CUS-03) and the change history (CUS-06).

Both filter querysets that are already scoped to the user; every choice list offered here
(units, managers) is scoped too, so a filter can narrow a list but never widen it.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kams.audit.models import AuditEntry
from kams.customers import selectors
from kams.customers.enums import AttributeKind, CustomerStatus, CustomerType
from kams.customers.models import Contact, Customer, ExtraAttribute, Industry, Level, Member, PayingAccount
from kams.org.filters import OrgUnitSubtreeFilter
from kams.org.models import Staff

DATE_INPUT = forms.DateInput(attrs={"type": "date"})

# Audit actions of the customer domain, as the services write them, with readable labels.
CUSTOMER_ACTIONS = [
    ("customers.create", _("Customer created")),
    ("customers.update", _("Customer changed")),
    ("customers.level_set", _("Level changed")),
    ("customers.cancel", _("Customer cancelled")),
    ("customers.restore", _("Customer restored")),
    ("customers.account_add", _("Account added")),
    ("customers.account_update", _("Account changed")),
    ("customers.account_cancel", _("Account cancelled")),
    ("customers.contact_add", _("Contact added")),
    ("customers.contact_update", _("Contact changed")),
    ("customers.contact_remove", _("Contact removed")),
    ("customers.member_add", _("Member added")),
    ("customers.member_leave", _("Member left")),
    ("customers.relation_add", _("Relation added")),
    ("customers.relation_remove", _("Relation removed")),
    ("customers.attribute_save", _("Extra attribute saved")),
]
CUSTOMER_TARGET_TYPES = (
    "customers.customer",
    "customers.payingaccount",
    "customers.contact",
    "customers.member",
    "customers.extraattribute",
)


def _managers(request):
    """Only people the user can see may be picked, so the filter reveals no one else."""
    if request is None:
        return Staff.objects.none()
    return Staff.objects.visible_to(request.user).filter(customers__isnull=False).distinct().order_by("name")


def extra_attribute_filters(attribute: ExtraAttribute) -> dict[str, django_filters.Filter]:
    """The filters one extra attribute adds to the list, keyed by their query parameter.

    Values live in ``Customer.extra`` as JSON: numbers as numbers, dates as ISO strings,
    so range lookups on the JSON key compare correctly on SQLite and PostgreSQL alike."""
    path = f"extra__{attribute.code}"
    name = f"x_{attribute.code}"
    label = attribute.label
    if attribute.kind == AttributeKind.NUMBER:
        return {
            f"{name}_min": django_filters.NumberFilter(
                label=_("%(label)s from") % {"label": label}, field_name=path, method="filter_number_min"
            ),
            f"{name}_max": django_filters.NumberFilter(
                label=_("%(label)s to") % {"label": label}, field_name=path, method="filter_number_max"
            ),
        }
    if attribute.kind == AttributeKind.DATE:
        return {
            f"{name}_from": django_filters.DateFilter(
                label=_("%(label)s from") % {"label": label}, field_name=path, method="filter_date_from", widget=DATE_INPUT
            ),
            f"{name}_to": django_filters.DateFilter(
                label=_("%(label)s to") % {"label": label}, field_name=path, method="filter_date_to", widget=DATE_INPUT
            ),
        }
    if attribute.kind == AttributeKind.CHOICE:
        return {
            name: django_filters.ChoiceFilter(
                label=label, field_name=path, choices=[(c, c) for c in attribute.choices], lookup_expr="exact"
            )
        }
    return {name: django_filters.CharFilter(label=label, field_name=path, lookup_expr="icontains")}


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name, initials, number, certificate, phone, account or member"), method="search"
    )
    customer_type = django_filters.ChoiceFilter(label=_("Customer type"), choices=CustomerType.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CustomerStatus.choices)
    level = django_filters.ModelChoiceFilter(label=_("Level"), queryset=Level.objects.select_related("category"))
    industry = django_filters.ModelChoiceFilter(label=_("Industry"), queryset=Industry.objects.all())
    unit = OrgUnitSubtreeFilter(label=_("Region (and below)"))
    account_manager = django_filters.ModelChoiceFilter(label=_("Account manager"), queryset=_managers)

    class Meta:
        model = Customer
        fields = ["q", "customer_type", "status", "level", "industry", "unit", "account_manager"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        # Extra attributes are defined at run time, so their filters are made per request.
        for attribute in ExtraAttribute.objects.filter(is_active=True):
            for name, filter_ in extra_attribute_filters(attribute).items():
                filter_.model = self.queryset.model
                filter_.parent = self
                self.filters[name] = filter_

    def search(self, queryset, name, value):
        return selectors.search(queryset, value)

    # JSON numbers are compared as numbers when the bound is a float (a Decimal is not JSON).
    def filter_number_min(self, queryset, name, value):
        return queryset.filter(**{f"{name}__gte": float(value)})

    def filter_number_max(self, queryset, name, value):
        return queryset.filter(**{f"{name}__lte": float(value)})

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(**{f"{name}__gte": value.isoformat()})

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(**{f"{name}__lte": value.isoformat()})


class CustomerChangeFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(label=_("Action"), choices=CUSTOMER_ACTIONS)
    actor = django_filters.CharFilter(label=_("Actor"), field_name="actor_name", lookup_expr="icontains")
    customer = django_filters.CharFilter(label=_("Customer name or number"), method="search_customer")
    unit = OrgUnitSubtreeFilter()
    since = django_filters.DateFilter(label=_("From"), field_name="at", lookup_expr="date__gte", widget=DATE_INPUT)
    until = django_filters.DateFilter(label=_("To"), field_name="at", lookup_expr="date__lte", widget=DATE_INPUT)

    class Meta:
        model = AuditEntry
        fields = ["action", "actor", "customer", "unit", "since", "until"]

    def search_customer(self, queryset, name, value):
        """A name matches the entry's target text. A customer number is turned into the
        customer (as far as the user can see it) and the records kept under it, so its
        accounts', contacts' and members' changes are found too."""
        value = value.strip()
        condition = Q(target_repr__icontains=value)
        customers = Customer.objects.visible_to(self.request.user).filter(code__iexact=value)
        ids = [str(pk) for pk in customers.values_list("pk", flat=True)]
        if ids:
            condition |= Q(target_type="customers.customer", target_id__in=ids)
            for model in (PayingAccount, Contact, Member):
                children = model.objects.filter(customer_id__in=ids).values_list("pk", flat=True)
                condition |= Q(target_type=model._meta.label_lower, target_id__in=[str(pk) for pk in children])
        return queryset.filter(condition)

"""Pages that read the customer domain: the key-account list (CUS-03), the customer 360 view
(CUS-11) and the change history with its statistics (CUS-06).

Every page reads through scoped selectors, so a list, an export or a chart never holds a
record outside the user's scope, and an out-of-scope detail is a 404.
"""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Count
from django.db.models.functions import Substr
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from kams.audit.masking import for_reader
from kams.audit.models import AuditEntry
from kams.audit.selectors import audit_entries_for
from kams.core.masking import mask_certificate, mask_phone
from kams.customers import selectors
from kams.customers.enums import CustomerStatus
from kams.customers.filters import CUSTOMER_ACTIONS, CUSTOMER_TARGET_TYPES, CustomerChangeFilter, CustomerFilter
from kams.customers.models import Customer, ExtraAttribute
from kams.customers.overview import overview_for, personal_data_visible
from kams.org.models import OrgUnit
from kams.web.lists import ListPage

# Sections that read best across the whole width of the 360 page.
WIDE_SECTIONS = {"profile", "history"}
ACTION_LABELS = dict(CUSTOMER_ACTIONS)
STATUS_BADGES = {
    CustomerStatus.CURRENT: "text-bg-success",
    CustomerStatus.POTENTIAL: "text-bg-info",
    CustomerStatus.HISTORICAL: "text-bg-secondary",
}


def _extra_getter(code: str):
    return lambda customer: customer.extra.get(code)


class CustomerListPage(ListPage):
    """大客户列表: search, filter, sort, page and export the customers in the user's scope."""

    permission_required = "customers.view_customer"
    model = Customer
    title = _("Key accounts")
    filterset_class = CustomerFilter
    export_name = "customers"
    template_name = "customers/list.html"
    sort_fields = {"code": "code", "name": "name_initials", "level": "level__rank", "updated": "updated_at"}
    sort_labels = {"code": _("customer number"), "name": _("Name"), "level": _("Level"), "updated": _("Last change")}
    default_sort = "code"

    def get_base_queryset(self):
        return Customer.objects.select_related("org_unit", "account_manager", "industry", "level")

    def build_columns(self) -> list:
        """The columns depend on the reader: personal data is masked unless their role may
        see it (the export uses these same columns), and each active extra attribute adds one."""
        if personal_data_visible(self.request.user):
            certificate, phone = (lambda c: c.certificate_no), (lambda c: c.phone)
        else:
            certificate, phone = (lambda c: mask_certificate(c.certificate_no)), (lambda c: mask_phone(c.phone))
        columns = [
            (_("Customer number"), lambda c: c.code),
            (_("Customer name"), lambda c: c.name),
            (_("Customer type"), lambda c: c.get_customer_type_display()),
            (_("Status"), lambda c: c.get_status_display()),
            (_("Level"), lambda c: c.level.name if c.level else ""),
            (_("Industry"), lambda c: c.industry.name if c.industry else ""),
            (_("Region"), lambda c: c.org_unit.name),
            (_("Account manager"), lambda c: c.account_manager.name if c.account_manager else ""),
            (_("Certificate number"), certificate),
            (_("Phone"), phone),
        ]
        for attribute in ExtraAttribute.objects.filter(is_active=True):
            columns.append((attribute.label, _extra_getter(attribute.code)))
        return columns

    def get(self, request, *args, **kwargs):
        self.columns = self.build_columns()
        return super().get(request, *args, **kwargs)

    def row_url(self, row):
        return reverse("customers:detail", args=[row.pk])

    def sort_links(self) -> list[dict]:
        links = []
        for key, label in self.sort_labels.items():
            query = self.request.GET.copy()
            query.pop("page", None)
            active = self.sort.lstrip("-") == key
            descending = active and self.sort.startswith("-")
            query["sort"] = key if descending or not active else f"-{key}"
            links.append({"label": label, "url": "?" + query.urlencode(), "active": active, "descending": descending})
        return links

    def get_context_data(self, **kwargs):
        counts = selectors.counts_by_status(self.request.user)
        context = super().get_context_data(**kwargs)
        context["status_counts"] = [
            {"status": status, "label": label, "count": counts.get(status, 0), "badge": STATUS_BADGES[status]}
            for status, label in CustomerStatus.choices
        ]
        context["sort_links"] = self.sort_links()
        return context


class CustomerDetailPage(PermissionRequiredMixin, TemplateView):
    """客户360视图: every domain's section of one customer, as far as the user may see."""

    permission_required = "customers.view_customer"
    template_name = "customers/detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        customer = selectors.customer_get(user, self.kwargs["pk"])
        sections = [
            {"section": section, "data": data, "wide": section.key in WIDE_SECTIONS}
            for section, data in overview_for(user, customer)
        ]
        return super().get_context_data(
            title=customer.name,
            customer=customer,
            sections=sections,
            editable=customer.status != CustomerStatus.HISTORICAL,
            status_badge=STATUS_BADGES[customer.status],
            **kwargs,
        )


class CustomerChangesPage(ListPage):
    """客户资料变更历史: the audit entries of customer records the user may see, with the
    number of changes per action and per city."""

    permission_required = "customers.view_customer"
    model = AuditEntry
    title = _("Customer change history")
    filterset_class = CustomerChangeFilter
    export_name = "customer-changes"
    template_name = "customers/changes.html"
    sort_fields = {"at": "at"}
    default_sort = "-at"

    def prepare(self, rows):
        # The log keeps whole values; readers see personal data masked as on the records.
        return for_reader(rows, self.request.user)

    def build_columns(self) -> list:
        def changes(entry):
            return "; ".join(f"{field}: {before} → {after}" for field, before, after in entry.changed_fields())

        return [
            (_("Time"), lambda e: e.at),
            (_("Actor"), lambda e: e.actor_name),
            (_("Org unit"), lambda e: e.org_unit.name if e.org_unit else ""),
            (_("Action"), lambda e: ACTION_LABELS.get(e.action, e.action)),
            (_("Target"), lambda e: e.target_repr),
            (_("Changes"), changes),
            (_("Reason"), lambda e: e.reason),
        ]

    def get(self, request, *args, **kwargs):
        self.columns = self.build_columns()
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return audit_entries_for(self.request.user).filter(target_type__in=CUSTOMER_TARGET_TYPES)

    def row_url(self, row):
        if row.target_type == "customers.customer":
            return reverse("customers:detail", args=[row.target_id])
        return None

    def statistics(self) -> dict:
        """Counts of the filtered entries by action and by city (the unit at depth 3 of the
        tree: HQ → province → city)."""
        entries = self.object_list.order_by()
        by_action = entries.values("action").annotate(n=Count("id")).order_by("-n", "action")
        city_len = OrgUnit.steplen * 3
        by_city = list(
            entries.annotate(city=Substr("org_unit__path", 1, city_len))
            .values("city")
            .annotate(n=Count("id"))
            .order_by("-n", "city")
        )
        names = dict(
            OrgUnit.objects.filter(path__in=[row["city"] for row in by_city if row["city"]]).values_list("path", "name")
        )
        return {
            "actions": {
                "labels": [str(ACTION_LABELS.get(row["action"], row["action"])) for row in by_action],
                "values": [row["n"] for row in by_action],
            },
            "cities": {
                "labels": [names.get(row["city"], str(_("(no unit)"))) for row in by_city],
                "values": [row["n"] for row in by_city],
            },
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["stats"] = self.statistics()
        return context

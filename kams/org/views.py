"""Pages of the organisation domain: the tree, staff, roles (ORG-01, ORG-02, ORG-04)."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.generic import TemplateView

from kams.audit.selectors import history_of
from kams.org import selectors, services
from kams.org.filters import StaffFilter
from kams.org.forms import OrgUnitCreateForm, OrgUnitEditForm, RoleForm, StaffForm, StaffPasswordForm
from kams.org.models import OrgUnit, Role, Staff
from kams.web.lists import ListPage
from kams.web.pages import ServiceFormPage


class OrgTreePage(PermissionRequiredMixin, TemplateView):
    permission_required = "org.view_orgunit"
    template_name = "org/tree.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        units = list(selectors.org_units_for(user))
        counts = selectors.staff_per_unit(user)
        # Build nested lists from the path order: a child always follows its parent.
        roots, by_path = [], {}
        for unit in units:
            node = {"unit": unit, "children": [], "staff": counts.get(unit.pk, 0)}
            by_path[unit.path] = node
            parent = by_path.get(unit.path[: -OrgUnit.steplen])
            (parent["children"] if parent else roots).append(node)
        return super().get_context_data(title=_("Organisation"), roots=roots, unit_count=len(units), **kwargs)


class OrgUnitCreatePage(ServiceFormPage):
    permission_required = "org.add_orgunit"
    form_class = OrgUnitCreateForm
    title = _("New org unit")
    success_message = _("The unit was created.")

    def extra_form_kwargs(self):
        return {"user": self.request.user}

    def get_initial(self):
        return {"parent": self.request.GET.get("parent")}

    def perform(self, form):
        return services.org_unit_create(actor=self.request.user, **form.cleaned_data)

    def success_url_for(self, obj):
        return reverse("org:tree") + f"#unit-{obj.pk}"


class OrgUnitEditPage(ServiceFormPage):
    permission_required = "org.change_orgunit"
    form_class = OrgUnitEditForm

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.unit = OrgUnit.objects.get_visible(request.user, pk=kwargs["pk"])
        self.title = _("Edit %(unit)s") % {"unit": self.unit.full_name()}

    def get_initial(self):
        return {"name": self.unit.name, "is_active": self.unit.is_active}

    def perform(self, form):
        return services.org_unit_update(actor=self.request.user, unit=self.unit, **form.cleaned_data)

    def success_url_for(self, obj):
        return reverse("org:tree") + f"#unit-{obj.pk}"


class StaffListPage(ListPage):
    permission_required = "org.view_staff"
    model = Staff
    title = _("Staff")
    filterset_class = StaffFilter
    export_name = "staff"
    template_name = "org/staff_list.html"
    sort_fields = {"no": "employee_no", "name": "name", "unit": "org_unit__path"}
    columns = [
        (_("Operator ID"), lambda s: s.employee_no),
        (pgettext_lazy("person", "Name"), lambda s: s.name),
        (_("Login name"), lambda s: s.user.username),
        (_("Org unit"), lambda s: s.org_unit.name),
        (_("Roles"), lambda s: "、".join(r.name for r in s.roles.all())),
        (_("Mobile"), lambda s: s.mobile),
        (_("Active"), lambda s: s.is_active),
    ]

    def get_base_queryset(self):
        return Staff.objects.select_related("org_unit", "user").prefetch_related("roles")

    def row_url(self, row):
        return reverse("org:staff_detail", args=[row.pk])


class StaffDetailPage(PermissionRequiredMixin, TemplateView):
    permission_required = "org.view_staff"
    template_name = "org/staff_detail.html"

    def get_context_data(self, **kwargs):
        staff = selectors.staff_get(self.request.user, self.kwargs["pk"])
        return super().get_context_data(
            title=staff.name, staff=staff, history=history_of(self.request.user, staff), **kwargs
        )


class StaffCreatePage(ServiceFormPage):
    permission_required = "org.add_staff"
    form_class = StaffForm
    title = _("New staff member")
    success_message = _("The staff member was created.")

    def extra_form_kwargs(self):
        return {"user": self.request.user}

    def perform(self, form):
        data = form.cleaned_data
        return services.staff_create(
            actor=self.request.user,
            username=data["username"],
            employee_no=data["employee_no"],
            name=data["name"],
            org_unit=data["org_unit"],
            roles=data["roles"],
            extra_units=data["extra_units"],
            mobile=data["mobile"],
            email=data["email"],
            password=data["password"] or None,
        )

    def success_url_for(self, obj):
        return reverse("org:staff_detail", args=[obj.pk])


class StaffEditPage(ServiceFormPage):
    permission_required = "org.change_staff"
    form_class = StaffForm
    success_message = _("The changes were saved.")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.staff = selectors.staff_get(request.user, kwargs["pk"])
        self.title = _("Edit %(name)s") % {"name": self.staff}
        self.cancel_url = reverse("org:staff_detail", args=[self.staff.pk])

    def extra_form_kwargs(self):
        return {"user": self.request.user, "editing": True}

    def get_initial(self):
        s = self.staff
        return {
            "name": s.name,
            "org_unit": s.org_unit_id,
            "roles": list(s.roles.all()),
            "extra_units": list(s.extra_units.all()),
            "mobile": s.mobile,
            "email": s.email,
            "is_active": s.is_active,
        }

    def perform(self, form):
        return services.staff_update(actor=self.request.user, staff=self.staff, **form.cleaned_data)

    def success_url_for(self, obj):
        return reverse("org:staff_detail", args=[obj.pk])


class RoleListPage(PermissionRequiredMixin, TemplateView):
    permission_required = "org.view_role"
    template_name = "org/role_list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Roles and permissions"), roles=selectors.roles_with_counts(), **kwargs)


class RoleCreatePage(ServiceFormPage):
    permission_required = "org.add_role"
    form_class = RoleForm
    title = _("New role")
    success_message = _("The role was created.")

    def perform(self, form):
        return services.role_create(actor=self.request.user, **form.cleaned_data)

    def success_url_for(self, obj):
        return reverse("org:roles")


class RoleEditPage(ServiceFormPage):
    permission_required = "org.change_role"
    form_class = RoleForm
    success_message = _("The role was saved.")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        from django.shortcuts import get_object_or_404

        self.role = get_object_or_404(Role.objects.select_related("group"), pk=kwargs["pk"])
        self.title = _("Role: %(name)s") % {"name": self.role.name}
        self.cancel_url = reverse("org:roles")

    def extra_form_kwargs(self):
        return {"editing": True}

    def get_initial(self):
        r = self.role
        return {
            "name": r.name,
            "description": r.description,
            "data_scope": r.data_scope,
            "permissions": services.permission_labels(r.group),
        }

    def perform(self, form):
        return services.role_update(actor=self.request.user, role=self.role, **form.cleaned_data)

    def success_url_for(self, obj):
        return reverse("org:roles")


class StaffPasswordPage(ServiceFormPage):
    """An administrator or director sets a person's password (e.g. a forgotten one)."""

    permission_required = "org.change_staff"
    form_class = StaffPasswordForm
    success_message = _("The password was set.")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.staff = selectors.staff_get(request.user, kwargs["pk"])
        self.title = _("Set the password of %(name)s") % {"name": self.staff}
        self.cancel_url = reverse("org:staff_detail", args=[self.staff.pk])

    def perform(self, form):
        services.staff_set_password(actor=self.request.user, staff=self.staff, password=form.cleaned_data["password"])
        return self.staff

    def success_url_for(self, obj):
        return reverse("org:staff_detail", args=[obj.pk])

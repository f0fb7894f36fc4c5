"""Organisation, staff and roles (ORG-01, ORG-02, ORG-04).

The tree is a materialised path (django-treebeard ``MP_Node``): "everything under this unit"
is ``path LIKE 'prefix%'``, one indexed query, which is also what data scoping (ORG-03)
filters on.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from kams.org.enums import DataScope, UnitKind
from kams.org.scoping import UNSCOPED, ScopedQuerySet, ScopeSpec


class OrgUnitQuerySet(MP_NodeQuerySet, ScopedQuerySet):
    def subtree_of(self, unit: "OrgUnit") -> "OrgUnitQuerySet":
        return self.filter(path__startswith=unit.path)


class OrgUnitManager(MP_NodeManager):
    def get_queryset(self) -> OrgUnitQuerySet:
        return OrgUnitQuerySet(self.model, using=self._db).order_by("path")

    def visible_to(self, user) -> OrgUnitQuerySet:
        return self.get_queryset().visible_to(user)

    def subtree_of(self, unit: "OrgUnit") -> OrgUnitQuerySet:
        return self.get_queryset().subtree_of(unit)


class OrgUnit(MP_Node):
    """组织单元 — headquarters, province, city (地市), district (区县), department or team."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    # No node_order_by: siblings keep the order they were added in. A sorted insert would
    # renumber the paths of existing siblings, and every subtree query is keyed by path.
    objects = OrgUnitManager()
    # A unit is visible when it lies inside the user's scope.
    scope_spec = ScopeSpec(org="")

    class Meta:
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")

    def __str__(self) -> str:
        return self.name

    @property
    def is_geographic(self) -> bool:
        return self.kind in UnitKind.geographic()

    def scope_anchor(self) -> "OrgUnit":
        """The nearest geographic unit at or above this one: departments and teams belong to
        their city's or district's scope, not a scope of their own."""
        if self.is_geographic:
            return self
        return (
            OrgUnit.objects.get_ancestors(self).filter(kind__in=UnitKind.geographic()).order_by("-depth").first()
            or OrgUnit.objects.get_root(self)
        )

    def ancestor_of_kind(self, kind: str) -> "OrgUnit | None":
        if self.kind == kind:
            return self
        return OrgUnit.objects.get_ancestors(self).filter(kind=kind).order_by("-depth").first()

    def full_name(self) -> str:
        names = [a.name for a in OrgUnit.objects.get_ancestors(self)] + [self.name]
        return " / ".join(names)


class Role(models.Model):
    """角色 — a duty (职责) bound to a permission set and a data scope.

    The permission set is the Django group ``group``; administrators edit it on the roles
    page. Staff holding the role are members of the group.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    description = models.CharField(_("description"), max_length=300, blank=True)
    data_scope = models.CharField(_("data scope"), max_length=16, choices=DataScope.choices)
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="kams_role")
    is_system = models.BooleanField(
        _("built in"), default=False, help_text=_("Built-in roles cannot be deleted.")
    )

    objects = models.Manager()
    scope_spec = UNSCOPED  # reference data: every logged-in user may read the role list

    class Meta:
        ordering = ["code"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self) -> str:
        return self.name


class Staff(models.Model):
    """员工 — a person who works in KAMS, with an operator ID (工号)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff")
    employee_no = models.CharField(_("operator ID"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50)
    org_unit = models.ForeignKey(
        OrgUnit, on_delete=models.PROTECT, related_name="staff", verbose_name=_("org unit")
    )
    roles = models.ManyToManyField(Role, related_name="staff", blank=True, verbose_name=_("roles"))
    extra_units = models.ManyToManyField(
        OrgUnit,
        related_name="group_members",
        blank=True,
        verbose_name=_("district group"),
        help_text=_("区县群组权限: further units whose data this person may see."),
    )
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit", owner="")

    class Meta:
        ordering = ["employee_no"]
        verbose_name = _("staff")
        verbose_name_plural = _("staff")
        indexes = [models.Index(fields=["org_unit", "is_active"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.employee_no})"

"""Data scoping (ORG-03): one mechanism that every list, detail, export, report and API uses.

A model declares where its org unit and (optionally) its owning staff member are:

    class Customer(models.Model):
        objects = ScopedQuerySet.as_manager()
        scope_spec = ScopeSpec(org="org_unit", owner="account_manager")

and every read for a user goes through ``Model.objects.visible_to(user)``. The DRF filter
backend and the page mixin below call exactly that, so an out-of-scope detail request finds
nothing and answers 404, and a list, count or export never holds out-of-scope rows.

A user's ``Scope`` is derived from the roles of their staff record (the widest data scope
wins), their unit (departments and teams count as their city or district) and the extra
units of their district group (区县群组权限).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404
from rest_framework import filters, permissions

if TYPE_CHECKING:
    from kams.org.models import OrgUnit


@dataclass(frozen=True)
class ScopeSpec:
    """Where a model keeps its scoping columns.

    ``org``: path to the ``OrgUnit`` foreign key ("" when the model *is* the org unit).
    ``owner``: path to the owning ``Staff`` foreign key, or None when records have no owner
    (then an own-records role sees its unit's records).
    """

    org: str
    owner: str | None = None

    def org_path_lookup(self) -> str:
        return f"{self.org}__path" if self.org else "path"


UNSCOPED = ScopeSpec(org="<unscoped>")
"""Reference data that every logged-in user may read (roles, parameter definitions)."""


@dataclass(frozen=True)
class Scope:
    """What one user may see. Build it with ``scope_for(user)``."""

    unrestricted: bool = False
    prefixes: tuple[str, ...] = ()
    own_only: bool = False
    staff_id: int | None = None
    label: str = ""

    def q(self, spec: ScopeSpec) -> Q:
        """The condition that keeps a row of a model with ``spec`` inside this scope."""
        if spec is UNSCOPED or self.unrestricted:
            return Q()
        if not self.prefixes:
            return Q(pk__in=[])
        lookup = f"{spec.org_path_lookup()}__startswith"
        in_units = reduce(or_, (Q(**{lookup: prefix}) for prefix in self.prefixes))
        if self.own_only and spec.owner:
            return in_units & Q(**{spec.owner: self.staff_id})
        return in_units

    def covers_unit(self, unit: OrgUnit) -> bool:
        return self.unrestricted or any(unit.path.startswith(p) for p in self.prefixes)

    def covers(self, obj: models.Model) -> bool:
        """True when ``obj`` (already loaded) lies in this scope: one primary-key query."""
        model = type(obj)
        return model._default_manager.filter(self.q(scope_spec_of(model)), pk=obj.pk).exists()


EMPTY_SCOPE = Scope(label="none")


def scope_spec_of(model: type[models.Model]) -> ScopeSpec:
    spec = getattr(model, "scope_spec", None)
    if not isinstance(spec, ScopeSpec):
        raise ImproperlyConfigured(
            f"{model.__name__} declares no scope_spec: say where its org unit is, or UNSCOPED."
        )
    return spec


def scope_for(user: Any) -> Scope:
    """The scope of ``user``, computed once per user object (that is, once per request)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return EMPTY_SCOPE
    cached = getattr(user, "_kams_scope", None)
    if cached is not None:
        return cached
    scope = _compute_scope(user)
    user._kams_scope = scope
    return scope


def _compute_scope(user: Any) -> Scope:
    from kams.org.enums import DataScope, UnitKind
    from kams.org.models import Staff

    if user.is_superuser:
        return Scope(unrestricted=True, label=DataScope.ALL)
    staff = (
        Staff.objects.select_related("org_unit")
        .prefetch_related("roles", "extra_units")
        .filter(user=user, is_active=True)
        .first()
    )
    if staff is None:
        return EMPTY_SCOPE
    scopes = [role.data_scope for role in staff.roles.all()]
    if not scopes:
        return EMPTY_SCOPE
    widest = max(scopes, key=DataScope.rank)
    if widest == DataScope.ALL:
        return Scope(unrestricted=True, staff_id=staff.pk, label=widest)
    anchor = staff.org_unit.scope_anchor()
    if widest == DataScope.PROVINCE:
        anchor = staff.org_unit.ancestor_of_kind(UnitKind.PROVINCE) or anchor
    units = [anchor, *staff.extra_units.all()]
    prefixes = _minimal_prefixes(u.path for u in units)
    return Scope(
        prefixes=prefixes,
        own_only=widest == DataScope.OWN,
        staff_id=staff.pk,
        label=widest,
    )


def _minimal_prefixes(paths) -> tuple[str, ...]:
    """Drop paths that lie under another path already in the list."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(kept)


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> "ScopedQuerySet":
        return self.filter(scope_for(user).q(scope_spec_of(self.model)))

    def get_visible(self, user: Any, **lookup: Any) -> models.Model:
        """The one object a user asked for, or 404: out of scope and missing look the same."""
        try:
            return self.visible_to(user).get(**lookup)
        except (self.model.DoesNotExist, ValueError, TypeError):
            raise Http404 from None


def require_perm(user: Any, perm: str) -> None:
    """Raise ``PermissionDenied`` unless ``user`` holds ``perm`` (``app_label.codename``)."""
    if user is None or not user.has_perm(perm):
        raise PermissionDenied(perm)


def require_in_scope(user: Any, obj: models.Model) -> None:
    """Raise 404 unless ``obj`` is inside ``user``'s scope: "missing" and "forbidden" look
    the same, so a probe learns nothing about other cities' records."""
    from kams.org.models import OrgUnit

    scope = scope_for(user)
    if isinstance(obj, OrgUnit):
        ok = scope.covers_unit(obj)
    else:
        ok = scope.covers(obj)
    if not ok:
        raise Http404


# --- DRF -----------------------------------------------------------------------------------


class ScopeFilterBackend(filters.BaseFilterBackend):
    """Keeps every API list and detail inside the requesting user's scope."""

    def filter_queryset(self, request, queryset, view):
        return queryset.filter(scope_for(request.user).q(scope_spec_of(queryset.model)))


class KamsModelPermissions(permissions.DjangoModelPermissions):
    """Django model permissions, with reading guarded by the ``view`` permission too."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": [],
    }


# --- Pages ----------------------------------------------------------------------------------


class ScopedPageMixin(PermissionRequiredMixin):
    """For class-based pages: permission first (403), then the scoped queryset (404)."""

    # Anonymous users are sent to the login page; logged-in users without the permission
    # get 403 (AccessMixin's behaviour when raise_exception is off).

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

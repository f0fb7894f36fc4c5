"""Reads of the organisation domain, always scoped to the asking user."""

from typing import Any

from django.db.models import Count, Q, QuerySet

from kams.org.models import OrgUnit, Role, Staff


def org_units_for(user: Any) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.visible_to(user)


def staff_for(user: Any) -> QuerySet[Staff]:
    return (
        Staff.objects.visible_to(user)
        .select_related("org_unit", "user")
        .prefetch_related("roles")
    )


def staff_get(user: Any, pk: Any) -> Staff:
    return staff_for(user).get_visible(user, pk=pk)


def roles_with_counts() -> QuerySet[Role]:
    return Role.objects.annotate(
        staff_count=Count("staff", filter=Q(staff__is_active=True), distinct=True)
    ).order_by("code")


def staff_count_by_unit(user: Any, under: OrgUnit | None = None) -> list[dict]:
    """Active staff counted per child unit of ``under`` (per city at province level): each
    child's count includes everyone in its subtree. One grouped query."""
    units = org_units_for(user)
    if under is None:
        under = units.order_by("depth", "path").first()
        if under is None:
            return []
    children = list(units.filter(path__startswith=under.path, depth=under.depth + 1).order_by("path"))
    if not children:
        return []
    steplen = OrgUnit.steplen
    prefix_len = (under.depth + 1) * steplen
    from django.db.models.functions import Substr

    counts = dict(
        Staff.objects.visible_to(user)
        .filter(is_active=True, org_unit__path__startswith=under.path, org_unit__depth__gt=under.depth)
        .annotate(branch=Substr("org_unit__path", 1, prefix_len))
        .values("branch")
        .annotate(n=Count("id"))
        .values_list("branch", "n")
    )
    return [{"unit": c, "count": counts.get(c.path, 0)} for c in children]


def staff_per_unit(user: Any) -> dict[int, int]:
    """Active staff directly in each visible unit, keyed by unit id."""
    return dict(
        Staff.objects.visible_to(user)
        .filter(is_active=True)
        .values("org_unit")
        .annotate(n=Count("id"))
        .values_list("org_unit", "n")
    )

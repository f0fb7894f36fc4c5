"""REST API of the organisation domain under /api/v1/org/."""

from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from kams.org import services
from kams.org.filters import StaffFilter
from kams.org.models import OrgUnit, Role, Staff
from kams.org.scoping import ScopeFilterBackend
from kams.org.serializers import (
    OrgUnitCreateSerializer,
    OrgUnitSerializer,
    OrgUnitUpdateSerializer,
    RoleSerializer,
    StaffSerializer,
    StaffWriteSerializer,
)


class OrgUnitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """组织单元: the org units the caller may see, in tree order."""

    queryset = OrgUnit.objects.all()
    serializer_class = OrgUnitSerializer
    filter_backends = [ScopeFilterBackend, DjangoFilterBackend]
    filterset_fields = ["kind", "is_active", "code"]

    @extend_schema(request=OrgUnitCreateSerializer, responses={201: OrgUnitSerializer})
    def create(self, request):
        data = OrgUnitCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        parent_id = values.pop("parent", None)
        parent = (
            get_object_or_404(self.filter_queryset(OrgUnit.objects.all()), pk=parent_id) if parent_id else None
        )
        unit = services.org_unit_create(actor=request.user, parent=parent, **values)
        return Response(OrgUnitSerializer(unit).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OrgUnitUpdateSerializer, responses=OrgUnitSerializer)
    def partial_update(self, request, pk=None):
        unit = self.get_object()
        data = OrgUnitUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = {"name": unit.name, "is_active": unit.is_active, **data.validated_data}
        unit = services.org_unit_update(actor=request.user, unit=unit, **values)
        return Response(OrgUnitSerializer(unit).data)


class RoleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """角色: roles, their data scope and permission set (ORG-04)."""

    queryset = Role.objects.select_related("group")
    serializer_class = RoleSerializer
    filter_backends = [ScopeFilterBackend]

    def create(self, request):
        data = RoleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        role = services.role_create(actor=request.user, **data.validated_data)
        return Response(RoleSerializer(role).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        role = self.get_object()
        data = RoleSerializer(role, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        role = services.role_update(
            actor=request.user,
            role=role,
            name=values.get("name", role.name),
            data_scope=values.get("data_scope", role.data_scope),
            description=values.get("description", role.description),
            permissions=values.get("permissions"),
        )
        return Response(RoleSerializer(role).data)


class StaffViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """员工: staff with operator IDs (工号), units and roles (ORG-02)."""

    queryset = Staff.objects.select_related("org_unit", "user").prefetch_related("roles", "extra_units")
    serializer_class = StaffSerializer
    filter_backends = [ScopeFilterBackend, DjangoFilterBackend]
    filterset_class = StaffFilter

    @extend_schema(request=StaffWriteSerializer, responses={201: StaffSerializer})
    def create(self, request):
        data = StaffWriteSerializer(data=request.data, context={"creating": True})
        data.is_valid(raise_exception=True)
        v = data.validated_data
        staff = services.staff_create(
            actor=request.user,
            username=v["username"],
            employee_no=v["employee_no"],
            name=v["name"],
            org_unit=v["org_unit"],
            roles=v.get("roles", []),
            extra_units=v.get("extra_units", []),
            mobile=v.get("mobile", ""),
            email=v.get("email", ""),
            password=v.get("password") or None,
        )
        return Response(StaffSerializer(staff).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=StaffWriteSerializer, responses=StaffSerializer)
    def partial_update(self, request, pk=None):
        staff = self.get_object()
        data = StaffWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        staff = services.staff_update(
            actor=request.user,
            staff=staff,
            name=v.get("name", staff.name),
            org_unit=v.get("org_unit", staff.org_unit),
            roles=v.get("roles", list(staff.roles.all())),
            extra_units=v.get("extra_units", list(staff.extra_units.all())),
            mobile=v.get("mobile", staff.mobile),
            email=v.get("email", staff.email),
            is_active=v.get("is_active", staff.is_active),
            reason=v.get("reason", ""),
        )
        return Response(StaffSerializer(staff).data)

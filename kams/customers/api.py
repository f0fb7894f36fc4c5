"""REST API of the customer domain under /api/v1/customers/ (CUS-01, CUS-02, CUS-05, CUS-11).

Reads are scoped by the default ``ScopeFilterBackend``; every write goes through
``kams.customers.services``, which checks permission and scope again, runs the transaction
and writes the audit log. Certificate and phone numbers are masked for readers without
``customers.view_personal_data``.
"""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kams.customers import selectors, services
from kams.customers.enums import CustomerStatus, CustomerType
from kams.customers.models import Contact, Customer, ExtraAttribute, Industry, Level, Member, PayingAccount
from kams.customers.overview import overview_for
from kams.customers.serializers import (
    ContactCreateSerializer,
    ContactSerializer,
    ContactUpdateSerializer,
    CustomerOverviewSerializer,
    CustomerSerializer,
    CustomerUpdateResultSerializer,
    CustomerUpdateSerializer,
    CustomerWriteSerializer,
    ExtraAttributeSerializer,
    ExtraAttributeWriteSerializer,
    IndustrySerializer,
    LevelSerializer,
    LevelSetSerializer,
    MemberCreateSerializer,
    MemberSerializer,
    OptionalReasonSerializer,
    PayingAccountCreateSerializer,
    PayingAccountSerializer,
    PayingAccountUpdateSerializer,
    ReasonSerializer,
)
from kams.org.filters import OrgUnitSubtreeFilter
from kams.org.scoping import KamsModelPermissions


class CustomerApiPermissions(KamsModelPermissions):
    """Model permissions, with two refinements:

    * an action may name its own permissions in the viewset's ``action_perms`` (cancelling
      needs ``cancel_customer``, not ``add_customer`` as a bare POST would);
    * a method the endpoint does not offer answers 405 (not 403 for lacking a
      ``delete_*`` permission nobody has)."""

    def has_permission(self, request, view):
        if request.user and request.user.is_authenticated and request.method.lower() not in ("options", "head"):
            if not hasattr(view, request.method.lower()):
                raise exceptions.MethodNotAllowed(request.method)
        perms = getattr(view, "action_perms", {}).get(getattr(view, "action", None))
        if perms is not None:
            return bool(request.user and request.user.is_authenticated and request.user.has_perms(perms))
        return super().has_permission(request, view)


# --- Filters -----------------------------------------------------------------------------------


class CustomerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name, pinyin initials, customer, certificate, phone, account or member number"), method="search"
    )
    customer_type = django_filters.ChoiceFilter(choices=CustomerType.choices)
    status = django_filters.ChoiceFilter(choices=CustomerStatus.choices)
    level = django_filters.ModelChoiceFilter(queryset=Level.objects.all())
    industry = django_filters.ModelChoiceFilter(queryset=Industry.objects.all(), to_field_name="code")
    unit = OrgUnitSubtreeFilter()
    account_manager = django_filters.NumberFilter(field_name="account_manager")

    class Meta:
        model = Customer
        fields = ["q", "customer_type", "status", "level", "industry", "unit", "account_manager"]

    def search(self, queryset, name, value):
        return selectors.search(queryset, value)


class LevelFilter(django_filters.FilterSet):
    category = django_filters.CharFilter(field_name="category__code", label=_("Level category code"))

    class Meta:
        model = Level
        fields = ["category"]


# --- Customers ---------------------------------------------------------------------------------


class CustomerViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """大客户: key accounts the caller may see. Customers are never deleted: cancel them."""

    queryset = Customer.objects.select_related("org_unit", "account_manager", "industry", "level")
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    permission_classes = [CustomerApiPermissions]
    action_perms = {
        "cancel": ["customers.view_customer", "customers.cancel_customer"],
        "restore": ["customers.view_customer", "customers.cancel_customer"],
        "level": ["customers.view_customer", "customers.change_customer"],
        "overview": ["customers.view_customer"],
    }

    @extend_schema(request=CustomerWriteSerializer, responses={201: CustomerSerializer})
    def create(self, request):
        data = CustomerWriteSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        customer = services.customer_create(actor=request.user, **values)
        customer = self.get_queryset().get(pk=customer.pk)
        return Response(self.get_serializer(customer).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CustomerUpdateSerializer, responses=CustomerUpdateResultSerializer)
    def partial_update(self, request, pk=None):
        customer = self.get_object()
        data = CustomerUpdateSerializer(data=request.data, partial=True, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        extra = changes.pop("extra", None)
        reason = changes.pop("reason", "")
        customer, suggestion = services.customer_update(
            actor=request.user, customer=customer, changes=changes, extra=extra, reason=reason
        )
        customer = self.get_queryset().get(pk=customer.pk)
        customer.suggested_level = suggestion
        return Response(CustomerUpdateResultSerializer(customer, context=self.get_serializer_context()).data)

    def _reasoned(self, request, step):
        customer = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        step(actor=request.user, customer=customer, reason=data.validated_data["reason"])
        return Response(self.get_serializer(self.get_queryset().get(pk=customer.pk)).data)

    @extend_schema(request=ReasonSerializer, responses=CustomerSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """注销客户: the customer becomes historical and its active accounts are cancelled."""
        return self._reasoned(request, services.customer_cancel)

    @extend_schema(request=ReasonSerializer, responses=CustomerSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        """恢复客户: a historical customer becomes current again with its accounts."""
        return self._reasoned(request, services.customer_restore)

    @extend_schema(request=LevelSetSerializer, responses=CustomerSerializer)
    @action(detail=True, methods=["post"])
    def level(self, request, pk=None):
        """Set the customer's level by hand (``null`` clears it), with a reason."""
        customer = self.get_object()
        data = LevelSetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.customer_level_set(
            actor=request.user, customer=customer, level=data.validated_data["level"],
            reason=data.validated_data["reason"],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=customer.pk)).data)

    @extend_schema(responses=CustomerOverviewSerializer)
    @action(detail=True, methods=["get"])
    def overview(self, request, pk=None):
        """Customer 360 (CUS-11): the sections every domain registers, in display order."""
        customer = self.get_object()
        return Response(
            {
                "customer": {"id": customer.pk, "code": customer.code, "name": customer.name},
                "sections": {
                    section.key: {"title": str(section.title), "data": data}
                    for section, data in overview_for(request.user, customer)
                },
            }
        )


# --- Accounts, contacts, members ---------------------------------------------------------------


class PayingAccountViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """付费帐户: paying accounts of the customers the caller may see (CUS-02)."""

    queryset = PayingAccount.objects.select_related("customer")
    serializer_class = PayingAccountSerializer
    filterset_fields = ["customer", "status"]
    permission_classes = [CustomerApiPermissions]
    action_perms = {"cancel": ["customers.view_payingaccount", "customers.change_payingaccount"]}

    @extend_schema(request=PayingAccountCreateSerializer, responses={201: PayingAccountSerializer})
    def create(self, request):
        data = PayingAccountCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        account = services.account_add(actor=request.user, **values)
        return Response(self.get_serializer(account).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PayingAccountUpdateSerializer, responses=PayingAccountSerializer)
    def partial_update(self, request, pk=None):
        account = self.get_object()
        data = PayingAccountUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        account = services.account_update(actor=request.user, account=account, **data.validated_data)
        return Response(self.get_serializer(account).data)

    @extend_schema(request=ReasonSerializer, responses=PayingAccountSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """销户: cancel one paying account, with a reason."""
        account = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account = services.account_cancel(actor=request.user, account=account, reason=data.validated_data["reason"])
        return Response(self.get_serializer(account).data)


class ContactViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """联系人: contacts and key people of the customers the caller may see."""

    queryset = Contact.objects.select_related("customer")
    serializer_class = ContactSerializer
    filterset_fields = ["customer", "role", "is_primary"]
    permission_classes = [CustomerApiPermissions]

    @extend_schema(request=ContactCreateSerializer, responses={201: ContactSerializer})
    def create(self, request):
        data = ContactCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        contact = services.contact_add(actor=request.user, **data.validated_data)
        return Response(self.get_serializer(contact).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ContactUpdateSerializer, responses=ContactSerializer)
    def partial_update(self, request, pk=None):
        contact = self.get_object()
        data = ContactUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        contact = services.contact_update(actor=request.user, contact=contact, **data.validated_data)
        return Response(self.get_serializer(contact).data)

    @extend_schema(request=OptionalReasonSerializer, responses={204: None})
    def destroy(self, request, pk=None):
        contact = self.get_object()
        data = OptionalReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.contact_remove(actor=request.user, contact=contact, reason=data.validated_data["reason"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class MemberViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """成员: member subscribers of the group customers the caller may see."""

    queryset = Member.objects.select_related("customer")
    serializer_class = MemberSerializer
    filterset_fields = ["customer", "account", "is_active"]
    permission_classes = [CustomerApiPermissions]
    action_perms = {"leave": ["customers.view_member", "customers.change_member"]}

    @extend_schema(request=MemberCreateSerializer, responses={201: MemberSerializer})
    def create(self, request):
        data = MemberCreateSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        member = services.member_add(actor=request.user, **data.validated_data)
        return Response(self.get_serializer(member).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=OptionalReasonSerializer, responses=MemberSerializer)
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        """The number leaves the group (it stays on record, inactive)."""
        member = self.get_object()
        data = OptionalReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.member_leave(actor=request.user, member=member, reason=data.validated_data["reason"])
        return Response(self.get_serializer(member).data)


# --- Reference data and extra attributes -------------------------------------------------------


class IndustryViewSet(viewsets.ReadOnlyModelViewSet):
    """行业: the industry list (reference data every logged-in user may read)."""

    queryset = Industry.objects.all()
    serializer_class = IndustrySerializer
    permission_classes = [permissions.IsAuthenticated]


class LevelViewSet(viewsets.ReadOnlyModelViewSet):
    """客户级别: customer levels with their thresholds and service standards."""

    queryset = Level.objects.select_related("category")
    serializer_class = LevelSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = LevelFilter


class ExtraAttributeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """附加属性: the extra attributes administrators define for customers."""

    queryset = ExtraAttribute.objects.all()
    serializer_class = ExtraAttributeSerializer
    filterset_fields = ["is_active"]
    permission_classes = [CustomerApiPermissions]

    @extend_schema(request=ExtraAttributeWriteSerializer, responses={201: ExtraAttributeSerializer})
    def create(self, request):
        data = ExtraAttributeWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attribute = services.extra_attribute_save(actor=request.user, **data.validated_data)
        return Response(self.get_serializer(attribute).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ExtraAttributeWriteSerializer, responses=ExtraAttributeSerializer)
    def partial_update(self, request, pk=None):
        attribute = self.get_object()
        data = ExtraAttributeWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if values.get("kind") and "choices" not in values:
            values["choices"] = attribute.choices  # the service checks a choice kind has its choices
        attribute = services.extra_attribute_save(actor=request.user, attribute=attribute, **values)
        return Response(self.get_serializer(attribute).data)

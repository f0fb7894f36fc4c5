from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kams.org.enums import UnitKind
from kams.org.models import OrgUnit, Role, Staff
from kams.org.services import permission_labels


class OrgUnitSerializer(serializers.ModelSerializer):
    parent = serializers.SerializerMethodField()

    class Meta:
        model = OrgUnit
        fields = ["id", "code", "name", "kind", "is_active", "depth", "path", "parent", "created_at", "updated_at"]
        read_only_fields = fields

    def get_parent(self, obj) -> int | None:
        parent = OrgUnit.objects.get_parent(obj)
        return parent.pk if parent else None

class OrgUnitCreateSerializer(serializers.Serializer):
    parent = serializers.IntegerField(required=False, allow_null=True, help_text=_("Parent unit ID"))
    code = serializers.SlugField(max_length=32)
    name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(choices=UnitKind.choices)

class OrgUnitUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    is_active = serializers.BooleanField(required=False)

class RoleSerializer(serializers.ModelSerializer):
    permissions = serializers.ListField(child=serializers.CharField(), required=False)

    class Meta:
        model = Role
        fields = ["id", "code", "name", "description", "data_scope", "is_system", "permissions"]
        read_only_fields = ["id", "is_system"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["permissions"] = permission_labels(instance.group)
        return data

class StaffSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    org_unit_name = serializers.CharField(source="org_unit.name", read_only=True)
    roles = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Staff
        fields = [
            "id", "username", "employee_no", "name", "org_unit", "org_unit_name", "roles",
            "extra_units", "mobile", "email", "is_active", "created_at", "updated_at",
        ]
        read_only_fields = fields

class StaffWriteSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[A-Za-z0-9_.@+-]{3,150}$", required=False)
    employee_no = serializers.RegexField(r"^[A-Za-z0-9-]{2,20}$", required=False)
    name = serializers.CharField(max_length=50)
    org_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    roles = serializers.SlugRelatedField(slug_field="code", many=True, queryset=Role.objects.all(), required=False)
    extra_units = serializers.PrimaryKeyRelatedField(many=True, queryset=OrgUnit.objects.all(), required=False)
    mobile = serializers.RegexField(r"^1\d{10}$", required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    password = serializers.CharField(required=False, write_only=True, allow_blank=True)
    is_active = serializers.BooleanField(required=False, default=True)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)

    def validate(self, attrs):
        if self.context.get("creating"):
            missing = [f for f in ("username", "employee_no") if not attrs.get(f)]
            if missing:
                raise serializers.ValidationError({f: [_("This field is required.")] for f in missing})
        return attrs

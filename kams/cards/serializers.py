from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kams.cards.enums import CORRECTABLE_STATES
from kams.cards.models import BlankMove, BlankRange, Stocktake, StocktakeLine
from kams.club.models import Card, ClubLevel, ClubMember
from kams.org.models import OrgUnit


class CardAdminSerializer(serializers.ModelSerializer):
    member_no = serializers.CharField(source="member.member_no", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)
    level_code = serializers.CharField(source="level.code", read_only=True)
    org_unit = serializers.IntegerField(source="member.customer.org_unit_id", read_only=True)
    replaces_no = serializers.CharField(source="replaces.card_no", read_only=True, default=None)

    class Meta:
        model = Card
        fields = [
            "id", "card_no", "member", "member_no", "member_name", "org_unit", "level", "level_code", "state",
            "blank_serial", "replaces", "replaces_no", "applied_at", "issued_at", "collected_at", "lost_at",
            "closed_at", "valid_until", "note",
        ]
        read_only_fields = fields


class CardApplySerializer(serializers.Serializer):
    member = serializers.PrimaryKeyRelatedField(queryset=ClubMember.objects.all(), required=False)
    member_no = serializers.CharField(max_length=20, required=False)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if not attrs.get("member") and not attrs.get("member_no"):
            raise serializers.ValidationError(_("Give the member (id) or the member number."))
        return attrs


class CardReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class CardIssueSerializer(CardReasonSerializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), required=False,
                                              help_text=_("The unit whose stock gives the blank; default: your city."))
    serial = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")


class BlankRangeSerializer(serializers.ModelSerializer):
    first_serial = serializers.CharField(read_only=True)
    last_serial = serializers.CharField(read_only=True)
    count = serializers.IntegerField(read_only=True)
    level_code = serializers.CharField(source="level.code", read_only=True)
    card_no = serializers.CharField(source="card.card_no", read_only=True, default=None)

    class Meta:
        model = BlankRange
        fields = ["id", "level", "level_code", "first_serial", "last_serial", "count", "state", "org_unit", "card",
                  "card_no", "updated_at"]
        read_only_fields = fields


class BlankMoveSerializer(serializers.ModelSerializer):
    first_serial = serializers.CharField(read_only=True)
    last_serial = serializers.CharField(read_only=True)
    count = serializers.IntegerField(read_only=True)
    level_code = serializers.CharField(source="level.code", read_only=True)

    class Meta:
        model = BlankMove
        fields = ["id", "operation", "kind", "at", "org_unit", "counterpart", "level", "level_code", "first_serial",
                  "last_serial", "count", "quantity", "state_from", "state_to", "card", "reason", "actor_name"]
        read_only_fields = fields


class BlankStockInSerializer(serializers.Serializer):
    level = serializers.SlugRelatedField(slug_field="code", queryset=ClubLevel.objects.all())
    first = serializers.CharField(max_length=30)
    last = serializers.CharField(max_length=30)
    unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), required=False)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class BlankSelectionSerializer(serializers.Serializer):
    level = serializers.SlugRelatedField(slug_field="code", queryset=ClubLevel.objects.all(), required=False)
    first = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    last = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    count = serializers.IntegerField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class BlankTransferSerializer(BlankSelectionSerializer):
    from_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    to_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())


class BlankReturnSerializer(BlankSelectionSerializer):
    from_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())


class BlankVoidSerializer(serializers.Serializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    first = serializers.CharField(max_length=30)
    last = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    reason = serializers.CharField(max_length=300)


class BlankCorrectSerializer(serializers.Serializer):
    first = serializers.CharField(max_length=30)
    last = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    state = serializers.ChoiceField(choices=[(s.value, s.label) for s in CORRECTABLE_STATES])
    reason = serializers.CharField(max_length=300)


class BlankStatusSerializer(serializers.Serializer):
    serials = serializers.CharField()
    asked = serializers.IntegerField()
    not_found = serializers.IntegerField(help_text=_("Serials not on record in your scope."))
    ranges = BlankRangeSerializer(many=True)


class StockCountSerializer(serializers.Serializer):
    org_unit = serializers.IntegerField()
    level = serializers.IntegerField()
    state = serializers.CharField()
    n = serializers.IntegerField()


class StocktakeLineSerializer(serializers.ModelSerializer):
    level_code = serializers.CharField(source="level.code", read_only=True)

    class Meta:
        model = StocktakeLine
        fields = ["level", "level_code", "counted", "book", "difference"]
        read_only_fields = fields


class StocktakeSerializer(serializers.ModelSerializer):
    lines = StocktakeLineSerializer(many=True, read_only=True)

    class Meta:
        model = Stocktake
        fields = ["id", "org_unit", "counted_on", "note", "difference", "lines_off", "actor_name", "created_at", "lines"]
        read_only_fields = fields


class StocktakeCountSerializer(serializers.Serializer):
    level = serializers.SlugRelatedField(slug_field="code", queryset=ClubLevel.objects.all())
    counted = serializers.IntegerField()


class StocktakeWriteSerializer(serializers.Serializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    counted_on = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    counts = StocktakeCountSerializer(many=True)

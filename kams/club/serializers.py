"""Serializers of the points ledger, redemption and the channel API."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kams.club.enums import ChannelKind, ExpiryMode, Issuer, ItemKind
from kams.club.models import (
    ExpiryRule,
    PointsAdjustment,
    PointsEntry,
    PointsRule,
    PointsRun,
    Redemption,
    RedemptionChannel,
    RedemptionItem,
    RedemptionRule,
)


class CardSummarySerializer(serializers.Serializer):
    card_no = serializers.CharField()
    card_state = serializers.CharField()
    member_no = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    level_name = serializers.CharField()
    roaming = serializers.CharField()
    status = serializers.CharField()
    points_balance = serializers.IntegerField()
    expiring_points = serializers.IntegerField()
    expiring_on = serializers.DateField(allow_null=True)


class RedeemSerializer(serializers.Serializer):
    card_no = serializers.CharField(max_length=20)
    item = serializers.CharField(max_length=20)
    quantity = serializers.IntegerField()
    channel = serializers.CharField(max_length=30, required=False, default=ChannelKind.STAFF)
    idempotency_key = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")
    location = serializers.CharField(max_length=80, required=False, allow_blank=True, default="")


class RedeemResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    points = serializers.IntegerField()
    points_balance = serializers.IntegerField()
    card_no = serializers.CharField()
    item = serializers.CharField()
    quantity = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class RedemptionSerializer(serializers.ModelSerializer):
    member_no = serializers.CharField(source="member.member_no", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)
    card_no = serializers.CharField(source="card.card_no", read_only=True, default="")
    item_code = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)

    class Meta:
        model = Redemption
        fields = ["id", "member", "member_no", "member_name", "card_no", "item_code", "item_name", "quantity", "points",
                  "cost", "channel_kind", "source", "idempotency_key", "location", "state", "reversed_at",
                  "reversal_reason", "period", "created_at"]


class RedemptionReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class PointsEntrySerializer(serializers.ModelSerializer):
    member_no = serializers.CharField(source="account.member.member_no", read_only=True)

    class Meta:
        model = PointsEntry
        fields = ["id", "account", "member_no", "kind", "category", "points", "period", "rule", "run", "lot",
                  "redemption", "reference", "reason", "actor", "approver", "created_at"]


class PointsAdjustmentSerializer(serializers.ModelSerializer):
    member_no = serializers.CharField(source="member.member_no", read_only=True)

    class Meta:
        model = PointsAdjustment
        fields = ["id", "member", "member_no", "points", "reason", "state", "requested_by", "decided_by",
                  "decision_note", "entry", "created_at", "decided_at"]
        read_only_fields = ["state", "requested_by", "decided_by", "decision_note", "entry", "created_at", "decided_at"]


class AdjustmentDecisionSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class PointsRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = PointsRule
        fields = ["id", "code", "version", "name", "category", "business", "rate", "amount", "min_years", "max_years",
                  "level", "valid_from", "valid_to", "state", "issuer", "note", "created_at"]
        read_only_fields = ["version", "state", "created_at"]


class PointsRuleChangeSerializer(serializers.Serializer):
    valid_from = serializers.DateField()
    reason = serializers.CharField(max_length=300)
    name = serializers.CharField(max_length=80, required=False)
    rate = serializers.DecimalField(max_digits=8, decimal_places=4, required=False)
    amount = serializers.IntegerField(required=False)
    business = serializers.CharField(max_length=24, required=False, allow_blank=True)
    min_years = serializers.IntegerField(required=False, min_value=0)
    max_years = serializers.IntegerField(required=False, min_value=0)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class PointsRuleRetireSerializer(serializers.Serializer):
    valid_to = serializers.DateField()
    reason = serializers.CharField(max_length=300)


class ExpiryRuleSerializer(serializers.ModelSerializer):
    mode = serializers.ChoiceField(choices=ExpiryMode.choices)

    class Meta:
        model = ExpiryRule
        fields = ["id", "name", "mode", "length", "valid_from", "issuer", "created_at"]
        read_only_fields = ["issuer", "created_at"]


class RedemptionItemSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=ItemKind.choices)
    issuer = serializers.ChoiceField(choices=Issuer.choices, required=False, default=Issuer.HQ)

    class Meta:
        model = RedemptionItem
        fields = ["id", "code", "name", "kind", "points", "face_value", "unit_cost", "minutes", "description",
                  "auto_redeemable", "is_active", "valid_from", "valid_to", "issuer"]


class RedemptionRuleSerializer(serializers.ModelSerializer):
    issuer = serializers.ChoiceField(choices=Issuer.choices, required=False, default=Issuer.HQ)

    class Meta:
        model = RedemptionRule
        fields = ["id", "item", "level", "allowed", "points", "monthly_limit", "issuer"]
        validators = []


class PointsRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = PointsRun
        fields = ["id", "period", "state", "chunk_size", "chunks_total", "rules", "totals", "members", "job",
                  "started_at", "finished_at"]


class PointsRunStartSerializer(serializers.Serializer):
    period = serializers.RegexField(r"^\d{4}-\d{2}$", help_text=_("The month, YYYY-MM."))


class RedemptionChannelSerializer(serializers.ModelSerializer):
    class Meta:
        model = RedemptionChannel
        fields = ["id", "code", "name", "kind", "org_unit", "token_hint", "is_active", "created_at", "last_used_at"]
        read_only_fields = ["token_hint", "is_active", "created_at", "last_used_at"]


class RedemptionChannelTokenSerializer(RedemptionChannelSerializer):
    token = serializers.CharField(read_only=True, help_text=_("Shown once: only its hash is kept."))

    class Meta(RedemptionChannelSerializer.Meta):
        fields = [*RedemptionChannelSerializer.Meta.fields, "token"]

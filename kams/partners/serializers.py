"""Serializers of the partner API. Read serializers show records; write serializers only
check the shape of the input — the services decide."""

from decimal import Decimal

from rest_framework import serializers

from kams.club.models import ClubLevel, RedemptionChannel, RedemptionItem
from kams.org.models import OrgUnit
from kams.partners.enums import PartnerIndustry, PartnerStatus, PeriodKind
from kams.partners.models import (
    Appraisal,
    AppraisalIndicator,
    AppraisalScore,
    Coupon,
    CouponBatch,
    ExchangeImport,
    Partner,
    PartnerActivity,
    PartnerAgreement,
    PartnerExchange,
    PartnerOutlet,
    PartnerService,
    SettlementLine,
    SettlementStatement,
)


class PartnerSerializer(serializers.ModelSerializer):
    org_unit_name = serializers.CharField(source="org_unit.name", read_only=True)
    channel_code = serializers.CharField(source="channel.code", read_only=True, default=None)

    class Meta:
        model = Partner
        fields = ["id", "code", "name", "industry", "org_unit", "org_unit_name", "status", "cooperation_since",
                  "contact_name", "contact_phone", "email", "address", "description", "channel", "channel_code",
                  "created_at", "updated_at"]
        read_only_fields = fields


class PartnerWriteSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=100)
    industry = serializers.ChoiceField(choices=PartnerIndustry.choices)
    org_unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    status = serializers.ChoiceField(choices=PartnerStatus.choices, required=False)
    cooperation_since = serializers.DateField(required=False, allow_null=True)
    contact_name = serializers.CharField(max_length=40, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    channel = serializers.PrimaryKeyRelatedField(queryset=RedemptionChannel.objects.all(), required=False, allow_null=True)


class AgreementSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True)

    class Meta:
        model = PartnerAgreement
        fields = ["id", "partner", "partner_name", "number", "title", "signed_on", "valid_from", "valid_to", "terms",
                  "outbound_points_per_yuan", "inbound_points_per_yuan", "settlement_price", "state", "approved_at",
                  "ended_reason", "created_at"]
        read_only_fields = fields


class AgreementWriteSerializer(serializers.Serializer):
    partner = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.all(), required=False)
    number = serializers.CharField(max_length=40)
    title = serializers.CharField(max_length=120)
    signed_on = serializers.DateField(required=False, allow_null=True)
    valid_from = serializers.DateField()
    valid_to = serializers.DateField()
    terms = serializers.CharField(required=False, allow_blank=True)
    outbound_points_per_yuan = serializers.IntegerField(min_value=1)
    inbound_points_per_yuan = serializers.DecimalField(max_digits=10, decimal_places=4, min_value=Decimal("0.0001"))
    settlement_price = serializers.DecimalField(max_digits=10, decimal_places=4, min_value=Decimal("0"))


class AgreementEndSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)
    last_day = serializers.DateField(required=False, allow_null=True)


class ActivitySerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True)

    class Meta:
        model = PartnerActivity
        fields = ["id", "partner", "partner_name", "name", "benefit", "description", "starts_on", "ends_on", "levels",
                  "is_cancelled", "phase", "created_at"]
        read_only_fields = fields


class ActivityWriteSerializer(serializers.Serializer):
    partner = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.all(), required=False)
    name = serializers.CharField(max_length=120)
    benefit = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    levels = serializers.PrimaryKeyRelatedField(queryset=ClubLevel.objects.all(), many=True, required=False)
    is_cancelled = serializers.BooleanField(required=False)


class OutletSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True)

    class Meta:
        model = PartnerOutlet
        fields = ["id", "partner", "partner_name", "name", "city", "address", "phone", "opening_hours", "accepts_points",
                  "accepts_coupons", "is_active", "created_at"]
        read_only_fields = fields


class OutletWriteSerializer(serializers.Serializer):
    partner = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.all(), required=False)
    name = serializers.CharField(max_length=100)
    city = serializers.CharField(max_length=30)
    address = serializers.CharField(max_length=200)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    opening_hours = serializers.CharField(max_length=60, required=False, allow_blank=True)
    accepts_points = serializers.BooleanField(required=False)
    accepts_coupons = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)


class PartnerServiceSerializer(serializers.ModelSerializer):
    item_code = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)

    class Meta:
        model = PartnerService
        fields = ["id", "partner", "item", "item_code", "item_name", "note", "created_at"]
        read_only_fields = fields


class PartnerServiceWriteSerializer(serializers.Serializer):
    partner = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.all())
    item = serializers.PrimaryKeyRelatedField(queryset=RedemptionItem.objects.all())
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class CouponBatchSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    issued = serializers.IntegerField(read_only=True)
    redeemed = serializers.IntegerField(read_only=True)
    void = serializers.IntegerField(read_only=True)

    class Meta:
        model = CouponBatch
        fields = ["id", "partner", "partner_name", "activity", "name", "benefit", "face_value", "prefix", "quantity",
                  "valid_from", "valid_to", "issued", "redeemed", "void", "created_at"]
        read_only_fields = fields


class CouponBatchWriteSerializer(serializers.Serializer):
    partner = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.all())
    activity = serializers.PrimaryKeyRelatedField(queryset=PartnerActivity.objects.all(), required=False, allow_null=True)
    name = serializers.CharField(max_length=100)
    benefit = serializers.CharField(max_length=200)
    face_value = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal("0"), required=False)
    quantity = serializers.IntegerField(min_value=1)
    prefix = serializers.CharField(max_length=6, required=False, allow_blank=True)
    valid_from = serializers.DateField()
    valid_to = serializers.DateField()


class CouponIssueSerializer(serializers.Serializer):
    members = serializers.ListField(child=serializers.CharField(max_length=30), min_length=1, max_length=10000,
                                    help_text="Member or card numbers.")


class CouponIssueResultSerializer(serializers.Serializer):
    issued = serializers.IntegerField()
    codes = serializers.DictField(child=serializers.CharField(), help_text="Member number → coupon code.")


class CouponSerializer(serializers.ModelSerializer):
    member_no = serializers.CharField(source="member.member_no", read_only=True, default=None)
    partner = serializers.IntegerField(source="batch.partner_id", read_only=True)

    class Meta:
        model = Coupon
        fields = ["id", "batch", "partner", "code", "state", "member", "member_no", "issued_at", "redeemed_at", "outlet",
                  "redeemed_via", "void_reason"]
        read_only_fields = fields


class CouponRedeemSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=24)
    partner = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.all(), required=False,
                                                 help_text="Staff only: the partner (a partner system redeems its own).")
    outlet = serializers.PrimaryKeyRelatedField(queryset=PartnerOutlet.objects.all(), required=False, allow_null=True)


class PartnerReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class ExchangeSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    member_no = serializers.CharField(source="member.member_no", read_only=True)
    card_no = serializers.CharField(source="card.card_no", read_only=True, default=None)
    agreement_number = serializers.CharField(source="agreement.number", read_only=True, default=None)

    class Meta:
        model = PartnerExchange
        fields = ["id", "direction", "partner", "partner_name", "member", "member_no", "card_no", "points", "amount",
                  "agreement", "agreement_number", "external_id", "occurred_at", "period", "source", "redemption",
                  "import_file", "created_at"]
        read_only_fields = fields


class InboundSerializer(serializers.Serializer):
    card_no = serializers.CharField(max_length=30)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    transaction_id = serializers.CharField(max_length=50)
    occurred_at = serializers.DateTimeField(required=False, allow_null=True)


class StaffInboundSerializer(InboundSerializer):
    partner = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.all())


class InboundResultSerializer(serializers.Serializer):
    transaction_id = serializers.CharField()
    points = serializers.IntegerField()
    points_balance = serializers.IntegerField(allow_null=True)
    agreement = serializers.CharField()
    exchange = serializers.IntegerField()


class ExchangeImportSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExchangeImport
        fields = ["id", "partner", "file_name", "rows", "credited", "duplicates", "rejected", "points", "amount", "errors",
                  "created_at"]
        read_only_fields = fields


class ExchangeImportWriteSerializer(serializers.Serializer):
    partner = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.all())
    file = serializers.FileField()


class SettlementLineSerializer(serializers.ModelSerializer):
    agreement_number = serializers.CharField(source="agreement.number", read_only=True, default=None)

    class Meta:
        model = SettlementLine
        fields = ["id", "kind", "direction", "agreement", "agreement_number", "exchanges", "members", "points", "amount",
                  "price", "value", "note", "created_at"]
        read_only_fields = fields


class SettlementSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    adjustments_net = serializers.SerializerMethodField()
    lines = SettlementLineSerializer(many=True, read_only=True)

    class Meta:
        model = SettlementStatement
        fields = ["id", "partner", "partner_name", "period", "state", "inbound_points", "outbound_points", "receivable",
                  "payable", "net", "adjustments_net", "computed_at", "confirmed_at", "paid_at", "payment_ref", "lines"]
        read_only_fields = fields

    def get_adjustments_net(self, statement) -> Decimal:
        return getattr(statement, "adj_receivable", Decimal("0")) - getattr(statement, "adj_payable", Decimal("0"))


class SettlementComputeSerializer(serializers.Serializer):
    partner = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.all())
    period = serializers.DateField(help_text="Any day of the month to settle.")


class SettlementPaySerializer(serializers.Serializer):
    payment_ref = serializers.CharField(max_length=60)


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = AppraisalIndicator
        fields = ["id", "code", "name", "weight", "max_score", "description", "order", "is_active"]
        read_only_fields = ["id"]


class AppraisalScoreSerializer(serializers.ModelSerializer):
    indicator_code = serializers.CharField(source="indicator.code", read_only=True)

    class Meta:
        model = AppraisalScore
        fields = ["indicator", "indicator_code", "score", "note"]
        read_only_fields = fields


class AppraisalSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    scores = AppraisalScoreSerializer(many=True, read_only=True)

    class Meta:
        model = Appraisal
        fields = ["id", "partner", "partner_name", "period_kind", "period", "period_label", "total", "rank", "comment",
                  "scores", "updated_at"]
        read_only_fields = fields


class AppraisalWriteSerializer(serializers.Serializer):
    partner = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.all())
    period_kind = serializers.ChoiceField(choices=PeriodKind.choices)
    period = serializers.DateField()
    scores = serializers.DictField(child=serializers.DecimalField(max_digits=6, decimal_places=2),
                                   help_text="Indicator code → score.")
    comment = serializers.CharField(required=False, allow_blank=True)


class StatisticsRowSerializer(serializers.Serializer):
    period = serializers.DateField()
    partner_id = serializers.IntegerField()
    partner__name = serializers.CharField()
    direction = serializers.CharField()
    direction_label = serializers.CharField()
    points = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    members = serializers.IntegerField()
    exchanges = serializers.IntegerField()

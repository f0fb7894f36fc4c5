"""Serializers of the member and level API: read serializers for output (personal numbers
masked unless the reader may see personal data, NFR-02) and write serializers whose
validated data goes to the services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from kams.club.enums import ContactResult, MemberStatus, StatementChannel
from kams.club.member_selectors import risk_reasons
from kams.club.models import ClubLevel, ClubMember, LevelRun, MemberDunning, MemberLevelChange
from kams.core.masking import mask_certificate, mask_phone
from kams.customers.models import Customer
from kams.customers.serializers import MaskingMixin, ScopedPrimaryKeyRelatedField

MEMBER_MASKS = {"msisdn": mask_phone, "phone": mask_phone, "certificate_no": mask_certificate}


class ClubLevelSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClubLevel
        fields = ["id", "code", "name", "rank", "roaming", "min_monthly_paid", "keep_monthly_paid", "min_tenure_months",
                  "review_months", "card_fee", "description", "is_active"]
        read_only_fields = fields


class ClubLevelWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=30, required=False)
    roaming = serializers.ChoiceField(choices=ClubLevel._meta.get_field("roaming").choices, required=False)
    min_monthly_paid = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
    keep_monthly_paid = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
    min_tenure_months = serializers.IntegerField(min_value=0, max_value=600, required=False)
    review_months = serializers.IntegerField(min_value=1, max_value=24, required=False)
    card_fee = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ClubMemberSerializer(MaskingMixin, serializers.ModelSerializer):
    masked_fields = MEMBER_MASKS
    customer_code = serializers.CharField(source="customer.code", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    region = serializers.CharField(source="customer.org_unit.name", read_only=True)
    account_manager = serializers.SerializerMethodField()
    level_code = serializers.CharField(source="level.code", read_only=True)
    level_name = serializers.CharField(source="level.name", read_only=True)
    points_balance = serializers.SerializerMethodField()

    class Meta:
        model = ClubMember
        fields = ["id", "member_no", "name", "customer", "customer_code", "customer_name", "region", "account_manager",
                  "msisdn", "certificate_no", "phone", "email", "birthday", "address", "level", "level_code",
                  "level_name", "status", "joined_on", "network_since", "inspected_on", "preferences",
                  "statement_channel", "points_balance", "created_at", "updated_at"]
        read_only_fields = fields

    def get_account_manager(self, member) -> str | None:
        manager = member.customer.account_manager
        return manager.name if manager else None

    def get_points_balance(self, member) -> int | None:
        try:
            return member.points.balance
        except Exception:  # an applicant has no account yet
            return None


class ClubPreferencesSerializer(serializers.Serializer):
    """个性化资料."""

    hobbies = serializers.CharField(max_length=200, required=False, allow_blank=True)
    contact_time = serializers.CharField(max_length=100, required=False, allow_blank=True)
    care_wishes = serializers.CharField(max_length=300, required=False, allow_blank=True)


class ClubMemberDataSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60, required=False)
    msisdn = serializers.CharField(max_length=20, required=False, allow_blank=True)
    certificate_no = serializers.CharField(max_length=32, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    birthday = serializers.DateField(required=False, allow_null=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    network_since = serializers.DateField(required=False, allow_null=True)
    preferences = ClubPreferencesSerializer(required=False)
    statement_channel = serializers.ChoiceField(choices=StatementChannel.choices, required=False)


class ClubMemberCreateSerializer(ClubMemberDataSerializer):
    customer = ScopedPrimaryKeyRelatedField(queryset=Customer.objects.all())
    name = serializers.CharField(max_length=60)
    level = serializers.PrimaryKeyRelatedField(queryset=ClubLevel.objects.filter(is_active=True))
    admit = serializers.BooleanField(required=False, default=False,
                                     help_text=_("Admit at once; otherwise the member awaits the qualification review."))
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ClubMemberUpdateSerializer(ClubMemberDataSerializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ClubApplicantSerializer(ClubMemberSerializer):
    """An applicant with its figures against the level applied for."""

    figures = serializers.SerializerMethodField()

    class Meta(ClubMemberSerializer.Meta):
        fields = [*ClubMemberSerializer.Meta.fields, "figures"]
        read_only_fields = fields

    def get_figures(self, member) -> dict | None:
        figures = self.context.get("figures", {}).get(member.pk)
        if figures is None:
            return None
        return {
            "period": f"{figures.period:%Y-%m}" if figures.period else None, "average": str(figures.average),
            "tenure_months": figures.tenure, "meets_paid": figures.meets_paid, "meets_tenure": figures.meets_tenure,
            "qualifies_for": figures.suggested.code if figures.suggested else None,
        }


class ClubMemberAtRiskSerializer(ClubMemberSerializer):
    reasons = serializers.SerializerMethodField()
    risks = serializers.SerializerMethodField()
    paid_last = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    paid_before = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta(ClubMemberSerializer.Meta):
        fields = [*ClubMemberSerializer.Meta.fields, "risks", "reasons", "paid_last", "paid_before"]
        read_only_fields = fields

    def get_risks(self, member) -> list[str]:
        return [name.removeprefix("risk_") for name in ("risk_arrears", "risk_suspended", "risk_downgraded",
                                                         "risk_bill_drop") if getattr(member, name, False)]

    def get_reasons(self, member) -> list[str]:
        return risk_reasons(member)


class ClubMemberArrearsSerializer(ClubMemberSerializer):
    arrears = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    months_owed = serializers.IntegerField(read_only=True)
    oldest_owed = serializers.DateField(read_only=True)
    open_dunning = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta(ClubMemberSerializer.Meta):
        fields = [*ClubMemberSerializer.Meta.fields, "arrears", "months_owed", "oldest_owed", "open_dunning"]
        read_only_fields = fields


class ClubApproveSerializer(serializers.Serializer):
    level = serializers.PrimaryKeyRelatedField(queryset=ClubLevel.objects.filter(is_active=True), required=False,
                                               allow_null=True)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class ClubRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class ClubManualChangeSerializer(serializers.Serializer):
    level = serializers.PrimaryKeyRelatedField(queryset=ClubLevel.objects.filter(is_active=True))
    reason = serializers.CharField(max_length=300)
    new_status = serializers.ChoiceField(choices=[MemberStatus.ACTIVE, MemberStatus.SUSPENDED], required=False,
                                         allow_null=True, default=None)


class ClubLevelChangeSerializer(serializers.ModelSerializer):
    member_no = serializers.CharField(source="member.member_no", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)
    old_level_code = serializers.CharField(source="old_level.code", read_only=True, default=None)
    new_level_code = serializers.CharField(source="new_level.code", read_only=True, default=None)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = MemberLevelChange
        fields = ["id", "member", "member_no", "member_name", "kind", "period", "old_level", "old_level_code",
                  "new_level", "new_level_code", "old_status", "new_status", "avg_paid", "reason", "decided_by",
                  "created_at"]
        read_only_fields = fields


class ClubLevelRunSerializer(serializers.ModelSerializer):
    started_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = LevelRun
        fields = ["id", "kind", "period", "evaluated", "upgrades", "downgrades", "kept", "suspended", "runs",
                  "started_by", "started_at", "finished_at"]
        read_only_fields = fields


class ClubLevelRunStartSerializer(serializers.Serializer):
    period = serializers.CharField(max_length=7, help_text=_("The billed month, YYYY-MM."))


class ClubDunningSerializer(serializers.ModelSerializer):
    member_no = serializers.CharField(source="member.member_no", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)
    customer_name = serializers.CharField(source="member.customer.name", read_only=True)
    case_number = serializers.CharField(source="case.number", read_only=True, default=None)
    marked_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    handled_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = MemberDunning
        fields = ["id", "member", "member_no", "member_name", "customer_name", "state", "arrears", "months",
                  "oldest_period", "note", "marked_by", "marked_at", "case", "case_number", "result", "result_note",
                  "promised_on", "handled_by", "handled_at"]
        read_only_fields = fields


class ClubDunningMarkSerializer(serializers.Serializer):
    member = ScopedPrimaryKeyRelatedField(queryset=ClubMember.objects.all())
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    open_case = serializers.BooleanField(required=False, default=False)


class ClubDunningHandleSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=ContactResult.choices)
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    promised_on = serializers.DateField(required=False, allow_null=True, default=None)

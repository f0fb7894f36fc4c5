from rest_framework import serializers

from kams.clubstats.models import PointsScheme, PointsSchemeForecast


class ClubPointsSchemeSerializer(serializers.ModelSerializer):
    class Meta:
        model = PointsScheme
        fields = ["id", "name", "description", "rules", "redemption_rate", "cost_per_point", "created_at", "updated_at"]
        read_only_fields = fields


class ClubPointsSchemeWriteSerializer(serializers.Serializer):
    """The service validates the rule changes and the rates (a clear error, nothing saved)."""

    name = serializers.CharField(max_length=80, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    rules = serializers.JSONField(required=False, help_text='Per rule code the changed values, e.g. {"CONS-DATA": {"rate": "2"}}.')
    redemption_rate = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    cost_per_point = serializers.CharField(required=False, allow_blank=True, allow_null=True)


class ClubForecastStartSerializer(serializers.Serializer):
    months = serializers.IntegerField(required=False, default=12)


class ClubPointsSchemeForecastSerializer(serializers.ModelSerializer):
    scheme_name = serializers.CharField(source="scheme.name", read_only=True)
    job = serializers.SerializerMethodField()

    class Meta:
        model = PointsSchemeForecast
        fields = ["id", "scheme", "scheme_name", "months", "period_from", "period_to", "state", "inputs", "figures",
                  "error", "job", "created_at", "finished_at"]
        read_only_fields = fields

    def get_job(self, forecast) -> dict | None:
        job = forecast.job
        return {"id": job.pk, "state": job.state, "done": job.progress_done, "total": job.progress_total} if job else None


class ClubStatisticSerializer(serializers.Serializer):
    """A statistic: its filters and its named tables of rows (money as decimal strings)."""

    name = serializers.CharField()
    filters = serializers.DictField(child=serializers.CharField())
    tables = serializers.DictField(child=serializers.ListField(child=serializers.DictField()))

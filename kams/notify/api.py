from rest_framework import serializers, viewsets

from kams.notify.models import Message


class MessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = [
            "id", "channel", "recipient", "recipient_name", "subject", "body", "purpose", "state", "attempts",
            "last_error", "provider_id", "target_type", "target_id", "created_at", "sent_at",
        ]
        read_only_fields = fields


class MessageViewSet(viewsets.ReadOnlyModelViewSet):
    """通知记录: every message sent or tried (INT-04), scoped to the caller."""

    queryset = Message.objects.all()
    serializer_class = MessageSerializer
    filterset_fields = ["channel", "state", "purpose"]

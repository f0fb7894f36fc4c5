import django_filters
from django.contrib import messages as flash
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views import View

from kams.core.errors import KamsError
from kams.notify import services
from kams.notify.models import Channel, Message, MessageState
from kams.web.lists import ListPage


class MessageFilter(django_filters.FilterSet):
    recipient = django_filters.CharFilter(label=_("recipient"), lookup_expr="icontains")
    channel = django_filters.ChoiceFilter(label=_("channel"), choices=Channel.choices)
    state = django_filters.ChoiceFilter(label=_("state"), choices=MessageState.choices)
    purpose = django_filters.CharFilter(label=_("purpose"))

    class Meta:
        model = Message
        fields = ["recipient", "channel", "state", "purpose"]


class MessageListPage(ListPage):
    """Every message KAMS sent or tried to send, with its outcome."""

    permission_required = "notify.view_message"
    model = Message
    title = _("Notifications")
    filterset_class = MessageFilter
    template_name = "notify/messages.html"
    export_name = "notifications"
    columns = [
        (_("created at"), lambda m: m.created_at),
        (_("channel"), lambda m: m.get_channel_display()),
        (_("recipient"), lambda m: f"{m.recipient_name} {m.recipient}".strip()),
        (_("purpose"), lambda m: m.purpose),
        (_("text"), lambda m: m.body),
        (_("state"), lambda m: m.get_state_display()),
        (_("attempts"), lambda m: m.attempts),
        (_("last error"), lambda m: m.last_error),
        (_("sent at"), lambda m: m.sent_at),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["failed"] = [m for m in context["page_obj"].object_list if m.state == MessageState.FAILED]
        return context


class MessageResendView(PermissionRequiredMixin, View):
    permission_required = "notify.change_message"

    def post(self, request, pk):
        message = Message.objects.get_visible(request.user, pk=pk)
        try:
            services.message_resend(actor=request.user, message=message)
            flash.success(request, _("The message is queued again."))
        except KamsError as exc:
            flash.error(request, exc.text)
        return redirect("notify:messages")

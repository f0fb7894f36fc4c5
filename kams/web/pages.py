"""Building blocks for pages that write: a form whose valid data goes to one service call.

The service checks permission and scope again, runs the transaction and writes the audit
log; the page only shows its result or its translated error, and changes nothing on error.
"""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import redirect
from django.views.generic import FormView

from kams.core.errors import KamsError


class ServiceFormPage(PermissionRequiredMixin, FormView):
    """Subclasses define ``perform(form)`` (call the service, return its object) and
    ``success_url_for(obj)``."""

    template_name = "web/form.html"
    title = ""
    success_message = ""
    cancel_url = None

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(self.extra_form_kwargs())
        return kwargs

    def extra_form_kwargs(self) -> dict:
        return {}

    def form_valid(self, form):
        try:
            obj = self.perform(form)
        except KamsError as exc:
            form.add_error(None, exc.text)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return redirect(self.success_url_for(obj))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("title", self.title)
        context.setdefault("cancel_url", self.cancel_url)
        return context

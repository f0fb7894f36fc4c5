"""Level evaluation pages (CUS-07): run the evaluation, see its runs, approve or reject
proposed changes."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from kams.core.errors import KamsError
from kams.customers import services
from kams.customers.levels import level_changes_decide
from kams.customers.models import LevelChange, LevelChangeState, LevelEvaluation
from kams.system.parameters import param


class LevelChangesPage(PermissionRequiredMixin, TemplateView):
    permission_required = "customers.view_levelchange"
    template_name = "customers/levels.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        state = self.request.GET.get("state", LevelChangeState.PROPOSED)
        changes = (
            LevelChange.objects.visible_to(user)
            .filter(state=state)
            .select_related("customer", "old_level", "new_level", "evaluation")
        )
        page = Paginator(changes, param("ui.page_size")).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            title=_("Level evaluation"),
            evaluations=LevelEvaluation.objects.all()[:10],
            page_obj=page,
            changes=page.object_list,
            state=state,
            states=LevelChangeState.choices,
            query=f"state={state}",
            needs_approval=param("customers.level_changes_need_approval"),
            **kwargs,
        )


class LevelEvaluateView(PermissionRequiredMixin, View):
    permission_required = "customers.add_levelevaluation"

    def post(self, request):
        run = services.levels_evaluate_request(actor=request.user)
        messages.success(request, _("The evaluation #%(id)s is queued; follow it on the jobs page.") % {"id": run.pk})
        return redirect("customers:levels")


class LevelDecideView(PermissionRequiredMixin, View):
    permission_required = "customers.approve_levelchange"

    def post(self, request):
        approve = request.POST.get("decision") == "approve"
        ids = [int(i) for i in request.POST.getlist("change") if i.isdigit()]
        if not ids:
            messages.error(request, _("Choose at least one change."))
            return redirect("customers:levels")
        try:
            count = level_changes_decide(
                actor=request.user, changes=LevelChange.objects.filter(pk__in=ids), approve=approve,
                reason=request.POST.get("reason", ""),
            )
        except PermissionDenied:
            raise
        except KamsError as exc:
            messages.error(request, exc.text)
            return redirect("customers:levels")
        messages.success(
            request, (_("%(n)s changes applied.") if approve else _("%(n)s changes rejected.")) % {"n": count}
        )
        return redirect("customers:levels")

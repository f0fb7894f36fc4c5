"""Level evaluation pages (CUS-07): run the evaluation, see its runs, approve or reject
proposed changes."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from kams.core.errors import KamsError
from kams.customers import services
from kams.customers.enums import CustomerType
from kams.customers.levels import level_changes_decide
from kams.customers.models import Level, LevelCategory, LevelChange, LevelChangeState, LevelEvaluation
from kams.system.parameters import param
from kams.web.pages import ServiceFormPage


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


class LevelConfigPage(PermissionRequiredMixin, TemplateView):
    """客户类别与级别: categories, their levels, thresholds and entitlements."""

    permission_required = "customers.view_level"
    template_name = "customers/level_config.html"

    def get_context_data(self, **kwargs):
        categories = LevelCategory.objects.prefetch_related("levels").order_by("code")
        return super().get_context_data(title=_("Customer levels"), categories=categories, **kwargs)


class LevelForm(forms.Form):
    code = forms.SlugField(label=_("code"), max_length=30)
    name = forms.CharField(label=_("name"), max_length=50)
    rank = forms.IntegerField(label=_("rank"), min_value=1, max_value=99)
    min_monthly_revenue = forms.DecimalField(label=_("minimum average monthly revenue (yuan)"), min_value=0, max_digits=14, decimal_places=2)
    min_tenure_months = forms.IntegerField(label=_("minimum tenure (months)"), min_value=0, max_value=600)
    service_standard = forms.CharField(label=_("service standard"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    tariff_notes = forms.CharField(label=_("tariff notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class LevelEditPage(ServiceFormPage):
    permission_required = "customers.change_level"
    form_class = LevelForm
    success_message = _("The level was saved.")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if "level" in kwargs:
            self.level = get_object_or_404(Level.objects.select_related("category"), pk=kwargs["level"])
            self.category = self.level.category
            self.title = _("Level: %(name)s") % {"name": self.level.name}
        else:
            self.level = None
            self.category = get_object_or_404(LevelCategory, pk=kwargs["category"])
            self.title = _("New level in %(category)s") % {"category": self.category.name}
        self.cancel_url = reverse("customers:level_config")

    def get_initial(self):
        if self.level is None:
            return {}
        return {field: getattr(self.level, field) for field in LevelForm.base_fields}

    def perform(self, form):
        return services.level_save(actor=self.request.user, category=self.category, level=self.level, **form.cleaned_data)

    def success_url_for(self, obj):
        return reverse("customers:level_config")


class CategoryForm(forms.Form):
    code = forms.SlugField(label=_("code"), max_length=30)
    name = forms.CharField(label=_("name"), max_length=50)
    customer_types = forms.MultipleChoiceField(
        label=_("customer types"), choices=CustomerType.choices, widget=forms.CheckboxSelectMultiple
    )


class CategoryEditPage(ServiceFormPage):
    permission_required = "customers.change_level"
    form_class = CategoryForm
    success_message = _("The category was saved.")

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.category = get_object_or_404(LevelCategory, pk=kwargs["pk"]) if "pk" in kwargs else None
        self.title = self.category.name if self.category else _("New level category")
        self.cancel_url = reverse("customers:level_config")

    def get_initial(self):
        if self.category is None:
            return {}
        return {"code": self.category.code, "name": self.category.name, "customer_types": self.category.customer_types}

    def perform(self, form):
        return services.level_category_save(actor=self.request.user, category=self.category, **form.cleaned_data)

    def success_url_for(self, obj):
        return reverse("customers:level_config")

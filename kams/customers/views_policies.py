"""Preferential policies (CUS-12) and training/feedback records (CUS-13): lists, forms,
approval. Rules (approval levels, states) live in the services."""

from decimal import Decimal

import django_filters
from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from kams.audit.selectors import history_of
from kams.core.errors import KamsError
from kams.customers import services
from kams.customers.enums import Business, CareKind, PreferenceKind, PreferenceState
from kams.customers.models import CareRecord, PayingAccount, Preference
from kams.customers.views_edit import CustomerFormPage
from kams.web.lists import ListPage

DATE = forms.DateInput(attrs={"type": "date"})


class PreferenceFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Title or customer"), method="search")
    state = django_filters.ChoiceFilter(label=_("State"), choices=PreferenceState.choices)

    class Meta:
        model = Preference
        fields = ["q", "state"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(customer__name__icontains=value) | Q(customer__code=value))


class PreferenceListPage(ListPage):
    permission_required = "customers.view_preference"
    model = Preference
    title = _("Preferential policies")
    filterset_class = PreferenceFilter
    export_name = "preferences"
    columns = [
        (_("Title"), lambda p: p.title),
        (_("Customer"), lambda p: p.customer.name),
        (_("business"), lambda p: p.get_business_display()),
        (_("kind"), lambda p: p.get_kind_display()),
        (_("value"), lambda p: p.value),
        (_("estimated monthly value (yuan)"), lambda p: p.monthly_value),
        (_("State"), lambda p: p.get_state_display()),
        (_("approval level"), lambda p: p.get_approval_level_display()),
        (_("valid to"), lambda p: p.valid_to),
    ]

    def get_base_queryset(self):
        return Preference.objects.select_related("customer")

    def row_url(self, row):
        return reverse("customers:preference_detail", args=[row.pk])


class PreferenceForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=120)
    business = forms.ChoiceField(label=_("business"), choices=Business.choices)
    kind = forms.ChoiceField(label=_("kind"), choices=PreferenceKind.choices)
    value = forms.DecimalField(label=_("value"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2)
    monthly_value = forms.DecimalField(label=_("estimated monthly value (yuan)"), min_value=0, max_digits=12, decimal_places=2)
    valid_from = forms.DateField(label=_("valid from"), widget=DATE)
    valid_to = forms.DateField(label=_("valid to"), widget=DATE)
    accounts = forms.ModelMultipleChoiceField(
        label=_("accounts"), queryset=PayingAccount.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accounts"].queryset = customer.accounts.all()


class PreferenceCreatePage(CustomerFormPage):
    permission_required = "customers.add_preference"
    form_class = PreferenceForm
    section = "preferences"
    success_message = _("The policy was saved as a draft; submit it for approval.")

    def page_title(self):
        return _("New preferential policy for %(customer)s") % {"customer": self.customer.name}

    def extra_form_kwargs(self):
        return {"customer": self.customer}

    def perform(self, form):
        data = dict(form.cleaned_data)
        accounts = data.pop("accounts")
        return services.preference_create(actor=self.request.user, customer=self.customer, accounts=accounts, **data)

    def success_url_for(self, obj):
        return reverse("customers:preference_detail", args=[obj.pk])


class PreferenceDetailPage(PermissionRequiredMixin, TemplateView):
    permission_required = "customers.view_preference"
    template_name = "customers/preference_detail.html"

    def get_context_data(self, **kwargs):
        preference = (
            Preference.objects.select_related("customer", "requested_by", "decided_by")
            .prefetch_related("accounts")
            .get_visible(self.request.user, pk=self.kwargs["pk"])
        )
        return super().get_context_data(
            title=preference.title, preference=preference, history=history_of(self.request.user, preference), **kwargs
        )


class PreferenceActionView(PermissionRequiredMixin, View):
    """POST ``action`` = submit / approve / reject / withdraw (+ ``note``)."""

    permission_required = "customers.view_preference"

    def post(self, request, pk):
        preference = Preference.objects.get_visible(request.user, pk=pk)
        action, note = request.POST.get("action"), request.POST.get("note", "")
        try:
            if action == "submit":
                services.preference_submit(actor=request.user, preference=preference)
            elif action in ("approve", "reject"):
                services.preference_decide(actor=request.user, preference=preference, approve=action == "approve", note=note)
            elif action == "withdraw":
                services.preference_withdraw(actor=request.user, preference=preference, reason=note)
            else:
                messages.error(request, _("Unknown action."))
                return redirect("customers:preference_detail", pk=pk)
            messages.success(request, _("Done."))
        except KamsError as exc:
            messages.error(request, exc.text)
        return redirect("customers:preference_detail", pk=pk)


class CareFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Title or customer"), method="search")
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=CareKind.choices)

    class Meta:
        model = CareRecord
        fields = ["q", "kind"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(customer__name__icontains=value))


class CareListPage(ListPage):
    permission_required = "customers.view_carerecord"
    model = CareRecord
    title = _("Training and feedback")
    filterset_class = CareFilter
    export_name = "training-feedback"
    columns = [
        (_("date"), lambda r: r.happened_on),
        (_("kind"), lambda r: r.get_kind_display()),
        (_("Customer"), lambda r: r.customer.name),
        (_("title"), lambda r: r.title),
        (_("attendees"), lambda r: r.attendees),
        (_("satisfaction (1-5)"), lambda r: r.satisfaction),
        (_("content"), lambda r: r.content),
        (_("outcome / follow-up"), lambda r: r.outcome),
    ]

    def get_base_queryset(self):
        return CareRecord.objects.select_related("customer")

    def row_url(self, row):
        return reverse("customers:detail", args=[row.customer_id])


class CareForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=CareKind.choices)
    title = forms.CharField(label=_("title"), max_length=120)
    happened_on = forms.DateField(label=_("date"), widget=DATE)
    attendees = forms.IntegerField(label=_("attendees"), min_value=0, required=False)
    content = forms.CharField(label=_("content"), widget=forms.Textarea(attrs={"rows": 4}))
    outcome = forms.CharField(label=_("outcome / follow-up"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    satisfaction = forms.IntegerField(label=_("satisfaction (1-5)"), min_value=1, max_value=5, required=False)


class CareCreatePage(CustomerFormPage):
    permission_required = "customers.add_carerecord"
    form_class = CareForm
    section = "care"
    success_message = _("The record was saved.")

    def page_title(self):
        return _("Training or feedback for %(customer)s") % {"customer": self.customer.name}

    def perform(self, form):
        return services.care_record_add(actor=self.request.user, customer=self.customer, **form.cleaned_data)

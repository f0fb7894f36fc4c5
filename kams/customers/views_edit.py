"""Pages that change the customer domain (CUS-01, CUS-02, CUS-05, CUS-14).

Each page hands its form's data to one service of ``kams.customers.services``, which checks
permission and scope, runs the transaction and writes the audit log; a refused step shows
the service's translated message and changes nothing. Records are looked up through the
scoped managers, so a page about a record outside the user's scope is a 404.
"""

from functools import cached_property

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from kams.customers import selectors, services
from kams.customers.forms import (
    AccountForm,
    ContactForm,
    CustomerForm,
    ExtraAttributeForm,
    LevelForm,
    MemberForm,
    ReasonForm,
    RelationForm,
)
from kams.customers.models import Contact, ExtraAttribute, Member, PayingAccount, Relation
from kams.customers.selectors import level_suggest
from kams.web.pages import ServiceFormPage


def detail_url(customer, section: str = "") -> str:
    url = reverse("customers:detail", args=[customer.pk])
    return f"{url}#section-{section}" if section else url


class CustomerFormPage(ServiceFormPage):
    """A page about one customer (``pk`` in the URL). The customer is read after the
    permission check, so a user without the permission gets 403 and never a lookup."""

    template_name = "customers/form.html"
    section = ""
    submit_label = _("Save")
    lead = ""
    danger = False

    @cached_property
    def customer(self):
        return selectors.customer_get(self.request.user, self.kwargs["pk"])

    def page_title(self):
        return self.title

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=self.page_title(),
            customer=self.customer,
            cancel_url=detail_url(self.customer, self.section),
            submit_label=self.submit_label,
            lead=self.lead,
            danger=self.danger,
            **kwargs,
        )

    def success_url_for(self, obj):
        return detail_url(self.customer, self.section)


# --- Customers ---------------------------------------------------------------------------------


class CustomerCreatePage(ServiceFormPage):
    permission_required = "customers.add_customer"
    form_class = CustomerForm
    template_name = "customers/form.html"
    title = _("New customer")
    success_message = _("The customer was created.")

    def extra_form_kwargs(self):
        return {"user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(cancel_url=reverse("customers:list"), **kwargs)

    def perform(self, form):
        values = form.standard_values()
        return services.customer_create(
            actor=self.request.user,
            status=form.cleaned_data["status"],
            extra=form.extra_values(),
            **values,
        )

    def success_url_for(self, obj):
        return detail_url(obj)


class CustomerEditPage(CustomerFormPage):
    permission_required = "customers.change_customer"
    form_class = CustomerForm
    success_message = _("The changes were saved.")

    def page_title(self):
        return _("Edit %(name)s") % {"name": self.customer.name}

    def extra_form_kwargs(self):
        return {"user": self.request.user, "customer": self.customer}

    def get_initial(self):
        return CustomerForm.initial_for(self.customer)

    def perform(self, form):
        values = form.standard_values()
        changes = {name: values[name] for name in values if name in form.changed_data}
        customer, suggestion = services.customer_update(
            actor=self.request.user,
            customer=self.customer,
            changes=changes,
            extra=form.extra_values(),
            reason=form.cleaned_data["reason"],
        )
        # CUS-05: the new data may qualify for another level; applying it is a separate,
        # reasoned step, so the page only points to it.
        if suggestion is not None and suggestion.pk != customer.level_id:
            messages.info(
                self.request,
                format_html(
                    '{} <a href="{}" class="alert-link" id="level-suggestion">{}</a>',
                    gettext("The system suggests level %(level)s.") % {"level": suggestion.name},
                    reverse("customers:level", args=[customer.pk]),
                    gettext("Change the level"),
                ),
            )
        return customer


class CustomerLevelPage(CustomerFormPage):
    permission_required = "customers.change_customer"
    form_class = LevelForm
    section = "level"
    success_message = _("The level was changed.")

    def page_title(self):
        return _("Level of %(name)s") % {"name": self.customer.name}

    @property
    def lead(self):
        suggestion = level_suggest(self.customer)
        if suggestion is None:
            return ""
        return gettext("The system suggests level %(level)s.") % {"level": suggestion.name}

    def extra_form_kwargs(self):
        return {"customer": self.customer}

    def get_initial(self):
        return {"level": self.customer.level_id}

    def perform(self, form):
        return services.customer_level_set(
            actor=self.request.user, customer=self.customer, level=form.cleaned_data["level"], reason=form.cleaned_data["reason"]
        )


class CustomerCancelPage(CustomerFormPage):
    permission_required = "customers.cancel_customer"
    form_class = ReasonForm
    submit_label = _("Cancel the customer")
    lead = _("The customer becomes historical and its active paying accounts are cancelled with it.")
    danger = True
    success_message = _("The customer was cancelled.")

    def page_title(self):
        return _("Cancel %(name)s") % {"name": self.customer.name}

    def perform(self, form):
        return services.customer_cancel(actor=self.request.user, customer=self.customer, reason=form.cleaned_data["reason"])


class CustomerRestorePage(CustomerFormPage):
    permission_required = "customers.cancel_customer"
    form_class = ReasonForm
    submit_label = _("Restore the customer")
    lead = _("The customer becomes current again and the accounts cancelled with it are reopened.")
    success_message = _("The customer was restored.")

    def page_title(self):
        return _("Restore %(name)s") % {"name": self.customer.name}

    def perform(self, form):
        return services.customer_restore(actor=self.request.user, customer=self.customer, reason=form.cleaned_data["reason"])


# --- Children: accounts, contacts, members, relations -----------------------------------------


class ChildFormPage(CustomerFormPage):
    """A page about one record of a customer (``pk`` is the record's): the record is read
    through its scoped manager, its customer follows from it."""

    child_model = None

    @cached_property
    def child(self):
        return self.child_model.objects.select_related("customer").get_visible(self.request.user, pk=self.kwargs["pk"])

    @cached_property
    def customer(self):
        return self.child.customer


class AccountCreatePage(CustomerFormPage):
    permission_required = "customers.add_payingaccount"
    form_class = AccountForm
    section = "accounts"
    success_message = _("The account was added.")

    def page_title(self):
        return _("New paying account of %(name)s") % {"name": self.customer.name}

    def perform(self, form):
        return services.account_add(actor=self.request.user, customer=self.customer, **form.cleaned_data)


class AccountEditPage(ChildFormPage):
    permission_required = "customers.change_payingaccount"
    child_model = PayingAccount
    form_class = AccountForm
    section = "accounts"
    success_message = _("The changes were saved.")

    def page_title(self):
        return _("Edit account %(no)s") % {"no": self.child.account_no}

    def extra_form_kwargs(self):
        return {"editing": True}

    def get_initial(self):
        a = self.child
        return {
            "name": a.name, "payment_method": a.payment_method, "bank_name": a.bank_name,
            "bank_account": a.bank_account, "opened_on": a.opened_on,
        }

    def perform(self, form):
        return services.account_update(actor=self.request.user, account=self.child, **form.cleaned_data)


class AccountCancelPage(ChildFormPage):
    permission_required = "customers.change_payingaccount"
    child_model = PayingAccount
    form_class = ReasonForm
    section = "accounts"
    submit_label = _("Cancel the account")
    danger = True
    success_message = _("The account was cancelled.")

    def page_title(self):
        return _("Cancel account %(no)s") % {"no": self.child.account_no}

    def perform(self, form):
        return services.account_cancel(actor=self.request.user, account=self.child, reason=form.cleaned_data["reason"])


class ContactCreatePage(CustomerFormPage):
    permission_required = "customers.add_contact"
    form_class = ContactForm
    section = "contacts"
    success_message = _("The contact was added.")

    def page_title(self):
        return _("New contact of %(name)s") % {"name": self.customer.name}

    def perform(self, form):
        return services.contact_add(actor=self.request.user, customer=self.customer, **form.cleaned_data)


class ContactEditPage(ChildFormPage):
    permission_required = "customers.change_contact"
    child_model = Contact
    form_class = ContactForm
    section = "contacts"
    success_message = _("The changes were saved.")

    def page_title(self):
        return _("Edit contact %(name)s") % {"name": self.child.name}

    def get_initial(self):
        c = self.child
        return {name: getattr(c, name) for name in ContactForm.base_fields}

    def perform(self, form):
        return services.contact_update(actor=self.request.user, contact=self.child, **form.cleaned_data)


class ContactRemovePage(ChildFormPage):
    permission_required = "customers.delete_contact"
    child_model = Contact
    form_class = ReasonForm
    section = "contacts"
    submit_label = _("Remove the contact")
    danger = True
    success_message = _("The contact was removed.")

    def page_title(self):
        return _("Remove contact %(name)s") % {"name": self.child.name}

    def perform(self, form):
        services.contact_remove(actor=self.request.user, contact=self.child, reason=form.cleaned_data["reason"])
        return self.customer


class MemberCreatePage(CustomerFormPage):
    permission_required = "customers.add_member"
    form_class = MemberForm
    section = "members"
    success_message = _("The member was added.")

    def page_title(self):
        return _("New member subscriber of %(name)s") % {"name": self.customer.name}

    def extra_form_kwargs(self):
        return {"customer": self.customer}

    def perform(self, form):
        return services.member_add(actor=self.request.user, customer=self.customer, **form.cleaned_data)


class MemberLeavePage(ChildFormPage):
    permission_required = "customers.change_member"
    child_model = Member
    form_class = ReasonForm
    section = "members"
    submit_label = _("Record the leave")
    danger = True
    success_message = _("The member left the group.")

    def page_title(self):
        return _("Member %(no)s leaves") % {"no": self.child.msisdn}

    def perform(self, form):
        return services.member_leave(actor=self.request.user, member=self.child, reason=form.cleaned_data["reason"])


class RelationCreatePage(CustomerFormPage):
    permission_required = "customers.change_customer"
    form_class = RelationForm
    section = "relations"
    success_message = _("The relation was added.")

    def page_title(self):
        return _("New relation of %(name)s") % {"name": self.customer.name}

    def extra_form_kwargs(self):
        return {"user": self.request.user}

    def perform(self, form):
        data = form.cleaned_data
        return services.relation_add(
            actor=self.request.user, customer=self.customer, other=data["other"], kind=data["kind"], note=data["note"]
        )


class RelationRemovePage(ChildFormPage):
    permission_required = "customers.change_customer"
    child_model = Relation
    form_class = forms.Form  # relation_remove records no reason: a plain confirmation
    section = "relations"
    submit_label = _("Remove the relation")
    danger = True
    success_message = _("The relation was removed.")

    def page_title(self):
        r = self.child
        return _("Remove relation: %(customer)s %(kind)s %(other)s") % {
            "customer": r.customer.name, "kind": r.get_kind_display(), "other": r.other.name,
        }

    def perform(self, form):
        services.relation_remove(actor=self.request.user, relation=self.child)
        return self.customer


# --- Extra attribute definitions ----------------------------------------------------------------


class AttributeListPage(PermissionRequiredMixin, TemplateView):
    permission_required = "customers.view_extraattribute"
    template_name = "customers/attributes.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=_("Extra attributes"), attributes=ExtraAttribute.objects.all(), **kwargs
        )


class AttributeCreatePage(ServiceFormPage):
    permission_required = "customers.add_extraattribute"
    form_class = ExtraAttributeForm
    title = _("New extra attribute")
    success_message = _("The extra attribute was saved.")

    def get_context_data(self, **kwargs):
        return super().get_context_data(cancel_url=reverse("customers:attributes"), **kwargs)

    def perform(self, form):
        return services.extra_attribute_save(actor=self.request.user, **form.cleaned_data)

    def success_url_for(self, obj):
        return reverse("customers:attributes")


class AttributeEditPage(AttributeCreatePage):
    permission_required = "customers.change_extraattribute"

    @cached_property
    def attribute(self):
        return get_object_or_404(ExtraAttribute, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(title=_("Extra attribute: %(label)s") % {"label": self.attribute.label}, **kwargs)

    def get_initial(self):
        a = self.attribute
        return {
            "code": a.code, "label": a.label, "kind": a.kind, "choices": "\n".join(a.choices),
            "required": a.required, "order": a.order, "is_active": a.is_active,
        }

    def perform(self, form):
        return services.extra_attribute_save(actor=self.request.user, attribute=self.attribute, **form.cleaned_data)

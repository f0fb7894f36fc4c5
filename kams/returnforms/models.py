"""Return forms (返单): the handover of subscriber forms by an agent (返单交接, CH-08) and their
entry as subscribers (返单录入, CH-09).

A ``Handover`` (交接单) is one batch of forms an agent hands back to its marketing department:
its lines name the numbers (``ResourceItem`` of kind number the agent held as picked up), which
become *handed over*. When the parameter ``channels.return_handover`` is on, the handover time
is the commission reference time of the subscribers entered from it.

A ``FormEntry`` (返单录入) records one entered form: the subscriber, the customer it belongs
to, the ``customers.Member`` and the ``channels.AgentSubscriber`` it created. A number is
entered once (``item`` is unique). An ``EntryBatch`` is one uploaded file of forms, entered
all-or-nothing; a file already entered (same content) is not entered again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kams.customers.enums import Business, CertificateType
from kams.org.scoping import ScopedQuerySet, ScopeSpec
from kams.returnforms.enums import EntryBatchStatus


class Handover(models.Model):
    """交接单: one batch of return forms handed over by an agent."""

    number = models.CharField(_("handover number"), max_length=24, unique=True)
    agent = models.ForeignKey("channels.Agent", on_delete=models.PROTECT, related_name="handovers",
                              verbose_name=_("agent"))
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("marketing department"))
    received_by = models.ForeignKey("org.Staff", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("received by"))
    handed_at = models.DateTimeField(_("handed over at"), db_index=True)
    item_count = models.PositiveIntegerField(_("numbers"), default=0)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit", owner="agent__manager")

    class Meta:
        ordering = ["-handed_at", "-pk"]
        verbose_name = _("return form handover")
        verbose_name_plural = _("return form handovers")

    def __str__(self) -> str:
        return self.number


class HandoverLine(models.Model):
    """One number of a handover, with the subscriber's name when the agent gave it."""

    handover = models.ForeignKey(Handover, on_delete=models.PROTECT, related_name="lines")
    item = models.ForeignKey("resources.ResourceItem", on_delete=models.PROTECT, related_name="+")
    msisdn = models.CharField(_("number"), max_length=24)
    subscriber_name = models.CharField(_("subscriber name"), max_length=60, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="handover__org_unit", owner="handover__agent__manager")

    class Meta:
        ordering = ["handover", "msisdn"]
        indexes = [models.Index(fields=["item"], name="returnforms_line_item")]
        verbose_name = _("handover line")
        verbose_name_plural = _("handover lines")


class EntryBatch(models.Model):
    """One uploaded file of return forms (批量返单录入), entered all-or-nothing."""

    agent = models.ForeignKey("channels.Agent", on_delete=models.PROTECT, related_name="+", verbose_name=_("agent"))
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("marketing department"))
    file_name = models.CharField(_("file"), max_length=200)
    content_hash = models.CharField(_("content hash"), max_length=64)
    status = models.CharField(_("status"), max_length=10, choices=EntryBatchStatus.choices)
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    entered_count = models.PositiveIntegerField(_("entered"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit", owner="agent__manager")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["agent", "content_hash"], condition=Q(status=EntryBatchStatus.DONE),
                                    name="returnforms_batch_file_once"),
        ]
        verbose_name = _("return form file")
        verbose_name_plural = _("return form files")

    def __str__(self) -> str:
        return self.file_name


class FormEntry(models.Model):
    """返单录入: one entered subscriber form."""

    item = models.OneToOneField("resources.ResourceItem", on_delete=models.PROTECT, related_name="form_entry",
                                verbose_name=_("number"))
    msisdn = models.CharField(_("number"), max_length=24, unique=True)
    agent = models.ForeignKey("channels.Agent", on_delete=models.PROTECT, related_name="form_entries",
                              verbose_name=_("agent"))
    org_unit = models.ForeignKey("org.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("marketing department"))
    subscriber_name = models.CharField(_("subscriber name"), max_length=60)
    certificate_type = models.CharField(_("certificate type"), max_length=12, choices=CertificateType.choices,
                                        default=CertificateType.ID_CARD)
    certificate_no = models.CharField(_("certificate number"), max_length=32, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    package = models.CharField(_("package"), max_length=40, blank=True)
    business = models.CharField(_("business"), max_length=20, choices=Business.choices, default=Business.MOBILE)
    activated_on = models.DateField(_("activation date"))
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("customer"))
    member = models.ForeignKey("customers.Member", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("member subscriber"))
    subscriber = models.ForeignKey("channels.AgentSubscriber", on_delete=models.PROTECT, null=True, related_name="+",
                                   verbose_name=_("agent subscriber"))
    handover = models.ForeignKey(Handover, on_delete=models.PROTECT, null=True, blank=True, related_name="entries",
                                 verbose_name=_("handover"))
    batch = models.ForeignKey(EntryBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="entries",
                              verbose_name=_("file"))
    reference_at = models.DateTimeField(_("commission reference time"))
    entered_at = models.DateTimeField(_("entered at"), db_index=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope_spec = ScopeSpec(org="org_unit", owner="agent__manager")

    class Meta:
        ordering = ["-entered_at", "-pk"]
        verbose_name = _("return form entry")
        verbose_name_plural = _("return form entries")

    def __str__(self) -> str:
        return self.msisdn

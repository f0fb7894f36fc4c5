"""会员自服务 — what the member portal keeps besides the club's own records.

* ``PortalCode`` — a one-time code sent by SMS: to log in (登录验证码) or to confirm a new
  mobile number. Only a salted HMAC of the code is kept; a code lives five minutes and
  allows five tries.
* ``PortalGuard`` — failed logins per card number (and per client address) and when a code
  was last sent: a card number is locked after repeated failures, whether or not the card
  exists, so the answers never tell which card numbers are real.

The member's password is ``ClubMember.portal_password`` (Django's password hashers).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kams.club.models import VIA_MEMBER
from kams.org.scoping import UNSCOPED, ScopedQuerySet


class CodePurpose(models.TextChoices):
    LOGIN = "login", _("Log in")
    PHONE = "phone", _("Confirm a new mobile number")


class PortalCode(models.Model):
    member = models.ForeignKey("club.ClubMember", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("member"))
    card_no = models.CharField(_("card number"), max_length=20, db_index=True)
    purpose = models.CharField(_("purpose"), max_length=8, choices=CodePurpose.choices)
    phone = models.CharField(_("sent to"), max_length=20)
    salt = models.CharField(max_length=32, editable=False)
    code_hash = models.CharField(max_length=64, editable=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = VIA_MEMBER

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("portal one-time code")
        verbose_name_plural = _("portal one-time codes")
        indexes = [models.Index(fields=["member", "purpose", "created_at"])]


class PortalGuard(models.Model):
    """``key`` is ``card:<card number>`` or ``ip:<address>``."""

    key = models.CharField(max_length=80, unique=True)
    failures = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_code_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope_spec = UNSCOPED

    class Meta:
        verbose_name = _("portal login guard")
        verbose_name_plural = _("portal login guards")

    def __str__(self) -> str:
        return self.key

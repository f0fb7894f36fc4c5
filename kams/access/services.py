"""Writes of the access domain: passwords and second factors (ORG-09), each audited."""

from typing import Any

from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from kams.access.errors import SecondFactorInvalid
from kams.audit.services import audit_record
from kams.core.errors import InvalidInput


@transaction.atomic
def password_change(*, actor: Any, old_password: str, new_password: str, request: Any = None) -> None:
    if not actor.check_password(old_password):
        raise InvalidInput(_("The current password is wrong."))
    try:
        validate_password(new_password, actor)
    except ValidationError as exc:
        raise InvalidInput(" ".join(exc.messages)) from None
    actor.set_password(new_password)
    actor.save(update_fields=["password"])
    Token.objects.filter(user=actor).delete()  # API tokens die with the old password
    if request is not None:
        update_session_auth_hash(request, actor)
    audit_record(actor=actor, action="access.password_change", target=actor, target_repr=actor.get_username())


@transaction.atomic
def totp_enrol(*, actor: Any) -> TOTPDevice:
    """Start enrolment: an unconfirmed device whose secret the user scans as a QR code.
    Any earlier unconfirmed device is replaced."""
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    return TOTPDevice.objects.create(user=actor, name="authenticator", confirmed=False)


@transaction.atomic
def totp_confirm(*, actor: Any, token: str) -> TOTPDevice:
    device = TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=False).first()
    if device is None or not device.verify_token(token.strip()):
        raise SecondFactorInvalid()
    TOTPDevice.objects.filter(user=actor, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(actor=actor, action="access.totp_enable", target=actor, target_repr=actor.get_username())
    return device


@transaction.atomic
def totp_disable(*, actor: Any, password: str) -> None:
    if not actor.check_password(password):
        raise InvalidInput(_("The current password is wrong."))
    deleted, _detail = TOTPDevice.objects.filter(user=actor).delete()
    if deleted:
        audit_record(actor=actor, action="access.totp_disable", target=actor, target_repr=actor.get_username())


def has_second_factor(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def api_token_issue(*, user: Any) -> Token:
    token, created = Token.objects.get_or_create(user=user)
    if created:
        audit_record(actor=user, action="access.token_issue", target=user, target_repr=user.get_username())
    return token

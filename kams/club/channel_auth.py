"""Authentication of channel systems (POS, terminals, partner systems) on the channel API:
``Authorization: Bearer <token>``; only the token's SHA-256 is stored."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, permissions

from kams.club.models import RedemptionChannel


class ChannelPrincipal:
    """The ``request.user`` of a channel system: authenticated, with no staff rights."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = is_superuser = False
    pk = id = None

    def __init__(self, channel: RedemptionChannel) -> None:
        self.channel = channel

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return False

    def has_perms(self, perms: Any, obj: Any = None) -> bool:
        return False

    def get_username(self) -> str:
        return f"channel:{self.channel.code}"

    def __str__(self) -> str:
        return self.get_username()


class ChannelAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        from kams.club.points import token_hash

        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid channel token header."))
        try:
            token = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid channel token header.")) from None
        channel = RedemptionChannel.objects.filter(token_hash=token_hash(token)).select_related("org_unit").first()
        if channel is None or not channel.is_active:
            raise exceptions.AuthenticationFailed(_("Unknown or disabled channel token."))
        return ChannelPrincipal(channel), channel

    def authenticate_header(self, request):
        return self.keyword


def request_channel(request) -> RedemptionChannel | None:
    return request.auth if isinstance(request.auth, RedemptionChannel) else None


class ChannelOrStaffPerm(permissions.BasePermission):
    """A channel system may use the channel API; staff need ``read_perm`` / ``write_perm``."""

    read_perm = "club.view_clubmember"
    write_perm = "club.add_redemption"

    def has_permission(self, request, view) -> bool:
        if request_channel(request) is not None:
            return True
        user = request.user
        if not (user and user.is_authenticated):
            return False
        perm = self.read_perm if request.method in permissions.SAFE_METHODS else self.write_perm
        return user.has_perm(perm)


try:  # the OpenAPI schema names the channel token as a bearer scheme
    from drf_spectacular.extensions import OpenApiAuthenticationExtension

    class ChannelAuthenticationScheme(OpenApiAuthenticationExtension):
        target_class = "kams.club.channel_auth.ChannelAuthentication"
        name = "channelToken"

        def get_security_definition(self, auto_schema):
            return {"type": "http", "scheme": "bearer", "description": "Token of a redemption channel (POS, terminal, partner)."}
except ImportError:  # pragma: no cover
    pass

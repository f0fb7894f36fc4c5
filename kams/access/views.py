"""Login with lockout and an optional second factor, logout, the security page and the API
token endpoint (ORG-09)."""

import segno
from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from kams.access import services
from kams.access.errors import LockedOut, LoginFailed, SecondFactorRequired
from kams.access.forms import LoginForm, OTPForm, PasswordChangeForm, PasswordConfirmForm
from kams.core.api import error_body
from kams.core.errors import InvalidInput, KamsError
from kams.system.parameters import param

PENDING_USER = "kams_2fa_user"
PENDING_BACKEND = "kams_2fa_backend"
PENDING_NEXT = "kams_2fa_next"


def _safe_next(request, default=None) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default or reverse("web:home")


@sensitive_post_parameters()
@csrf_protect
@never_cache
def login_view(request):
    if request.user.is_authenticated:
        return redirect(_safe_next(request))
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        if services.has_second_factor(user):
            request.session.cycle_key()
            request.session[PENDING_USER] = user.pk
            request.session[PENDING_BACKEND] = user.backend
            request.session[PENDING_NEXT] = _safe_next(request)
            return redirect("access:login_otp")
        auth_login(request, user)
        return redirect(_safe_next(request))
    return render(request, "access/login.html", {"form": form, "next": request.GET.get("next", ""), "title": _("Log in")})


@sensitive_post_parameters()
@csrf_protect
@never_cache
def login_otp_view(request):
    """Second step: the six-digit code of the user's authenticator."""
    user_id = request.session.get(PENDING_USER)
    if not user_id:
        return redirect("access:login")
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        request.session.flush()
        return redirect("access:login")
    form = OTPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["token"].strip())
        if device is not None:
            target = request.session.get(PENDING_NEXT) or reverse("web:home")
            user.backend = request.session.get(PENDING_BACKEND)
            auth_login(request, user)
            otp_login(request, device)
            return redirect(target)
        form.add_error("token", _("The code is wrong or has expired. Enter the current six-digit code."))
    return render(request, "access/login_otp.html", {"form": form, "title": _("Second factor")})


@require_POST
def logout_view(request):
    auth_logout(request)
    return redirect("access:login")


def lockout_response(request, original_response=None, credentials=None):
    """Answer for a locked-out login: the same words whether or not the name exists."""
    error = LockedOut(minutes=param("security.login_cooloff_minutes"))
    message = error.text
    if request.path.startswith("/api/"):
        return JsonResponse(
            error_body(code=error.code, reason=error.code, message=message, http_status=error.status), status=error.status
        )
    form = LoginForm(request)
    return render(request, "access/login.html", {"form": form, "locked_message": message, "title": _("Log in")}, status=429)


@login_required
@sensitive_post_parameters()
def security_view(request):
    """Own password and second factor."""
    user = request.user
    password_form = PasswordChangeForm(prefix="pw")
    otp_form = OTPForm(prefix="otp")
    disable_form = PasswordConfirmForm(prefix="off")
    action = request.POST.get("action")
    try:
        if action == "password":
            password_form = PasswordChangeForm(request.POST, prefix="pw")
            if password_form.is_valid():
                services.password_change(
                    actor=user,
                    old_password=password_form.cleaned_data["old_password"],
                    new_password=password_form.cleaned_data["new_password"],
                    request=request,
                )
                messages.success(request, _("Your password was changed."))
                return redirect("access:security")
        elif action == "totp_start":
            services.totp_enrol(actor=user)
            return redirect("access:security")
        elif action == "totp_confirm":
            otp_form = OTPForm(request.POST, prefix="otp")
            if otp_form.is_valid():
                device = services.totp_confirm(actor=user, token=otp_form.cleaned_data["token"])
                otp_login(request, device)
                messages.success(request, _("The second factor is on. You will be asked for a code at every login."))
                return redirect("access:security")
        elif action == "totp_disable":
            disable_form = PasswordConfirmForm(request.POST, prefix="off")
            if disable_form.is_valid():
                services.totp_disable(actor=user, password=disable_form.cleaned_data["password"])
                messages.success(request, _("The second factor is off."))
                return redirect("access:security")
    except KamsError as exc:
        messages.error(request, exc.text)
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    qr = mark_safe(segno.make(pending.config_url).svg_inline(scale=4)) if pending else ""
    return render(
        request,
        "access/security.html",
        {
            "title": _("Password and second factor"),
            "password_form": password_form,
            "otp_form": otp_form,
            "disable_form": disable_form,
            "has_totp": services.has_second_factor(user),
            "pending": pending,
            "qr": qr,
            "secret": pending.bin_key.hex() if pending else "",
        },
    )


class LoginThrottle(AnonRateThrottle):
    scope = "login"


class TokenView(APIView):
    """``POST /api/v1/auth/token/`` with ``{"username", "password"[, "otp"]}`` → ``{"token"}``.
    ``DELETE`` revokes the caller's token."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [LoginThrottle]

    @extend_schema(
        request=inline_serializer(
            "TokenRequest",
            {"username": serializers.CharField(), "password": serializers.CharField(), "otp": serializers.CharField(required=False)},
        ),
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
        auth=[],
    )
    def post(self, request):
        username = request.data.get("username")
        password = request.data.get("password")
        if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
            raise InvalidInput(_("Send a username and a password."))
        user = authenticate(request._request, username=username, password=password)
        if user is None:
            if getattr(request._request, "axes_locked_out", False):
                raise LockedOut(minutes=param("security.login_cooloff_minutes"))
            raise LoginFailed()
        if services.has_second_factor(user):
            code = request.data.get("otp")
            if not isinstance(code, str) or match_token(user, code.strip()) is None:
                raise SecondFactorRequired()
        return Response({"token": services.api_token_issue(user=user).key})

    def get_authenticators(self):
        if getattr(self, "request", None) is not None and self.request.method == "DELETE":
            from rest_framework.authentication import TokenAuthentication

            return [TokenAuthentication()]
        return super().get_authenticators()

    def get_permissions(self):
        if self.request.method == "DELETE":
            return [IsAuthenticated()]
        return super().get_permissions()

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        from rest_framework.authtoken.models import Token

        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


"""Session rules of ORG-09 applied to every page request.

* Idle expiry: a session unused for ``security.session_idle_minutes`` is logged out.
* Administrators must use a second factor when ``security.admins_require_second_factor``
  is on: those without a confirmed authenticator are sent to set one up.
"""

import time

from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from kams.system.parameters import param

LAST_SEEN = "kams_last_seen"


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session") and not _is_token_request(request):
            now = int(time.time())
            last = request.session.get(LAST_SEEN)
            if last is not None and now - last > param("security.session_idle_minutes") * 60:
                logout(request)
                return redirect(f"{reverse('access:login')}?next={request.path}")
            request.session[LAST_SEEN] = now
            if self._needs_second_factor(request, user):
                return redirect("access:security")
        return self.get_response(request)

    @staticmethod
    def _needs_second_factor(request, user) -> bool:
        exempt = (
            reverse("access:security"), reverse("access:logout"), "/static/", "/healthz", "/api/", "/tmf-api/"
        )
        if request.path.startswith(exempt):
            return False
        if not param("security.admins_require_second_factor"):
            return False
        is_admin = user.is_superuser or user.groups.filter(kams_role__code="sysadmin").exists()
        if not is_admin:
            return False
        from kams.access.services import has_second_factor

        return not has_second_factor(user)


def _is_token_request(request) -> bool:
    return request.headers.get("Authorization", "").startswith("Token ")

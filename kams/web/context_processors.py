from django.conf import settings

from kams.web.menu import menu_for


def shell(request):
    user = getattr(request, "user", None)
    staff = getattr(user, "staff", None) if user is not None and user.is_authenticated else None
    return {
        "kams_menu": menu_for(user, request.path) if staff is not None or (user and user.is_superuser) else [],
        "kams_staff": staff,
        "kams_deployment": settings.KAMS_DEPLOYMENT,
        "kams_province_code": settings.KAMS_PROVINCE_CODE,
    }

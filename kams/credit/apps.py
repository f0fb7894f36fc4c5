from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    """信用度管理 (CUS-08): credit grades of paying accounts."""

    name = "kams.credit"
    label = "credit"
    verbose_name = _("Credit")

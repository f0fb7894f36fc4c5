"""Choices of the club's outside interfaces (CLUB-21, HQ-02)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class HqKind(models.TextChoices):
    """What headquarters asks of the member's home province (全国性及跨省业务受理)."""

    AUTHENTICATE = "authenticate", _("Member authentication")  # 会员认证
    POINTS_QUERY = "points_query", _("Points query")  # 异地积分查询
    REDEMPTION = "redemption", _("Points redemption")  # 异地积分消费
    DATA_CHANGE = "data_change", _("Member data change")  # 会员资料修改
    SERVICE_REQUEST = "service_request", _("Service request")  # 其它业务受理, handled by staff


BUSINESS_KINDS = (HqKind.POINTS_QUERY, HqKind.REDEMPTION, HqKind.DATA_CHANGE, HqKind.SERVICE_REQUEST)


class HqStatus(models.TextChoices):
    """How the home province answered."""

    DONE = "done", _("Done")  # authenticated, or the business done
    REFUSED = "refused", _("Refused")  # authentication failed, or the business refused (with a code)
    INVALID = "invalid", _("Invalid request")  # the request itself was malformed (answered 400)

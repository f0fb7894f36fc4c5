from django.utils.translation import gettext_lazy as _

from kams.system.parameters import Kind, declare

declare(
    "notify.max_attempts",
    kind=Kind.INT,
    default=3,
    min_value=1,
    max_value=20,
    group=_("Notifications"),
    label=_("Delivery attempts before a message is marked failed"),
)

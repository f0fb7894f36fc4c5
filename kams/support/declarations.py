"""System parameters of service support (ORG-06)."""

from django.utils.translation import gettext_lazy as _

from kams.system.parameters import Kind, declare

SUPPORT = _("Service support")

declare(
    "support.fault_processes",
    kind=Kind.TEXT,
    default="fault_level1,fault_level2",
    group=SUPPORT,
    label=_("Processes whose cases are line faults"),
    help=_("Comma-separated process keys; only cases of these processes can be linked to a line's SLA."),
)
declare(
    "support.cutover_sms",
    kind=Kind.TEXT,
    default=(
        "【大客户服务】尊敬的{customer}：{kind}“{title}”将于{starts}至{ends}进行，影响：{impact}。"
        "如有疑问请联系客户经理{manager} {manager_mobile}，收到请回复确认。"
    ),
    group=SUPPORT,
    label=_("Text of the cut-over notice to customers"),
    help=_("Placeholders: {customer} {kind} {title} {starts} {ends} {impact} {manager} {manager_mobile} {number}."),
)
declare(
    "support.cutover_manager_sms",
    kind=Kind.TEXT,
    default="【割接通知】{number}“{title}”（{starts}至{ends}）影响您的客户{customer}，已通知{contact}，请跟进确认。",
    group=SUPPORT,
    label=_("Text of the cut-over notice to the account manager"),
    help=_("Placeholders as for the customer's text, and {contact}."),
)

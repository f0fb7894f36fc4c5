"""Customer 360 (CUS-11): one page and one API that gather every domain's section.

A domain adds its section from its ``AppConfig.ready``:

    register_section(Section(key="points", title=_("Points"), order=40,
                             build=points_section, template="club/_customer_points.html"))

``build(user, customer)`` reads through the domain's own scoped selectors and returns a
JSON-ready dict (or None to leave the section out); ``template`` renders that dict on the
page. This app never imports the other domains: they register themselves.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any, Callable

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kams.audit.masking import for_reader
from kams.audit.selectors import audit_entries_for
from kams.core.masking import mask_certificate, mask_phone
from kams.customers.enums import AccountStatus
from kams.customers.selectors import average_monthly_revenue, level_suggest, tenure_months


@dataclass(frozen=True)
class Section:
    key: str
    title: Any
    order: int
    build: Callable[[Any, Any], dict | None]
    template: str


_sections: dict[str, Section] = {}


def register_section(section: Section) -> None:
    _sections[section.key] = section


def overview_for(user: Any, customer: Any) -> list[tuple[Section, dict]]:
    result = []
    for section in sorted(_sections.values(), key=lambda s: s.order):
        data = section.build(user, customer)
        if data is not None:
            result.append((section, data))
    return result


def personal_data_visible(user: Any) -> bool:
    return user.has_perm("customers.view_personal_data")


def _phone(user: Any, value: str) -> str:
    return value if personal_data_visible(user) else mask_phone(value)


# Logged fields that hold personal data, and how a reader without the permission sees them.
def profile_section(user: Any, customer: Any) -> dict:
    visible = personal_data_visible(user)
    manager = customer.account_manager
    return {
        "code": customer.code,
        "name": customer.name,
        "type": customer.get_customer_type_display(),
        "status": customer.status,
        "status_label": customer.get_status_display(),
        "industry": customer.industry.name if customer.industry else "",
        "region": customer.org_unit.full_name(),
        "account_manager": str(manager) if manager else "",
        "account_manager_mobile": _phone(user, manager.mobile) if manager else "",
        "certificate_type": customer.get_certificate_type_display(),
        "certificate_no": customer.certificate_no if visible else mask_certificate(customer.certificate_no),
        "address": customer.address,
        "phone": _phone(user, customer.phone),
        "email": customer.email,
        "businesses": customer.business_labels(),
        "employee_count": customer.employee_count,
        "customer_since": customer.joined_on.isoformat() if customer.joined_on else None,
        "tenure_months": tenure_months(customer),
        "internal_environment": customer.internal_environment,
        "related_companies": customer.related_companies,
        "engineering_projects": customer.engineering_projects,
        "occupied_resources": customer.occupied_resources,
        "service_notes": customer.service_notes,
        "extra": _extra(customer),
    }


def _extra(customer: Any) -> list[dict]:
    from kams.customers.models import ExtraAttribute

    return [
        {"code": a.code, "label": a.label, "value": customer.extra.get(a.code)}
        for a in ExtraAttribute.objects.filter(is_active=True)
        if a.code in customer.extra
    ]


def level_section(user: Any, customer: Any) -> dict:
    suggestion = level_suggest(customer)
    level = customer.level
    return {
        "level": level.name if level else None,
        "category": level.category.name if level else None,
        "service_standard": level.service_standard if level else "",
        "tariff_notes": level.tariff_notes if level else "",
        "average_monthly_revenue": str(average_monthly_revenue(customer)),
        "suggested_level": suggestion.name if suggestion else None,
        "suggestion_differs": (suggestion.pk if suggestion else None) != (level.pk if level else None),
    }


def accounts_section(user: Any, customer: Any) -> dict:
    accounts = customer.accounts.all()
    return {
        "active": sum(1 for a in accounts if a.status == AccountStatus.ACTIVE),
        "items": [
            {
                "id": a.pk,
                "account_no": a.account_no,
                "name": a.name,
                "status": a.get_status_display(),
                "is_active": a.status == AccountStatus.ACTIVE,
                "payment_method": a.get_payment_method_display(),
                "opened_on": a.opened_on.isoformat() if a.opened_on else None,
            }
            for a in accounts
        ],
    }


def members_section(user: Any, customer: Any) -> dict | None:
    members = customer.members.filter(is_active=True)
    total = members.count()
    if not total and customer.customer_type != "group":
        return None
    return {
        "total": total,
        "items": [
            {"id": m.pk, "msisdn": _phone(user, m.msisdn), "name": m.name, "business": m.get_business_display()}
            for m in members.order_by("msisdn")[:20]
        ],
    }


def contacts_section(user: Any, customer: Any) -> dict:
    return {
        "items": [
            {
                "id": c.pk,
                "name": c.name,
                "role": c.get_role_display(),
                "title": c.title,
                "mobile": _phone(user, c.mobile),
                "email": c.email,
                "is_primary": c.is_primary,
            }
            for c in customer.contacts.all()
        ]
    }


def relations_section(user: Any, customer: Any) -> dict | None:
    """Relations both ways; the other customer is linked only when the reader may open it."""
    from kams.customers.models import Customer

    outgoing = [(r, r.other, False) for r in customer.relations.select_related("other")]
    incoming = [(r, r.customer, True) for r in customer.inverse_relations.select_related("customer")]
    pairs = outgoing + incoming
    if not pairs:
        return None
    visible = set(Customer.objects.visible_to(user).filter(pk__in=[o.pk for _r, o, _i in pairs]).values_list("pk", flat=True))
    return {
        "items": [
            {
                "id": r.pk,
                "relation": _("(inverse) %(kind)s") % {"kind": r.get_kind_display()} if inverse else r.get_kind_display(),
                "other": other.name,
                "other_id": other.pk,
                "url": reverse("customers:detail", args=[other.pk]) if other.pk in visible else None,
                "note": r.note,
                "inverse": inverse,
            }
            for r, other, inverse in pairs
        ]
    }


def history_section(user: Any, customer: Any) -> dict:
    """Changes to the customer and to its accounts and contacts, newest first."""
    from django.db.models import Q

    child_ids = {
        "customers.payingaccount": [str(pk) for pk in customer.accounts.values_list("pk", flat=True)],
        "customers.contact": [str(pk) for pk in customer.contacts.values_list("pk", flat=True)],
        "customers.member": [str(pk) for pk in customer.members.values_list("pk", flat=True)[:500]],
    }
    condition = Q(target_type="customers.customer", target_id=str(customer.pk))
    for target_type, ids in child_ids.items():
        if ids:
            condition |= Q(target_type=target_type, target_id__in=ids)
    entries = for_reader(audit_entries_for(user).filter(condition)[:30], user)
    return {
        "items": [
            {
                "at": timezone.localtime(e.at).isoformat(),
                "actor": e.actor_name,
                "action": e.action,
                "target": e.target_repr,
                "reason": e.reason,
                "changes": [{"field": f, "before": b, "after": a} for f, b, a in e.changed_fields()],
            }
            for e in entries
        ]
    }


for _section in (
    Section("profile", _("Profile"), 10, profile_section, "customers/sections/profile.html"),
    Section("level", _("Level"), 20, level_section, "customers/sections/level.html"),
    Section("accounts", _("Paying accounts"), 30, accounts_section, "customers/sections/accounts.html"),
    Section("members", _("Member subscribers"), 40, members_section, "customers/sections/members.html"),
    Section("contacts", _("Contacts and key people"), 50, contacts_section, "customers/sections/contacts.html"),
    Section("relations", _("Relations"), 60, relations_section, "customers/sections/relations.html"),
    Section("history", _("History"), 900, history_section, "customers/sections/history.html"),
):
    register_section(_section)


def contracts_section(user: Any, customer: Any) -> dict | None:
    from kams.customers.enums import ContractState
    from kams.system.parameters import param

    contracts = list(customer.contracts.order_by("-valid_to")[:20])
    if not contracts:
        return None
    today = timezone.localdate()
    warn_until = today + datetime.timedelta(days=param("customers.contract_expiry_warning_days"))
    return {
        "in_force": sum(1 for c in contracts if c.state == ContractState.ACTIVE),
        "items": [
            {
                "id": c.pk,
                "url": reverse("customers:contract_detail", args=[c.pk]),
                "contract_no": c.contract_no,
                "title": c.title,
                "state": c.get_state_display(),
                "value": str(c.value),
                "valid_from": c.valid_from.isoformat(),
                "valid_to": c.valid_to.isoformat(),
                "expiring": c.state == ContractState.ACTIVE and today <= c.valid_to <= warn_until,
            }
            for c in contracts
        ],
    }


register_section(Section("contracts", _("Contracts"), 45, contracts_section, "customers/sections/contracts.html"))


def preferences_section(user: Any, customer: Any) -> dict | None:
    if not user.has_perm("customers.view_preference"):
        return None
    items = list(customer.preferences.order_by("-created_at")[:10])
    if not items:
        return None
    return {
        "items": [
            {"id": p.pk, "url": reverse("customers:preference_detail", args=[p.pk]), "title": p.title,
             "value": f"{p.value}{'%' if p.kind == 'percent' else ''}", "state": p.get_state_display()}
            for p in items
        ]
    }


def care_section(user: Any, customer: Any) -> dict | None:
    if not user.has_perm("customers.view_carerecord"):
        return None
    items = list(customer.care_records.all()[:10])
    if not items:
        return None
    return {
        "items": [
            {"title": r.title, "kind": r.get_kind_display(), "date": r.happened_on.isoformat(), "content": r.content}
            for r in items
        ]
    }


register_section(Section("preferences", _("Preferential policies"), 47, preferences_section, "customers/sections/preferences.html"))
register_section(Section("care", _("Training and feedback"), 48, care_section, "customers/sections/care.html"))

"""The navigation: each app registers its pages; a user sees only what they may open."""

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class MenuItem:
    section: Any
    label: Any
    url_name: str
    icon: str = "bi-circle"
    perm: str | None = None  # None: every logged-in user
    order: int = 100


_items: list[MenuItem] = []


def register(*items: MenuItem) -> None:
    for item in items:
        if item not in _items:
            _items.append(item)


def menu_for(user: Any, current_path: str = "") -> list[dict]:
    """Sections with the items ``user`` may open, in registration order."""
    sections: dict[str, dict] = {}
    for item in sorted(_items, key=lambda i: i.order):
        if item.perm and not user.has_perm(item.perm):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        section = sections.setdefault(str(item.section), {"label": item.section, "items": []})
        section["items"].append(
            {"label": item.label, "url": url, "icon": item.icon, "active": current_path.startswith(url) and url != "/"}
        )
    return list(sections.values())

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
    entries = []
    for item in sorted(_items, key=lambda i: i.order):
        if item.perm and not user.has_perm(item.perm):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        entry = {"label": item.label, "url": url, "icon": item.icon, "active": False}
        entries.append(entry)
        sections.setdefault(str(item.section), {"label": item.section, "items": []})["items"].append(entry)
    # The current page is the item with the longest URL that the path starts with.
    matching = [e for e in entries if current_path == e["url"] or (e["url"] != "/" and current_path.startswith(e["url"]))]
    if matching:
        max(matching, key=lambda e: len(e["url"]))["active"] = True
    return list(sections.values())

"""The workspace sidebar. Each app adds its pages from its AppConfig.ready():

    from credstack.ui.nav import register
    register("Courses", "courses:list", role="viewer", order=35)

``url_name`` is reversed with ``org_slug`` as its only argument. Built-in entries use orders 10-90.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as _


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    role: str = "viewer"
    order: int = 50


_items: dict[str, NavItem] = {}

# the labels the apps register, for the catalogues: ``items_for`` shows each in the user's language
LABELS = (
    _("Dashboard"),
    _("Credentials"),
    _("Issue"),
    _("Bulk issue"),
    _("Achievements"),
    _("Designs"),
    _("Analytics"),
    _("Audit log"),
    _("Members"),
    _("Settings"),
    _("Courses"),
    _("Pathways"),
    _("Emails"),
    _("Integrations"),
    _("Developers"),
    _("LTI"),
)


def register(label: str, url_name: str, *, role: str = "viewer", order: int = 50) -> None:
    _items[url_name] = NavItem(label, url_name, role, order)


def items_for(membership, current_path: str) -> list[dict]:
    """The entries an ``organizations.Membership`` may see, the one for ``current_path`` active."""
    out = []
    for item in sorted(_items.values(), key=lambda i: (i.order, i.label)):
        if not membership.at_least(item.role):
            continue
        try:
            url = reverse(item.url_name, args=[membership.organization.slug])
        except NoReverseMatch:
            continue
        base = reverse("workspace-dashboard", args=[membership.organization.slug])
        active = current_path == url if url == base else current_path.startswith(url)
        out.append({"label": gettext(item.label), "url": url, "active": active})
    return out

"""The workspace sidebar. Other apps add their pages from their AppConfig.ready():

    from credstack.workspace.nav import register
    register("Courses", "courses:list", role="viewer", order=35)

``url_name`` is reversed with ``org_slug`` as its only argument. Built-in entries use orders 10-90.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    role: str = "viewer"
    order: int = 50


_items: dict[str, NavItem] = {}


def register(label: str, url_name: str, *, role: str = "viewer", order: int = 50) -> None:
    _items[url_name] = NavItem(label, url_name, role, order)


def items_for(membership, current_path: str) -> list[dict]:
    from credstack.organizations.models import ROLE_RANK

    out = []
    for item in sorted(_items.values(), key=lambda i: (i.order, i.label)):
        if ROLE_RANK[membership.role] < ROLE_RANK[item.role]:
            continue
        try:
            url = reverse(item.url_name, args=[membership.organization.slug])
        except NoReverseMatch:
            continue
        base = reverse("workspace-dashboard", args=[membership.organization.slug])
        active = current_path == url if url == base else current_path.startswith(url)
        out.append({"label": item.label, "url": url, "active": active})
    return out


for _label, _name, _role, _order in (
    ("Dashboard", "workspace-dashboard", "viewer", 10),
    ("Credentials", "workspace-credentials", "viewer", 20),
    ("Issue", "workspace-issue", "issuer", 22),
    ("Bulk issue", "workspace-bulk", "issuer", 24),
    ("Achievements", "workspace-achievements", "viewer", 30),
    ("Designs", "workspace-designs", "viewer", 40),
    ("Analytics", "workspace-analytics", "viewer", 60),
    ("Audit log", "workspace-audit", "viewer", 70),
    ("Members", "workspace-members", "viewer", 80),
    ("Settings", "workspace-settings", "admin", 90),
):
    register(_label, _name, role=_role, order=_order)

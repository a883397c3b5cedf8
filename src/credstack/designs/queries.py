"""Reading designs. ``design_for_credential`` is the contract the PDF renderer relies on."""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db.models.functions import Length
from django.utils.translation import gettext as _

from credstack.credentials.models import Credential
from credstack.render import builtin_design
from credstack.render.bounded import Bounded

from .models import DesignAsset, DesignVersion

DEFAULT_TEMPLATE = "classic"


def brand_design(org) -> dict:
    """The built-in design in the organization's brand (used when no design was chosen)."""
    return builtin_design(DEFAULT_TEMPLATE, color=org.brand_color, logo="logo" if org.logo else None)


def _version_bytes(entry: tuple[str, dict[str, bytes]]) -> int:
    return len(entry[0]) + sum(len(b) for b in entry[1].values())


# What certificates are drawn from, kept across renders in each process: a design version (immutable)
# by its design's public_id and its number, with the bytes of the uploads it names (immutable rows); an
# organization's logo by its file's name, which holds a hash of its content. Never by a row's integer
# id: a test that rolls back hands the same id out again.
VERSIONS: Bounded[tuple[str, int], tuple[str, dict[str, bytes]]] = Bounded(
    entries=32, max_bytes=32 * 1024 * 1024, size=_version_bytes
)
LOGOS: Bounded[tuple[str], bytes] = Bounded(entries=64, max_bytes=16 * 1024 * 1024, size=len)


def brand_assets(org) -> dict[str, bytes]:
    if not org.logo:
        return {}
    key = (org.logo.name,)
    logo = LOGOS.get(key)
    if logo is not None:
        return {"logo": logo}
    try:
        with org.logo.open("rb") as fh:
            data = fh.read()
    except OSError:
        return {}
    return {"logo": LOGOS.put(key, data)}


def asset_blobs(org, assets: dict[str, str]) -> dict[str, bytes]:
    """Brand assets plus the named uploads (asset name -> DesignAsset.public_id); ValidationError naming
    an upload that is not this organization's."""
    rows = {
        a.public_id: a
        for a in DesignAsset.objects.filter(organization=org, public_id__in=list(assets.values()))
    }
    for name, pid in assets.items():
        if pid not in rows:
            raise ValidationError(
                {"assets": _("%(name)s: no such uploaded file in this organization") % {"name": name}}
            )
    blobs = brand_assets(org)
    blobs.update({name: rows[pid].content() for name, pid in assets.items()})
    return blobs


def version_assets(version: DesignVersion) -> dict[str, bytes]:
    """The asset bytes a design version names (asset name -> bytes)."""
    ids = {public_id: name for name, public_id in (version.assets or {}).items()}
    rows = DesignAsset.objects.filter(
        organization_id=version.design.organization_id, public_id__in=list(ids)
    ).only("public_id", "file", "data")
    return {ids[row.public_id]: row.content() for row in rows}


def design_for_credential(credential) -> tuple[dict, dict]:
    """(design dict for credstack.render, assets name -> bytes) for the design version the credential
    was issued with; a built-in design in the organization's brand when it has none.

    Versions are immutable, so this gives the same certificate for the credential's whole life."""
    [found] = designs_for_credentials([credential])
    return found


def designs_for_credentials(credentials: Sequence) -> list[tuple[dict, dict]]:
    """``design_for_credential`` for a list, in its order: one query for the versions they name (their
    design's public_id and number), a second only for versions this process has not read yet (their
    data and the uploads they name)."""
    version_ids = {c.design_version_id for c in credentials if getattr(c, "design_version_id", None)}
    keys: dict[int, tuple[str, int]] = {}
    if version_ids:
        keys = {
            pk: (design, number)
            for pk, design, number in DesignVersion.objects.filter(pk__in=version_ids).values_list(
                "pk", "design__public_id", "number"
            )
        }
    missing = [pk for pk, key in keys.items() if VERSIONS.get(key) is None]
    if missing:
        for version in DesignVersion.objects.select_related("design").filter(pk__in=missing):
            _remember(version)
    out = []
    for credential in credentials:
        org = credential.organization
        version_id = getattr(credential, "design_version_id", None)
        if not version_id:
            out.append((brand_design(org), brand_assets(org)))
            continue
        key = keys.get(version_id)
        cached = VERSIONS.get(key) if key is not None else None
        if cached is None:  # pushed out by the rest of this list (or gone: DoesNotExist, as before)
            cached = _remember(DesignVersion.objects.select_related("design").get(pk=version_id))
        data, uploads = cached
        assets = brand_assets(org)
        assets.update(uploads)
        # the design parsed again for each caller: one may change it, the cached one stays as saved
        out.append((json.loads(data), assets))
    return out


def _remember(version: DesignVersion) -> tuple[str, dict[str, bytes]]:
    return VERSIONS.put(
        (version.design.public_id, version.number), (json.dumps(version.data), version_assets(version))
    )


def longest_recipient_name(org) -> str:
    """The longest name this organization ever issued to ('' if none): the hardest one to fit."""
    return (
        Credential.objects.filter(organization=org)
        .annotate(n=Length("recipient_name"))
        .order_by("-n")
        .values_list("recipient_name", flat=True)
        .first()
        or ""
    )

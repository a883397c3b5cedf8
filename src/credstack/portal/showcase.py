"""Reading a learner's public portfolio (``/p/<slug>``): which credentials it shows, grouped by issuer and
pathway, and the skills their achievements align to.

What shows (decision 0041): only credentials the portfolio's account still holds (sent to one of its
addresses) and keeps public. A credential its holder made private drops out of the page, the skills and the
CLR file; a revoked, suspended, expired or replaced one stays on the page, marked as such, and counts for no
skill (the CLR file holds only the valid ones)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

from django.conf import settings
from django.utils import timezone

from credstack.credentials.models import Credential
from credstack.pathways.queries import progress_for_emails

from .models import Portfolio
from .queries import credentials_for

LINKEDIN_SHARE = "https://www.linkedin.com/sharing/share-offsite/"
OTHER = ""  # the section of an issuer's credentials that are on none of its pathways


def credential_state(c: Credential) -> str:
    """valid, revoked, suspended, expired or replaced: what the learner and the public are told."""
    if c.replaced_by_id:
        return "replaced"
    if c.state != Credential.State.ACTIVE:
        return c.state
    if c.valid_until and c.valid_until <= timezone.now():
        return "expired"
    return "valid"


@dataclass
class Entry:
    credential: Credential
    state: str
    pathway: str = OTHER

    @property
    def valid(self) -> bool:
        return self.state == "valid"


@dataclass
class Section:
    pathway: str  # OTHER: on no pathway
    entries: list[Entry] = field(default_factory=list)
    tag: str = "h3"  # the heading level of its credentials' names


@dataclass
class Group:
    organization: object
    sections: list[Section] = field(default_factory=list)

    @property
    def logo(self) -> str:
        org = self.organization
        return getattr(org, "logo_url", "") or getattr(org, "image_url", "")

    @property
    def count(self) -> int:
        return sum(len(s.entries) for s in self.sections)


@dataclass
class Skill:
    name: str
    url: str
    framework: str
    achievements: list[str] = field(default_factory=list)


def published(slug: str) -> Portfolio | None:
    return Portfolio.objects.select_related("account").filter(slug=(slug or "").lower()).first()


def selected(portfolio: Portfolio) -> list[Credential]:
    """The picked credentials the account still holds (private ones included: the editor shows them)."""
    ids = list(portfolio.credentials.values_list("pk", flat=True))
    return list(credentials_for(portfolio.account).filter(pk__in=ids).select_related("organization"))


def entries(portfolio: Portfolio) -> list[Entry]:
    """What the public sees: the picked credentials the account holds and keeps public, by issuer name,
    then newest first."""
    shown = [c for c in selected(portfolio) if c.is_public]
    shown.sort(key=lambda c: c.issued_at, reverse=True)
    shown.sort(key=lambda c: (c.organization.name.casefold(), c.organization_id))
    on_pathway = _pathway_names(portfolio)
    return [Entry(c, credential_state(c), on_pathway.get((c.organization.slug, c.uri), OTHER)) for c in shown]


def _pathway_names(portfolio: Portfolio) -> dict[tuple[str, str], str]:
    """(issuer slug, credential URL) -> the name of the first of that issuer's pathways it is part of."""
    emails = list(portfolio.account.emails.values_list("normalized", flat=True))
    found: dict[tuple[str, str], str] = {}
    for p in progress_for_emails(emails):
        for comp in p.components:
            if comp.credential_url:
                found.setdefault((p.organization, comp.credential_url), p.name)
    return found


def groups(items: list[Entry]) -> list[Group]:
    """By issuer; within an issuer, one section per pathway (in order of appearance), then the rest."""
    out: list[Group] = []
    for e in items:
        if not out or out[-1].organization.pk != e.credential.organization_id:  # type: ignore[attr-defined]
            out.append(Group(e.credential.organization))
        group = out[-1]
        section = next((s for s in group.sections if s.pathway == e.pathway), None)
        if section is None:
            section = Section(e.pathway)
            group.sections.append(section)
        section.entries.append(e)
    for group in out:
        group.sections.sort(key=lambda s: s.pathway == OTHER)  # pathways first, the rest last
        headed = len(group.sections) > 1 or group.sections[0].pathway != OTHER
        for s in group.sections:
            s.tag = "h4" if headed else "h3"  # credential headings sit under the section's heading, if any
    return out


def skills(items: list[Entry]) -> list[Skill]:
    """The skills the valid credentials' achievements align to (OB 3.0 ``alignment``, read from the signed
    credentials), most backed first."""
    found: dict[tuple[str, str], Skill] = {}
    for e in items:
        if not e.valid:
            continue
        doc = e.credential.signed()
        subject = doc.get("credentialSubject") or {}
        achievement = subject.get("achievement") or {} if isinstance(subject, dict) else {}
        name = str(achievement.get("name", "")) if isinstance(achievement, dict) else ""
        for a in achievement.get("alignment") or [] if isinstance(achievement, dict) else []:
            if not isinstance(a, dict) or not a.get("targetName"):
                continue
            key = (str(a["targetName"]).casefold(), str(a.get("targetUrl", "")))
            skill = found.setdefault(
                key,
                Skill(str(a["targetName"]), str(a.get("targetUrl", "")), str(a.get("targetFramework", ""))),
            )
            if name and name not in skill.achievements:
                skill.achievements.append(name)
    return sorted(found.values(), key=lambda s: (-len(s.achievements), s.name.casefold()))


def clr_credentials(items: list[Entry]) -> list[Credential]:
    """What the portfolio's CLR file holds: the valid credentials it shows."""
    return [e.credential for e in items if e.valid]


def share_links(portfolio: Portfolio) -> dict:
    """The portfolio's address and how to share it: a LinkedIn post, its QR code, its CLR file."""
    url = f"{settings.CREDSTACK_BASE_URL}{portfolio.path}"
    return {
        "url": url,
        "linkedin": f"{LINKEDIN_SHARE}?{urlencode({'url': url}, quote_via=quote)}",
        "qr": f"{portfolio.path}/qr.svg",
        "clr": f"{portfolio.path}/clr.json",
        "verify": f"{portfolio.path}/verify",
    }

"""The demo: organization ``demo-academy``, two achievements, an admin and a few credentials.

Running it again creates nothing twice: every object is looked up by a stable key first.
"""

from __future__ import annotations

import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from credstack.achievements.actions import create_achievement
from credstack.achievements.models import Achievement
from credstack.courses.demo import seed as seed_courses  # a published course and a pathway (issue 5)
from credstack.credentials.actions import issue_credential, revoke_credential, suspend_credential
from credstack.organizations.actions import create_organization
from credstack.organizations.actors import Actor
from credstack.organizations.models import Membership, Organization

ORG = {
    "slug": "demo-academy",
    "name": "Demo Academy",
    "url": "https://demo-academy.example",
    "email": "certificates@demo-academy.example",
}
ACHIEVEMENTS = [
    {
        "slug": "python-basics",
        "name": "Python Basics",
        "achievement_type": "Course",
        "description": "Six short lessons on Python: values, functions, collections, files, errors and tests.",
        "criteria_narrative": "Completed all six lessons and passed each quiz with at least 80%.",
        "tags": ["python", "programming"],
        "alignments": [
            {
                "name": "Programming",
                "url": "https://esco.ec.europa.eu/en/classification/skills",
                "framework": "ESCO",
            }
        ],
    },
    {
        "slug": "data-literacy",
        "name": "Data Literacy Essentials",
        "achievement_type": "MicroCredential",
        "description": "Reading, questioning and presenting data at work.",
        "criteria_narrative": "Completed five lessons and a final case study.",
        "tags": ["data"],
        "valid_for_months": 24,
    },
]
RECIPIENTS = [
    ("python-basics", "Ada Lovelace", "ada@example.org"),
    ("python-basics", "أحمد الفارسي", "ahmad@example.org"),
    ("python-basics", "李小龙", "li@example.org"),
    ("data-literacy", "Ольга Петрова", "olga@example.org"),
    ("data-literacy", "प्रिया शर्मा", "priya@example.org"),
    ("python-basics", "Grace Hopper", "grace@example.org"),
]


def _admin_password() -> str:
    if password := os.environ.get("CREDSTACK_DEMO_PASSWORD"):
        return password
    path = settings.CREDSTACK_HOME / "demo_admin_password"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(12))
    return path.read_text().strip()


def seed_demo() -> str:
    with transaction.atomic():
        org = Organization.objects.filter(slug=ORG["slug"]).first() or create_organization(**ORG)
        achievements = {}
        for spec in ACHIEVEMENTS:
            achievements[spec["slug"]] = Achievement.objects.filter(
                organization=org, slug=spec["slug"]
            ).first() or create_achievement(organization=org, **spec)
        password = _admin_password()
        User = get_user_model()
        admin = User.objects.filter(username="admin").first()
        if admin is None:
            admin = User.objects.create_superuser("admin", "admin@demo-academy.example", password)
        # The admin owns demo-academy in the workspace and signs in there with a verified email.
        from allauth.account.models import EmailAddress  # allauth's models: loaded once Django is set up

        Membership.objects.get_or_create(organization=org, user=admin, defaults={"role": "owner"})
        EmailAddress.objects.get_or_create(
            user=admin, email=admin.email, defaults={"verified": True, "primary": True}
        )

    # the demo is run from the command line: its audit log says so (issue 14: it was empty while the
    # dashboard showed revoked and suspended credentials)
    cli = Actor.command_line()
    issued = []
    for n, (slug, name, email) in enumerate(RECIPIENTS, 1):
        issued.append(
            issue_credential(
                achievement=achievements[slug],
                recipient_name=name,
                recipient_email=email,
                source="demo",
                idempotency_key=f"demo-{n}",
                actor=cli,
            )
        )
    if issued[-1].state == "active":
        revoke_credential(issued[-1], reason="Issued in error (demo)", actor=cli)
    if issued[-2].state == "active":
        suspend_credential(issued[-2], reason="Under review (demo)", actor=cli)

    for credential in issued:
        credential.refresh_from_db(fields=["state"])
    course_lines = seed_courses(org, achievements)
    lines = [
        f"Demo ready: organization '{org.slug}' ({org.did})",
        f"  Sign in at {settings.CREDSTACK_BASE_URL}/accounts/login/ as admin@demo-academy.example / {password}",
        f"  (the workspace: {settings.CREDSTACK_BASE_URL}/w/{org.slug}/; Django admin: /admin/ as admin)",
        "  Credentials:",
        *(f"    {c.uri}  {c.recipient_name} — {c.achievement.name} [{c.state}]" for c in issued),
        *course_lines,
    ]
    return "\n".join(lines)

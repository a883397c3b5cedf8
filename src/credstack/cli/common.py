"""What every command of ``credstack`` shares: Django set up, a failure said on standard error with its
exit code, the credential, organization and actor a command names."""

from __future__ import annotations

import getpass
import os
import sys

import django

from credstack.credentials.validation import error_text
from credstack.organizations.actors import Actor

EXIT_VALID, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credstack.config.settings")

    django.setup()


def fail(message: str, code: int = 2) -> int:
    print(f"credstack: {message}", file=sys.stderr)
    return code


def credential_of(ref: str):
    from credstack.credentials.models import Credential  # needs the models: after django.setup()

    public_id = ref.rstrip("/").rsplit("/", 1)[-1].removesuffix(".json")
    try:
        return Credential.objects.select_related("organization", "achievement").get(public_id=public_id)
    except Credential.DoesNotExist:
        raise SystemExit(fail(f"no credential {ref!r}"))


def organization_of(slug: str):
    from credstack.organizations.models import Organization  # needs the models: after django.setup()

    try:
        return Organization.objects.get(slug=slug)
    except Organization.DoesNotExist:
        raise SystemExit(fail(f"no organization {slug!r}"))


def command_line_actor():
    """Who changes things from the command line: the operating-system user running it."""

    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (some containers)
        who = ""
    return Actor.command_line(who)


def invalid(exc) -> int:
    """A ValidationError of an action, as the workspace and the API word it: "field: message"."""
    return fail(error_text(exc))

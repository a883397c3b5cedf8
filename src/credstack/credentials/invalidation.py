"""What invalidates the cached public answers (``pagecache``): every saved or deleted credential, status
list, organization, signing key, domain or achievement starts a new generation once its transaction commits.

Receivers catch every ``save()`` and ``delete()`` whoever makes it, so a new action cannot forget to
invalidate; the few writes that bypass ``save()`` (``QuerySet.update``) call ``pagecache`` themselves
(``actions.make_private``).
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from credstack.achievements.models import Achievement
from credstack.organizations.models import Domain, Organization, SigningKey

from . import pagecache
from .models import Credential, StatusList


def credential_saved(sender, instance: Credential, **kwargs) -> None:
    pagecache.credentials_changed([instance.public_id])


def status_list_saved(sender, instance: StatusList, **kwargs) -> None:
    pagecache.status_list_changed(instance.public_id)


def organization_saved(sender, instance: Organization, **kwargs) -> None:
    pagecache.organization_changed(instance.pk)


def owned_by_organization_saved(sender, instance: SigningKey | Achievement | Domain, **kwargs) -> None:
    pagecache.organization_changed(instance.organization_id)


def connect() -> None:
    for signal in (post_save, post_delete):
        signal.connect(credential_saved, sender=Credential, dispatch_uid=f"pagecache-credential-{signal}")
        signal.connect(status_list_saved, sender=StatusList, dispatch_uid=f"pagecache-status-{signal}")
        signal.connect(organization_saved, sender=Organization, dispatch_uid=f"pagecache-org-{signal}")
        for model in (SigningKey, Achievement, Domain):
            signal.connect(
                owned_by_organization_saved, sender=model, dispatch_uid=f"pagecache-{model.__name__}-{signal}"
            )

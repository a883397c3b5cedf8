"""A holder's credentials: listed, made public or private, shares recorded; ``holder``, the actor the
issuing organization's audit log names for a portal account."""

from __future__ import annotations

from credstack.credentials import actions as credential_actions
from credstack.credentials.models import Credential, CredentialEvent
from credstack.organizations.actors import Actor

from ..models import Account
from ..queries import credentials_for


def account_credentials(account: Account):
    return credentials_for(account)


def holder(account: Account) -> Actor:
    """The holder of a portal account, as the issuing organization's audit log names them."""
    return Actor.system(f"the recipient (learner portal account {account.public_id})")


def set_visibility(account: Account, credential: Credential, public: bool) -> Credential:
    """Public: anyone with the link sees the page; private: strangers see nothing personal."""
    return credential_actions.set_visibility(credential, public, actor=holder(account))


SHARE_CHANNELS = ("linkedin", "email", "copy")


def record_share(account: Account, credential: Credential, channel: str) -> CredentialEvent:
    """The learner shared their credential (LinkedIn, an email, a copied link): kept in its history.

    ``credential`` must be one of ``account``'s (the portal checks that before calling)."""
    if channel not in SHARE_CHANNELS:
        raise ValueError(f"unknown share channel {channel!r}; use one of {SHARE_CHANNELS}")
    if channel == "linkedin":
        return CredentialEvent.objects.create(credential=credential, kind=CredentialEvent.Kind.LINKEDIN)
    return CredentialEvent.objects.create(
        credential=credential, kind=CredentialEvent.Kind.SHARED, note=channel
    )

from __future__ import annotations

from django.db import models

from credstack.credentials.models import Credential


class WalletOffer(models.Model):
    """An OpenID4VCI credential offer of one credential to its holder's wallet (decision 0053).

    The pre-authorized code and the access token are kept as SHA-256 hashes only. The code is single-use
    and short-lived; the token it is exchanged for fetches this one credential, once."""

    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="wallet_offers")
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    # the code was exchanged for a token (then it never works again)
    redeemed_at = models.DateTimeField(null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    # the wallet received the credential (the token never works again)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # the VC-API exchange (Learner Credential Wallet): the challenge its DIDAuth presentation must sign
    challenge = models.CharField(max_length=64, blank=True)
    # who asked for the offer, as the audit log names them
    requested_by = models.CharField(max_length=254, blank=True)

    def __str__(self) -> str:
        return f"wallet offer of {self.credential.public_id}"

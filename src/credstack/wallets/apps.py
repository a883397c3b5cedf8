from django.apps import AppConfig


class WalletsConfig(AppConfig):
    """Credentials into wallets: OpenID for Verifiable Credential Issuance 1.0 (decision 0053)."""

    name = "credstack.wallets"
    label = "wallets"
    default_auto_field = "django.db.models.BigAutoField"

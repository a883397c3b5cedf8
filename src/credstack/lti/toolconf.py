"""pylti1p3's tool configuration, read from credstack's ``LtiPlatform`` rows."""

from __future__ import annotations

import json

from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract

from .models import LtiPlatform


class _Registration(Registration):
    """Carries credstack's key id, so service tokens' JWT headers name the key the JWKS publishes."""

    kid: str | None = None

    def get_kid(self):
        return self.kid


class PlatformToolConf(ToolConfAbstract):
    def check_iss_has_one_client(self, iss):
        return False

    def check_iss_has_many_clients(self, iss):
        return True

    def _platform(self, iss, client_id) -> LtiPlatform | None:
        qs = LtiPlatform.objects.filter(issuer=iss)
        if client_id:
            qs = qs.filter(client_id=client_id)
        return qs.order_by("id").first()

    def find_registration_by_issuer(self, iss, *args, **kwargs):
        return self.find_registration_by_params(iss, None)

    def find_registration_by_params(self, iss, client_id, *args, **kwargs):
        platform = self._platform(iss, client_id)
        if platform is None:
            return None
        registration = _Registration()
        registration.kid = platform.tool_kid
        (
            registration.set_auth_login_url(platform.auth_login_url)
            .set_auth_token_url(platform.auth_token_url)
            .set_auth_audience(platform.auth_audience or None)
            .set_client_id(platform.client_id)
            .set_key_set(platform.platform_key_set())
            .set_key_set_url(platform.key_set_url or None)
            .set_issuer(platform.issuer)
            .set_tool_private_key(platform.tool_private_pem())
            .set_tool_public_key(platform.tool_public_pem)
        )
        return registration

    def find_deployment(self, iss, deployment_id):
        return self.find_deployment_by_params(iss, deployment_id, None)

    def find_deployment_by_params(self, iss, deployment_id, client_id, *args, **kwargs):
        platform = self._platform(iss, client_id)
        if platform is None or deployment_id not in platform.deployment_ids:
            return None
        return Deployment().set_deployment_id(deployment_id)

    def get_jwks(self, iss=None, client_id=None, **kwargs):
        keys = []
        for platform in LtiPlatform.objects.order_by("id"):
            jwk = Registration.get_jwk(platform.tool_public_pem)
            jwk.update({"kid": platform.tool_kid, "alg": "RS256", "use": "sig"})
            keys.append(jwk)
        return {"keys": keys}


def platform_for(iss: str, client_id: str | None) -> LtiPlatform | None:
    return PlatformToolConf()._platform(iss, client_id)


def dumps_jwks() -> str:
    return json.dumps(PlatformToolConf().get_jwks())

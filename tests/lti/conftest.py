import pytest

from credstack.lti.actions import register_platform
from credstack.organizations.actors import Actor
from tests.courses.factory import make_course
from tests.lti.simulator import CLIENT_ID, DEPLOYMENT, ISSUER, FakePlatform


@pytest.fixture(autouse=True)
def _lms_on_loopback(settings):
    settings.CREDSTACK_LTI_ALLOW_PRIVATE = True  # the platforms of these tests serve on loopback


@pytest.fixture
def platform(org, achievement, client):
    fake = FakePlatform()
    make_course(org, achievement, lessons=4)
    register_platform(
        org,
        name="Example LMS",
        issuer=ISSUER,
        client_id=CLIENT_ID,
        deployment_ids=[DEPLOYMENT],
        auth_login_url=ISSUER + "/auth",
        auth_token_url=fake.url + "/token",
        key_set=fake.jwks,
        actor=Actor.command_line(),
    )
    fake.tool_jwks = client.get("/lti/jwks").json()
    yield fake
    fake.close()

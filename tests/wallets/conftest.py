from tests.portal.conftest import portal_login  # noqa: F401  (the holder signs in to the portal)

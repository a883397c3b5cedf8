from tests.workspace.conftest import member, signed_in  # noqa: F401

# Members signed in to the workspace, for log lines that name their organization.
from tests.workspace.conftest import member, signed_in  # noqa: F401

from tests.api.conftest import api_for  # noqa: F401
from tests.webhooks.conftest import receiver  # noqa: F401
from tests.workspace.conftest import member, other_org, run_on_commit, signed_in  # noqa: F401

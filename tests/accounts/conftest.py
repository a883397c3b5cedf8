from tests.workspace.conftest import member, other_org, run_on_commit, signed_in  # noqa: F401

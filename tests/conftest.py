from __future__ import annotations

import os

import pytest
from hypothesis import settings as hypothesis_settings

from tests import databases, migrated, redisserver

# The independent verifier (Digital Bazaar's @digitalbazaar/vc in Node), for every test directory.
from tests.interop.conftest import node_verifier  # noqa: F401
from tests.shared_data import acme, python_basics

# Property tests have no deadline anywhere: on a busy machine one example may take seconds, and a test that
# fails because the machine is slow says nothing about credstack. In CI they also use a fixed seed: a failure
# there is reproducible, and a green run stays green. Locally they explore new examples on every run.
hypothesis_settings.register_profile("credstack", deadline=None, print_blob=True)
hypothesis_settings.register_profile(
    "ci", parent=hypothesis_settings.get_profile("credstack"), derandomize=True
)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "credstack")


@pytest.fixture(autouse=True)
def _engagement_events_at_once(settings):
    """Page views and downloads are buffered in production (credentials/engagement.py); tests write them
    at once, and start with an empty buffer."""
    from credstack.credentials import engagement

    settings.CREDSTACK_EVENT_FLUSH_SECONDS = 0
    engagement.discard()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate-limit counters live in the cache: every test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def org(db):
    return acme()


@pytest.fixture
def achievement(org):
    return python_basics(org)


@pytest.fixture
def issue(achievement):
    """Issue a credential through the one pipeline."""
    from credstack.credentials.actions import issue_credential

    def _issue(name="Ada Lovelace", email="ada@example.org", **kw):
        return issue_credential(
            achievement=kw.pop("achievement", achievement), recipient_name=name, recipient_email=email, **kw
        )

    return _issue


# The longest tests (each starts processes of its own: minutes on a busy machine), longest first, with a
# rough weight. pytest-xdist's worksteal hands each process a contiguous share of the collection and an idle
# process steals from the *end* of another's share: so each of these goes to the head of a share, spread
# over the processes (longest first to the least loaded), and the short tests fill in around them.
LONG_TESTS = {
    "tests/multinode/": 150,  # 10,000 rows: ~150 s quiet, ~200 s at load 4-5 (benchmarks/RESULTS.md)
    "tests/faults/test_full_disk.py": 15,
    "tests/faults/test_kill.py": 12,
    "tests/organizations/test_migration_platform_keys.py": 8,
    "tests/cli/test_serve.py": 8,
    "tests/scheduler/test_leases.py": 8,
    "tests/security/test_state_files.py": 5,
    "tests/ops/test_serve_metrics.py": 5,
    "tests/ob2/test_ob2.py": 4,
    "tests/learning/test_migration_0023.py": 2,
}


def long_group(item) -> str | None:
    return next((prefix for prefix in LONG_TESTS if item.nodeid.startswith(prefix)), None)


def long_tests_first(config, items) -> None:
    processes = getattr(config, "workerinput", {}).get("workercount", 1)
    if processes < 2:
        return
    groups: dict[str, list] = {}
    for item in items:
        if (group := long_group(item)) is not None:
            groups.setdefault(group, []).append(item)
    heads: list[list] = [[] for _ in range(processes)]
    loads = [0] * processes
    for group in sorted(groups, key=LONG_TESTS.__getitem__, reverse=True):  # a module stays together
        least = loads.index(min(loads))
        heads[least] += groups[group]
        loads[least] += LONG_TESTS[group]
    rest = [item for item in items if long_group(item) is None]
    ordered: list = []
    for i, head in enumerate(heads):  # xdist sends the first len // processes to the first process, ...
        share = (len(items) - len(ordered)) // (processes - i)
        ordered += head
        take = max(0, share - len(head))
        ordered += rest[:take]
        del rest[:take]
    items[:] = ordered + rest


def pytest_collection_modifyitems(config, items):
    """On PostgreSQL, only the tests whose result can depend on the engine (tests/databases.py, decision
    0046); the longest tests first, one at the head of each process's share."""
    databases.select(config, items)
    long_tests_first(config, items)


@pytest.fixture(autouse=True)
def _no_database_url_without_the_database(request, monkeypatch):
    """A test that does not reach the database does not pass DATABASE_URL to a process it starts either:
    its result cannot depend on the database, which is why it runs on SQLite only (tests/databases.py)."""
    databases.hide_database_url(request.node, monkeypatch)
    databases.fail_if_unclassified(request.node)


@pytest.fixture(scope="session", autouse=True)
def _no_content_type_or_permission_rows():
    """Django re-creates every content type and permission row after each flush of a transactional test
    (post_migrate): 50 ms of CPU each time, for rows credstack never reads (no model permissions, no generic
    relations). The test databases go without them, from their migration on."""
    from django.contrib.auth.management import create_permissions
    from django.contrib.contenttypes.management import create_contenttypes
    from django.db.models.signals import post_migrate

    post_migrate.disconnect(
        create_permissions, dispatch_uid="django.contrib.auth.management.create_permissions"
    )
    post_migrate.disconnect(create_contenttypes)


@pytest.fixture(scope="session")
def django_db_keepdb(request, django_db_modify_db_settings) -> bool:
    """pytest-django's, plus: a test database made from the run's migrated template is kept as it is
    (tests/migrated.py: one migration per run, not one per process)."""
    if request.config.getvalue("reuse_db"):
        return True
    return migrated.database_from_template()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_keepdb, request):
    """pytest-django's; the first process's migrated test database becomes the run's template."""
    migrated.template_from_database()
    yield
    kept = migrated.kept_copy()
    if django_db_keepdb and kept is not None and not request.config.getvalue("reuse_db"):
        kept.unlink(missing_ok=True)  # a copy of the template, kept by pytest-django: not for another run


def pytest_configure(config):
    if not hasattr(config, "workerinput"):  # the controller, before it starts the test processes
        migrated.start_run()


def pytest_sessionfinish(session):
    if not hasattr(session.config, "workerinput"):  # the controller, once every process has finished
        migrated.end_run()


@pytest.fixture(scope="session")
def redis_server():
    """A real Redis server: the one scripts/with-redis.sh started (its REDIS_URL, which tests/settings.py
    moves aside), or one of this process's."""
    if os.environ.get("CREDSTACK_TEST_REDIS_URL"):
        yield os.environ["CREDSTACK_TEST_REDIS_URL"]
        return
    with redisserver.own_server() as url:
        yield url


@pytest.fixture
def redis_url(redis_server):
    """A Redis database for this test alone (emptied first)."""
    return redisserver.database_for_this_process(redis_server)


# One platform key per test process (see ``stable_platform_key``).
_PLATFORM_KEY: list = []


@pytest.fixture
def stable_platform_key(db):
    """The platform's signing key, the same in every test of this process. What the platform signs (an
    endorsement, a portfolio export) is checked by verifier-core, which caches the DID documents it
    resolves for a while: the platform's DID is the same live-server address in every test, so a fresh
    key per test would meet the previous test's cached document."""
    from credstack.organizations.models import SigningKey, seal_context
    from credstack.organizations.sealing import seal
    from credstack.vc import keys as vc_keys

    if not _PLATFORM_KEY:
        _PLATFORM_KEY.append(vc_keys.Ed25519Key.generate())
    key = _PLATFORM_KEY[0]
    SigningKey.objects.filter(organization=None).delete()
    return SigningKey.objects.create(
        organization=None,
        fragment="key-1",
        public_multibase=key.public_multibase,
        sealed_private_key=seal(key.private_bytes(), seal_context(None, "key-1")),
        active=True,
    )

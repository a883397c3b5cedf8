"""Settings for the test suite: a private CREDSTACK_HOME, fast hashing, tasks run in-process."""

import os
import tempfile

os.environ.setdefault("CREDSTACK_HOME", tempfile.mkdtemp(prefix="credstack-test-"))
# The suite runs as a deployment without Redis; a test that needs Redis asks for the redis_url fixture,
# which uses the server scripts/with-redis.sh started (tests/redisserver.py). Children inherit this.
if os.environ.get("REDIS_URL"):
    os.environ["CREDSTACK_TEST_REDIS_URL"] = os.environ.pop("REDIS_URL")
os.environ.setdefault("CREDSTACK_SECRET_KEY", "test-secret-key-not-for-production-" + "x" * 20)

# scripts/with-s3.sh sets CREDSTACK_STORAGE_URL (a moto server's bucket). The suite, and the processes its
# tests start, keep files on the local disk; the bucket is CREDSTACK_TEST_STORAGE_URL, for the tests that use
# object storage (tests/storage: the `s3_url` fixture, which starts its own server when this is unset; a
# multi-node test passes it to its processes as CREDSTACK_STORAGE_URL).
if os.environ.get("CREDSTACK_STORAGE_URL"):
    os.environ["CREDSTACK_TEST_STORAGE_URL"] = os.environ.pop("CREDSTACK_STORAGE_URL")
CREDSTACK_TEST_STORAGE_URL = os.environ.get("CREDSTACK_TEST_STORAGE_URL", "")

from credstack import taskqueues  # noqa: E402
from credstack.config.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": list(taskqueues.ALL),
    }
}
CREDSTACK_BASE_URL = "http://testserver"
ALLOWED_HOSTS = ["*"]
# Log records reach pytest's caplog through the root logger; no console handler bound to a stream.
LOGGING = {"version": 1, "disable_existing_loggers": False, "loggers": {"credstack": {"level": "INFO"}}}

# SQLite: test on a file, like production (WAL, busy timeout), not the shared-cache in-memory database,
# whose table locks fail at once under concurrency instead of waiting.
if str(DATABASES["default"]["ENGINE"]).endswith(".sqlite3"):  # noqa: F405 (django-prometheus wraps it)
    DATABASES["default"]["TEST"] = {"NAME": str(CREDSTACK_HOME / "test.sqlite3")}  # noqa: F405

# One cache per test process: the file cache under CREDSTACK_HOME would be shared by pytest-xdist's
# workers (they inherit the environment), and rate-limit counters of one worker's tests would reach the other's.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# the single sign-on tests start their identity providers on loopback
CREDSTACK_SSO_ALLOW_PRIVATE = True

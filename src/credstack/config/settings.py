"""Django settings for credstack.

Everything a deployment changes comes from the environment (see README "Production"):

- ``CREDSTACK_HOME``: folder for all state (database, files, mail, secret key); default ``./var``.
- ``CREDSTACK_BASE_URL``: public URL written into every credential; default ``http://127.0.0.1:$PORT``.
- ``CREDSTACK_SECRET_KEY``: Django's secret and the root of the key that encrypts signing keys at rest.
  When unset, a random one is created once in ``$CREDSTACK_HOME/secret_key``.
- ``DATABASE_URL``: e.g. ``postgres://user:pass@host/db``; default SQLite in ``$CREDSTACK_HOME``.
- ``CREDSTACK_STORAGE_URL``: files in S3-compatible object storage, e.g.
  ``s3://bucket?endpoint_url=http://127.0.0.1:9000&region=us-east-1``; default ``$CREDSTACK_HOME/media``.
- ``CREDSTACK_DEBUG``: ``1`` for development error pages.
- ``CREDSTACK_EMAIL_URL``: the mail server, e.g. ``smtp+tls://user:pass@smtp.example.org:587``
  (``smtp+ssl://``, ``smtp://``, ``console://``, ``file:///folder``); default files in ``$CREDSTACK_HOME/mail``.
- ``CREDSTACK_FROM_EMAIL``: the address mail is sent from; an organization's mail carries its name.
- ``REDIS_URL``: e.g. ``redis://host:6379/0``: tasks in Redis through RQ (a queue per kind of work), the cache
  and rate limits in Redis: several web nodes and workers (docs/deploy.md); default none (tasks in the
  database, the file cache).
- ``CREDSTACK_TERMS_URL``, ``CREDSTACK_PRIVACY_URL``: the operator's terms and privacy policy (the OB 3.0
  API's discovery document names them); default credstack's own ``/terms`` and ``/privacy`` pages.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from credstack import taskqueues
from credstack.config import mailurl, storageurl

BASE_DIR = Path(__file__).resolve().parent.parent
CREDSTACK_HOME = Path(os.environ.get("CREDSTACK_HOME", "var")).resolve()


def _private_dir(path: Path) -> Path:
    """A state folder, created readable by this user only (0700); an existing one is left as it is."""
    if not path.exists():
        try:
            path.mkdir(parents=True, exist_ok=True, mode=0o700)
            path.chmod(0o700)  # mkdir's mode is filtered by the umask
        except OSError:  # a read-only home: reads go on, a write there fails with its own clear error
            pass
    return path


def _private_file(path: Path) -> Path:
    """A state file created empty and 0600 before anything else creates it (SQLite then gives its -wal and
    -shm files the same mode)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    return path


_private_dir(CREDSTACK_HOME)

PORT = int(os.environ.get("PORT", "8000"))
CREDSTACK_BASE_URL = os.environ.get("CREDSTACK_BASE_URL", f"http://127.0.0.1:{PORT}").rstrip("/")
# An organization's own domain (decision 0049): the origin of its links, ``{host}`` filled in (tests on
# loopback use ``http://{host}:PORT``), and the name its DNS record points at (a CNAME target).
CREDSTACK_CUSTOM_DOMAIN_ORIGIN = os.environ.get("CREDSTACK_CUSTOM_DOMAIN_ORIGIN", "https://{host}")
# (empty: the host of CREDSTACK_BASE_URL)
CREDSTACK_CUSTOM_DOMAIN_TARGET = os.environ.get("CREDSTACK_CUSTOM_DOMAIN_TARGET", "")


def _secret_key() -> str:
    if key := os.environ.get("CREDSTACK_SECRET_KEY"):
        return key
    path = CREDSTACK_HOME / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("CREDSTACK_DEBUG", "") == "1"

_base_host = CREDSTACK_BASE_URL.split("://", 1)[-1].split("/", 1)[0].split(":")[0]
ALLOWED_HOSTS = [h for h in os.environ.get("CREDSTACK_ALLOWED_HOSTS", "").split(",") if h] or [
    _base_host,
    "127.0.0.1",
    "localhost",
    "testserver",
]
CSRF_TRUSTED_ORIGINS = [CREDSTACK_BASE_URL.split("/", 3)[0] + "//" + CREDSTACK_BASE_URL.split("/", 3)[2]]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "django_prometheus",  # request and database metrics on /metrics (credstack.web.ops)
    "credstack.organizations",
    "credstack.outbox",  # side effects as rows in the action's transaction (decision 0036)
    "credstack.achievements",
    "credstack.credentials",
    "credstack.web",
    "ninja",
    "credstack.api",
    "credstack.webhooks",
    "credstack.ob3api",
    "credstack.lti",
    # courses, learning, awarding, pathways, xAPI (issue 5)
    "credstack.courses",
    "credstack.learning",
    "credstack.awarding",
    "credstack.pathways",
    "credstack.xapi",
    # issuer workspace (issue 3)
    "credstack.accounts",  # before allauth: its templates override allauth's
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # single sign-on per organization (issue 17, decision 0055): IdPs are SocialApp rows made in the workspace
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "credstack.sso",
    "credstack.designs",
    "credstack.workspace",
    # learner side and verification (issue 4)
    "credstack.delivery",
    "credstack.portal",
    "credstack.wallets",  # OpenID4VCI: credentials into wallets (decision 0053)
    "credstack.endorsements",  # Open Badges 3.0 endorsements (issue 17, decision 0053)
    "credstack.verifier",
    "credstack.ob2",
    "credstack.scheduler",  # periodic jobs on the task worker (no cron)
    # inbound completion webhooks (issue 6)
    "credstack.integrations",
]

# a mail provider reports bounces and complaints to /hooks/mail/<this secret> (docs/email.md); unset: off
CREDSTACK_MAIL_HOOK_SECRET = os.environ.get("CREDSTACK_MAIL_HOOK_SECRET", "")
CSRF_FAILURE_VIEW = "credstack.web.errors.csrf_failure"  # the 403 page in the site's look
MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",  # first: times the whole request
    "credstack.requestlog.RequestIdMiddleware",  # X-Request-ID: on every log line and the response
    "credstack.web.security.ForwardedProtoMiddleware",
    # /livez, /readyz, /metrics: before the Host check, sessions and the page cache (credstack.web.ops)
    "credstack.web.ops.OpsMiddleware",
    # an organization's own domain: admitted by name, scoped to its public pages (decision 0049)
    "credstack.web.hosts.CustomDomainMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "credstack.web.security.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # a write refused by a read-only or full home: a 503 that says so (web/readonly.py)
    "credstack.web.readonly.StorageFailureMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # the page's language (?lang= switcher, cookie, Accept-Language; the org's, the user's) (web/i18n.py)
    "credstack.web.i18n.LanguageMiddleware",
    # a stranger's credential page from the cache, before sessions and users are loaded (web/pagecache.py)
    "credstack.web.pagecache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "credstack.web.slashes.TrailingSlashMiddleware",  # with APPEND_SLASH: one trailing-slash rule
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "credstack.api.nul.RefuseNulMiddleware",
    "credstack.api.idempotency.IdempotencyMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",  # last: sees the view's response
]

ROOT_URLCONF = "credstack.config.urls"
WSGI_APPLICATION = "credstack.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "credstack.workspace.context.workspace",
                "credstack.web.security.csp_context",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{CREDSTACK_HOME / 'credstack.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
# A read-only home (a read-only mount, or files this user may not write): issued credentials keep verifying
# online from what is there (credential pages, JSON, DID documents, status lists, through the page cache when
# it holds them), and every write is refused with a clear 503 (credstack.web.readonly). Set
# CREDSTACK_READ_ONLY=1 to force it, 0 to never assume it.
_home_writable = os.access(CREDSTACK_HOME, os.W_OK)
CREDSTACK_READ_ONLY = {"1": True, "0": False}.get(
    os.environ.get("CREDSTACK_READ_ONLY", ""), not _home_writable
)

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Kept open between requests like PostgreSQL's (CONN_MAX_AGE, default 60 s): opening one costs its
    # PRAGMAs, and closing the last one checkpoints the WAL — ~35 ms of every API request when they were
    # closed after each (benchmarks/api_issue.py, decision 0048).
    _db_path = Path(str(DATABASES["default"]["NAME"]))
    if str(_db_path) not in ("", ":memory:") and _db_path.parent.is_dir() and _home_writable:
        _private_file(_db_path)
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web process read while the worker writes; IMMEDIATE avoids
        # "database is locked" upgrade deadlocks between two writers.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    if _db_path.is_file() and (CREDSTACK_READ_ONLY or not os.access(_db_path, os.W_OK)):
        CREDSTACK_READ_ONLY = True
        # Opened read-only (SQLite URI). A WAL database whose -wal file is gone (a clean shutdown) and whose
        # -shm cannot be created in a read-only folder opens only as "immutable": nothing else can write it.
        _wal = _db_path.with_name(_db_path.name + "-wal")
        _flags = "mode=ro" + ("" if _wal.exists() else "&immutable=1")
        DATABASES["default"]["NAME"] = f"file:{_db_path}?{_flags}"
        DATABASES["default"]["OPTIONS"] = {"init_command": "PRAGMA query_only=1;"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# the languages credstack speaks (catalogues in src/credstack/locale; credstack.organizations.languages)
LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("fr", "Français"),
    ("es", "Español"),
    ("ar", "العربية"),
]
LOCALE_PATHS = [Path(__file__).resolve().parent.parent / "locale"]
# dates in the viewer's language (the ``date`` filter's DATE_FORMAT); English keeps "6 December 2026"
FORMAT_MODULE_PATH = ["credstack.config.formats"]
LANGUAGE_COOKIE_NAME = "credstack_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = CREDSTACK_HOME / "static"
if not STATIC_ROOT.is_dir() and os.access(CREDSTACK_HOME, os.W_OK):
    STATIC_ROOT.mkdir()
MEDIA_URL = "media/"
# CREDSTACK_STORAGE_URL=s3://bucket?endpoint_url=...: every file credstack writes (uploads, certificates,
# design assets) in S3-compatible object storage, nothing on this machine's disk (config/storageurl.py,
# decision 0048); unset: files under $CREDSTACK_HOME/media.
CREDSTACK_STORAGE_URL = os.environ.get("CREDSTACK_STORAGE_URL", "").strip()
MEDIA_ROOT = CREDSTACK_HOME / "media" if CREDSTACK_STORAGE_URL else _private_dir(CREDSTACK_HOME / "media")
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# Keep every certificate PDF once rendered (~23 KB each) instead of rendering it on download (~35 ms):
# decision 0048 leaves them out by default, for ≤ 10 KB stored per credential.
# Rendering them ahead on the workers (CREDSTACK_PDFS_AHEAD, decision 0047) keeps them too.
CREDSTACK_KEEP_CERTIFICATES = (
    os.environ.get("CREDSTACK_KEEP_CERTIFICATES", "") == "1"
    or os.environ.get("CREDSTACK_PDFS_AHEAD", "") == "1"
)
STORAGES = {
    "default": (
        storageurl.parse(CREDSTACK_STORAGE_URL)
        if CREDSTACK_STORAGE_URL
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

EMAIL_BACKEND = os.environ.get("CREDSTACK_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = _private_dir(CREDSTACK_HOME / "mail")
# CREDSTACK_EMAIL_URL=smtp+tls://user:pass@host:587 (smtp+ssl://, smtp://, console://, file:///folder):
# the mail server in one variable (credstack/config/mailurl.py; docs/email.md)
if os.environ.get("CREDSTACK_EMAIL_URL"):
    globals().update(mailurl.parse(os.environ["CREDSTACK_EMAIL_URL"]))
DEFAULT_FROM_EMAIL = os.environ.get("CREDSTACK_FROM_EMAIL", "credstack <no-reply@localhost>")

# Rate limits (credstack.ratelimit), the public page cache and other short-lived state. The file cache is
# shared by the processes of one machine; with REDIS_URL every node shares Redis (decision 0047).
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "credstack",
        }
        if os.environ.get("REDIS_URL")
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(CREDSTACK_HOME / "cache"),
            # public pages live here too (credentials/pagecache.py): Django's default of 300 files would
            # cull them (and the rate-limit counters) all the time
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CREDSTACK_CACHE_ENTRIES", "20000"))},
        }
    )
}
CREDSTACK_API_RATE = os.environ.get("CREDSTACK_API_RATE", "600/m")
# Proxies whose X-Forwarded-For names the client (comma-separated addresses or CIDRs, e.g.
# "127.0.0.1,10.0.0.0/8"); rate limits count each client by the address they forward (credstack.ratelimit).
CREDSTACK_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("CREDSTACK_TRUSTED_PROXIES", "").split(",") if p.strip()
]
# An invitation to join an organization is valid this many days.
# The operator's terms of service and privacy policy, named by the OB 3.0 API's discovery document; unset:
# credstack's own short pages, /terms and /privacy.
CREDSTACK_TERMS_URL = os.environ.get("CREDSTACK_TERMS_URL", "")
CREDSTACK_PRIVACY_URL = os.environ.get("CREDSTACK_PRIVACY_URL", "")
CREDSTACK_INVITATION_DAYS = int(os.environ.get("CREDSTACK_INVITATION_DAYS", "7"))
# Bulk uploads (personal data): the file is deleted this many days after the job is done.
CREDSTACK_BULK_RETENTION_DAYS = int(os.environ.get("CREDSTACK_BULK_RETENTION_DAYS", "30"))
# Worker processes that sign a large issuance batch (credentials.actions.issue_credentials, decisions 0045
# and 0066): by default the cores this process may use,
# at most 4; 1 signs in the issuing process
# the cores this process may use (Linux); elsewhere (macOS has no sched_getaffinity) the machine's
_CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
CREDSTACK_SIGNING_PROCESSES = int(os.environ.get("CREDSTACK_SIGNING_PROCESSES") or max(1, min(_CORES, 4)))
# Certificates rendered by the workers (the pdfs queue) as credentials are issued, so that every PDF is in the
# storage before anyone downloads it; off: each is rendered on its first download (decision 0047).
CREDSTACK_PDFS_AHEAD = os.environ.get("CREDSTACK_PDFS_AHEAD", "") == "1"
# Rows a bulk job issues as one batch (one transaction): a crash or a full disk loses at most one batch's
# work, which a resume redoes (decision 0045)
CREDSTACK_BULK_CHUNK = int(os.environ.get("CREDSTACK_BULK_CHUNK", "200"))
# Outbound webhooks never reach loopback or private addresses unless this is set (development only).
CREDSTACK_WEBHOOKS_ALLOW_PRIVATE = os.environ.get("CREDSTACK_WEBHOOKS_ALLOW_PRIVATE", "") == "1"
# LTI Dynamic Registration reads the LMS's configuration and posts to it: an LMS on the private network
# (a school's Moodle) needs this on
CREDSTACK_LTI_ALLOW_PRIVATE = os.environ.get("CREDSTACK_LTI_ALLOW_PRIVATE", "") == "1"
# Signed certificate PDFs ask an organization's time-stamping authority (RFC 3161) only at a public address
# unless this is set (a TSA on the private network; decision 0052)
CREDSTACK_TSA_ALLOW_PRIVATE = os.environ.get("CREDSTACK_TSA_ALLOW_PRIVATE", "") == "1"
# After a webhook secret is rotated, the replaced one also signs deliveries for this many hours (0: none).
CREDSTACK_WEBHOOK_ROTATION_OVERLAP_HOURS = float(
    os.environ.get("CREDSTACK_WEBHOOK_ROTATION_OVERLAP_HOURS", "24")
)

# A running task's worker must be heard from within this many seconds (it says so every quarter of it);
# past it, the task is taken back and run again by another worker (credstack.scheduler.leases).
CREDSTACK_TASK_LEASE_SECONDS = float(os.environ.get("CREDSTACK_TASK_LEASE_SECONDS", "120"))

# Tasks: one queue per kind of work (credstack.taskqueues: default, bulk, email, webhooks, pdfs; decision 0047).
# Without REDIS_URL they wait in the database (django-tasks-db: nothing to set up); with it, in Redis through
# RQ (django-tasks-rq), for several workers on several machines. `credstack worker --queues bulk,email` picks.
REDIS_URL = os.environ.get("REDIS_URL", "")
_task_backend = os.environ.get(
    "CREDSTACK_TASK_BACKEND", taskqueues.RQ_BACKEND if REDIS_URL else "django_tasks_db.DatabaseBackend"
)
TASKS = {"default": {"BACKEND": _task_backend, "QUEUES": list(taskqueues.ALL)}}
if _task_backend == taskqueues.RQ_BACKEND:
    if not REDIS_URL:
        raise ImproperlyConfigured("CREDSTACK_TASK_BACKEND is RQ: set REDIS_URL (redis://host:6379/0)")
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {
        name: {
            "URL": REDIS_URL,
            # a bulk job of 100,000 rows runs for minutes; a dead worker's job is taken back by the lease
            # (credstack.scheduler.leases), not by this limit
            "DEFAULT_TIMEOUT": int(os.environ.get("CREDSTACK_TASK_TIMEOUT", "3600")),
        }
        for name in taskqueues.ALL
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        # CREDSTACK_LOG_FORMAT=json: one JSON object a line, with the request id and organization
        "json": {"()": "credstack.requestlog.JsonFormatter"},
    },
    # no secret in a log line: URL tokens and keys are masked (credstack.logmask); the request's id and
    # organization go on every record (credstack.requestlog)
    "filters": {
        "mask_secrets": {"()": "credstack.logmask.MaskSecretsFilter"},
        "request_context": {"()": "credstack.requestlog.RequestContextFilter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if os.environ.get("CREDSTACK_LOG_FORMAT", "") == "json" else "plain",
            "filters": ["request_context", "mask_secrets"],
        }
    },
    # Every warning and error of any library reaches the console, with its traceback: a server error
    # (django.request), a failed task (django_tasks), a database that went read-only.
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "credstack": {
            "handlers": ["console"],
            "level": os.environ.get("CREDSTACK_LOG_LEVEL", "INFO"),
            "propagate": False,
        },
        # "Not Found: /hooks/in/<token>" and the development server's request lines
        "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# Accounts (django-allauth; credstack.accounts): email + password, verified email, optional TOTP.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
ACCOUNT_ADAPTER = "credstack.accounts.adapter.AccountAdapter"  # failed logins: credstack.ratelimit
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("CREDSTACK_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[credstack] "
# Single sign-on (credstack.sso, decision 0055): no provider in settings; each organization's IdP is made in
# the workspace. The organization's IdP speaks for the addresses of its domains: no extra email check.
SOCIALACCOUNT_ADAPTER = "credstack.accounts.sso_adapter.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # credstack links an existing member itself (sso.actions)
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS: dict = {}
# an identity provider on a private network (a university's own Keycloak): allow private addresses
CREDSTACK_SSO_ALLOW_PRIVATE = os.environ.get("CREDSTACK_SSO_ALLOW_PRIVATE", "") == "1"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "credstack"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "workspace-home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
# Uploads: the workspace refuses files over its own limits with a clear message (see credstack.ui.uploads).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Served over https (the base URL says so): cookies only over TLS, plain http redirected, HSTS. Behind a TLS
# proxy, X-Forwarded-Proto is believed only from the addresses in CREDSTACK_TRUSTED_PROXIES (comma-separated
# addresses or networks): credstack.web.security.ForwardedProtoMiddleware drops it from anyone else.
# Django itself reads the header then (SECURE_PROXY_SSL_HEADER below): the web server of ``credstack serve``
# (granian) needs no list of its own.
SECURE_FORWARDED_PROTO_FROM = [
    p.strip() for p in os.environ.get("CREDSTACK_TRUSTED_PROXIES", "").split(",") if p.strip()
]
if CREDSTACK_BASE_URL.startswith("https://"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("CREDSTACK_HTTPS_REDIRECT", "1") != "0"
    # a load balancer's plain-http health checks and Prometheus inside the cluster
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$", r"^readyz$", r"^metrics$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("CREDSTACK_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if SECURE_FORWARDED_PROTO_FROM:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


# Operations (docs/deploy.md, decision 0044). /metrics is never public: a scraper sends
# "Authorization: Bearer $CREDSTACK_METRICS_TOKEN" or comes from CREDSTACK_METRICS_NETWORKS (comma-separated
# addresses or CIDRs, matched against the real client address); with neither, /metrics answers 404.
CREDSTACK_METRICS_TOKEN = os.environ.get("CREDSTACK_METRICS_TOKEN", "")
CREDSTACK_METRICS_NETWORKS = [
    n.strip() for n in os.environ.get("CREDSTACK_METRICS_NETWORKS", "").split(",") if n.strip()
]
# credentials_issued labelled by organization too (one series per organization and source: mind the count)
CREDSTACK_METRICS_PER_ORG = os.environ.get("CREDSTACK_METRICS_PER_ORG", "") == "1"
# the database figures of /metrics are counted at most this often (seconds), once for all nodes sharing the cache
CREDSTACK_METRICS_DATABASE_SECONDS = float(os.environ.get("CREDSTACK_METRICS_DATABASE_SECONDS", "10"))
# Query counts and latencies per database (django-prometheus' wrappers of Django's own backends)
_engine = str(DATABASES["default"]["ENGINE"])
if _engine.startswith("django.db.backends.") and os.environ.get("CREDSTACK_DB_METRICS", "1") != "0":
    DATABASES["default"]["ENGINE"] = _engine.replace(
        "django.db.backends.", "django_prometheus.db.backends.", 1
    )

# Error reports to Sentry (or a Sentry-compatible service such as GlitchTip) when SENTRY_DSN is set:
# `pip install credstack[sentry]`. No personal data unless SENTRY_SEND_PII=1.
if os.environ.get("SENTRY_DSN"):
    from credstack import errorreports  # optional: only a deployment that reports errors needs sentry-sdk

    errorreports.init(os.environ["SENTRY_DSN"])

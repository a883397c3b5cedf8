"""The ``credstack`` command.

``verify`` needs no database; every other command sets up Django first.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import django
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command, execute_from_command_line
from django.db import connections

from credstack import metrics, taskqueues
from credstack.credentials.validation import error_text, expiry_date
from credstack.fetch import FetchError, fetch_bytes, http_fetch
from credstack.organizations.actors import Actor
from credstack.ui.storage import storage_failure
from credstack.vc import verify as vc_verify
from credstack.verifier.extract import extract
from credstack.workspace.cli import add_parser as add_bulk_issue

EXIT_VALID, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2
MAX_INPUT = 20 * 1024 * 1024


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "credstack.config.settings")

    django.setup()


def _fail(message: str, code: int = 2) -> int:
    print(f"credstack: {message}", file=sys.stderr)
    return code


# --- verify (no database) -------------------------------------------------------------------------


def _read_credential(source: str) -> dict | str:
    if source.startswith(("http://", "https://")):
        raw = fetch_bytes(
            source,
            accept="application/vc+ld+json, application/vc+jwt, application/ld+json;q=0.9",
            max_bytes=MAX_INPUT,
        )
    elif source == "-":
        raw = sys.stdin.buffer.read(MAX_INPUT + 1)
    else:
        path = Path(source)
        if path.stat().st_size > MAX_INPUT:
            raise ValueError(f"{source} is larger than {MAX_INPUT // 1024 // 1024} MiB")
        raw = path.read_bytes()
    if len(raw) > MAX_INPUT:
        raise ValueError(f"input is larger than {MAX_INPUT // 1024 // 1024} MiB")
    # JSON, a JWT, a PDF certificate (its attachment) or a baked PNG/SVG badge
    found = extract(raw)
    if found.credential is None and not found.jwt:
        raise ValueError(found.explanation)
    return found.jwt or found.credential or {}  # a JWT-secured credential is verified as the token


def cmd_verify(args) -> int:
    try:
        doc = _read_credential(args.source)
    except (OSError, ValueError, FetchError) as exc:
        return _fail(f"cannot read {args.source}: {exc}", EXIT_UNREADABLE)
    report = vc_verify.verify_credential(doc, fetch=None if args.offline else http_fetch)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(f"{report.status.upper()}: {args.source}")
        for check in report.checks:
            mark = "ok" if check.ok else "not checked" if check.ok is None else "FAIL"
            print(f"  [{mark}] {check.name}: {check.message}")
    return EXIT_VALID if report.valid else EXIT_INVALID


# --- commands that need the database ----------------------------------------------------------------


def _credential(ref: str):
    from credstack.credentials.models import Credential  # needs the models: after django.setup()

    public_id = ref.rstrip("/").rsplit("/", 1)[-1].removesuffix(".json")
    try:
        return Credential.objects.select_related("organization", "achievement").get(public_id=public_id)
    except Credential.DoesNotExist:
        raise SystemExit(_fail(f"no credential {ref!r}"))


def _org(slug: str):
    from credstack.organizations.models import Organization  # needs the models: after django.setup()

    try:
        return Organization.objects.get(slug=slug)
    except Organization.DoesNotExist:
        raise SystemExit(_fail(f"no organization {slug!r}"))


def _actor():
    """Who changes things from the command line: the operating-system user running it."""

    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (some containers)
        who = ""
    return Actor.command_line(who)


def _invalid(exc) -> int:
    """A ValidationError of an action, as the workspace and the API word it: "field: message"."""
    return _fail(error_text(exc))


def cmd_issue(args) -> int:

    from credstack.achievements.models import Achievement  # needs the models: after django.setup()
    from credstack.credentials.actions import (  # needs the models: after django.setup()
        AlreadyHeld,
        issue_credential,
    )

    org = _org(args.org)
    achievement = Achievement.objects.filter(organization=org, slug=args.achievement).first()
    if achievement is None:
        return _fail(f"organization {org.slug!r} has no achievement {args.achievement!r}")
    try:
        credential = issue_credential(
            achievement=achievement,
            recipient_name=args.name,
            recipient_email=args.email,
            source="cli",
            idempotency_key=args.idempotency_key,
            actor=_actor(),
            duplicates="allow" if args.allow_duplicate else "refuse",
        )
    except ValidationError as exc:
        return _invalid(exc)
    except AlreadyHeld as exc:
        return _fail(f"{exc}; to issue another one anyway, add --allow-duplicate", code=1)
    if args.out:
        Path(args.out).write_text(credential.document, encoding="utf-8")
    print(credential.uri)
    return 0


def _credential_command(change):
    """A command that changes one credential through its action; the action's errors exit non-zero
    with the message the workspace and the API show (bad input 2, a state that forbids it 1)."""

    def run(args) -> int:

        from credstack.credentials import actions  # needs the models: after django.setup()

        credential = _credential(args.id)
        try:
            message = change(actions, credential, args, _actor())
        except ValidationError as exc:
            return _invalid(exc)
        except actions.CredentialStateError as exc:
            return _fail(str(exc), 1)
        print(message)
        return 0

    return run


def _state_change(action_name: str, done: str):
    def change(actions, credential, args, actor) -> str:
        getattr(actions, action_name)(credential, reason=args.reason, actor=actor)
        return f"{credential.uri}: {done}"

    return change


def _correct(actions, credential, args, actor) -> str:
    new = actions.correct_credential(
        credential, recipient_name=args.name, recipient_email=args.email, reason=args.reason, actor=actor
    )
    return f"{credential.uri}: replaced by {new.uri}"


def _expiry(actions, credential, args, actor) -> str:
    when = expiry_date(args.until)
    cred = actions.change_expiry(credential, valid_until=when, note=args.note, actor=actor)
    return f"{credential.uri}: expires {cred.valid_until.date().isoformat() if cred.valid_until else 'never'}"


def _renew(actions, credential, args, actor) -> str:
    new = actions.renew_as_issued(credential, actor=actor)
    until = new.valid_until.date().isoformat() if new.valid_until else "never"
    return f"{credential.uri}: renewed by {new.uri} (expires {until})"


def _resend(actions, credential, args, actor) -> str:
    actions.resend_credential(credential, actor=actor)
    return f"{credential.uri}: the email is being sent again to {credential.recipient_email}"


def cmd_keys_rotate(args) -> int:
    from credstack.organizations.actions import rotate_key  # needs the models: after django.setup()

    key = rotate_key(_org(args.org), actor=_actor())
    print(f"{args.org} now signs with {key.verification_method}")
    return 0


def cmd_keys_compromised(args) -> int:
    from django.core.exceptions import ValidationError  # with the models below: after django.setup()

    from credstack.credentials.actions import rotate_compromised_key  # needs the models: after django.setup()

    org = _org(args.org)
    try:
        key = rotate_compromised_key(org, reason=args.reason, actor=_actor())
    except ValidationError as exc:
        raise SystemExit(_fail("; ".join(m for ms in exc.message_dict.values() for m in ms)))
    print(f"{args.org} now signs with {key.verification_method}; the compromised key left the DID document")
    print("every credential it signed is being signed again in the background (see the audit log)")
    return 0


def cmd_backup(args) -> int:
    from credstack.backup import BackupError, backup  # models: only after Django is set up

    try:
        manifest = backup(args.file)
    except BackupError as exc:
        return _fail(str(exc))
    print(
        f"backup written to {args.file}: {manifest['organizations']} organization(s), "
        f"{manifest['credentials']} credential(s), {manifest['engine']} database"
    )
    if not manifest["secret_included"]:
        print("The secret comes from CREDSTACK_SECRET_KEY and is not in the file: keep it with the backup.")
    else:
        print("The file holds the secret that seals the signing keys: keep it as safe as the keys.")
    return 0


def cmd_restore(args) -> int:
    from credstack.backup import BackupError, restore  # models: only after Django is set up

    try:
        manifest = restore(args.file, force=args.force)
    except BackupError as exc:
        return _fail(str(exc))
    print(
        f"restored the backup of {manifest['made_at']}: {manifest['organizations']} organization(s), "
        f"{manifest['credentials']} credential(s); new credentials get new status lists"
    )
    return 0


def cmd_apikey_create(args) -> int:

    from credstack.api.actions import create_api_key  # needs the models: after django.setup()

    try:
        new = create_api_key(_org(args.org), name=args.name, scope=args.scope, actor=_actor())
    except ValidationError as exc:
        return _invalid(exc)
    print(f"API key '{new.api_key.name}' for {args.org}, scope {args.scope}. It is shown once; store it now:")
    print(new.secret)
    return 0


def cmd_apikey_list(args) -> int:
    from credstack.api.models import ApiKey  # needs the models: after django.setup()

    for key in ApiKey.objects.filter(organization=_org(args.org)).order_by("created_at"):
        state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
        used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never"
        print(f"csk_{key.prefix}_…  {key.scope:6}  {state:18}  last used {used}  {key.name}")
    return 0


def _lti_values() -> None:
    from credstack.lti.workspace_views import tool_values  # needs the settings: after django.setup()

    print("Paste into the LMS:")
    for value in tool_values():
        print(f"  {value['label']}: {value['value']}")


def cmd_lti_register(args) -> int:
    from credstack.courses.models import Course  # needs the models: after django.setup()
    from credstack.lti.actions import register_platform  # needs the models: after django.setup()

    org = _org(args.org)
    course = None
    if args.default_course:
        course = Course.objects.filter(organization=org, slug=args.default_course).first()
        if course is None:
            return _fail(f"default course: {args.org} has no course {args.default_course!r}")
    try:
        platform = register_platform(
            org,
            name=args.name,
            issuer=args.issuer,
            client_id=args.client_id,
            deployment_ids=args.deployment_id,
            auth_login_url=args.auth_login_url,
            auth_token_url=args.token_url,
            key_set_url=args.jwks_url,
            default_course=course,
            actor=_actor(),
        )
    except ValidationError as exc:
        return _invalid(exc)
    print(f"Registered {platform.name} ({platform.issuer}, client id {platform.client_id}) for {args.org}.")
    _lti_values()
    return 0


def cmd_lti_list(args) -> int:
    from credstack.lti.models import LtiPlatform  # needs the models: after django.setup()

    for p in LtiPlatform.objects.filter(organization=_org(args.org)).order_by("created_at"):
        print(
            f"{p.public_id}  {p.name}  {p.issuer}  client {p.client_id}  deployments {','.join(p.deployment_ids)}"
        )
    return 0


def cmd_lti_registration_url(args) -> int:
    from credstack.lti.actions import registration_url  # needs the models: after django.setup()

    print(registration_url(_org(args.org), _actor()))
    return 0


def cmd_apikey_revoke(args) -> int:
    from credstack.api.actions import revoke_api_key  # needs the models: after django.setup()
    from credstack.api.models import ApiKey  # needs the models: after django.setup()

    key = ApiKey.objects.filter(prefix=args.prefix.removeprefix("csk_").split("_")[0]).first()
    if key is None:
        return _fail(f"no API key {args.prefix!r}")
    if not revoke_api_key(key, actor=_actor()):
        print(f"csk_{key.prefix}_… was already revoked")
        return 0
    print(f"revoked csk_{key.prefix}_…")
    return 0


def cmd_demo(args) -> int:

    from credstack.demo import seed_demo  # needs the models: after django.setup()

    call_command("migrate", verbosity=0, interactive=False)
    info = seed_demo()
    print(info)
    return 0


def cmd_manage(args) -> int:

    execute_from_command_line(["credstack manage", *args.rest])
    return 0


def cmd_worker(args) -> int:

    from credstack.organizations import signing  # needs the models: after django.setup()
    from credstack.outbox.actions import dispatch_due  # needs the models: after django.setup()
    from credstack.scheduler.actions import ensure_all  # needs the models: after django.setup()
    from credstack.scheduler.leases import requeue_dead_tasks  # needs the models: after django.setup()

    try:
        queues = taskqueues.parse(args.queues)
    except ValueError as exc:
        return _fail(f"--queues: {exc}")
    print(requeue_dead_tasks(), flush=True)  # tasks left RUNNING by a worker that died go back to the queue
    dispatch_due()  # side effects whose committing process died before dispatching them (decision 0036)
    ensure_all()  # periodic jobs (expiry reminders...) queue their next run: no cron needed
    print(f"credstack worker: queues {', '.join(queues)} ({worker_kind()})", flush=True)
    try:
        _run_worker(queues)
    finally:
        signing.shutdown_pools()  # the bulk job's signing processes (decision 0066) end with the worker
    return 0


def _run_worker(queues: list[str]) -> None:
    if taskqueues.on_redis():
        # RQ takes from the queues in the order given; its scheduler moves deferred tasks (retries,
        # periodic jobs) onto their queue when due: one worker of the deployment holds its lock at a time
        # SimpleWorker: tasks run in the worker process itself, not in a process forked per task (a fork
        # per credential email costs more than the email; the lease sweep covers a worker that dies)
        connections.close_all()
        call_command(
            "rqworker",
            *queues,
            job_class="django_tasks_rq.Job",
            worker_class="rq.worker.SimpleWorker",
            with_scheduler=True,
            # a line per task at INFO (three per credential email): only when credstack logs at DEBUG
            verbosity=2 if os.environ.get("CREDSTACK_LOG_LEVEL", "").upper() == "DEBUG" else 0,
        )
    else:
        call_command("db_worker", queue_name=",".join(queues))


def cmd_mcp(args) -> int:
    from credstack.agents.server import build_server  # needs the models: after django.setup()
    from credstack.api.auth import ApiKeyAuth  # needs the models: after django.setup()

    key = os.environ.get("CREDSTACK_API_KEY", "").strip()
    if not key:
        return _fail("set CREDSTACK_API_KEY to an organization's API key (credstack apikey create ...)")
    found = ApiKeyAuth().authenticate(argparse.Namespace(), key)
    if found is None:
        return _fail("CREDSTACK_API_KEY is not a valid API key (revoked, or mistyped)")
    print(
        f"credstack MCP server for {found.organization.name}, as API key '{found.name}' "
        f"(scope {found.scope}), on standard input and output",
        file=sys.stderr,
    )
    build_server(key).run("stdio")
    return 0


def worker_kind() -> str:
    return "Redis through RQ" if taskqueues.on_redis() else "the database queue"


GRANIAN_LOG_CONFIG = Path(__file__).parent / "web" / "granian_log.json"


def web_command(host: str, port: str | int, workers: str | int = 2) -> list[str]:
    """The web server ``credstack serve`` runs: granian, WSGI, one process a core, each running one
    request at a time while granian's Rust side holds the connections (keep-alive, slow clients).
    Chosen by measurement over gunicorn (sync and threaded) and ASGI servers: ``benchmarks/serve.py``,
    results in ``benchmarks/RESULTS.md``, decision 0038. The access log masks URL secrets (inbound webhook
    tokens...) through ``credstack.logmask`` (``web/granian_log.json``). Behind a TLS proxy,
    X-Forwarded-Proto is believed from ``CREDSTACK_TRUSTED_PROXIES`` only, by the app itself
    (``web.security.ForwardedProtoMiddleware``)."""
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "credstack.config.wsgi:application",
        "--host",
        str(host),
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--blocking-threads",
        "1",
        "--respawn-failed-workers",
        "--access-log",
        "--log-config",
        str(GRANIAN_LOG_CONFIG),
    ]


def cmd_serve(args) -> int:

    port = os.environ.get("PORT", "8000")
    host = os.environ.get("CREDSTACK_BIND", "127.0.0.1")
    bind = f"{host}:{port}"
    web = web_command(host, port, os.environ.get("WEB_CONCURRENCY", "2"))
    # the web processes and the worker write their own metrics to one folder; a scrape sums them (0044)
    own_metrics_dir = ""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        own_metrics_dir = os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(
            prefix="credstack-metrics-"
        )
    if not metrics.prepare_multiprocess_dir(os.environ["PROMETHEUS_MULTIPROC_DIR"]):
        del os.environ["PROMETHEUS_MULTIPROC_DIR"]  # a full disk must not keep the pages from answering
    procs = [subprocess.Popen(web)]
    if not args.web_only:
        procs.append(subprocess.Popen([sys.executable, "-m", "credstack.cli", "worker"]))
    print(
        f"credstack is serving {settings.CREDSTACK_BASE_URL} (bound to {bind}); Ctrl-C stops it.", flush=True
    )

    def stop(*_):
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(p.poll() is None for p in procs):
            try:
                procs[0].wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for proc in procs:
            proc.wait(timeout=30)
        if own_metrics_dir:
            shutil.rmtree(own_metrics_dir, ignore_errors=True)
    return 0


_ID_HELP = "the credential's URL or public id; an id that begins with '-' goes after '--' (credstack revoke -- -X3V…)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="credstack", description="Verifiable micro-credentials.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("verify", help="verify a credential file or URL (no database needed)")
    p.add_argument("source", help="a JSON file, '-' for standard input, or a credential URL")
    p.add_argument("--json", action="store_true", help="print the whole report as JSON")
    p.add_argument(
        "--offline", action="store_true", help="fetch nothing (did:key issuers only; status unchecked)"
    )
    p.set_defaults(func=cmd_verify, django=False)

    p = sub.add_parser("issue", help="issue one credential")
    p.add_argument("--org", required=True)
    p.add_argument("--achievement", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--email", required=True)
    p.add_argument("--out", help="also write the signed credential to this file")
    p.add_argument("--idempotency-key", help="issuing again with the same key returns the same credential")
    p.add_argument(
        "--allow-duplicate",
        action="store_true",
        help="issue even when the recipient already holds an active credential for the achievement",
    )
    p.set_defaults(func=cmd_issue)

    for name, done in (("revoke", "revoked"), ("suspend", "suspended"), ("reinstate", "reinstated")):
        p = sub.add_parser(name, help=f"{name} a credential (its URL or public id)")
        p.add_argument("id", help=_ID_HELP)
        p.add_argument("--reason", default="", help="required to revoke: shown on the credential's page")
        p.set_defaults(func=_credential_command(_state_change(f"{name}_credential", done)))
    p = sub.add_parser(
        "renew", help="renew a credential that is due: a new one with a new end date replaces it"
    )
    p.add_argument("id", help=_ID_HELP)
    p.set_defaults(func=_credential_command(_renew))
    p = sub.add_parser("correct", help="correct a credential: a new one replaces it (the old one is revoked)")
    p.add_argument("id", help=_ID_HELP)
    p.add_argument("--name", help="the corrected recipient name")
    p.add_argument("--email", help="the corrected recipient email")
    p.add_argument("--reason", default="", help="required: why it is corrected")
    p.set_defaults(func=_credential_command(_correct))
    p = sub.add_parser("expiry", help="change when a credential expires (it is re-signed under the same id)")
    p.add_argument("id", help=_ID_HELP)
    p.add_argument("--until", required=True, help="YYYY-MM-DD (the end of that day, UTC) or 'never'")
    p.add_argument("--note", default="", help="why, for the credential's history")
    p.set_defaults(func=_credential_command(_expiry))
    p = sub.add_parser("resend", help="email a credential's links to its recipient again")
    p.add_argument("id", help=_ID_HELP)
    p.set_defaults(func=_credential_command(_resend))

    keys = sub.add_parser("keys", help="signing keys").add_subparsers(dest="keys_command", required=True)
    p = keys.add_parser("rotate", help="retire the active key and start signing with a new one")
    p.add_argument("--org", required=True)
    p.set_defaults(func=cmd_keys_rotate)
    p = keys.add_parser(
        "compromised",
        help="the active key leaked: a new key signs, the old one leaves the DID document, and every "
        "credential it signed is signed again (decision 0054)",
    )
    p.add_argument("--org", required=True)
    p.add_argument("--reason", required=True, help="what happened (kept in the audit log)")
    p.set_defaults(func=cmd_keys_compromised)

    apikey = sub.add_parser("apikey", help="API keys").add_subparsers(dest="apikey_command", required=True)
    p = apikey.add_parser("create", help="create an API key (printed once, alone on the last line)")
    p.add_argument("--org", required=True)
    p.add_argument("--scope", choices=["read", "issue", "admin"], default="read")
    p.add_argument("--name", default="API key")
    p.set_defaults(func=cmd_apikey_create)
    p = apikey.add_parser("list", help="list an organization's API keys")
    p.add_argument("--org", required=True)
    p.set_defaults(func=cmd_apikey_list)
    p = apikey.add_parser("revoke", help="revoke an API key (its prefix or the whole key)")
    p.add_argument("prefix")
    p.set_defaults(func=cmd_apikey_revoke)

    lti = sub.add_parser("lti", help="LTI 1.3 platforms (LMSs)").add_subparsers(
        dest="lti_command", required=True
    )
    p = lti.add_parser("register", help="register an LMS platform and print the values to paste into it")
    p.add_argument("--org", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--issuer", required=True, help="the platform's issuer (Platform ID)")
    p.add_argument("--client-id", required=True)
    p.add_argument("--deployment-id", action="append", required=True, help="repeat for several")
    p.add_argument("--auth-login-url", required=True, help="the platform's authentication request URL")
    p.add_argument("--token-url", required=True, help="the platform's access token URL")
    p.add_argument("--jwks-url", required=True, help="the platform's public keyset URL")
    p.add_argument("--default-course", default="", help="a course slug launched when the link names none")
    p.set_defaults(func=cmd_lti_register)
    p = lti.add_parser("list", help="list an organization's LMS platforms")
    p.add_argument("--org", required=True)
    p.set_defaults(func=cmd_lti_list)
    p = lti.add_parser("registration-url", help="print a Dynamic Registration URL to paste into the LMS")
    p.add_argument("--org", required=True)
    p.set_defaults(func=cmd_lti_registration_url)

    add_bulk_issue(sub)  # issuer workspace (issue 3)

    sub.add_parser("demo", help="migrate and seed the demo organization (idempotent)").set_defaults(
        func=cmd_demo
    )
    p = sub.add_parser(
        "serve",
        help="serve the web app (PORT, CREDSTACK_BIND, WEB_CONCURRENCY) and a task worker for every queue",
        description="Serve the web app with granian (WEB_CONCURRENCY processes on CREDSTACK_BIND:PORT) and, "
        "unless --web-only, one task worker in the same container working every queue: the whole of "
        "credstack on one machine.",
    )
    p.add_argument(
        "--web-only",
        "--no-worker",
        dest="web_only",
        action="store_true",
        help="serve the web app only, without the in-process task worker: a web node of a deployment "
        "whose workers run apart (`credstack worker`, tasks in Redis with REDIS_URL)",
    )
    p.set_defaults(func=cmd_serve)
    p = sub.add_parser(
        "worker",
        help="run a task worker (tasks in Redis through RQ with REDIS_URL, else in the database)",
        description="Run tasks: from Redis through RQ when REDIS_URL is set, else from the database. "
        "Several workers, on several machines, may run at once; a task whose worker dies is taken back "
        "and run by another (decisions 0031, 0047).",
    )
    p.add_argument(
        "--queues",
        default="*",
        metavar="QUEUE,...",
        help=f"the queues to work, comma-separated, in order of preference: {', '.join(taskqueues.ALL)} "
        "(bulk: bulk issuance; email: credential emails and invitations; webhooks: webhooks, xAPI, LTI "
        "grades; pdfs: certificate PDFs; default: the rest). Default: every queue",
    )
    p.set_defaults(func=cmd_worker)
    sub.add_parser(
        "mcp",
        help="serve the MCP tools (issue, search, revoke, report) to an AI agent over standard input and "
        "output, as the API key in CREDSTACK_API_KEY (its organization, its scope)",
    ).set_defaults(func=cmd_mcp)
    p = sub.add_parser("backup", help="write the database, files and secret to one archive (online)")
    p.add_argument("file")
    p.set_defaults(func=cmd_backup)
    p = sub.add_parser("restore", help="replace this instance with a backup archive")
    p.add_argument("file")
    p.add_argument("--force", action="store_true", help="replace a database that already holds credentials")
    p.set_defaults(func=cmd_restore)
    p = sub.add_parser("manage", help="run a Django management command", add_help=False)
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "django", True):
        _django()
    try:
        return args.func(args)
    except Exception as exc:
        why = storage_failure(exc)
        if why is None:
            raise
        # a write the storage refused: say so, not a traceback (the details go to the log)
        logging.getLogger("credstack.cli").debug("storage refused a write", exc_info=True)
        return _fail(
            f"{why}: nothing more could be saved ({type(exc).__name__}: {exc}). Free space and run it again.",
            1,
        )


if __name__ == "__main__":
    sys.exit(main())

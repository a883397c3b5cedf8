"""Which tests run on which database (docs/CONTRIBUTING.md, "Tests"; decision 0046).

`make test` runs the suite twice: on SQLite, everything; on PostgreSQL, only the tests whose result can
depend on the database engine. The rule (decision 0046):

- A test that asks for none of pytest-django's database fixtures cannot open a connection (pytest-django's
  blocker refuses it: tests/test_databases.py proves it): SQLite only.
- A test that reaches the database runs on PostgreSQL too when its module is listed in ``ENGINE`` below:
  what it checks goes through SQL that differs by engine or through behaviour only a server database
  shows — row locks and concurrent writers, constraint and integrity errors, search, cursor pagination and
  aggregation, status-list index allocation, batch and bulk issuance, migrations, raw SQL, JSON lookups,
  text PostgreSQL refuses (a NUL character). A test outside those modules can be kept on both with
  ``@pytest.mark.engine``.
- A module that reaches the database and whose result does not depend on the engine (page rendering,
  permissions, API shapes, signing and verifying, templates) is listed in ``SAME_ON_EVERY_ENGINE`` with the
  reason.
- Every module that reaches the database is in one of the two lists: a database test of a module in
  neither fails (on SQLite, where every test runs), so a new database test cannot be left out of PostgreSQL without someone saying
  why. ``@pytest.mark.database`` (a subprocess given DATABASE_URL) and ``@pytest.mark.postgresql_only`` keep
  a test on PostgreSQL whatever its module. Browser tests stay on SQLite: what a browser adds to a
  server-side test (scripts, layout, fonts, the content security policy) does not depend on the database.
- ``CREDSTACK_TEST_EVERYTHING=1`` runs every test on PostgreSQL, e.g. to look for a difference the lists
  miss.
"""

from __future__ import annotations

import os

import pytest

# The fixtures through which a test reaches the database (pytest-django's), directly or through others.
DATABASE_FIXTURES = frozenset(
    {"db", "transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}
)
# Everything on PostgreSQL too, e.g. to look for a difference between the databases.
EVERYTHING = "CREDSTACK_TEST_EVERYTHING"

# Modules (a path under the repository, or a folder ending in "/") whose database tests run on PostgreSQL
# too: what they check can differ by engine.
ENGINE: dict[str, str] = {
    "tests/faults/": "a worker killed mid-batch, a full disk: transactions and locks of the real server",
    "tests/multinode/": "several processes writing one database at once",
    "tests/outbox/": "exactly-once hand-over of committed side effects, concurrent drainers (row locks)",
    "tests/scheduler/": "leases taken with row locks, periodic jobs run exactly once",
    "tests/awarding/": "awards decided once under concurrent completions (locks, unique constraints)",
    "tests/credentials/test_issue.py": "the issuance pipeline: row locks, status-list index allocation",
    "tests/credentials/test_batch.py": "batch issuance: bulk inserts, status-list ranges, integrity errors",
    "tests/credentials/test_issue_twice.py": "idempotent issuance: unique constraints",
    "tests/credentials/test_status.py": "status-list allocation and bit updates under row locks",
    "tests/credentials/test_permutation.py": "status-list index permutation over the allocated rows",
    "tests/credentials/test_key_compromise.py": "bulk revocation selected by key (JSON lookups, updates)",
    "tests/credentials/test_search_fragments.py": "credential search (decision 0024): engine-specific SQL",
    "tests/credentials/test_three_ways.py": "revoke/suspend/reinstate through the locking action",
    "tests/credentials/test_renewal.py": "renewal exactly once (row locks)",
    "tests/credentials/test_files_atomic.py": "file writes tied to the transaction's outcome",
    "tests/workspace/test_search_and_delivery.py": "search, filters and cursor pagination of the list",
    "tests/workspace/test_credential_list.py": "the credential list's keyset pagination and ordering",
    "tests/workspace/test_bulk.py": "bulk issuance from a CSV: batches, status lists, row locks",
    "tests/workspace/test_bulk_resume.py": "bulk resumed at each stage: reserved slots, row locks, ranges",
    "tests/workspace/test_bulk_select_all.py": "bulk actions over a search's whole result",
    "tests/workspace/test_bulk_truthful.py": "bulk job counts (aggregates) under partial failure",
    "tests/workspace/test_bulk_retention.py": "bulk deletes of expired uploads",
    "tests/workspace/test_confirm_state_changes.py": "state changes of many credentials under row locks",
    "tests/workspace/test_history_and_dashboard.py": "dashboard aggregates by date (engine-specific SQL)",
    "tests/workspace/test_analytics_honest.py": "analytics aggregates by date (engine-specific SQL)",
    "tests/workspace/test_analytics_by_skill.py": "analytics counts summed per skill (aggregates)",
    "tests/sso/test_domain_proof.py": "one verified holder of an email domain: a row lock and a unique constraint",
    "tests/workspace/test_actions.py": "credential actions of the workspace (locking write paths)",
    "tests/api/test_batches_api.py": "batch issuance through the API",
    "tests/api/test_credentials_api.py": "the API's search and cursor pagination",
    "tests/api/test_idempotency_heals.py": "idempotency keys: unique constraints, a retried request",
    "tests/api/test_nul.py": "a NUL character, which PostgreSQL refuses and SQLite stores",
    "tests/api/test_query_counts.py": "pinned query counts, which the engine's SQL can change",
    "tests/api/test_schemathesis.py": "generated inputs (NUL, huge integers, long text) reach every column",
    "tests/api/test_webhooks_api.py": "webhook endpoints: unique constraints, NUL in input",
    "tests/cli/test_backup.py": "backup and restore are engine-specific",
    "tests/cli/test_bulk_issue_cli.py": "bulk issuance from the command line",
    "tests/courses/test_closing.py": "closing a course under row locks",
    "tests/designs/test_designer.py": "the designer's locked save (FOR UPDATE on a join failed only on PostgreSQL)",
    "tests/integrations/test_receive.py": "inbound events deduplicated under concurrency (unique constraints)",
    "tests/integrations/test_unfinished_events.py": "events left unfinished, picked up again (locks)",
    "tests/integrations/test_batches.py": "batches of inbound events, NUL in input",
    "tests/learning/test_migration_0023.py": "a data migration",
    "tests/learning/test_review_reminders.py": "due reminders selected by date arithmetic in SQL",
    "tests/lti/test_lti_security.py": "nonce replay refused by a unique constraint",
    "tests/ops/test_metrics.py": "the /metrics database figures (raw SQL)",
    "tests/ops/test_probes.py": "the readiness probe's migration check",
    "tests/organizations/test_migration_platform_keys.py": "a data migration",
    "tests/organizations/test_keys.py": "stored key columns read back with raw SQL",
    "tests/organizations/test_pdf_signing.py": "concurrent signing, constraints",
    "tests/organizations/test_actions_three_ways.py": "member, invitation and settings actions (row locks)",
    "tests/pathways/test_pathways.py": "pathway awards exactly once",
    "tests/security/test_secrets_at_rest.py": "stored columns read with raw SQL",
    "tests/security/test_fuzz_public_endpoints.py": "hostile input (NUL, huge numbers) reaching queries",
    "tests/security/test_worst_case_inputs.py": "worst-case sizes and characters reaching queries",
    "tests/wallets/test_oid4vci.py": "single-use pre-authorized codes (row locks, constraints)",
    "tests/web/test_branding.py": "text PostgreSQL refuses (NUL) in organization settings",
    "tests/webhooks/test_outbound.py": "deliveries claimed with row locks by concurrent senders",
    "tests/webhooks/test_redeliver_failed.py": "redelivery claimed with row locks",
    "tests/webhooks/test_attempt_log.py": "attempt rows written by concurrent deliveries",
    "tests/xapi/test_xapi.py": "statements queued and sent under row locks",
    "tests/achievements/test_skills.py": "skill frameworks: JSON fields, NUL in input",
    # row locks of the learner-facing actions (select_for_update: a no-op on SQLite)
    "tests/learning/test_learning.py": "enrolment and lesson progress under row locks",
    "tests/learning/test_one_sign_in.py": "learner records linked to an account under row locks",
    "tests/learning/test_retake.py": "lesson progress reset under row locks",
    "tests/ob3api/test_oauth_flow.py": "authorization codes and tokens used once (row locks)",
    "tests/ob3api/test_api_as_specified.py": "held credentials and the holder profile under row locks",
    "tests/portal/test_portal.py": "sign-in codes used once (row locks)",
    "tests/portal/test_public_portfolio.py": "the portfolio under row locks",
    "tests/endorsements/": "an endorsement request answered once (row lock)",
    "tests/achievements/test_versions.py": "achievement versions under a row lock",
    "tests/workspace/test_languages.py": "a person's language preference (get_or_create under a row lock)",
    "tests/test_databases.py": "the rule itself",
    "tests/test_unchanged.py": "changes_nothing's raw read of every table, used by PostgreSQL tests",
}

# Modules whose database tests run on SQLite only: their result does not depend on the engine.
PAGES = "pages and their permissions rendered from rows any engine returns alike"
SHAPES = "API shapes, scopes and tenants: the same rows through the same serializers"
SIGNED = "what is signed and verified, not how it is stored"
SAME_ON_EVERY_ENGINE: dict[str, str] = {
    "tests/accounts/": PAGES,
    "tests/agents/": SHAPES,
    "tests/api/test_contract.py": SHAPES + " (every operation × role and tenant)",
    "tests/api/test_pages.py": PAGES,
    "tests/api/test_rest_hooks.py": SHAPES,
    "tests/cli/test_cli.py": "the command line's parsing and output over actions tested on both",
    "tests/courses/test_courses.py": PAGES,
    "tests/courses/test_demo_course.py": PAGES,
    "tests/courses/test_editor_audit.py": "audit rows of the course editor (plain inserts)",
    "tests/courses/test_views.py": PAGES,
    "tests/credentials/test_certificate_image_and_sharing.py": SIGNED,
    "tests/credentials/test_files.py": "files rendered and stored beside the rows",
    "tests/credentials/test_certificates_in_one_process.py": "certificates rendered one after the other from the rows",
    "tests/credentials/test_marked_files.py": SIGNED,
    "tests/credentials/test_views.py": PAGES,
    "tests/delivery/": "emails rendered and sent; the outbox that runs them is tested on both",
    "tests/designs/test_designs.py": PAGES,
    "tests/designs/test_compare_import.py": PAGES,
    "tests/designs/test_problem_messages.py": PAGES,
    "tests/e2e/": "browser tests: what a browser adds does not depend on the database",
    "tests/integrations/test_pages_and_api.py": PAGES,
    "tests/integrations/test_presets.py": "payload mapping of the presets (pure parsing)",
    "tests/interop/": SIGNED + " (the independent verifier)",
    "tests/learning/test_api_invite_audit.py": "one audit row (plain insert)",
    "tests/learning/test_learner_emails.py": PAGES,
    "tests/learning/test_profile_address.py": PAGES,
    "tests/lti/test_lti_deep_linking.py": "LTI messages signed and checked",
    "tests/lti/test_lti_launch.py": "LTI messages signed and checked",
    "tests/lti/test_lti_registration.py": "LTI messages signed and checked",
    "tests/ob2/": SHAPES,
    "tests/ob3api/test_openapi_conformance.py": SHAPES + " (1EdTech's OpenAPI document)",
    "tests/ops/test_logs.py": "log records",
    "tests/organizations/test_custom_domain.py": PAGES,
    "tests/organizations/test_invitation_lifecycle.py": PAGES,
    "tests/organizations/test_signing.py": SIGNED,
    "tests/pathways/test_views.py": PAGES,
    "tests/portal/test_page_cache.py": "page caches (in the cache, not the database)",
    "tests/portal/test_rate_limits.py": "rate-limit counters (in the cache, not the database)",
    "tests/portal/test_public_page.py": PAGES,
    "tests/portal/test_export_signing.py": SIGNED,
    "tests/security/test_headers.py": "response headers",
    "tests/sso/": "single sign-on messages signed and checked",
    "tests/storage/": "files in object storage",
    "tests/test_demo.py": "the demo's content",
    "tests/test_httpclient.py": "outbound HTTP",
    "tests/vc/": SIGNED,
    "tests/verifier/": SIGNED,
    "tests/web/test_trailing_slash.py": "routing: every URL with and without its slash",
    "tests/web/test_error_pages.py": PAGES,
    "tests/web/test_small_fixes.py": PAGES,
    "tests/cli/test_restore_open_database.py": "SQLite's restore under an open connection (PostgreSQL's: test_backup)",
    "tests/web/test_localized_dates.py": "dates written in the viewer's language: templates and formats",
    "tests/workspace/test_educator_pages_in_languages.py": "the educator's pages translated: templates",
    "tests/wallets/test_oid4vci_jwt.py": (
        "signing the JWT form and checking the wallet's proof (the single-use codes are test_oid4vci.py's)"
    ),
    "tests/webhooks/test_pages.py": PAGES,
    "tests/webhooks/test_rotation.py": "signing secrets rotated (one update each)",
    "tests/workspace/test_roles.py": PAGES + " (every page × role; refusals change nothing)",
    "tests/workspace/test_audit_in_actions.py": "audit rows of actions (plain inserts)",
    "tests/workspace/test_audit_log_page.py": PAGES,
    "tests/workspace/test_uploads_exports.py": "files uploaded and exported",
}


def uses_database(item: pytest.Item) -> bool:
    """The test can open a database connection: it has the django_db marker, asks for a database fixture, or
    says it reaches the database another way (``@pytest.mark.database``: a subprocess given DATABASE_URL)."""
    if item.get_closest_marker("django_db") or item.get_closest_marker("database"):
        return True
    return not DATABASE_FIXTURES.isdisjoint(getattr(item, "fixturenames", ()))


def hide_database_url(item: pytest.Item, monkeypatch: pytest.MonkeyPatch) -> None:
    """A test that does not reach the database does not hand DATABASE_URL to a process it starts either."""
    if not uses_database(item):
        monkeypatch.delenv("DATABASE_URL", raising=False)


def uses_browser(item: pytest.Item) -> bool:
    return "browser" in getattr(item, "fixturenames", ())


def module_of(item: pytest.Item) -> str:
    return item.nodeid.split("::", 1)[0]


def listed(module: str, lists: dict[str, str]) -> bool:
    return any(module == key or (key.endswith("/") and module.startswith(key)) for key in lists)


def runs_on_postgresql(item: pytest.Item) -> bool:
    if item.get_closest_marker("database") or item.get_closest_marker("postgresql_only"):
        return True
    if not uses_database(item) or uses_browser(item):
        return False
    return bool(item.get_closest_marker("engine")) or listed(module_of(item), ENGINE)


def unclassified(items: list[pytest.Item]) -> list[str]:
    """The modules with a database test that neither list names (decision 0046: their tests fail)."""
    modules = {module_of(item) for item in items if uses_database(item) and not uses_browser(item)}
    return sorted(
        module
        for module in modules
        if module.startswith("tests/")
        and not listed(module, ENGINE)
        and not listed(module, SAME_ON_EVERY_ENGINE)
    )


def on_postgresql() -> bool:
    from django.conf import settings  # Django is configured by pytest-django before collection ends

    # django_prometheus wraps the engine (django_prometheus.db.backends.postgresql): the name ends the same
    return settings.DATABASES["default"]["ENGINE"].endswith(".postgresql")


UNCLASSIFIED = (
    "tests/databases.py (decision 0046): say whether the database tests of {} depend on the engine (list the "
    "module in ENGINE: it runs on PostgreSQL too) or not (SAME_ON_EVERY_ENGINE, with the reason)"
)


def fail_if_unclassified(item: pytest.Item) -> None:
    """Before each test: a database test of a module neither list names fails, with what to do."""
    missing = unclassified([item])
    if missing:
        pytest.fail(UNCLASSIFIED.format(missing[0]), pytrace=False)


def select(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not on_postgresql():
        # several processes writing one database at once (tests/multinode): SQLite is not that deployment
        apart = [item for item in items if item.get_closest_marker("postgresql_only")]
        if apart:
            config.hook.pytest_deselected(items=apart)
            items[:] = [item for item in items if not item.get_closest_marker("postgresql_only")]
        return
    if os.environ.get(EVERYTHING):
        return
    keep = [item for item in items if runs_on_postgresql(item)]
    if len(keep) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if not runs_on_postgresql(item)])
        items[:] = keep

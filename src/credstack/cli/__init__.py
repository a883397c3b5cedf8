"""The ``credstack`` command.

``verify`` needs no database; every other command sets up Django first.

One module per area, each with its commands and their arguments (``add_parsers``):

- ``verify``: ``verify``;
- ``credentials``: ``issue``, ``revoke``, ``suspend``, ``reinstate``, ``renew``, ``correct``, ``expiry``,
  ``resend``, ``keys``;
- ``apikey``: ``apikey``; ``lti``: ``lti``; ``bulk-issue`` is the workspace's (``credstack.workspace.cli``);
- ``serve``: ``demo``, ``serve``, ``worker``, ``mcp``;
- ``maintenance``: ``backup``, ``restore``, ``manage``;
- ``common``: what they share (Django set up, failures, the organization and actor a command names).
"""

from __future__ import annotations

import argparse
import logging

from credstack.ui.storage import storage_failure
from credstack.workspace.cli import add_parser as add_bulk_issue

from . import apikey, credentials, lti, maintenance, serve, verify
from .apikey import cmd_apikey_create, cmd_apikey_list, cmd_apikey_revoke
from .common import EXIT_INVALID, EXIT_UNREADABLE, EXIT_VALID, fail, setup_django
from .credentials import cmd_issue, cmd_keys_compromised, cmd_keys_rotate
from .lti import cmd_lti_list, cmd_lti_register, cmd_lti_registration_url
from .maintenance import cmd_backup, cmd_manage, cmd_restore
from .serve import GRANIAN_LOG_CONFIG, cmd_demo, cmd_mcp, cmd_serve, cmd_worker, web_command, worker_kind
from .verify import MAX_INPUT, cmd_verify

__all__ = [
    "EXIT_INVALID",
    "EXIT_UNREADABLE",
    "EXIT_VALID",
    "GRANIAN_LOG_CONFIG",
    "MAX_INPUT",
    "build_parser",
    "cmd_apikey_create",
    "cmd_apikey_list",
    "cmd_apikey_revoke",
    "cmd_backup",
    "cmd_demo",
    "cmd_issue",
    "cmd_keys_compromised",
    "cmd_keys_rotate",
    "cmd_lti_list",
    "cmd_lti_register",
    "cmd_lti_registration_url",
    "cmd_manage",
    "cmd_mcp",
    "cmd_restore",
    "cmd_serve",
    "cmd_verify",
    "cmd_worker",
    "main",
    "web_command",
    "worker_kind",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="credstack", description="Verifiable micro-credentials.")
    sub = parser.add_subparsers(dest="command", required=True)
    # in the order `credstack --help` lists them
    verify.add_parsers(sub)
    credentials.add_parsers(sub)
    apikey.add_parsers(sub)
    lti.add_parsers(sub)
    add_bulk_issue(sub)  # issuer workspace (issue 3)
    serve.add_parsers(sub)
    maintenance.add_parsers(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "django", True):
        setup_django()
    try:
        return args.func(args)
    except Exception as exc:
        why = storage_failure(exc)
        if why is None:
            raise
        # a write the storage refused: say so, not a traceback (the details go to the log)
        logging.getLogger("credstack.cli").debug("storage refused a write", exc_info=True)
        return fail(
            f"{why}: nothing more could be saved ({type(exc).__name__}: {exc}). Free space and run it again.",
            1,
        )

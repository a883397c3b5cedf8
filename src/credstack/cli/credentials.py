"""Commands that issue and change credentials, each through its action as the command line's actor:
``issue``, ``revoke``, ``suspend``, ``reinstate``, ``renew``, ``correct``, ``expiry``, ``resend``, and the
signing keys (``keys rotate``, ``keys compromised``)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError

from credstack.credentials.validation import expiry_date

from .common import command_line_actor, credential_of, fail, invalid, organization_of


def cmd_issue(args) -> int:

    from credstack.achievements.models import Achievement  # needs the models: after django.setup()
    from credstack.credentials.actions import (  # needs the models: after django.setup()
        AlreadyHeld,
        issue_credential,
    )

    org = organization_of(args.org)
    achievement = Achievement.objects.filter(organization=org, slug=args.achievement).first()
    if achievement is None:
        return fail(f"organization {org.slug!r} has no achievement {args.achievement!r}")
    try:
        credential = issue_credential(
            achievement=achievement,
            recipient_name=args.name,
            recipient_email=args.email,
            source="cli",
            idempotency_key=args.idempotency_key,
            actor=command_line_actor(),
            duplicates="allow" if args.allow_duplicate else "refuse",
        )
    except ValidationError as exc:
        return invalid(exc)
    except AlreadyHeld as exc:
        return fail(f"{exc}; to issue another one anyway, add --allow-duplicate", code=1)
    if args.out:
        Path(args.out).write_text(credential.document, encoding="utf-8")
    print(credential.uri)
    return 0


def _credential_command(change):
    """A command that changes one credential through its action; the action's errors exit non-zero
    with the message the workspace and the API show (bad input 2, a state that forbids it 1)."""

    def run(args) -> int:

        from credstack.credentials import actions  # needs the models: after django.setup()

        credential = credential_of(args.id)
        try:
            message = change(actions, credential, args, command_line_actor())
        except ValidationError as exc:
            return invalid(exc)
        except actions.CredentialStateError as exc:
            return fail(str(exc), 1)
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

    key = rotate_key(organization_of(args.org), actor=command_line_actor())
    print(f"{args.org} now signs with {key.verification_method}")
    return 0


def cmd_keys_compromised(args) -> int:
    from django.core.exceptions import ValidationError  # with the models below: after django.setup()

    from credstack.credentials.actions import rotate_compromised_key  # needs the models: after django.setup()

    org = organization_of(args.org)
    try:
        key = rotate_compromised_key(org, reason=args.reason, actor=command_line_actor())
    except ValidationError as exc:
        raise SystemExit(fail("; ".join(m for ms in exc.message_dict.values() for m in ms)))
    print(f"{args.org} now signs with {key.verification_method}; the compromised key left the DID document")
    print("every credential it signed is being signed again in the background (see the audit log)")
    return 0


_ID_HELP = "the credential's URL or public id; an id that begins with '-' goes after '--' (credstack revoke -- -X3V…)"


def add_parsers(sub) -> None:
    """The credential commands and ``keys``."""
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

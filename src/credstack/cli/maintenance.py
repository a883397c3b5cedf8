"""Looking after an instance: ``backup``, ``restore``, and ``manage`` (any Django management command)."""

from __future__ import annotations

import argparse

from django.core.management import execute_from_command_line

from .common import fail


def cmd_backup(args) -> int:
    from credstack.backup import BackupError, backup  # models: only after Django is set up

    try:
        manifest = backup(args.file)
    except BackupError as exc:
        return fail(str(exc))
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
        return fail(str(exc))
    print(
        f"restored the backup of {manifest['made_at']}: {manifest['organizations']} organization(s), "
        f"{manifest['credentials']} credential(s); new credentials get new status lists"
    )
    return 0


def cmd_manage(args) -> int:

    execute_from_command_line(["credstack manage", *args.rest])
    return 0


def add_parsers(sub) -> None:
    """The ``backup``, ``restore`` and ``manage`` commands."""
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

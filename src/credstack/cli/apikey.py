"""``credstack apikey create|list|revoke``: an organization's API keys."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from .common import command_line_actor, fail, invalid, organization_of


def cmd_apikey_create(args) -> int:

    from credstack.api.actions import create_api_key  # needs the models: after django.setup()

    try:
        new = create_api_key(
            organization_of(args.org), name=args.name, scope=args.scope, actor=command_line_actor()
        )
    except ValidationError as exc:
        return invalid(exc)
    print(f"API key '{new.api_key.name}' for {args.org}, scope {args.scope}. It is shown once; store it now:")
    print(new.secret)
    return 0


def cmd_apikey_list(args) -> int:
    from credstack.api.models import ApiKey  # needs the models: after django.setup()

    for key in ApiKey.objects.filter(organization=organization_of(args.org)).order_by("created_at"):
        state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
        used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never"
        print(f"csk_{key.prefix}_…  {key.scope:6}  {state:18}  last used {used}  {key.name}")
    return 0


def cmd_apikey_revoke(args) -> int:
    from credstack.api.actions import revoke_api_key  # needs the models: after django.setup()
    from credstack.api.models import ApiKey  # needs the models: after django.setup()

    key = ApiKey.objects.filter(prefix=args.prefix.removeprefix("csk_").split("_")[0]).first()
    if key is None:
        return fail(f"no API key {args.prefix!r}")
    if not revoke_api_key(key, actor=command_line_actor()):
        print(f"csk_{key.prefix}_… was already revoked")
        return 0
    print(f"revoked csk_{key.prefix}_…")
    return 0


def add_parsers(sub) -> None:
    """The ``apikey`` commands."""
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

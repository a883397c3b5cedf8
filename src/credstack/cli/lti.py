"""``credstack lti register|list|registration-url``: the LMSs (LTI 1.3 platforms) of an organization."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from .common import command_line_actor, fail, invalid, organization_of


def _lti_values() -> None:
    from credstack.lti.workspace_views import tool_values  # needs the settings: after django.setup()

    print("Paste into the LMS:")
    for value in tool_values():
        print(f"  {value['label']}: {value['value']}")


def cmd_lti_register(args) -> int:
    from credstack.courses.models import Course  # needs the models: after django.setup()
    from credstack.lti.actions import register_platform  # needs the models: after django.setup()

    org = organization_of(args.org)
    course = None
    if args.default_course:
        course = Course.objects.filter(organization=org, slug=args.default_course).first()
        if course is None:
            return fail(f"default course: {args.org} has no course {args.default_course!r}")
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
            actor=command_line_actor(),
        )
    except ValidationError as exc:
        return invalid(exc)
    print(f"Registered {platform.name} ({platform.issuer}, client id {platform.client_id}) for {args.org}.")
    _lti_values()
    return 0


def cmd_lti_list(args) -> int:
    from credstack.lti.models import LtiPlatform  # needs the models: after django.setup()

    for p in LtiPlatform.objects.filter(organization=organization_of(args.org)).order_by("created_at"):
        print(
            f"{p.public_id}  {p.name}  {p.issuer}  client {p.client_id}  deployments {','.join(p.deployment_ids)}"
        )
    return 0


def cmd_lti_registration_url(args) -> int:
    from credstack.lti.actions import registration_url  # needs the models: after django.setup()

    print(registration_url(organization_of(args.org), command_line_actor()))
    return 0


def add_parsers(sub) -> None:
    """The ``lti`` commands."""
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

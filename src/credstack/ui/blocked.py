"""Why a URL may not be called (``credstack.httpclient.BlockedTarget``), in the user's language.

``str(exc)`` stays English for logs and stored reasons; pages show ``reason(exc)``."""

from __future__ import annotations

from django.utils.translation import gettext as _

from credstack.httpclient import BlockedTarget


def reason(exc: BlockedTarget) -> str:
    """The translated reason; the English text when the exception names no known kind."""
    params = {k: str(v) for k, v in exc.params.items()}
    if exc.kind == "private":
        return (
            _(
                "%(ip)s is not a public address but a private or local address (loopback, private "
                "network, link-local or reserved, or one of those inside an IPv6 address)"
            )
            % params
        )
    if exc.kind == "unresolved":
        return _("cannot resolve %(host)s: %(error)s") % params
    if exc.kind == "no-address":
        return _("cannot resolve %(host)s: no address") % params
    if exc.kind == "scheme":
        return _("only http(s) URLs can be called, not %(url)s") % {"url": repr(params["url"])}
    if exc.kind == "port":
        return _("%(url)s has no valid port") % {"url": repr(params["url"])}
    if exc.kind == "txt":  # the resolver's own words for the failure (a timeout...) stay as it says them
        return _("cannot look up the TXT records of %(name)s: %(error)s") % params
    return str(exc)

"""The MCP server: issue, search, revoke and report, for AI agents (decision 0057).

An agent gets what an API client with the same key gets: the tools authenticate with an organization's
API key (``csk_…``), check the same scopes (``read`` < ``issue`` < ``admin``), look objects up in the
key's organization only, call the same actions (audit rows name the key) and answer with the JSON API's
schemas. A key revoked while the server runs stops working at the next call.

Run it for a desktop agent over stdio: ``CREDSTACK_API_KEY=csk_… credstack mcp``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import close_old_connections
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from ninja import Schema

from credstack.achievements.models import Achievement
from credstack.api import lookups
from credstack.api.auth import ApiKeyAuth, actor_for, require
from credstack.api.models import ApiKey
from credstack.api.problems import Problem
from credstack.api.schemas import CredentialDetail, CredentialOut
from credstack.credentials import actions
from credstack.credentials import queries as credential_queries
from credstack.credentials.models import Credential

INSTRUCTIONS = (
    "credstack issues verifiable digital credentials (Open Badges 3.0) for an organization's courses and "
    "achievements. Use list_achievements to find what can be issued, search_credentials to find "
    "credentials by recipient name, email or id, issue_credential to award one, revoke_credential to "
    "withdraw one (final: the reason is shown publicly), and issuance_report for counts."
)
READ_ONLY = ToolAnnotations(read_only_hint=True, open_world_hint=False)
MAX_RESULTS = 100


@dataclass
class _Call:
    """What the JSON API's helpers read from a request: the key (``auth``) and its organization."""

    auth: ApiKey
    organization: Any


class KeyRevoked(ToolError):
    pass


def _explain(exc: ValidationError) -> str:
    """``recipient_email: Enter a valid email address.``: which field, and why."""
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return " ".join(exc.messages)


def _json(schema: type[Schema], obj: Any) -> dict[str, Any]:
    return schema.model_validate(obj, from_attributes=True).model_dump(mode="json")


def build_server(api_key: str) -> MCPServer:
    """An MCP server acting with ``api_key``; each tool call checks the key again."""
    auth = ApiKeyAuth()

    def call(scope: str) -> _Call:
        close_old_connections()  # tools run in worker threads: drop connections that went stale
        probe = _Call(auth=None, organization=None)  # type: ignore[arg-type]
        key = auth.authenticate(probe, api_key)
        if key is None:
            raise KeyRevoked(
                "the API key is not valid (revoked, or mistyped): make a new one in the workspace"
            )
        request = _Call(auth=key, organization=key.organization)
        try:
            require(request, scope)
        except Problem as exc:
            raise ToolError(exc.detail) from None
        return request

    def found(getter, *args):
        try:
            return getter(*args)
        except Http404:  # another organization's id answers the same as one that does not exist
            raise ToolError("not found in this organization") from None

    server: MCPServer = MCPServer(name="credstack", instructions=INSTRUCTIONS)

    @server.tool(annotations=READ_ONLY)
    def list_achievements() -> list[dict[str, Any]]:
        """The organization's achievements (what can be issued): id, slug, name, description."""
        request = call("read")
        return [
            {"id": a.public_id, "slug": a.slug, "name": a.name, "description": a.description}
            for a in Achievement.objects.filter(organization=request.organization).order_by("name")
        ]

    @server.tool(annotations=READ_ONLY)
    def search_credentials(
        query: str = "", achievement: str | None = None, state: str | None = None, limit: int = 20
    ) -> list[dict[str, Any]]:
        """Credentials, newest first. ``query``: a recipient's name (any script, any case),
        an email address, a credential id or URL. ``achievement``: its id or slug. ``state``: active,
        suspended or revoked (an active credential past its end date is expired: see ``valid_until``).
        At most 100."""
        request = call("read")
        qs = credential_queries.search(
            lookups.credentials(request), query, achievements=request.organization.achievements.all()
        )
        if achievement:
            qs = qs.filter(Q(achievement__public_id=achievement) | Q(achievement__slug=achievement))
        if state:
            if state not in Credential.State.values:
                raise ToolError(f"state must be one of {', '.join(Credential.State.values)}")
            qs = qs.filter(state=state)
        limit = max(1, min(limit, MAX_RESULTS))
        return [_json(CredentialOut, c) for c in qs.order_by("-issued_at", "-pk")[:limit]]

    @server.tool()
    def issue_credential(
        achievement: str,
        recipient_name: str,
        recipient_email: str,
        valid_until: str | None = None,
        allow_duplicate: bool = False,
    ) -> dict[str, Any]:
        """Issue one credential of ``achievement`` (its id or slug) to a person, signed at once and
        emailed to them. Refused when they already hold an active one, unless ``allow_duplicate``.
        ``valid_until``: an ISO 8601 date-time when it expires (none: never)."""
        request = call("issue")
        expires = None
        if valid_until:
            try:
                expires = datetime.fromisoformat(valid_until.replace("Z", "+00:00"))
            except ValueError:
                raise ToolError(
                    "valid_until: not an ISO 8601 date-time (e.g. 2027-06-30T00:00:00Z)"
                ) from None
            if expires.tzinfo is None:
                raise ToolError("valid_until: give a time zone (e.g. 2027-06-30T00:00:00Z)")
        try:
            credential = actions.issue_credential(
                achievement=found(lookups.achievement, request, achievement),
                recipient_name=recipient_name,
                recipient_email=recipient_email,
                valid_until=expires,
                source="mcp",
                actor=actor_for(request),
                duplicates="allow" if allow_duplicate else "refuse",
            )
        except actions.AlreadyHeld as exc:
            raise ToolError(
                f"{exc} (credential {exc.existing.public_id}); pass allow_duplicate to issue another anyway"
            ) from None
        except ValidationError as exc:
            raise ToolError(_explain(exc)) from None
        return _json(CredentialDetail, lookups.credential(request, credential.public_id))

    @server.tool()
    def revoke_credential(credential_id: str, reason: str) -> dict[str, Any]:
        """Revoke a credential (its id or URL). Final: it can never be reinstated, verifiers see it
        as revoked at once, and ``reason`` is shown on its public page."""
        request = call("issue")
        public_id = credential_id.rsplit("/c/", 1)[-1].split("?")[0].split(".")[0]
        credential = found(lookups.credential, request, public_id)
        try:
            actions.revoke_credential(credential, reason=reason, actor=actor_for(request))
        except actions.CredentialStateError as exc:
            raise ToolError(str(exc)) from None
        except ValidationError as exc:
            raise ToolError(_explain(exc)) from None
        return _json(CredentialOut, lookups.credential(request, public_id))

    @server.tool(annotations=READ_ONLY)
    def issuance_report(days: int = 30) -> dict[str, Any]:
        """Per achievement: credentials issued in the last ``days`` days and in all, and how many are
        active, revoked, suspended or expired now."""
        request = call("read")
        days = max(1, min(days, 3650))
        now = timezone.now()
        since = now - timedelta(days=days)
        current, lapsed = Q(state="active"), Q(valid_until__lt=now)  # expiry is a date, not a state
        rows = (
            Credential.objects.filter(organization=request.organization)
            .values("achievement__public_id", "achievement__name")
            .annotate(
                total=Count("id"),
                recent=Count("id", filter=Q(issued_at__gte=since)),
                active=Count("id", filter=current & ~lapsed),
                revoked=Count("id", filter=Q(state="revoked")),
                suspended=Count("id", filter=Q(state="suspended")),
                expired=Count("id", filter=current & lapsed),
            )
            .order_by("achievement__name")
        )
        achievements = [
            {
                "achievement": {"id": r["achievement__public_id"], "name": r["achievement__name"]},
                f"issued_last_{days}_days": r["recent"],
                "issued_total": r["total"],
                "active": r["active"],
                "revoked": r["revoked"],
                "suspended": r["suspended"],
                "expired": r["expired"],
            }
            for r in rows
        ]
        return {
            "organization": request.organization.name,
            "days": days,
            "issued_last_days": sum(r["recent"] for r in rows),
            "issued_total": sum(r["total"] for r in rows),
            "achievements": achievements,
        }

    return server

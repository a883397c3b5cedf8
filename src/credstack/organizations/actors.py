"""Who makes a change: a person, an API key, the command line or the system.

Every action takes an ``Actor``; the same change made through the workspace, the JSON API or the
``credstack`` command then checks the same rule and leaves the same audit row, told apart only by
who made it. Build one with the constructors below, never by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ActorKind = Literal["user", "api_key", "api", "cli", "system"]


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    label: str
    # The signed-in person (kind "user"), kept as a foreign key on the rows an action writes.
    user: Any = field(default=None, compare=False)
    # The API key's row id (kind "api_key"); the key itself belongs to the entry-point layer.
    api_key_id: int | None = None

    @classmethod
    def for_user(cls, user: Any) -> Actor:
        if user is None or not getattr(user, "pk", None):
            raise ValueError("a user actor needs a saved user")
        label = getattr(user, "email", "") or getattr(user, "username", "") or f"user {user.pk}"
        return cls(kind="user", label=label[:254], user=user)

    @classmethod
    def for_api_key(cls, api_key: Any) -> Actor:
        label = f"API key {api_key.name} (csk_{api_key.prefix}_…)"
        return cls(kind="api_key", label=label[:254], api_key_id=api_key.pk)

    @classmethod
    def for_api_client(cls, client_name: str, client_id: str, holder: str) -> Actor:
        """A client (a wallet, a backpack) of the Open Badges 3.0 API, acting for a holder with an OAuth
        token the holder granted it."""
        label = f"OB 3.0 API client {client_name} ({client_id[:8]}…) for {holder}"
        return cls(kind="api", label=label[:254])

    @classmethod
    def command_line(cls, who: str = "") -> Actor:
        return cls(kind="cli", label=("command line" + (f" ({who})" if who else ""))[:254])

    @classmethod
    def system(cls, what: str = "") -> Actor:
        return cls(kind="system", label=(what or "system")[:254])

    @property
    def user_or_none(self) -> Any:
        """The person to store in ``created_by``/``actor`` columns (None for keys, CLI, system)."""
        return self.user if self.kind == "user" else None

    def __str__(self) -> str:
        return self.label


SYSTEM = Actor.system()


def as_actor(value: Any) -> Actor:
    """Accept an ``Actor``, a user (the workspace's ``request.user``) or None (the system)."""
    if isinstance(value, Actor):
        return value
    if value is None or not getattr(value, "pk", None):
        return SYSTEM
    return Actor.for_user(value)

"""Endorsements that new credentials carry inside them (decision 0062).

An app above ``credentials`` (``credstack.endorsements``) says which signed ``EndorsementCredential``
documents of an organization's issuer and achievements new credentials carry:

    from credstack.credentials.carried import set_source
    set_source(carried)  # (organization id, achievement ids) -> Carried

The pipeline asks once per organization and batch, and writes them into the credential before it is
signed: the issuer's in ``issuer.endorsement``, an achievement's in ``credentialSubject.achievement
.endorsement`` (Open Badges 3.0 ``Profile.endorsement`` and ``Achievement.endorsement``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

# What the endorsements inside one credential may add to it, in bytes of compact JSON (issue 12: a
# credential stores ≤ 10 KB; one endorsement with a short comment is ~1.2 KB). The rest are shown on the
# credential's page only.
BUDGET = 4096


@dataclass(frozen=True)
class Carried:
    """Signed endorsements (parsed JSON, as signed): of the issuer, and of each achievement (by pk)."""

    issuer: list[dict] = field(default_factory=list)
    achievements: dict[int, list[dict]] = field(default_factory=dict)

    def fit(self, achievement_id: int, budget: int = BUDGET) -> tuple[list[dict], list[dict]]:
        """The endorsements a credential of the achievement carries, within ``budget`` bytes: the
        achievement's first, then the issuer's, each list in the source's order (newest first); one
        that does not fit is left out and the next is tried."""
        left = budget
        chosen: tuple[list[dict], list[dict]] = ([], [])
        for into, docs in zip(chosen, (self.achievements.get(achievement_id, []), self.issuer), strict=True):
            for doc in docs:
                size = len(json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode())
                if size <= left:
                    into.append(doc)
                    left -= size
        return chosen


Source = Callable[[int, Collection[int]], Carried]
_source: list[Source] = []


def set_source(source: Source) -> None:
    _source[:] = [source]


def carried(organization_id: int, achievement_ids: Collection[int]) -> Carried:
    """What the batch's new credentials carry (nothing when no app set a source)."""
    if not _source:
        return Carried()
    return _source[0](organization_id, achievement_ids)

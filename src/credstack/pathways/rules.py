"""Does a set of held component credentials satisfy a pathway? Pure logic over plain values.

``held``: (component position, issue time) pairs, one per credential the learner holds (a component
earned twice appears twice). The rule looks for ``needed`` distinct components, earned in order when
``ordered`` (issue times not decreasing along the positions; credentials issued in the same second count
as in order), all within ``window`` of each other when a window is set. Of the subsets that qualify, the
one completed earliest is returned.
"""

from __future__ import annotations

from datetime import datetime, timedelta

Item = tuple[int, datetime]


def _longest_ordered(items: list[Item]) -> list[Item]:
    """Longest chain of (position, time): positions strictly increasing, times not decreasing."""
    items = sorted(items)
    best: list[list[Item]] = []
    for i, (pos, t) in enumerate(items):
        chain = [(pos, t)]
        for j in range(i):
            if items[j][0] < pos and items[j][1] <= t and len(best[j]) + 1 > len(chain):
                chain = best[j] + [(pos, t)]
        best.append(chain)
    return max(best, key=len, default=[])


def _earliest_per_position(items: list[Item]) -> list[Item]:
    first: dict[int, datetime] = {}
    for pos, t in items:
        if pos not in first or t < first[pos]:
            first[pos] = t
    return list(first.items())


def satisfied(
    held: list[Item] | dict[int, datetime],
    needed: int,
    *,
    ordered: bool = False,
    window: timedelta | None = None,
) -> list[Item] | None:
    """The chosen (position, time) pairs meeting the rule, or None."""
    items = sorted(held.items() if isinstance(held, dict) else held)
    if needed <= 0:
        return []
    if len({p for p, _ in items}) < needed:
        return None
    starts = sorted({t for _, t in items}) if window is not None else [None]
    found: list[tuple[datetime, list[Item]]] = []
    for start in starts:
        pool = [(p, t) for p, t in items if start is None or window is None or start <= t <= start + window]
        if ordered:
            chain = _longest_ordered(pool)
            if len(chain) >= needed:
                chosen = chain[:needed]
                found.append((max(t for _, t in chosen), chosen))
        else:
            firsts = sorted(_earliest_per_position(pool), key=lambda item: (item[1], item[0]))
            if len(firsts) >= needed:
                chosen = sorted(firsts[:needed])
                found.append((max(t for _, t in chosen), chosen))
    if not found:
        return None
    return min(found, key=lambda f: (f[0], [p for p, _ in f[1]]))[1]

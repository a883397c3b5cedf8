"""Rate limits: one small module for every limit (sign-in codes, code guesses, password logins).

A limit counts hits of one *key* in a sliding window (``Limit("codes-per-address", 3, 600)``: three in any
ten minutes) in Django's cache, so several web processes and machines share the counters when the cache is
Redis (``REDIS_URL``); ``make run`` uses the file cache, shared by the processes of one machine.

Two rules keep a limit from lending anyone the power to lock others out (issue 13, decision 0030):

- a limit *per client* is keyed on the client's real address, read from ``X-Forwarded-For`` only when the
  request came through one of ``CREDSTACK_TRUSTED_PROXIES`` (behind a proxy every request otherwise shares
  the proxy's address); an IPv6 client counts as its /64 network;
- a limit *per target* (an email address, an account) slows down rather than locks: its window is short,
  and the callers keep what the target already has usable (the code already sent still works).

``Limited.wait`` says when to try again ("in 4 minutes").

A request *rate* (``Rate``, ``take``: the JSON API's ``CREDSTACK_API_RATE``, hundreds a minute per key) is
counted apart from the cache (decision 0068): a write to Django's file cache lists the whole cache folder
(its culling), which holds the public pages too, and cost the API more than any query. With
``REDIS_URL`` the hits of a key are a sorted set in Redis, trimmed, counted and added to in one
MULTI/EXEC (shared by every process and node, atomic); without it they are a small file per key under
``$CREDSTACK_HOME/ratelimit``, read and written under an exclusive ``flock`` (shared by the processes of
the machine, as the file cache was, and atomic, which the cache's read-then-write was not).
"""

from __future__ import annotations

import array
import bisect
import fcntl
import hashlib
import ipaddress
import math
import os
import re
import secrets
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import redis
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from django.utils.translation import ngettext

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Limit:
    """At most ``amount`` hits of a key in any ``seconds`` (a sliding window)."""

    name: str
    amount: int
    seconds: int


class Limited(Exception):
    """A limit is reached; ``retry_after`` seconds until the oldest counted hit leaves the window."""

    def __init__(self, limit: Limit, retry_after: float):
        self.limit = limit
        self.retry_after = max(1, math.ceil(retry_after))
        # the exception's own text is for logs: English whatever the request's language
        with translation.override(None):
            super().__init__(f"{limit.name}: try again {self.wait}")

    @property
    def wait(self) -> str:
        return wait_text(self.retry_after)


def wait_text(seconds: float) -> str:
    """'in 40 seconds', 'in 1 minute', 'in 12 minutes' (in the active language)."""
    seconds = max(1, math.ceil(seconds))
    if seconds < 60:
        return ngettext("in %(n)d second", "in %(n)d seconds", seconds) % {"n": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("in %(n)d minute", "in %(n)d minutes", minutes) % {"n": minutes}


# A limit of N is N slots in the cache, each taken by one hit (``cache.add``: atomic on Redis and the
# local-memory cache) and freed ``seconds`` after it: N hits in any window, and the time the oldest slot
# frees is when to try again. No read-modify-write, so several processes and machines can count at once.


def _slots(limit: Limit, key: str) -> list[str]:
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return [f"credstack:rl:{limit.name}:{digest}:{n}" for n in range(limit.amount)]


def _taken(limit: Limit, key: str) -> tuple[list[str], dict[str, float]]:
    slots = _slots(limit, key)
    now = time.time()
    taken = {k: float(v) for k, v in cache.get_many(slots).items() if float(v) > now - limit.seconds}
    return slots, taken


def _refuse(limit: Limit, taken: dict[str, float]) -> Limited:
    return Limited(limit, min(taken.values()) + limit.seconds - time.time())


def count(limit: Limit, key: str) -> int:
    return len(_taken(limit, key)[1])


def check(limit: Limit, key: str | None) -> None:
    """Raise Limited when ``key`` has used up ``limit`` (counts nothing). A None key is never limited."""
    if key is None:
        return
    _, taken = _taken(limit, key)
    if len(taken) >= limit.amount:
        raise _refuse(limit, taken)


def hit(limit: Limit, key: str | None) -> None:
    """Count one hit of ``key``; raise Limited (and count nothing) when the limit is already used up."""
    if key is None:
        return
    slots, taken = _taken(limit, key)
    for slot in slots:
        if slot not in taken and cache.add(slot, time.time(), timeout=limit.seconds):
            return
    raise _refuse(limit, _taken(limit, key)[1] or {"": time.time()})


def hit_all(*pairs: tuple[Limit, str | None]) -> None:
    """Check every limit first, then count a hit on each: a refused request counts on none of them."""
    for limit, key in pairs:
        check(limit, key)
    for limit, key in pairs:
        hit(limit, key)


def reset(limit: Limit, key: str) -> None:
    cache.delete_many(_slots(limit, key))


# ---------------------------------------------------------------- request rates


@dataclass(frozen=True)
class Rate:
    """At most ``amount`` requests in any ``seconds`` (a sliding window)."""

    amount: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """``"600/m"``, ``"10/s"``, ``"5000/h"``, ``"100/d"``, ``"30/5m"``, ``"100/10"`` (seconds): what
        django-ninja's throttles read."""
        match = _RATE.fullmatch(text.strip())
        if match is None or not (match["multiple"] or match["unit"]):
            raise ImproperlyConfigured(f"{text!r} is not a rate: write it as 600/m (per s, m, h or d)")
        seconds = int(match["multiple"] or 1) * _UNITS[(match["unit"] or "s")[0]]
        if seconds < 1 or int(match["amount"]) < 1:
            raise ImproperlyConfigured(f"{text!r} is not a rate: write it as 600/m (per s, m, h or d)")
        return cls(int(match["amount"]), seconds)


_RATE = re.compile(r"(?P<amount>\d+)/(?P<multiple>\d+)?(?P<unit>s|sec|m|min|h|hour|d|day)?")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def take(name: str, key: str, rate: Rate) -> float | None:
    """Count one request of ``key`` under ``rate``: None when it is allowed (and counted), else the
    seconds until one is allowed again (and it is not counted)."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    if settings.REDIS_URL:
        return _take_redis(f"credstack:rate:{name}:{digest}", rate)
    return _take_file(Path(settings.CREDSTACK_HOME) / "ratelimit" / f"{name}-{digest}", rate)


@lru_cache(maxsize=4)
def _redis(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


def _take_redis(key: str, rate: Rate) -> float | None:
    now = time.time()
    member = f"{now:.6f}:{secrets.token_hex(4)}"
    client = _redis(settings.REDIS_URL)
    pipe = client.pipeline(transaction=True)  # MULTI/EXEC: no other request's hit falls between
    pipe.zremrangebyscore(key, 0, now - rate.seconds)
    pipe.zcard(key)
    pipe.zadd(key, {member: now})
    pipe.zrange(key, 0, 0, withscores=True)
    pipe.expire(key, rate.seconds + 1)
    _, counted, _, oldest, _ = pipe.execute()
    if counted < rate.amount:
        return None
    client.zrem(key, member)  # refused: not counted
    return oldest[0][1] + rate.seconds - now


def _take_file(path: Path, rate: Rate) -> float | None:
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # released by the close
        now = time.time()
        hits = array.array("d")
        # at most the rate's amount of hits: a refused one is not written
        raw = os.pread(fd, os.fstat(fd).st_size, 0)
        hits.frombytes(raw[: len(raw) - len(raw) % hits.itemsize])
        # oldest first (each hit is appended with the time read under the lock): those still in the window
        del hits[: bisect.bisect_right(hits, now - rate.seconds)]
        if len(hits) >= rate.amount:
            return hits[0] + rate.seconds - now
        hits.append(now)
        data = hits.tobytes()
        os.pwrite(fd, data, 0)
        os.ftruncate(fd, len(data))
        return None
    finally:
        os.close(fd)


# ---------------------------------------------------------------- the client's address


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for item in spec:
        item = item.strip()
        if not item:
            continue
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"CREDSTACK_TRUSTED_PROXIES: {item!r} is not an IP address or network (e.g. 10.0.0.0/8)"
            ) from None
    return tuple(networks)


def trusted_proxies() -> tuple[Network, ...]:
    value = getattr(settings, "CREDSTACK_TRUSTED_PROXIES", ())
    if isinstance(value, str):
        value = value.split(",")
    return _networks(tuple(value))


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 203.0.113.9:443
        text = text.split(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_ip(request) -> str | None:
    """The client's address: ``REMOTE_ADDR``, unless that is a trusted proxy; then ``X-Forwarded-For`` is
    read from the right, skipping trusted proxies, and the first address not among them is the client's.
    A forwarded list whose entries are all trusted gives its leftmost; a malformed entry stops the walk at
    the last hop known to be real (nobody can slip an address past a trusted proxy)."""
    remote = _ip(request.META.get("REMOTE_ADDR") or "")
    if remote is None:
        return None
    proxies = trusted_proxies()

    def trusted(address) -> bool:
        return any(address.version == net.version and address in net for net in proxies)

    client = remote
    if proxies and trusted(remote):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        for item in reversed([part for part in forwarded.split(",") if part.strip()]):
            address = _ip(item)
            if address is None:
                break
            client = address
            if not trusted(address):
                break
    return str(client)


def client_key(request) -> str | None:
    """The key a per-client limit counts under: the client's address, an IPv6 client's /64 network."""
    return key_for_ip(client_ip(request))


def key_for_ip(ip: str | None) -> str | None:
    """An address as a per-client limit counts it: an IPv6 address as its /64 network."""
    if not ip:
        return None
    address = _ip(ip)
    if address is None:
        return ip
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return ip

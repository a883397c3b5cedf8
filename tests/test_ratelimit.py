"""credstack.ratelimit: the client's address through trusted proxies only, counters in the cache, waits."""

from __future__ import annotations

import multiprocessing

import pytest
import redis
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.utils import translation

from credstack import ratelimit

PROXIES = ["10.0.0.0/8", "2001:db8:ffff::/48"]


def _request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        # no proxy configured as trusted: the forwarded header is the client's to invent, never read
        ("10.0.0.5", "203.0.113.9", "10.0.0.5"),
        ("198.51.100.7", "203.0.113.9", "198.51.100.7"),
    ],
)
def test_without_trusted_proxies_the_header_is_ignored(settings, remote, forwarded, client):
    settings.CREDSTACK_TRUSTED_PROXIES = []
    assert ratelimit.client_ip(_request(remote, forwarded)) == client


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        ("10.0.0.5", "203.0.113.9", "203.0.113.9"),  # through the trusted proxy: the forwarded client
        ("10.0.0.5", "1.2.3.4, 203.0.113.9", "203.0.113.9"),  # a client-invented left part is not read
        ("10.0.0.5", "203.0.113.9, 10.0.0.7", "203.0.113.9"),  # two trusted hops are skipped
        ("198.51.100.7", "203.0.113.9", "198.51.100.7"),  # an untrusted sender's header is not read
        ("10.0.0.5", "", "10.0.0.5"),
        ("10.0.0.5", "10.0.0.8", "10.0.0.8"),  # all trusted: the leftmost
        ("10.0.0.5", "203.0.113.9, garbage", "10.0.0.5"),  # malformed: stop at the last real hop
        ("10.0.0.5", "[2001:db8::1]:4711", "2001:db8::1"),
        ("10.0.0.5", "203.0.113.9:4711", "203.0.113.9"),
        ("2001:db8:ffff::2", "::ffff:203.0.113.9", "203.0.113.9"),  # IPv4-mapped: the IPv4 address
    ],
)
def test_trusted_proxies_forward_the_client(settings, remote, forwarded, client):
    settings.CREDSTACK_TRUSTED_PROXIES = PROXIES
    assert ratelimit.client_ip(_request(remote, forwarded)) == client


def test_an_ipv6_client_counts_as_its_64_network_and_bad_config_is_refused(settings):
    settings.CREDSTACK_TRUSTED_PROXIES = []
    assert ratelimit.client_key(_request("2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::/64"
    assert ratelimit.client_key(_request("2001:db8:1:2:bbbb::9")) == "2001:db8:1:2::/64"
    settings.CREDSTACK_TRUSTED_PROXIES = ["10.0.0.0/8", "proxy.internal"]
    with pytest.raises(ImproperlyConfigured, match=r"'proxy\.internal' is not an IP address or network"):
        ratelimit.client_ip(_request("10.0.0.5"))


def test_a_limit_counts_per_key_and_says_when_to_try_again():
    limit = ratelimit.Limit("test-limit", 2, 600)
    ratelimit.hit(limit, "a")
    ratelimit.hit(limit, "a")
    with pytest.raises(ratelimit.Limited) as caught:
        ratelimit.hit(limit, "a")
    assert 1 <= caught.value.retry_after <= 600 and caught.value.wait.startswith("in ")
    ratelimit.hit(limit, "b")  # another key is not limited
    ratelimit.hit(limit, None)  # no key: no limit
    # a refused combination counts on none of its limits
    other = ratelimit.Limit("test-other", 5, 60)
    with pytest.raises(ratelimit.Limited):
        ratelimit.hit_all((other, "x"), (limit, "a"))
    assert ratelimit.count(other, "x") == 0
    ratelimit.reset(limit, "a")
    ratelimit.hit(limit, "a")


def test_wait_text():
    with translation.override("en"):  # the words follow the active language (the next test)
        assert ratelimit.wait_text(1) == "in 1 second"
        assert ratelimit.wait_text(40) == "in 40 seconds"
        assert ratelimit.wait_text(60) == "in 1 minute"
        assert ratelimit.wait_text(61) == "in 2 minutes"


def test_wait_text_is_in_the_active_language_and_the_exception_stays_english():
    """Issue 17: a page says when to try again in its reader's language; logs keep English."""
    with translation.override("de"):
        assert ratelimit.wait_text(1) == "in 1 Sekunde"
        assert ratelimit.wait_text(61) == "in 2 Minuten"
        limited = ratelimit.Limited(ratelimit.Limit("demo", 1, 60), 90)
        assert limited.wait == "in 2 Minuten"
    assert str(limited) == "demo: try again in 2 minutes"


def test_counters_live_in_the_configured_cache_like_make_runs_file_cache(settings, tmp_path):
    """``make run`` keeps the counters in the file cache: every process of the machine sees them."""
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    limit = ratelimit.Limit("test-file", 2, 600)
    ratelimit.hit(limit, "k")
    ratelimit.hit(limit, "k")
    assert len(list((tmp_path / "cache").iterdir())) == 2  # on disk, shared by the machine's processes
    with pytest.raises(ratelimit.Limited):
        ratelimit.hit(limit, "k")
    caches["default"].clear()


# ---------------------------------------------------------------- request rates (the JSON API's)


def test_a_rate_is_parsed_as_operators_write_it_and_nonsense_is_refused():
    assert ratelimit.Rate.parse("600/m") == ratelimit.Rate(600, 60)
    assert ratelimit.Rate.parse("30/5min") == ratelimit.Rate(30, 300)
    assert ratelimit.Rate.parse(" 5000/hour") == ratelimit.Rate(5000, 3600)
    assert ratelimit.Rate.parse("100/10") == ratelimit.Rate(100, 10)
    for bad in ("600", "600/week", "0/m", "many/m", "5/0", "5/"):
        with pytest.raises(ImproperlyConfigured, match="write it as 600/m"):
            ratelimit.Rate.parse(bad)


def _take_many(name: str, times: int, amount: int, allowed) -> None:
    """In a process of its own: ``times`` requests of one key, adding how many were allowed."""
    got = sum(ratelimit.take(name, "apikey:shared", ratelimit.Rate(amount, 60)) is None for _ in range(times))
    with allowed.get_lock():
        allowed.value += got


def _two_processes_at_once(name: str, amount: int) -> int:
    """Two processes, each sending 40 requests of one key at the same moment: how many were allowed."""
    context = multiprocessing.get_context("fork")
    allowed = context.Value("i", 0)
    workers = [context.Process(target=_take_many, args=(name, 40, amount, allowed)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
        assert w.exitcode == 0
    return allowed.value


def _allowed_then_refused(name: str, amount: int) -> None:
    rate = ratelimit.Rate(amount, 60)
    wait = ratelimit.take(name, "apikey:shared", rate)
    assert wait is not None and 55 < wait <= 60  # until the first of the window leaves it
    assert ratelimit.take(name, "apikey:other", rate) is None  # per key


def test_without_redis_a_rate_is_shared_by_the_machines_processes_and_counted_exactly(settings, tmp_path):
    settings.REDIS_URL = ""
    settings.CREDSTACK_HOME = tmp_path
    # 80 requests at once from two processes against 50 a minute: exactly 50 pass (a read-then-write of
    # a cached list, as the file cache did it, lets both processes count from the same old number)
    assert _two_processes_at_once("test", 50) == 50
    _allowed_then_refused("test", 50)
    assert len(list((tmp_path / "ratelimit").iterdir())) == 2  # a small file per key


def test_with_redis_a_rate_is_shared_by_every_node_and_counted_exactly(settings, redis_url, tmp_path):
    settings.REDIS_URL = redis_url
    settings.CREDSTACK_HOME = tmp_path
    assert _two_processes_at_once("test", 50) == 50
    _allowed_then_refused("test", 50)
    assert not (tmp_path / "ratelimit").exists()  # nothing on the node's disk
    client = redis.Redis.from_url(redis_url)
    assert sorted(client.zcard(key) for key in client.keys("credstack:rate:test:*")) == [1, 50]

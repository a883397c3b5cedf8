"""One retry policy for every outbound job: webhooks, xAPI statements and credential emails.

Pure Python (no Django, no database, no clock of its own): the callers pass ``now`` and store the
result. A job that failed ``failures`` times (its first attempt included) is tried again after
``POLICY.delay(failures)`` seconds, or given up on when that is ``None``.

The schedule is the Standard Webhooks / Svix one: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, 14 h,
20 h, 24 h; eleven attempts over about three and a half days (decision 0026). Each delay is stretched
by up to ``jitter`` (10 %) at random, never shortened, so jobs that failed together (a batch of emails
during an SMTP outage) do not all come back in the same second.

What counts as worth retrying is a property of the protocol, so it is decided here too:
``transient_http_status`` and ``transient_smtp_error``. A permanent failure is given up on at once.
"""

from __future__ import annotations

import random
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

# Seconds to wait after the 1st, 2nd, ... failed attempt.
STANDARD_DELAYS: tuple[int, ...] = (
    5,
    5 * 60,
    30 * 60,
    2 * 3600,
    5 * 3600,
    10 * 3600,
    10 * 3600,
    14 * 3600,
    20 * 3600,
    24 * 3600,
)


@dataclass(frozen=True)
class Policy:
    delays: tuple[int, ...] = STANDARD_DELAYS
    jitter: float = 0.1  # each delay is stretched by a random fraction in [0, jitter)

    def __post_init__(self) -> None:
        if not self.delays or any(d <= 0 for d in self.delays):
            raise ValueError("a retry policy needs at least one delay, each of them positive")
        if not 0 <= self.jitter < 1:
            raise ValueError("jitter is a fraction in [0, 1)")

    @property
    def max_attempts(self) -> int:
        """The first attempt and one retry per delay."""
        return len(self.delays) + 1

    def delay(self, failures: int, rand: Callable[[], float] = random.random) -> float | None:
        """Seconds to wait after the ``failures``-th failed attempt; ``None``: give up."""
        if failures < 1:
            raise ValueError("delay() is asked after a failed attempt (failures >= 1)")
        if failures > len(self.delays):
            return None
        base = self.delays[failures - 1]
        return base * (1 + self.jitter * rand())

    def next_attempt_at(
        self, now: datetime, failures: int, rand: Callable[[], float] = random.random
    ) -> datetime | None:
        """When to try again after the ``failures``-th failed attempt at ``now``; ``None``: give up."""
        seconds = self.delay(failures, rand)
        return None if seconds is None else now + timedelta(seconds=seconds)

    def total(self) -> timedelta:
        """The longest a job can keep being retried (every delay at its maximum jitter)."""
        return timedelta(seconds=sum(self.delays) * (1 + self.jitter))


POLICY = Policy()

# How long an attempt holds its job before another worker (or the sweep) may take it: longer than any
# send can take (HTTP and SMTP timeouts are far shorter), short enough that a killed worker's job is
# picked up again within minutes.
LEASE = timedelta(minutes=10)


# HTTP answers that say "this request will never be accepted": sending the same bytes again cannot help.
# 401/403/404 are not here: they are fixed by the operator (credentials, URL), after which a retry succeeds.
PERMANENT_HTTP_STATUSES = frozenset({400, 405, 410, 413, 414, 415, 422})


def transient_http_status(status: int) -> bool:
    """Is an unsuccessful HTTP answer worth retrying? 5xx, 408, 429, and every 4xx not in the list above."""
    return not 200 <= status < 300 and status not in PERMANENT_HTTP_STATUSES


def _smtp_code_transient(code: int) -> bool:
    return 400 <= code < 500


def transient_smtp_error(exc: BaseException) -> bool:
    """Is a failed email send worth retrying?

    Transient: the server could not be reached or hung up (connection refused, timeout, reset), and every
    4xx reply (421 "try again later", 450/451/452). Also 530/535, an authentication the operator fixes.
    Permanent: the other 5xx replies (550 "no such mailbox", 554) and anything that is not a transport
    error (a message that cannot be built).
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return bool(codes) and all(_smtp_code_transient(c) for c in codes)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):  # connect, helo, sender, data errors
        return _smtp_code_transient(exc.smtp_code) or exc.smtp_code in (530, 535)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return False
    return isinstance(exc, OSError)  # refused, reset, timed out, DNS (smtplib.SMTPException is one too)

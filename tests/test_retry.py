"""The one retry policy of every outbound job (webhooks, xAPI, email): schedule, jitter, what is transient."""

from __future__ import annotations

import smtplib
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import credstack.retry
from credstack.retry import POLICY, Policy, transient_http_status, transient_smtp_error

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_the_schedule_is_the_standard_webhooks_one_eleven_attempts_over_three_and_a_half_days():
    assert [POLICY.delay(n, rand=lambda: 0.0) for n in range(1, 12)] == [
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
        None,  # the eleventh failure was the last attempt
    ]
    assert POLICY.max_attempts == 11
    assert timedelta(days=3.5) < timedelta(seconds=sum(POLICY.delays)) < timedelta(days=3.6)
    assert POLICY.total() == timedelta(seconds=sum(POLICY.delays) * 1.1)


def test_jitter_stretches_a_delay_by_at_most_ten_percent_and_never_shortens_it():
    assert POLICY.delay(2, rand=lambda: 0.0) == 300
    assert POLICY.delay(2, rand=lambda: 0.5) == pytest.approx(315)
    assert POLICY.delay(2, rand=lambda: 0.999999) == pytest.approx(330, abs=0.01)
    delays = {POLICY.delay(4) for _ in range(200)}
    assert all(7200 <= d < 7920 for d in delays) and len(delays) > 100  # spread, not in lockstep


def test_next_attempt_at_counts_from_the_failed_attempt():
    assert POLICY.next_attempt_at(NOW, 1, rand=lambda: 0.0) == NOW + timedelta(seconds=5)
    assert POLICY.next_attempt_at(NOW, 10, rand=lambda: 0.0) == NOW + timedelta(hours=24)
    assert POLICY.next_attempt_at(NOW, 11) is None
    no_jitter = Policy(delays=(60, 120), jitter=0)
    assert [no_jitter.next_attempt_at(NOW, n) for n in (1, 2, 3)] == [
        NOW + timedelta(minutes=1),
        NOW + timedelta(minutes=2),
        None,
    ]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"delays": ()}, "at least one delay"),
        ({"delays": (5, 0)}, "positive"),
        ({"jitter": 1.0}, "jitter"),
        ({"jitter": -0.1}, "jitter"),
    ],
)
def test_a_policy_that_makes_no_sense_is_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Policy(**kwargs)


def test_delay_is_asked_after_a_failure_only():
    with pytest.raises(ValueError, match="failures >= 1"):
        POLICY.delay(0)


@pytest.mark.parametrize(
    ("status", "transient"),
    [
        (500, True),
        (502, True),
        (503, True),
        (408, True),
        (429, True),
        (401, True),  # credentials the operator fixes
        (404, True),  # a URL the operator fixes
        (400, False),  # this request will never be accepted
        (413, False),
        (422, False),
        (410, False),
        (204, False),  # not a failure
    ],
)
def test_which_http_answers_are_worth_retrying(status, transient):
    assert transient_http_status(status) is transient


@pytest.mark.parametrize(
    ("exc", "transient"),
    [
        (ConnectionRefusedError(111, "Connection refused"), True),
        (TimeoutError("timed out"), True),
        (socket.gaierror(-2, "Name or service not known"), True),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), True),
        (smtplib.SMTPConnectError(421, b"too busy"), True),
        (smtplib.SMTPSenderRefused(451, b"try later", "a@example.org"), True),
        (smtplib.SMTPDataError(452, b"insufficient storage"), True),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), True),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (450, b"greylisted")}), True),
        (smtplib.SMTPRecipientsRefused({"a@example.org": (550, b"no such mailbox")}), False),
        (
            smtplib.SMTPRecipientsRefused({"a@x.org": (450, b"greylisted"), "b@x.org": (550, b"unknown")}),
            False,
        ),
        (smtplib.SMTPDataError(554, b"rejected as spam"), False),
        (smtplib.SMTPNotSupportedError("SMTPUTF8 not supported"), False),
        (ValueError("header contains a newline"), False),
    ],
)
def test_which_email_failures_are_worth_retrying(exc, transient):
    assert transient_smtp_error(exc) is transient


def test_the_policy_is_pure_python_without_django():
    code = (
        "import sys, credstack.retry\n"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    source = str(Path(credstack.retry.__file__).parents[1])  # this checkout's, not an installed copy
    env = {"PATH": "", "PYTHONPATH": source}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout + result.stderr

"""``CREDSTACK_EMAIL_URL``: the mail server as one URL, turned into Django's ``EMAIL_*`` settings.

    smtp+tls://user:pass@smtp.example.org:587   STARTTLS on the submission port (the usual choice)
    smtp+ssl://user:pass@smtp.example.org:465   TLS from the first byte ("SMTPS")
    smtp://relay.internal:25                    no encryption (a relay on the same machine or network)
    console://                                  printed on standard output (development)
    file:///var/lib/credstack/mail              one file per message in that folder (the default)

A user name or password with ``@``, ``:`` or ``/`` in it is percent-encoded (``p%40ss``). Query options:
``timeout`` (seconds, default 10: a stuck server never holds a worker for long). A wrong URL stops the start
with a message that names the problem and never repeats the password. Pure Python: settings import it
before Django is set up.
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

SMTP = "django.core.mail.backends.smtp.EmailBackend"
BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "memory": "django.core.mail.backends.locmem.EmailBackend",
}
SMTP_SCHEMES = {"smtp": (25, False, False), "smtp+tls": (587, True, False), "smtp+ssl": (465, False, True)}
DEFAULT_TIMEOUT = 10


class EmailURLError(ValueError):
    pass


def parse(url: str) -> dict:
    """The Django settings (``EMAIL_BACKEND``, ``EMAIL_HOST``…) that ``url`` stands for."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise EmailURLError("CREDSTACK_EMAIL_URL is not a URL (check the port)") from None
    scheme = parts.scheme.lower()
    options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    unknown = sorted(set(options) - {"timeout"})
    if unknown:
        raise EmailURLError(f"CREDSTACK_EMAIL_URL: unknown option {', '.join(unknown)} (known: timeout)")
    if scheme in BACKENDS:
        settings: dict = {"EMAIL_BACKEND": BACKENDS[scheme]}
        if scheme == "file":
            if not parts.path or parts.path == "/":
                raise EmailURLError(
                    "CREDSTACK_EMAIL_URL: file:// needs a folder, as in file:///var/mail/credstack"
                )
            settings["EMAIL_FILE_PATH"] = unquote(parts.path)
        return settings
    if scheme not in SMTP_SCHEMES:
        raise EmailURLError(
            f"CREDSTACK_EMAIL_URL: unknown scheme {scheme!r}; use smtp+tls://, smtp+ssl://, smtp://, "
            "console:// or file:///folder"
        )
    if not parts.hostname:
        raise EmailURLError(
            f"CREDSTACK_EMAIL_URL: {scheme}:// needs a host name, as in {scheme}://mail.example.org"
        )
    default_port, tls, ssl = SMTP_SCHEMES[scheme]
    try:
        timeout = float(options.get("timeout", DEFAULT_TIMEOUT))
    except ValueError:
        raise EmailURLError("CREDSTACK_EMAIL_URL: timeout is a number of seconds") from None
    return {
        "EMAIL_BACKEND": SMTP,
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or default_port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": tls,
        "EMAIL_USE_SSL": ssl,
        "EMAIL_TIMEOUT": timeout,
    }

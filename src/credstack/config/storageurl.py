"""``CREDSTACK_STORAGE_URL``: where every file credstack writes is kept, as one URL, turned into Django's
``STORAGES["default"]`` (decision 0048).

    s3://bucket                                   AWS S3; credentials from AWS_ACCESS_KEY_ID /
                                                  AWS_SECRET_ACCESS_KEY (or the instance's role)
    s3://bucket/credstack?region=eu-west-1        objects under the prefix ``credstack/``
    s3://KEY:SECRET@bucket?endpoint_url=http://127.0.0.1:9000&region=us-east-1
                                                  an S3-compatible server (MinIO, Ceph, Garage, moto)

Unset (the default): files on the local disk under ``$CREDSTACK_HOME/media``. Query options:
``endpoint_url``, ``region``, ``addressing_style`` (``path`` — the default with an ``endpoint_url``, what
MinIO and most S3-compatible servers want — or ``virtual``), ``signature_version`` (default ``s3v4``),
``timeout`` (seconds to connect and to read, default 10: an endpoint that is down never holds a request for
long). A key or secret with ``@``, ``:`` or ``/`` in it is percent-encoded. The bucket is private: files are
served through credstack (its validators and page cache), never by a public or signed bucket URL. A wrong
URL stops the start with a message that names the problem and never repeats the secret. Pure Python:
settings import it before Django is set up (botocore's ``Config`` is imported only for an s3:// URL).
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

S3 = "storages.backends.s3.S3Storage"
OPTIONS = ("endpoint_url", "region", "addressing_style", "signature_version", "timeout")
DEFAULT_TIMEOUT = 10.0


class StorageURLError(ValueError):
    pass


def parse(url: str) -> dict:
    """The ``STORAGES["default"]`` entry (``BACKEND`` and ``OPTIONS``) that ``url`` stands for."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        raise StorageURLError("CREDSTACK_STORAGE_URL is not a URL") from None
    scheme = parts.scheme.lower()
    if scheme != "s3":
        raise StorageURLError(
            f"CREDSTACK_STORAGE_URL: unknown scheme {scheme!r}; use s3://bucket (leave it unset for local files)"
        )
    bucket = parts.hostname or ""
    if not bucket:
        raise StorageURLError("CREDSTACK_STORAGE_URL: s3:// needs a bucket name, as in s3://credstack-files")
    options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise StorageURLError(
            f"CREDSTACK_STORAGE_URL: unknown option {', '.join(unknown)} (known: {', '.join(OPTIONS)})"
        )
    endpoint = options.get("endpoint_url", "")
    if endpoint and urlsplit(endpoint).scheme not in ("http", "https"):
        raise StorageURLError("CREDSTACK_STORAGE_URL: endpoint_url is an http:// or https:// URL")
    style = options.get("addressing_style", "path" if endpoint else "")
    if style not in ("", "path", "virtual"):
        raise StorageURLError("CREDSTACK_STORAGE_URL: addressing_style is path or virtual")
    try:
        timeout = float(options.get("timeout", DEFAULT_TIMEOUT))
    except ValueError:
        raise StorageURLError("CREDSTACK_STORAGE_URL: timeout is a number of seconds") from None
    storage: dict = {
        "bucket_name": bucket,
        "location": parts.path.strip("/"),
        "default_acl": None,  # the bucket's own policy: private
        "querystring_auth": True,  # a URL handed out by mistake still expires
        "file_overwrite": False,  # an upload never replaces another's file (as on a local disk)
    }
    # botocore comes with django-storages[s3] (the "s3" extra): imported only when S3 is configured
    try:
        from boto3.s3.transfer import TransferConfig  # optional dependency (the s3 extra)
        from botocore.config import Config  # optional dependency (the s3 extra): only for an s3:// URL
    except ImportError:
        raise StorageURLError(
            "CREDSTACK_STORAGE_URL needs django-storages with S3 support: pip install 'credstack[s3]'"
        ) from None

    storage["client_config"] = Config(
        s3={"addressing_style": style} if style else None,
        signature_version=options.get("signature_version", "s3v4"),
        connect_timeout=timeout,
        read_timeout=timeout,
        # one retry (credstack.retry owns the policy for tasks); a down endpoint is said within seconds
        retries={"max_attempts": 2, "mode": "standard"},
    )
    # the files credstack writes are small (a certificate ~23 KB, an upload 50 MB at most): each is sent by
    # the writing thread, one PUT (or a few parts one after the other); boto3's default starts a pool of
    # threads for each upload, ~1-2 ms of CPU a file (benchmarks/RESULTS.md, certificates on S3, 2026-12-06)
    storage["transfer_config"] = TransferConfig(use_threads=False)
    if endpoint:
        storage["endpoint_url"] = endpoint
    if options.get("region"):
        storage["region_name"] = options["region"]
    if parts.username:
        storage["access_key"] = unquote(parts.username)
        storage["secret_key"] = unquote(parts.password or "")
    return {"BACKEND": S3, "OPTIONS": storage}

"""A real S3-compatible server for the storage tests: moto's standalone server (``moto[server]``).

``make test`` starts one with ``scripts/with-s3.sh`` (``CREDSTACK_TEST_STORAGE_URL``, tests/settings.py);
without it, the first test that needs it starts its own on a free loopback port. Every test gets a bucket of
its own, and a fresh, empty ``MEDIA_ROOT`` to show that nothing lands on the local disk.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from credstack.config import storageurl
from tests.workspace.conftest import member, signed_in  # noqa: F401


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def s3_url():
    """The URL of a bucket on a running moto server (its endpoint is what the tests use)."""
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    url = os.environ.get("CREDSTACK_TEST_STORAGE_URL", "")
    if url:
        yield url
        return
    moto = Path(sys.executable).with_name("moto_server")
    command = [str(moto)] if moto.exists() else [shutil.which("moto_server") or "moto_server"]
    port = free_port()
    proc = subprocess.Popen(
        [*command, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"s3://credstack-test?endpoint_url={endpoint}&region=us-east-1"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def endpoint_of(url: str) -> str:
    return parse_qs(urlsplit(url).query)["endpoint_url"][0]


class Bucket:
    """The test's bucket, read through boto3 (not through credstack)."""

    def __init__(self, url: str, name: str):
        import boto3  # the dev extra; only these tests read a bucket directly

        self.name = name
        self.endpoint = endpoint_of(url)
        self.url = f"s3://{name}?endpoint_url={self.endpoint}&region=us-east-1"
        self.client = boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1")

    def keys(self, prefix: str = "") -> list[str]:
        listed = self.client.list_objects_v2(Bucket=self.name, Prefix=prefix)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


def use_storage(settings, url: str, media: Path) -> None:
    """Switch the default storage to ``url`` (Django resets ``default_storage`` on the change)."""
    settings.STORAGES = {**settings.STORAGES, "default": storageurl.parse(url)}
    settings.MEDIA_ROOT = media


@pytest.fixture
def bucket(s3_url, settings, tmp_path):
    """A fresh bucket of this test as credstack's file storage; ``MEDIA_ROOT`` an empty folder."""
    made = Bucket(s3_url, f"t-{uuid.uuid4().hex[:20]}")
    made.client.create_bucket(Bucket=made.name)
    media = tmp_path / "media"
    media.mkdir()
    use_storage(settings, made.url, media)
    made.media = media
    return made


def files_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())

"""Every file credstack writes goes to S3-compatible object storage when ``CREDSTACK_STORAGE_URL`` is set,
is served from there, and nothing lands on the node's disk; a storage that fails (its endpoint down, the
bucket missing, access denied) is said in words, with 503, never a bare 500 (decisions 0040, 0048).
The server is a real one: moto's standalone server on loopback (conftest.py)."""

from __future__ import annotations

import io
import tarfile

import pytest
from botocore.exceptions import ClientError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from storages.backends.s3 import S3Storage

from credstack import backup
from credstack.config import storageurl
from credstack.designs import actions as design_actions
from credstack.designs import editor
from credstack.designs.models import DesignAsset
from credstack.organizations.models import Organization
from credstack.ui.storage import S3_DENIED, S3_DOWN, S3_NO_BUCKET, storage_failure
from credstack.vc import baking

from .conftest import Bucket, endpoint_of, files_under, free_port, use_storage

SETTINGS_FORM = {"name": "Acme Training", "brand_color": "#123456", "url": "", "email": ""}


def _png(w=300, h=200, color=(200, 180, 120)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), color).save(buf, "PNG")
    return buf.getvalue()


LOGO = _png(64, 64, (30, 60, 90))


def test_the_url_names_bucket_endpoint_and_credentials():
    parsed = storageurl.parse(
        "s3://AK%2F1:se%40cret@files/credstack?endpoint_url=http://127.0.0.1:9000&region=eu-1"
    )
    options = parsed["OPTIONS"]
    assert parsed["BACKEND"] == "storages.backends.s3.S3Storage"
    assert (options["bucket_name"], options["location"], options["region_name"]) == (
        "files",
        "credstack",
        "eu-1",
    )
    assert (options["access_key"], options["secret_key"]) == ("AK/1", "se@cret")
    assert options["endpoint_url"] == "http://127.0.0.1:9000"
    assert options["client_config"].s3 == {"addressing_style": "path"}  # what MinIO and moto want


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("gs://files", "unknown scheme 'gs'"),
        ("s3://", "needs a bucket name"),
        ("s3://files?endpoint=http://x", "unknown option endpoint"),
        ("s3://files?endpoint_url=ftp://x", "endpoint_url is an http:// or https:// URL"),
        ("s3://files?timeout=soon", "timeout is a number of seconds"),
        ("s3://files?addressing_style=dns", "addressing_style is path or virtual"),
    ],
)
def test_a_wrong_url_is_refused_with_what_is_wrong(url, message):
    with pytest.raises(storageurl.StorageURLError, match=message):
        storageurl.parse(url)


def test_issued_credential_pdf_and_badge_are_in_the_bucket_and_served_from_it(
    bucket, client, org, issue, settings
):
    from credstack.achievements.actions import create_achievement

    badge = _png(256, 256, (10, 120, 60))
    achievement = create_achievement(
        organization=org,
        slug="s3-badge",
        name="Stored Badge",
        description="d",
        criteria_narrative="c",
        badge=("image/png", badge),
    )
    credential = issue(achievement=achievement)
    assert bucket.keys("badges/") == [achievement.badge_image.name]
    assert bucket.read(achievement.badge_image.name) == badge

    pdf = client.get(f"/c/{credential.public_id}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    body = b"".join(pdf.streaming_content) if pdf.streaming else pdf.content
    assert body.startswith(b"%PDF-")
    assert bucket.keys("certificates/") == []  # rendered on download: nothing kept per credential

    settings.CREDSTACK_KEEP_CERTIFICATES = True  # kept once rendered: in the bucket, and served from it
    client.get(f"/c/{credential.public_id}.pdf")
    stored = bucket.keys("certificates/")
    assert len(stored) == 1 and stored[0].startswith(f"certificates/{credential.public_id}-")
    assert bucket.read(stored[0]).startswith(b"%PDF-")
    again = client.get(f"/c/{credential.public_id}.pdf")
    assert (b"".join(again.streaming_content) if again.streaming else again.content) == bucket.read(stored[0])

    png = client.get(f"/c/{credential.public_id}.png")
    assert png.status_code == 200
    baked = b"".join(png.streaming_content) if png.streaming else png.content
    # the uploaded badge (read back from the bucket), baked with the credential
    assert baking.png_payloads(baked)[baking.OB3_KEYWORD] == credential.document
    assert Image.open(io.BytesIO(baked)).getpixel((128, 128))[:3] == (10, 120, 60)
    assert files_under(bucket.media) == []


def test_design_asset_upload_and_logo_land_in_the_bucket(bucket, signed_in, org):
    client = signed_in("admin")
    design = design_actions.create_design(org, name="Main", data=editor.build({}))
    background = _png(1200, 850)
    r = client.post(
        f"/w/{org.slug}/designs/{design.public_id}/upload",
        {"role": "background", "file": SimpleUploadedFile("bg.png", background)},
    )
    assert r.status_code == 302
    asset = DesignAsset.objects.get()
    assert bucket.keys("designs/") == [asset.file.name] and bucket.read(asset.file.name) == background
    assert asset.content() == background and bytes(asset.data) == b""  # not in the database row either

    r = client.post(f"/w/{org.slug}/settings", {**SETTINGS_FORM, "logo": SimpleUploadedFile("l.png", LOGO)})
    assert r.status_code == 302
    org.refresh_from_db()
    assert bucket.keys("logos/") == [org.logo.name] and bucket.read(org.logo.name) == LOGO
    logo = client.get(f"/orgs/{org.slug}/logo")
    assert b"".join(logo.streaming_content) == LOGO
    assert files_under(bucket.media) == []


def test_exports_and_backups_read_the_bucket_and_write_nothing_local(
    bucket, signed_in, org, issue, tmp_path, settings
):
    client = signed_in("admin")
    client.post(f"/w/{org.slug}/settings", {**SETTINGS_FORM, "logo": SimpleUploadedFile("l.png", LOGO)})
    credential = issue(name="Grace Hopper")
    settings.CREDSTACK_KEEP_CERTIFICATES = True
    client.get(f"/c/{credential.public_id}.pdf")
    export = client.get(f"/w/{org.slug}/credentials.csv")
    assert export.status_code == 200 and "Grace Hopper" in export.content.decode()

    archive = tmp_path / "backup.tar.gz"
    backup.backup(archive)
    org.refresh_from_db()
    with tarfile.open(archive) as tar:
        media = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.name.startswith("media/")}
    # the bucket's files, the certificate cache left out (rebuilt on demand)
    assert media == {f"media/{org.logo.name}": LOGO}
    assert files_under(bucket.media) == []


def test_readyz_checks_the_bucket(db, bucket, client, settings, tmp_path):
    ready = client.get("/readyz")
    assert (
        ready.status_code == 200
        and f"storage: ok (S3 bucket {bucket.name}, writable)" in ready.content.decode()
    )
    assert bucket.keys() == []  # the probe cleans up after itself

    use_storage(settings, f"s3://no-such-bucket?endpoint_url={bucket.endpoint}&region=us-east-1", tmp_path)
    missing = client.get("/readyz")
    assert missing.status_code == 503
    assert f"storage: FAILED ({S3_NO_BUCKET};" in missing.content.decode()


def test_a_write_to_a_missing_bucket_is_a_503_that_says_so_and_changes_nothing(
    bucket, signed_in, org, settings
):
    client = signed_in("admin")
    use_storage(settings, f"s3://gone-bucket?endpoint_url={bucket.endpoint}&region=us-east-1", bucket.media)
    r = client.post(f"/w/{org.slug}/settings", {**SETTINGS_FORM, "logo": SimpleUploadedFile("l.png", LOGO)})
    assert r.status_code == 503 and r["Retry-After"]
    page = r.content.decode()
    assert "File storage unavailable" in page and "the file storage&#x27;s bucket does not exist" in page
    assert not Organization.objects.get(pk=org.pk).logo


def test_an_endpoint_that_is_down_is_a_503_problem_for_the_api(bucket, signed_in, org, settings, issue):
    credential = issue()
    client = signed_in("admin")
    down = f"s3://{bucket.name}?endpoint_url=http://127.0.0.1:{free_port()}&region=us-east-1&timeout=2"
    use_storage(settings, down, bucket.media)
    r = client.post(
        f"/w/{org.slug}/settings",
        {**SETTINGS_FORM, "logo": SimpleUploadedFile("l.png", LOGO)},
        HTTP_ACCEPT="application/json",
    )
    assert r.status_code == 503
    problem = r.json()
    assert problem["title"] == "File storage unavailable" and S3_DOWN in problem["detail"]
    assert problem["type"].endswith("storage-unavailable")
    # a certificate is still served while the storage is down: its cache only costs speed
    pdf = client.get(f"/c/{credential.public_id}.pdf")
    assert pdf.status_code == 200
    assert (b"".join(pdf.streaming_content) if pdf.streaming else pdf.content).startswith(b"%PDF-")


def test_access_denied_is_recognised_along_the_chain(s3_url):
    """moto's server accepts any key, so the refusal S3 gives is made as botocore makes it."""
    refused = ClientError(
        {"Error": {"Code": "AccessDenied", "Message": "Access Denied"}, "ResponseMetadata": {}}, "PutObject"
    )
    try:
        try:
            raise refused
        except ClientError as exc:
            raise RuntimeError("the upload failed") from exc
    except RuntimeError as chained:
        assert storage_failure(chained) == S3_DENIED
    other = ClientError({"Error": {"Code": "InvalidArgument", "Message": "x"}}, "PutObject")
    assert storage_failure(other) is None
    assert endpoint_of(s3_url).startswith("http://127.0.0.1:")


def _owner(key: str) -> str:
    """The credential a stored certificate is of: certificates/<public id>-<digest>.pdf."""
    return key.removeprefix("certificates/").removesuffix(".pdf").rsplit("-", 1)[0]


class CountingS3(S3Storage):
    """The S3 storage, noting what credstack asks the bucket besides writes: checks of a name, reads."""

    asked: list[str] = []

    def exists(self, name):
        CountingS3.asked.append(f"exists {name}")
        return super().exists(name)

    def _open(self, name, mode="rb"):
        CountingS3.asked.append(f"open {name}")
        return super()._open(name, mode)


def test_certificates_rendered_ahead_are_written_without_asking_first(bucket, org, issue, settings):
    """The workers' certificates of just-issued credentials (CREDSTACK_PDFS_AHEAD, decision 0047): one
    PUT each, nothing asked before (before: a read and a check of the name, three requests in all). Run
    again (a task is run again after its worker dies), each object is written again in place."""
    from credstack.credentials import files

    counting = {**storageurl.parse(bucket.url), "BACKEND": f"{__name__}.CountingS3"}
    settings.STORAGES = {**settings.STORAGES, "default": counting}
    settings.CREDSTACK_PDFS_AHEAD = settings.CREDSTACK_KEEP_CERTIFICATES = True
    credentials = [issue() for _ in range(3)]
    CountingS3.asked = []
    assert files.render_certificates.call([c.pk for c in credentials]) == 3
    assert CountingS3.asked == []
    stored = bucket.keys("certificates/")
    owners = {_owner(name): name for name in stored}
    assert sorted(owners) == sorted(c.public_id for c in credentials)
    first = {name: bucket.read(name) for name in stored}
    assert all(files.is_whole_pdf(pdf) for pdf in first.values())

    bucket.client.put_object(Bucket=bucket.name, Key=stored[0], Body=b"%PDF- cut off")  # damaged
    assert files.render_certificates.call([c.pk for c in credentials]) == 3
    assert bucket.keys("certificates/") == stored  # the same names, nothing beside them
    assert {name: bucket.read(name) for name in stored} == first

    # a download reads what the workers wrote
    CountingS3.asked = []
    credential = credentials[0]
    assert files.certificate_pdf(credential) == first[owners[credential.public_id]]
    assert CountingS3.asked == [f"open {owners[credential.public_id]}"]


def test_a_certificate_written_after_the_storage_changes_goes_to_the_new_bucket(
    s3_url, bucket, org, issue, settings, tmp_path
):
    """The storage that replaces objects in place is made once per configured storage: configured anew
    (another bucket), the next certificate goes there, never to the bucket configured before."""
    from credstack.credentials import files

    settings.CREDSTACK_KEEP_CERTIFICATES = True
    before, after = issue(), issue()
    files.render_certificates.call([before.pk])
    assert len(bucket.keys("certificates/")) == 1
    other = Bucket(s3_url, bucket.name + "-b")
    other.client.create_bucket(Bucket=other.name)
    use_storage(settings, other.url, tmp_path / "media")
    files.render_certificates.call([after.pk])
    assert [_owner(k) for k in other.keys("certificates/")] == [after.public_id]
    assert len(bucket.keys("certificates/")) == 1

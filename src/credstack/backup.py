"""``credstack backup FILE`` and ``credstack restore FILE``: the whole instance in one archive.

A backup is a gzipped tar with ``manifest.json``, the database (a consistent online copy: SQLite's backup
API, or ``pg_dump`` for PostgreSQL), the stored files (logos, badges, design assets; the certificate cache
is left out: it is rebuilt on demand) and the deployment secret, which seals the signing keys (unless the
secret comes from ``CREDSTACK_SECRET_KEY``: then keep that value with the backup). The archive holds the
secret: it is written 0600 and must be kept like the keys themselves.

A restore checks everything before it replaces anything: the archive is complete, its database is of
this kind, and the secret opens its signing keys (otherwise it says exactly what is missing). After
it, nothing that a credential issued after the backup may carry is handed out again: every status list
is closed, so new credentials get indexes in new lists, and signing-key ids are never counted again
(``organizations.actions.rotate_key`` names keys uniquely).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connections
from django.db.models import F

from credstack.atomic_storage import TEMP_PREFIX, save_atomic
from credstack.credentials.models import Credential, StatusList
from credstack.organizations import sealing
from credstack.organizations.models import Organization, seal_context

FORMAT = 1
SKIPPED_MEDIA = ("certificates/",)  # a cache: rebuilt from the database on demand


class BackupError(Exception):
    """The backup or the restore cannot be made; the message says why and what to do."""


def _engine() -> str:
    engine = settings.DATABASES["default"]["ENGINE"]
    if "sqlite" in engine:
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"backups support SQLite and PostgreSQL, not {engine}")


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / name).exists():
            return str(folder / name)
    raise BackupError(f"{name} is needed for a PostgreSQL backup; install the PostgreSQL client tools")


def _pg_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = {**os.environ}
    for value, var in (
        (db.get("HOST"), "PGHOST"),
        (db.get("PORT"), "PGPORT"),
        (db.get("USER"), "PGUSER"),
        (db.get("PASSWORD"), "PGPASSWORD"),
    ):
        if value:
            env[var] = str(value)
    return env


def _secret_file() -> Path:
    return Path(settings.CREDSTACK_HOME) / "secret_key"


def _secret_from_environment() -> bool:
    return bool(os.environ.get("CREDSTACK_SECRET_KEY"))


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(datetime.now(UTC).timestamp())
    tar.addfile(info, io.BytesIO(data))


def _counts() -> dict[str, int]:
    return {"organizations": Organization.objects.count(), "credentials": Credential.objects.count()}


def backup(path: str | Path) -> dict:
    """Write the archive to ``path`` (atomically: a temporary name, then a rename). Returns its manifest."""
    path = Path(path)
    engine = _engine()
    manifest = {
        "format": FORMAT,
        "made_at": datetime.now(UTC).isoformat(),
        "engine": engine,
        "base_url": settings.CREDSTACK_BASE_URL,
        "secret_included": not _secret_from_environment(),
        **_counts(),
    }
    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / "database"
        if engine == "sqlite":
            source = sqlite3.connect(settings.DATABASES["default"]["NAME"])
            target = sqlite3.connect(dump)
            try:
                source.backup(target)  # consistent while the app keeps writing
            finally:
                target.close()
                source.close()
        else:
            db = settings.DATABASES["default"]
            subprocess.run(
                [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(dump), db["NAME"]],
                check=True,
                env=_pg_env(),
                capture_output=True,
            )
        partial = path.with_name(f".{path.name}.partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=1).encode())
            tar.add(dump, arcname="database.sqlite3" if engine == "sqlite" else "database.pgdump")
            # through the file storage: the local disk, or the S3 bucket (decision 0048)
            for name in sorted(_stored_files(default_storage)):
                if not name.startswith(SKIPPED_MEDIA):
                    with default_storage.open(name, "rb") as fh:
                        _add_bytes(tar, f"media/{name}", fh.read())
            if manifest["secret_included"] and _secret_file().exists():
                _add_bytes(tar, "secret_key", _secret_file().read_bytes())
        partial.replace(path)
    return manifest


def _stored_files(storage, folder: str = ""):
    """Every file name in ``storage`` (a walk of ``listdir``: folders on disk, prefixes in a bucket)."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # no media folder yet
        return
    for file in files:
        if not file.startswith(TEMP_PREFIX):
            yield f"{folder}{file}"
    for sub in folders:
        yield from _stored_files(storage, f"{folder}{sub}/")


def _members(tar: tarfile.TarFile) -> dict[str, tarfile.TarInfo]:
    members = {}
    for member in tar.getmembers():
        name = member.name
        if name.startswith("/") or ".." in Path(name).parts or not (member.isfile() or member.isdir()):
            raise BackupError(f"the archive holds an unsafe entry {name!r}: not a credstack backup")
        members[name] = member
    return members


def _check_secret_opens_keys(database: Path, secret: str) -> int:
    """How many signing keys ``secret`` opens in the SQLite ``database``; raise if one does not."""
    db = sqlite3.connect(database)
    try:
        rows = db.execute(
            "SELECT organization_id, fragment, sealed_private_key FROM organizations_signingkey"
        ).fetchall()
    finally:
        db.close()
    return _open_all(rows, secret)


def _open_all(rows: list, secret: str) -> int:
    saved = settings.SECRET_KEY
    settings.SECRET_KEY = secret
    try:
        for org_id, fragment, sealed in rows:
            sealing.unseal(sealed, seal_context(org_id, fragment))
    except sealing.SealingError:
        raise BackupError(
            "the secret does not open this backup's signing keys: set CREDSTACK_SECRET_KEY to the secret "
            "of the instance that made the backup (or restore an archive that includes it), then run "
            "restore again; nothing was changed"
        ) from None
    finally:
        settings.SECRET_KEY = saved
    return len(rows)


def _pg_signing_keys(dump: Path) -> list[tuple]:
    """(organization_id, fragment, sealed key) of the signing keys in a pg_dump archive, read without
    restoring it: pg_restore prints the table's COPY data."""
    out = subprocess.run(
        [_pg_tool("pg_restore"), "--data-only", "--table=organizations_signingkey", "--file=-", str(dump)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rows, columns = [], None
    for line in out.splitlines():
        if line.startswith("COPY ") and "organizations_signingkey" in line:
            columns = [c.strip() for c in line[line.index("(") + 1 : line.index(")")].split(",")]
            continue
        if columns is None:
            continue
        if line == "\\.":
            break
        values = dict(zip(columns, line.split("\t"), strict=True))
        org = None if values["organization_id"] == "\\N" else int(values["organization_id"])
        rows.append(
            (org, values["fragment"], bytes.fromhex(values["sealed_private_key"].removeprefix("\\\\x")))
        )
    return rows


def restore(path: str | Path, *, force: bool = False) -> dict:
    """Replace this instance's database, files and secret with the archive's. Returns its manifest."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"no backup file {path}")
    engine = _engine()
    with tempfile.TemporaryDirectory() as work, tarfile.open(path, "r:gz") as tar:
        members = _members(tar)
        if "manifest.json" not in members:
            raise BackupError(f"{path} has no manifest.json: not a credstack backup")
        manifest = json.loads(tar.extractfile(members["manifest.json"]).read())  # type: ignore[union-attr]
        if manifest.get("format") != FORMAT:
            raise BackupError(f"backup format {manifest.get('format')} is not one this version restores")
        if manifest.get("engine") != engine:
            raise BackupError(
                f"this backup is of a {manifest.get('engine')} database; this instance uses {engine}"
            )
        if "secret_key" in members:
            secret = tar.extractfile(members["secret_key"]).read().decode().strip()  # type: ignore[union-attr]
        elif _secret_from_environment():
            secret = os.environ["CREDSTACK_SECRET_KEY"]
        else:
            raise BackupError(
                "this backup does not include the secret that seals its signing keys (it was made with "
                "CREDSTACK_SECRET_KEY set): set CREDSTACK_SECRET_KEY to that value and run restore again; "
                "nothing was changed"
            )
        tar.extractall(work, filter="data")
        database = Path(work) / ("database.sqlite3" if engine == "sqlite" else "database.pgdump")
        if not database.exists():
            raise BackupError(f"{path} holds no database")
        if engine == "sqlite":
            keys = _check_secret_opens_keys(database, secret)
            target = Path(settings.DATABASES["default"]["NAME"])
            if target.exists() and not force and _has_rows(target):
                raise BackupError(f"{target} already holds data: pass --force to replace it")
            connections.close_all()
            # through SQLite's backup API, not a file copy: a process or thread that still has the database
            # open (a worker, a server) sees the restored pages through SQLite's own locks and write-ahead
            # log, where replacing the file under it would leave it reading a torn database
            source, copy = sqlite3.connect(database), sqlite3.connect(target)
            try:
                source.backup(copy)
            finally:
                source.close()
                copy.close()
            os.chmod(target, 0o600)
        else:
            keys = _open_all(_pg_signing_keys(database), secret)
            if not force and Credential.objects.exists():
                raise BackupError("this instance's database already holds data: pass --force to replace it")
            db = settings.DATABASES["default"]
            connections.close_all()
            subprocess.run(
                [
                    _pg_tool("pg_restore"),
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--dbname",
                    db["NAME"],
                    str(database),
                ],
                check=True,
                env=_pg_env(),
                capture_output=True,
            )
        restored_media = Path(work) / "media"
        if restored_media.is_dir():  # into the file storage: the local disk or the S3 bucket
            for file in sorted(restored_media.rglob("*")):
                if file.is_file():
                    name = file.relative_to(restored_media).as_posix()
                    save_atomic(default_storage, name, file.read_bytes())
        if "secret_key" in members and not _secret_from_environment():
            _secret_file().write_text(secret)
            os.chmod(_secret_file(), 0o600)
        settings.SECRET_KEY = secret
    _after_restore()
    manifest["keys_checked"] = keys
    return manifest


def _has_rows(database: Path) -> bool:
    db = sqlite3.connect(database)
    try:
        return bool(db.execute("SELECT count(*) FROM credentials_credential").fetchone()[0])
    except sqlite3.Error:
        return False
    finally:
        db.close()


def _after_restore() -> None:
    """Bring the schema up to date and close every status list: credentials issued after the backup (now
    gone from the database) hold indexes in those lists, which must never be handed out again. Then empty
    the cache: the public pages cached before the restore show rows that are no longer there (decision 0038)."""
    call_command("migrate", interactive=False, verbosity=0)
    StatusList.objects.update(next_slot=F("size"))
    try:
        caches[getattr(settings, "CREDSTACK_PAGE_CACHE", "default")].clear()
    except Exception as exc:  # a cache that cannot be emptied must not leave stale pages: say so
        raise RuntimeError(
            f"restored, but the cache could not be emptied ({exc}); empty {settings.CREDSTACK_HOME / 'cache'} "
            "(or the Redis cache) before serving"
        ) from exc

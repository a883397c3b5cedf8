"""State under CREDSTACK_HOME is readable by the deployment's user only: the SQLite database (and its WAL),
the secret-key file, the mail and media folders and uploaded files."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"

WRITE_STATE = r"""
import django
django.setup()
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.core.management import call_command
# a migrate creates the database and its write-ahead log: one app's is enough (the files are the same
# whatever the tables; the whole graph costs ~10 s of CPU, decision 0070)
call_command("migrate", "sessions", verbosity=0, interactive=False)
send_mail("hello", "body", "a@example.org", ["b@example.org"])
print(default_storage.save("logos/acme.png", ContentFile(b"\x89PNG not really")))
"""


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_state_files_are_created_private_whatever_the_umask(tmp_path):
    home = tmp_path / "home"
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "CREDSTACK_HOME": str(home),
        "DJANGO_SETTINGS_MODULE": "credstack.config.settings",
    }
    for name in ("CREDSTACK_SECRET_KEY", "DATABASE_URL", "CREDSTACK_EMAIL_BACKEND", "REDIS_URL"):
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-c", "import os; os.umask(0o022); exec(open(0).read())"],
        input=WRITE_STATE,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    saved = done.stdout.strip().splitlines()[-1]

    assert _mode(home) == 0o700
    assert _mode(home / "secret_key") == 0o600
    assert _mode(home / "credstack.sqlite3") == 0o600
    for extra in ("credstack.sqlite3-wal", "credstack.sqlite3-shm"):
        if (home / extra).exists():
            assert _mode(home / extra) == 0o600, extra
    assert _mode(home / "mail") == 0o700
    assert any((home / "mail").iterdir())  # the mail was written there
    assert _mode(home / "media") == 0o700
    assert _mode(home / "media" / saved) == 0o600
    assert _mode((home / "media" / saved).parent) == 0o700

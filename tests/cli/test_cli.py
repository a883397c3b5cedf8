"""The credstack command: issue, revoke, suspend, reinstate, rotate keys and verify, end to end."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from credstack.cli import main
from credstack.credentials.models import Credential
from credstack.organizations.models import AuditEntry
from credstack.vc import keys, ob3, proofs


@pytest.fixture
def served(live_server, settings, achievement):
    """Credentials issued under the live server's URL, so did:web and status lists resolve over HTTP."""
    settings.CREDSTACK_BASE_URL = live_server.url
    return live_server


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def issue_cli(capsys, tmp_path, name="Ada Lovelace", email="ada@example.org") -> tuple[str, str]:
    out_file = tmp_path / f"{email}.json"
    code, out, err = run(
        capsys,
        "issue",
        "--org",
        "acme",
        "--achievement",
        "python-basics",
        "--name",
        name,
        "--email",
        email,
        "--out",
        str(out_file),
    )
    assert code == 0, err
    return out.strip(), str(out_file)


def test_issue_then_verify_file_and_url(served, capsys, tmp_path):
    url, path = issue_cli(capsys, tmp_path)
    assert url.startswith(f"{served.url}/c/")
    assert json.loads(open(path).read())["id"] == url

    code, out, _ = run(capsys, "verify", path)
    assert code == 0, out
    assert out.startswith("VALID")

    code, out, _ = run(capsys, "verify", url, "--json")
    assert code == 0
    report = json.loads(out)
    assert report["valid"] is True and report["status"] == "valid"


def test_tampered_credential_fails(served, capsys, tmp_path):
    _, path = issue_cli(capsys, tmp_path)
    doc = json.loads(open(path).read())
    doc["credentialSubject"]["name"] = "Mallory"
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(doc))
    code, out, _ = run(capsys, "verify", str(tampered))
    assert code == 1
    assert out.startswith("INVALID")


@pytest.mark.parametrize(("command", "status"), [("revoke", "revoked"), ("suspend", "suspended")])
def test_revoked_and_suspended_fail(served, capsys, tmp_path, command, status):
    url, path = issue_cli(capsys, tmp_path)
    code, out, _ = run(capsys, command, url, "--reason", "test")
    assert code == 0 and out.strip() == f"{url}: {status}"
    code, out, _ = run(capsys, "verify", path, "--json")
    assert code == 1
    # the file names one suspension entry (decision 0032): a revocation sets that bit for good, so the
    # file alone reads "suspended"; the credential's page says "revoked" (tests/portal/test_public_page.py)
    assert json.loads(out)["status"] == "suspended"


def test_reinstate_makes_it_valid_again(served, capsys, tmp_path):
    url, path = issue_cli(capsys, tmp_path)
    public_id = url.rsplit("/", 1)[-1]
    assert run(capsys, "suspend", public_id)[0] == 0
    assert run(capsys, "reinstate", public_id)[0] == 0
    assert run(capsys, "verify", path)[0] == 0
    code, _, err = run(capsys, "reinstate", public_id)
    assert code == 1 and "is active" in err


def test_rotated_keys_keep_old_credentials_valid(served, capsys, tmp_path):
    _, old = issue_cli(capsys, tmp_path)
    code, out, _ = run(capsys, "keys", "rotate", "--org", "acme")
    assert code == 0 and out.strip().split("#")[-1].startswith("key-2-")
    row = AuditEntry.objects.get(action="organization.key_rotated")
    assert row.actor_kind == "cli" and out.strip().endswith(f"#{row.target}")
    _, new = issue_cli(capsys, tmp_path, email="new@example.org")
    assert run(capsys, "verify", old)[0] == 0
    assert run(capsys, "verify", new)[0] == 0


def test_issue_refuses_bad_input_with_the_field(served, capsys):
    code, _, err = run(
        capsys, "issue", "--org", "acme", "--achievement", "python-basics", "--name", "Ada", "--email", "nope"
    )
    assert code == 2 and "recipient_email" in err and "not a valid email" in err
    code, _, err = run(
        capsys,
        "issue",
        "--org",
        "acme",
        "--achievement",
        "missing",
        "--name",
        "A",
        "--email",
        "a@example.org",
    )
    assert code == 2 and "no achievement 'missing'" in err
    assert Credential.objects.count() == 0


def _did_key_credential(valid_from: datetime, valid_until: datetime | None) -> dict:
    key = keys.Ed25519Key.generate()
    did = keys.did_key(key.public_bytes())
    doc = ob3.compose(
        issuer={"id": did, "name": "Elsewhere Institute"},
        achievement={
            "id": "https://elsewhere.example/a/1",
            "name": "Welding",
            "description": "Welding.",
            "criteria": {"narrative": "Weld."},
            "achievement_type": "Course",
        },
        recipient_email="x@example.org",
        recipient_name="X",
        credential_id="urn:uuid:5b5a8a4e-1b39-4c1a-9d3c-0f6b8a0c9d11",
        valid_from=valid_from,
        valid_until=valid_until,
    )
    return proofs.sign(doc, key, f"{did}#{did.removeprefix('did:key:')}")


@pytest.mark.parametrize(
    ("offset_from", "offset_until", "status", "code"),
    [
        (-10, None, "valid", 0),
        (-400, -30, "expired", 1),
        (30, 400, "not-yet-valid", 1),
    ],
)
def test_validity_window(capsys, tmp_path, offset_from, offset_until, status, code):
    now = datetime.now(UTC).replace(microsecond=0)
    doc = _did_key_credential(
        now + timedelta(days=offset_from), now + timedelta(days=offset_until) if offset_until else None
    )
    path = tmp_path / "c.json"
    path.write_text(json.dumps(doc))
    got, out, _ = run(capsys, "verify", str(path), "--json")
    assert got == code
    assert json.loads(out)["status"] == status


@pytest.mark.parametrize("content", [None, "{not json", "[1, 2]"])
def test_unreadable_input_exits_2(capsys, tmp_path, content):
    path = tmp_path / "input.json"
    if content is not None:
        path.write_text(content)
    code, _, err = run(capsys, "verify", str(path))
    assert code == 2
    assert "cannot read" in err

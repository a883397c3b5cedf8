"""Shared data and helpers for the ``credstack.vc`` tests (no database, no network)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from credstack.vc import keys, ob3, status

HERE = Path(__file__).parent
VECTORS = HERE / "vectors"
DCC = HERE / "fixtures" / "dcc"
EXAMPLES_CONTEXT = "https://www.w3.org/ns/credentials/examples/v2"

# The DCC fixtures' README publishes this seed: it is the key of the status lists' signer.
DCC_LIST_SIGNER_SEED = "z1AeiPT496wWmo9BG2QYXeTusgFSZPNG3T9wNeTtjrQ3rCB"
DCC_LIST_SIGNER = "did:key:z6MknNQD1WHLGGraFi6zcbGevuAgkVfdyCdtZnQTGWVVvR5Q"
DCC_LISTS = "https://digitalcredentials.github.io/vc-test-fixtures/statusLists/didkey-ed25519Signature2020/"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def load(path: Path) -> dict:
    return json.loads(path.read_text("utf-8"))


def dcc_documents() -> dict[str, dict]:
    """Every URL the DCC fixtures name, mapped to our local copy of the document."""
    docs = {
        f"https://digitalcredentials.github.io/vc-test-fixtures/dids/{name}/did.json": load(
            DCC / "dids" / name / "did.json"
        )
        for name in ("legacy", "oidf")
    }
    for path in (DCC / "statusLists" / "didkey-ed25519Signature2020").iterdir():
        docs[DCC_LISTS + path.name] = load(path)
    docs[
        "https://raw.githubusercontent.com/digitalcredentials/verifier-core/refs/heads/main/src/test-fixtures/status/"
        "e5WK8CbZ1GjycuPombrj"
    ] = docs[DCC_LISTS + "e5WK8CbZ1GjycuPombrj"]
    return docs


def fetch_from(documents: dict[str, dict]):
    """A ``fetch`` serving ``documents`` by URL; any other URL fails as a network error would."""

    def fetch(url: str) -> dict:
        if url not in documents:
            raise LookupError(f"no document at {url} (tests never use the network)")
        return json.loads(json.dumps(documents[url]))

    return fetch


def dcc_signer() -> keys.Ed25519Key:
    return keys.Ed25519Key.from_private_bytes(keys.multibase_decode(DCC_LIST_SIGNER_SEED)[2:])


def did_key_vm(key: keys.Ed25519Key) -> tuple[str, str]:
    """(did, verification method id) of a key's did:key."""
    did = keys.did_key(key.public_bytes())
    return did, f"{did}#{key.public_multibase}"


def typical_credential(
    issuer_id: str, *, status_entries: list[dict] | None = None, name: str = "Ada Lovelace", **changes
) -> dict:
    """A typical OpenBadgeCredential as credstack issues it."""
    fields = dict(
        issuer={
            "id": issuer_id,
            "name": "Demo Academy",
            "url": "https://academy.example",
            "email": "certs@academy.example",
            "image": "https://academy.example/logo.png",
        },
        achievement={
            "id": "https://academy.example/a/python-basics",
            "name": "Python Basics",
            "description": "Six short lessons on Python, each with a quiz.",
            "criteria": {
                "narrative": "Pass the quiz after every lesson.",
                "id": "https://academy.example/a/python-basics#criteria",
            },
            "image": "https://academy.example/a/python-basics.png",
            "achievement_type": "Course",
            "tags": ["python", "programming"],
            "alignments": [
                {
                    "name": "Programming",
                    "url": "https://example.org/skills/programming",
                    "framework": "Example Skills",
                },
                {"targetName": "Python", "targetUrl": "https://example.org/skills/python"},
            ],
        },
        recipient_email="Ada@Example.org",
        recipient_name=name,
        credential_id="https://academy.example/c/bq_Uct3XjgcWGzBrXG2N4A",
        valid_from=datetime(2025, 6, 1, 12, 0, tzinfo=UTC),
        status_entries=status_entries
        if status_entries is not None
        else [
            status.entry("https://academy.example/status/1/revocation", 4242, "revocation"),
            status.entry("https://academy.example/status/1/suspension", 4242, "suspension"),
        ],
        salt="5f1c2d3e4b5a6978",
    )
    fields.update(changes)
    return ob3.compose(**fields)

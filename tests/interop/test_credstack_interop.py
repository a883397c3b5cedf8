"""What credstack.vc signs, Digital Bazaar's verifier accepts — for any text a person may type.

Property tests: an OpenBadgeCredential composed with ``credstack.vc.ob3`` from arbitrary Unicode (control
characters, emoji, quotes, very long strings; only lone surrogates excluded, since they are not valid in
JSON text), signed with a fresh Ed25519 key under ``did:key`` or ``did:web``, must verify in
``@digitalbazaar/vc``; a tampered copy must fail in both verifiers; a Bitstring Status List signed by the
same issuer must read as revoked / suspended in both.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credstack.vc import did, keys, ob3, proofs, status, verify

from .verifier import NodeVerifier

pytestmark = pytest.mark.interop

BASE_URL = "https://credstack.example"
VALID_FROM = datetime(2024, 5, 1, tzinfo=UTC)
NOW = datetime(2025, 6, 1, tzinfo=UTC)
NOW_ISO = "2025-06-01T00:00:00Z"
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# ------------------------------------------------------------------ strategies
# Every code point but the surrogates (category Cs), controls included.
ANY_CHAR = st.characters(blacklist_categories=("Cs",))
NASTY = [
    "\x00",
    "\x01\x02\x1f\x7f",
    "\t\n\r\x0b\x0c",
    "\x08 backspace",
    "\"double\" 'single' `back` \\ backslash",
    "\u2028\u2029\x85 line separators",
    "\ufeff BOM \u200b zero width \u200d",
    "\U0001f600\U0001f393 \U0001f469\U0001f3fd\u200d\U0001f52c \U0001f3f3\ufe0f\u200d\U0001f308",
    "\U0010fffd \U000e0001 planes 16 & 14",
    "مرحبا עברית \u202eRTL override\u202c",
    "<script>alert(1)</script> &amp; %s {0}",
    "  leading and trailing spaces  ",
    "Ǆ ß ﬁ İ — case folding",
    "\ufffe\uffff noncharacters",
]


def _text(min_size: int = 1) -> st.SearchStrategy[str]:
    return st.one_of(
        st.text(ANY_CHAR, min_size=min_size, max_size=60),
        st.sampled_from(NASTY),
        st.lists(st.sampled_from(NASTY), min_size=1, max_size=4).map("".join),
        # very long: a few KB of mixed text
        st.tuples(st.text(ANY_CHAR, min_size=1, max_size=12), st.integers(200, 800)).map(
            lambda t: t[0] * t[1]
        ),
    )


NAMES = _text()
TEXTS = _text()
KEY_KIND = st.sampled_from(["did:key", "did:web"])


# ------------------------------------------------------------------ helpers
class Issuer:
    """A fresh key and the documents a verifier needs to resolve it."""

    def __init__(self, kind: str) -> None:
        self.key = keys.Ed25519Key.generate()
        self.documents: dict[str, Any] = {}
        if kind == "did:key":
            self.id = keys.did_key(self.key.public_bytes())
            self.verification_method = f"{self.id}#{self.key.public_multibase}"
        else:
            self.id = did.did_web_for(BASE_URL, path="orgs/interop-academy")
            self.verification_method = f"{self.id}#key-1"
            # keyed by the did.json URL, as a did:web resolver fetches it (the Node loader maps
            # the DID to that URL too)
            document = did.did_document(self.id, [("key-1", self.key.public_multibase)])
            self.documents[did.did_web_url(self.id)] = document

    def resolve_key(self, verification_method: str) -> bytes | None:
        if verification_method != self.verification_method:
            return None
        return self.key.public_bytes()

    def fetch(self, url: str) -> dict[str, Any]:
        return self.documents[url]

    def sign(self, document: dict[str, Any]) -> dict[str, Any]:
        return proofs.sign(document, self.key, self.verification_method, created=VALID_FROM)


def compose(
    issuer: Issuer,
    *,
    name: str,
    issuer_name: str,
    achievement_name: str,
    description: str,
    narrative: str,
    status_entries: list[dict] | None = None,
) -> dict[str, Any]:
    return ob3.compose(
        issuer={"id": issuer.id, "name": issuer_name, "url": BASE_URL, "email": "certs@credstack.example"},
        achievement={
            "id": f"{BASE_URL}/achievements/interop",
            "name": achievement_name,
            "description": description,
            "criteria": narrative,
        },
        recipient_email="learner@example.org",
        recipient_name=name,
        credential_id=f"{BASE_URL}/credentials/interop-1",
        valid_from=VALID_FROM,
        status_entries=status_entries,
        salt="fixed-salt-for-tests",
    )


def assert_node_accepts(node_verifier: NodeVerifier, credential: dict, documents: dict, **kw: Any) -> dict:
    result = node_verifier.verify(credential, documents=documents, now=NOW_ISO, **kw)
    assert result["verified"] is True, (result["errors"], credential)
    return result


def tampered_copies(credential: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """One changed name each: the learner's (``credentialSubject.name``), the achievement's, the issuer's."""
    out = []
    for label, path in (
        ("learner name", ("credentialSubject", "name")),
        ("achievement name", ("credentialSubject", "achievement", "name")),
        ("issuer name", ("issuer", "name")),
    ):
        tampered = copy.deepcopy(credential)
        node = tampered
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = node[path[-1]] + "x"
        out.append((label, tampered))
    return out


# ------------------------------------------------------------------ properties
@SETTINGS
@given(
    kind=KEY_KIND, name=NAMES, issuer_name=NAMES, achievement_name=NAMES, description=TEXTS, narrative=TEXTS
)
def test_digital_bazaar_accepts_what_credstack_signs(
    node_verifier: NodeVerifier,
    kind: str,
    name: str,
    issuer_name: str,
    achievement_name: str,
    description: str,
    narrative: str,
) -> None:
    issuer = Issuer(kind)
    credential = issuer.sign(
        compose(
            issuer,
            name=name,
            issuer_name=issuer_name,
            achievement_name=achievement_name,
            description=description,
            narrative=narrative,
        )
    )
    assert credential["proof"]["type"] == "DataIntegrityProof"
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"

    result = assert_node_accepts(node_verifier, credential, issuer.documents)
    assert result["valid"] is True
    assert proofs.verify(credential, issuer.resolve_key).verified
    report = verify.verify_credential(credential, fetch=issuer.fetch, now=NOW)
    assert report.valid, report.to_dict()

    for label, tampered in tampered_copies(credential):
        node_result = node_verifier.verify(tampered, documents=issuer.documents, now=NOW_ISO)
        assert node_result["verified"] is False, label
        assert any("Invalid signature" in e for e in node_result["errors"]), (label, node_result["errors"])
        assert not proofs.verify(tampered, issuer.resolve_key).verified, label
        assert not verify.verify_credential(tampered, fetch=issuer.fetch, now=NOW).valid, label


@SETTINGS
@given(
    kind=KEY_KIND,
    purpose=st.sampled_from(["revocation", "suspension"]),
    index=st.integers(0, 131_071),
    bit=st.booleans(),
    others=st.sets(st.integers(0, 131_071), max_size=20),
    name=NAMES,
)
def test_status_list_bit_reads_the_same_in_digital_bazaar(
    node_verifier: NodeVerifier, kind: str, purpose: str, index: int, bit: bool, others: set[int], name: str
) -> None:
    issuer = Issuer(kind)
    list_url = f"{BASE_URL}/status/{purpose}/1"
    bits = status.StatusBits(size=131_072)
    for other in others - {index}:
        bits.set(other, True)
    bits.set(index, bit)
    assert bits.get(index) is bit
    list_credential = issuer.sign(
        status.list_credential(list_url, issuer.id, purpose, bits.encode(), VALID_FROM)
    )
    issuer.documents[list_url] = list_credential

    credential = issuer.sign(
        compose(
            issuer,
            name=name,
            issuer_name="Interop Academy",
            achievement_name="Status",
            description="d",
            narrative="n",
            status_entries=[status.entry(list_url, index, purpose)],
        )
    )

    result = node_verifier.verify(credential, documents=issuer.documents, check_status=True, now=NOW_ISO)
    assert result["verified"] is True, result["errors"]
    assert result["statusResult"]["verified"] is True
    assert result["revoked"] is (bit and purpose == "revocation")
    assert result["suspended"] is (bit and purpose == "suspension")
    assert result["valid"] is (not bit)

    report = verify.verify_credential(credential, fetch=issuer.fetch, now=NOW)
    if bit:
        assert report.status == ("revoked" if purpose == "revocation" else "suspended"), report.to_dict()
        assert not report.valid
    else:
        assert report.status == "valid", report.to_dict()
        assert report.valid


def test_status_list_from_another_issuer_is_refused_by_both(node_verifier: NodeVerifier) -> None:
    issuer, stranger = Issuer("did:key"), Issuer("did:key")
    list_url = f"{BASE_URL}/status/revocation/foreign"
    bits = status.StatusBits(size=131_072)
    bits.set(5, True)
    foreign_list = stranger.sign(
        status.list_credential(list_url, stranger.id, "revocation", bits.encode(), VALID_FROM)
    )
    credential = issuer.sign(
        compose(
            issuer,
            name="Ada",
            issuer_name="Interop Academy",
            achievement_name="Status",
            description="d",
            narrative="n",
            status_entries=[status.entry(list_url, 5, "revocation")],
        )
    )
    documents = {list_url: foreign_list}
    result = node_verifier.verify(credential, documents=documents, check_status=True, now=NOW_ISO)
    assert result["valid"] is False
    assert any("Issuers of the status list credential" in e for e in result["errors"]), result["errors"]
    report = verify.verify_credential(credential, fetch=documents.__getitem__, now=NOW)
    assert not report.valid, report.to_dict()


@pytest.mark.parametrize("text", NASTY)
def test_each_nasty_string_everywhere(node_verifier: NodeVerifier, text: str) -> None:
    """The fixed hard cases, always run (hypothesis may or may not draw them)."""
    for kind in ("did:key", "did:web"):
        issuer = Issuer(kind)
        credential = issuer.sign(
            compose(
                issuer,
                name=text,
                issuer_name=text,
                achievement_name=text,
                description=text,
                narrative=text,
            )
        )
        assert_node_accepts(node_verifier, credential, issuer.documents)

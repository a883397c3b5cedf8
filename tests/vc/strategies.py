"""Hypothesis strategies for credentials as credstack composes them, in every script.

Text mixes whole phrases in Arabic, Hebrew, CJK, Devanagari, Thai, Hangul, emoji (with ZWJ sequences and
skin tones), combining marks, bidi controls and edge code points (U+FFFD, U+FEFF, noncharacters, the last
plane), with arbitrary Unicode (no lone surrogates) and long strings. Optional fields come and go;
alignments, evidence, results and one to three status entries are drawn too.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import strategies as st

from credstack.vc import ob3, status

PHRASES = [
    "شهادة إتمام الدورة",  # Arabic
    "مرحبا بالعالم ١٢٣",
    "תעודת סיום",  # Hebrew
    "学习证书：Python 基础",  # Chinese
    "修了証明書",  # Japanese
    "수료증",  # Korean
    "प्रमाणपत्र — पायथन मूल बातें",  # Devanagari
    "ประกาศนียบัตร",  # Thai
    "🎓🏅👩🏽‍💻🇺🇳",  # emoji, skin tone, ZWJ sequence, flag
    "e\u0301 a\u0308 n\u0303 \u1e9b\u0323",  # combining marks
    "\u200f\u202eRTL override\u202c\u200e",  # bidi controls
    "zero\u200bwidth\u200djoiner\u2060",
    "\ufffd\ufeff\ufffe\uffff\U0010ffff\U0001f600",  # edge code points
    'tab\tnew\nline\rcarriage "quote" back\\slash',
    "<>{}|^`",
    "100%",
    " ",
]

_SCRIPT_CHARS = st.sampled_from(sorted(set("".join(PHRASES))))
_ANY_CHAR = st.characters(exclude_categories=["Cs"])  # every code point but lone surrogates
_CONTROL_FREE = st.characters(exclude_categories=["Cs", "Cc"])


def _long(base: str, times: int) -> str:
    return (base * times)[:5000]


text = st.one_of(
    st.sampled_from(PHRASES),
    st.text(_SCRIPT_CHARS, min_size=1, max_size=30),
    st.text(_CONTROL_FREE, min_size=1, max_size=30),
    st.text(_ANY_CHAR, min_size=1, max_size=30),
    st.builds(_long, st.sampled_from(PHRASES), st.integers(100, 400)),
)

_SEGMENT = st.text(
    st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~"),
    min_size=1,
    max_size=12,
)
_PERCENT = st.sampled_from(["%D8%B4", "%E5%AD%A6", "%F0%9F%8E%93", "%20"])


@st.composite
def urls(draw: st.DrawFn, prefix: str = "") -> str:
    """An absolute URL; ``prefix`` (a first path segment) keeps the ids of different nodes apart."""
    host = draw(st.sampled_from(["example.org", "academy.example", "127.0.0.1:8000", "xn--mgbh0fb.example"]))
    parts = draw(st.lists(st.one_of(_SEGMENT, _PERCENT), min_size=1, max_size=4))
    query = draw(st.sampled_from(["", "?q=1", "#frag", "?a=b&c=d#x"]))
    return f"https://{host}/{prefix}" + "/".join(parts) + query


def did_web(name: str) -> str:
    return "did:web:academy.example:orgs:" + name


issuer_ids = st.one_of(
    st.builds(did_web, _SEGMENT),
    urls("issuer/"),
    st.just("did:key:z6MknNQD1WHLGGraFi6zcbGevuAgkVfdyCdtZnQTGWVVvR5Q"),
)
datetimes = st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2099, 12, 31)).map(
    lambda d: d.replace(microsecond=0, tzinfo=UTC)
)


def _maybe(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(st.none(), strategy)


@st.composite
def alignments(draw: st.DrawFn) -> dict:
    out = {"name": draw(text), "url": draw(urls())}
    for key in ("framework", "code", "description", "type"):
        value = draw(_maybe(text))
        if value is not None:
            out[key] = value
    return out


@st.composite
def results(draw: st.DrawFn) -> object:
    kind = draw(st.sampled_from(["plain", "object"]))
    if kind == "plain":
        return draw(text)
    out = {"value": draw(text)}
    if draw(st.booleans()):
        out["resultDescription"] = draw(urls())
    if draw(st.booleans()):
        out["status"] = draw(st.sampled_from(["Completed", "Enrolled", "Failed", "InProgress"]))
    if draw(st.booleans()):
        out["achievedLevel"] = draw(urls())
    return out


@st.composite
def evidence(draw: st.DrawFn, n: int = 0) -> object:
    if draw(st.booleans()):
        return draw(urls(f"evidence{n}/"))
    out: dict = {}
    if draw(st.booleans()):
        out["id"] = draw(urls(f"evidence{n}/"))
    for key in ("name", "description", "narrative", "genre", "audience"):
        value = draw(_maybe(text))
        if value is not None:
            out[key] = value
    if not out:
        out["narrative"] = draw(text)
    return out


@st.composite
def credentials(draw: st.DrawFn) -> dict:
    """An unsigned OpenBadgeCredential from :func:`credstack.vc.ob3.compose` with drawn content."""
    issuer = {"id": draw(issuer_ids), "name": draw(text)}
    shared_image = draw(urls("image/"))  # issuer logo and badge image are often one file: one node
    for key, strategy in (
        ("url", urls()),
        ("email", text),
        ("image", st.one_of(urls(), st.just(shared_image))),
    ):
        value = draw(_maybe(strategy))
        if value is not None:
            issuer[key] = value
    achievement = {
        "id": draw(urls("achievement/")),
        "name": draw(text),
        "description": draw(st.one_of(st.just(""), text)),
        "criteria": draw(
            st.one_of(
                text,
                st.fixed_dictionaries({"narrative": text}),
                st.fixed_dictionaries({"id": urls("criteria/")}),
                st.fixed_dictionaries({"id": urls("criteria/"), "narrative": text}),
            )
        ),
    }
    if draw(st.booleans()):
        achievement["image"] = draw(st.one_of(urls(), st.just(shared_image)))
    achievement_type = draw(_maybe(st.sampled_from([*sorted(ob3.ACHIEVEMENT_TYPES), "ext:Mentoring"])))
    if achievement_type:
        achievement["achievement_type"] = achievement_type
    achievement["tags"] = draw(st.lists(text, max_size=5))  # repeats too: a node holds a value once
    achievement["alignments"] = draw(st.lists(alignments(), max_size=3))
    list_base = draw(urls("status/")).split("?")[0].split("#")[0]
    purposes = draw(st.lists(st.sampled_from(status.PURPOSES), min_size=0, max_size=3))
    entries = [
        status.entry(f"{list_base}/{n}", draw(st.integers(0, 2**17 - 1)), purpose)
        for n, purpose in enumerate(purposes)
    ]
    valid_from = draw(datetimes)
    return ob3.compose(
        issuer=issuer,
        achievement=achievement,
        recipient_email=draw(text).strip() or "someone@example.org",
        recipient_name=draw(_maybe(text)),
        credential_id=draw(st.one_of(urls("credential/"), st.uuids().map(lambda u: f"urn:uuid:{u}"))),
        valid_from=valid_from,
        valid_until=draw(_maybe(st.just(valid_from + timedelta(days=365)))),
        result=draw(st.one_of(st.none(), results(), st.lists(results(), max_size=3))),
        evidence=draw(
            st.one_of(
                st.none(),
                evidence(),
                st.tuples(*(evidence(n) for n in range(draw(st.integers(0, 3))))).map(list),
            )
        ),
        status_entries=entries,
        salt=draw(st.text(st.sampled_from("0123456789abcdef"), min_size=32, max_size=32)),
        activity_start=draw(_maybe(datetimes)),
        activity_end=draw(_maybe(datetimes)),
    )

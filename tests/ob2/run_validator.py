"""Run the 1EdTech Open Badges 2.0 validator (``openbadges`` on PyPI) on one URL and print its report.

Runs in its own virtualenv (the validator pins pyld 0.7, which credstack cannot share). There is no
internet here: every request the validator makes is answered locally — the OB 2.0 JSON-LD context from
credstack's bundled copy, everything under ``--allow`` (the test's live server) over loopback; anything
else fails as a connection error.

    python run_validator.py URL --context FILE --allow http://localhost:PORT/
    python run_validator.py --file BADGE.png|BADGE.svg --context FILE --allow http://localhost:PORT/
      (a baked badge: the validator unbakes it with openbadges_bakery and checks what it carries)
"""

import argparse
import collections
import collections.abc
import json
import sys

# the validator's pinned dependencies predate Python 3.10's removal of these aliases
for _name in (
    "Mapping",
    "MutableMapping",
    "Iterable",
    "Sequence",
    "MutableSequence",
    "Callable",
    "Set",
    "MutableSet",
    "Hashable",
):
    setattr(collections, _name, getattr(collections.abc, _name))

import requests  # noqa: E402


def main() -> int:
    if sys.argv[1:] == ["--check"]:
        import openbadges.verifier  # noqa: F401

        return 0
    parser = argparse.ArgumentParser()
    parser.add_argument("url", nargs="?")
    parser.add_argument("--file")
    parser.add_argument("--context", required=True)
    parser.add_argument("--allow", required=True)
    args = parser.parse_args()
    with open(args.context, encoding="utf-8") as fh:
        context = fh.read()
    real_send = requests.Session.send
    seen = []

    def send(self, request, **kwargs):
        url = request.url
        seen.append(url)
        if url.rstrip("/") in ("https://w3id.org/openbadges/v2", "http://w3id.org/openbadges/v2"):
            response = requests.Response()
            response.status_code, response.url, response.encoding = 200, url, "utf-8"
            response._content = context.encode("utf-8")
            response.headers["Content-Type"] = "application/ld+json"
            response.request = request
            return response
        if url.startswith(args.allow):
            return real_send(self, request, **kwargs)
        raise requests.ConnectionError(f"no internet in the test: {url}")

    requests.Session.send = send
    from openbadges.verifier import verify

    if args.file:
        # openbadges_bakery 1.2.4 returns an SVG's verify attribute as bytes, which the validator's input
        # detection (is_url) does not take for a URL under Python 3: every hosted SVG badge, its own
        # bakery's included, fails "only URL, JSON, or JWS input". Hand it over as text.
        import openbadges.verifier.verifier as verifier_module

        real_unbake = verifier_module.unbake

        def unbake(image):
            data = real_unbake(image)
            return data.decode("utf-8") if isinstance(data, bytes) else data

        verifier_module.unbake = unbake
        with open(args.file, "rb") as badge:
            result = verify(badge)
    else:
        result = verify(args.url)
    json.dump(
        {"report": result["report"], "graph": result["graph"], "requests": seen}, sys.stdout, default=str
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Requests on an organization's own domain (decision 0049).

``ALLOWED_HOSTS`` stays the list of the deployment's own names. An organization's domain
(``certificates.example.edu``, a CNAME to the deployment) is admitted here, by name, when it is one of the
domains organizations configured: this middleware, placed before anything asks the request for its host,
looks the name up; a configured domain gets a request whose ``get_host()`` answers that checked name (and
``request.site_org`` is its organization, whose brand the pages then wear); any other name goes on to
Django's own check and its 400. No ``ALLOWED_HOSTS = ["*"]``.

On such a host only the organization's public and learner pages answer: its credential pages and files, the
verifier, portfolios, its course pages and the learner's sign-in and portal (``/me/``, which there lists the
organization's credentials only), its DID document at ``/.well-known/did.json``, status lists, static
files. A learner who signs in there stays there (the session cookie is the host's own). A credential,
course or achievement of another organization is a 404 there (a domain vouches only for its own); other
paths (the workspace, the educator's sign-in) redirect to the deployment's address.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.request import split_domain_port, validate_host

from credstack.achievements.models import Achievement
from credstack.credentials.models import Credential
from credstack.organizations.models import Domain
from credstack.organizations.queries import did_document, domain_for_host

# what a custom domain serves; everything else is the deployment's
SERVED = ("/c/", "/verify", "/p/", "/learn/", "/me/", "/static/", "/orgs/", "/a/", "/status/", "/d/", "/tls/")
CREDENTIAL = re.compile(
    r"^/c/([A-Za-z0-9_-]{1,32})(?:\.(?:json|pdf|png|svg)|/certificate\.png|/og\.png|/ob2)?$"
)
ORG_SLUG = re.compile(r"^/(?:learn|orgs|me/o)/([a-z0-9-]+)/")
ACHIEVEMENT = re.compile(r"^/a/([A-Za-z0-9_-]{1,32})(?:/badge)?$")
# learner pages that are not a course's (sign-in, attachments, covers): no organization in the path
OWN_NAMES = frozenset({"testserver", "localhost", "127.0.0.1", "[::1]"})
IP_LIKE = re.compile(r"^(?:[0-9.]+|\[.*\])$")
LEARN_SHARED = re.compile(r"^/learn/(?:sign-in|sign-out|files/|covers/|reminders/off/|$)")


def raw_host(request: HttpRequest) -> str:
    """The Host the client sent, unchecked (what Django's ``get_host`` checks)."""
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in request.META:
        return request.META["HTTP_X_FORWARDED_HOST"]
    return request.META.get("HTTP_HOST") or request.META.get("SERVER_NAME", "")


def custom_domain(request: HttpRequest) -> Domain | None:
    """The organization's domain this request came in on, or None. The deployment's own names (and IP
    addresses, which no domain is) never cost a query."""
    name, _port = split_domain_port(raw_host(request))
    if not name or name in OWN_NAMES or IP_LIKE.match(name):
        return None
    own = [h for h in settings.ALLOWED_HOSTS if h != "*"]
    if validate_host(name, [*own, deployment_host()]):
        return None
    return domain_for_host(name)


def deployment_host() -> str:
    return settings.CREDSTACK_BASE_URL.split("://", 1)[-1].split("/", 1)[0].split(":")[0].lower()


class CustomDomainMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        domain = custom_domain(request)
        if domain is None:
            return self.get_response(request)
        host = raw_host(request).lower()
        request.get_host = lambda: host  # type: ignore[method-assign]  # the name was checked just above
        request.site_org = domain.organization  # type: ignore[attr-defined]
        request.site_domain = domain  # type: ignore[attr-defined]
        path = request.path_info
        if path == "/.well-known/did.json":
            response = JsonResponse(
                did_document(domain.organization, domain.did), content_type="application/did+json"
            )
            response["Access-Control-Allow-Origin"] = "*"
            response["Cache-Control"] = "public, no-cache"
            return response
        if path == "/":
            return HttpResponseRedirect("/verify")
        if not path.startswith(SERVED):
            return HttpResponseRedirect(settings.CREDSTACK_BASE_URL + request.get_full_path())
        _only_its_own(path, domain)
        return self.get_response(request)


def _only_its_own(path: str, domain: Domain) -> None:
    """A 404 for another organization's credential, course, logo, DID document or achievement."""
    org = domain.organization
    if match := CREDENTIAL.match(path):
        if not Credential.objects.filter(public_id=match.group(1), organization=org).exists():
            raise Http404("no credential with this id was issued here")
    elif (match := ORG_SLUG.match(path + "/")) and not LEARN_SHARED.match(path):
        if match.group(1) != org.slug:
            raise Http404("not this organization's")
    elif match := ACHIEVEMENT.match(path):
        if not Achievement.objects.filter(public_id=match.group(1), organization=org).exists():
            raise Http404("not this organization's")

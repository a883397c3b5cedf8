from django.contrib import admin
from django.urls import include, path

from credstack.accounts import sso_views
from credstack.achievements import views as achievement_views
from credstack.api.v1 import api as api_v1
from credstack.credentials import views as credential_views
from credstack.web import views as web_views
from credstack.workspace import org_views as workspace_views

urlpatterns = [
    path("", web_views.home, name="home"),
    path("healthz", web_views.healthz, name="healthz"),
    path("tls/ask", web_views.tls_ask, name="tls-ask"),  # Caddy's on-demand TLS asks (decision 0049)
    # The public links verifiers and visitors load most come first: Django tries the patterns in order, and
    # matching forty patterns before these cost more than serving the cached page (benchmarks/serve.py).
    path("c/<str:public_id>.json", credential_views.credential_download, name="credential-json"),
    path(
        "c/<str:public_id>/certificate.png",
        credential_views.certificate_image,
        {"variant": "page"},
        name="credential-certificate-image",
    ),
    path(
        "c/<str:public_id>/og.png",
        credential_views.certificate_image,
        {"variant": "og"},
        name="credential-og",
    ),
    path("c/<str:public_id>.pdf", credential_views.credential_pdf, name="credential-pdf"),
    path("c/<str:public_id>.png", credential_views.credential_png, name="credential-png"),
    path("c/<str:public_id>.svg", credential_views.credential_svg, name="credential-svg"),
    # after the file links: <str> matches "x.pdf" too
    path("c/<str:public_id>", credential_views.credential_page, name="credential"),
    path("status/<str:public_id>/<str:purpose>", credential_views.status_list, name="status-list"),
    path("orgs/<slug:slug>/did.json", credential_views.did_json, name="did-json"),
    path("admin/", admin.site.urls),
    # learner side and verification (issue 4): delivery tracking, portal, verifier, OB 2.0
    path("", include("credstack.delivery.urls")),
    path("", include("credstack.portal.urls")),
    path("", include("credstack.wallets.urls")),  # issue 16: OpenID4VCI
    path("", include("credstack.endorsements.urls")),  # issue 17: endorsements (/endorse/<token>)
    path("w/<slug:org_slug>/endorsements/", include("credstack.endorsements.workspace_urls")),
    path("", include("credstack.verifier.urls")),
    path("", include("credstack.ob2.urls")),
    path("accounts/", include("allauth.urls")),
    # single sign-on (decision 0055): discovery by email domain; an organization's IdP in the workspace
    path("sso/start", sso_views.start, name="sso-start"),
    path("w/<slug:org_slug>/sso/", sso_views.settings_page, name="sso-settings"),
    path("w/<slug:org_slug>/sso/remove", sso_views.remove, name="sso-remove"),
    # courses, pathways (issue 5): educator pages under the workspace; the learner player under /learn/
    path("w/<slug:org_slug>/courses/", include("credstack.courses.urls")),
    path("w/<slug:org_slug>/courses/", include("credstack.learning.educator_urls")),  # a course's learners
    path("w/<slug:org_slug>/pathways/", include("credstack.pathways.urls")),
    path("learn/", include("credstack.learning.urls")),
    path(
        "w/<slug:org_slug>/integrations/", include("credstack.integrations.urls")
    ),  # issue 6: inbound webhooks
    path("", include("credstack.integrations.public_urls")),  # /hooks/in/<token>
    path("w/<slug:org_slug>/developers/webhooks/", include("credstack.webhooks.urls")),  # issue 6: events out
    path("w/<slug:org_slug>/developers/", include("credstack.api.page_urls")),  # issue 6: API keys
    path("w/<slug:org_slug>/lti/", include("credstack.lti.workspace_urls")),  # issue 16: LMS platforms
    path("w/", include("credstack.workspace.urls")),
    path("orgs/<slug:slug>/logo", workspace_views.org_logo, name="org-logo"),
    path("a/<str:public_id>/badge", workspace_views.achievement_badge, name="achievement-badge"),
    path("api/v1/", api_v1.urls),
    path("", include("credstack.ob3api.urls")),
    path(
        "", include("credstack.lti.urls")
    ),  # LTI 1.3 tool: /lti/login, /lti/launch, /lti/jwks  # Open Badges 3.0 API for wallets (/ims/ob/v3p0/...)
    path("a/<str:public_id>", achievement_views.achievement_page, name="achievement"),
]

# the error pages in the site's look (credstack.web.errors); a write the storage refused (full disk,
# read-only home) is answered by credstack.web.readonly.StorageFailureMiddleware (507 / 503), not a 500
handler400 = "credstack.web.errors.bad_request"
handler403 = "credstack.web.errors.permission_denied"
handler404 = "credstack.web.errors.not_found"
handler500 = "credstack.web.errors.server_error"

"""Workspace URLs, all under /w/. Every page of an organization is /w/<org_slug>/..."""

from django.urls import path

from credstack.designs import views as design_views

from . import achievement_views as av
from . import credential_views as cv
from . import issue_views as iv
from . import member_views as mv
from . import org_views as ov
from . import report_views as rv
from . import skill_views as sv

urlpatterns = [
    path("", ov.home, name="workspace-home"),
    path("new", ov.org_new, name="workspace-org-new"),
    path("language", ov.language_view, name="workspace-language"),
    path("invitations/<str:token>", mv.invitation, name="workspace-invitation"),
    path("<slug:org_slug>/", ov.dashboard, name="workspace-dashboard"),
    path("<slug:org_slug>/settings", ov.settings_view, name="workspace-settings"),
    path("<slug:org_slug>/settings/keys", ov.keys_view, name="workspace-keys"),
    path("<slug:org_slug>/settings/signed-pdfs", ov.pdf_signing_view, name="workspace-pdf-signing"),
    path("<slug:org_slug>/settings/domain", ov.domain_view, name="workspace-domain"),
    path("<slug:org_slug>/members", mv.members, name="workspace-members"),
    path("<slug:org_slug>/members/<int:member_id>", mv.member_change, name="workspace-member-change"),
    path(
        "<slug:org_slug>/invitations/<int:invitation_id>/withdraw",
        mv.invitation_withdraw,
        name="workspace-invitation-withdraw",
    ),
    path("<slug:org_slug>/skills/", sv.skills, name="workspace-skills"),
    path("<slug:org_slug>/skills/import", sv.skills_import, name="workspace-skills-import"),
    path("<slug:org_slug>/skills/align", sv.skills_align, name="workspace-skills-align"),
    path("<slug:org_slug>/achievements/", av.achievement_list, name="workspace-achievements"),
    path("<slug:org_slug>/achievements/new", av.achievement_new, name="workspace-achievement-new"),
    path(
        "<slug:org_slug>/achievements/<str:public_id>/", av.achievement_detail, name="workspace-achievement"
    ),
    path(
        "<slug:org_slug>/achievements/<str:public_id>/translations",
        av.achievement_translations,
        name="workspace-achievement-translations",
    ),
    path(
        "<slug:org_slug>/achievements/<str:public_id>/edit",
        av.achievement_edit,
        name="workspace-achievement-edit",
    ),
    path(
        "<slug:org_slug>/achievements/<str:public_id>/badge.svg",
        av.achievement_badge_preview,
        name="workspace-achievement-badge",
    ),
    path("<slug:org_slug>/issue", iv.issue, name="workspace-issue"),
    path("<slug:org_slug>/bulk/", iv.bulk_upload, name="workspace-bulk"),
    path("<slug:org_slug>/bulk/sample.csv", iv.bulk_sample, name="workspace-bulk-sample"),
    path("<slug:org_slug>/bulk/<str:public_id>/", iv.bulk_job, name="workspace-bulk-job"),
    path("<slug:org_slug>/bulk/<str:public_id>/confirm", iv.bulk_confirm, name="workspace-bulk-confirm"),
    path("<slug:org_slug>/bulk/<str:public_id>/progress", iv.bulk_progress, name="workspace-bulk-progress"),
    path("<slug:org_slug>/bulk/<str:public_id>/resume", iv.bulk_resume, name="workspace-bulk-resume"),
    path("<slug:org_slug>/bulk/<str:public_id>/results.csv", iv.bulk_results, name="workspace-bulk-results"),
    path("<slug:org_slug>/credentials/", cv.credentials, name="workspace-credentials"),
    path("<slug:org_slug>/credentials.csv", cv.credentials_csv, name="workspace-credentials-csv"),
    path(
        "<slug:org_slug>/credentials/bulk-action",
        cv.credentials_bulk_action,
        name="workspace-credentials-bulk",
    ),
    path("<slug:org_slug>/credentials/<str:public_id>/", cv.credential_detail, name="workspace-credential"),
    path(
        "<slug:org_slug>/credentials/<str:public_id>/<str:action>",
        cv.credential_action,
        name="workspace-credential-action",
    ),
    path("<slug:org_slug>/designs/", design_views.design_list, name="workspace-designs"),
    path("<slug:org_slug>/designs/new", design_views.design_new, name="workspace-design-new"),
    path("<slug:org_slug>/designs/import", design_views.design_import, name="workspace-design-import"),
    path(
        "<slug:org_slug>/designs/gallery/<slug:key>.png",
        design_views.design_gallery_thumbnail,
        name="workspace-design-gallery-thumb",
    ),
    path("<slug:org_slug>/designs/<str:public_id>/", design_views.design_editor, name="workspace-design"),
    path(
        "<slug:org_slug>/designs/<str:public_id>/preview",
        design_views.design_preview,
        name="workspace-design-preview",
    ),
    path(
        "<slug:org_slug>/designs/<str:public_id>/thumb.png",
        design_views.design_thumbnail,
        name="workspace-design-thumb",
    ),
    path(
        "<slug:org_slug>/designs/<str:public_id>/draft",
        design_views.design_draft,
        name="workspace-design-draft",
    ),
    path(
        "<slug:org_slug>/designs/<str:public_id>/publish",
        design_views.design_publish,
        name="workspace-design-publish",
    ),
    path(
        "<slug:org_slug>/designs/<str:public_id>/compare",
        design_views.design_compare,
        name="workspace-design-compare",
    ),
    path(
        "<slug:org_slug>/designs/<str:public_id>/versions/<str:which>.png",
        design_views.design_version_png,
        name="workspace-design-version-png",
    ),
    path(
        "<slug:org_slug>/designs/<str:public_id>/restore",
        design_views.design_restore,
        name="workspace-design-restore",
    ),
    path(
        "<slug:org_slug>/designs/<str:public_id>/duplicate",
        design_views.design_duplicate,
        name="workspace-design-duplicate",
    ),
    path(
        "<slug:org_slug>/designs/<str:public_id>/upload",
        design_views.design_upload,
        name="workspace-design-upload",
    ),
    path("<slug:org_slug>/audit/", rv.audit_log, name="workspace-audit"),
    path("<slug:org_slug>/audit.csv", rv.audit_csv, name="workspace-audit-csv"),
    path("<slug:org_slug>/analytics/", rv.analytics_view, name="workspace-analytics"),
    path("<slug:org_slug>/analytics.csv", rv.analytics_csv, name="workspace-analytics-csv"),
]
